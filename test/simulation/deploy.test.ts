import { runScenario, SimulationEnvironment } from '../../src/simulation/runner';
import { parseScenario } from '../../src/simulation/scenario';
import { CfnTemplate } from '../../src/simulation/template';

jest.setTimeout(300_000);

let env: SimulationEnvironment;
beforeAll(async () => {
  env = await SimulationEnvironment.start();
});
afterAll(async () => {
  await env?.stop();
});

const scenario = parseScenario({
  name: 'deploy-setup',
  description: 'a function that never ran: its log group exists only once the setup has run',
  durationMinutes: 2,
  functions: [{ functionName: 'invoice-pdf', runtime: 'nodejs22.x', memorySizeMb: 256, timeoutSeconds: 30, neverInvokedBefore: true, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } }],
  expect: {},
}, 'deploy-setup.json');

/** The template without any statement granting logs:CreateLogGroup. */
function withoutCreateLogGroup(t: CfnTemplate): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(t)) as CfnTemplate;
  for (const r of Object.values(copy.Resources ?? {})) {
    const doc = r.Properties?.PolicyDocument;
    if (!doc?.Statement) continue;
    doc.Statement = doc.Statement.filter((s: { Action: string | string[] }) => ![s.Action].flat().includes('logs:CreateLogGroup'));
  }
  return copy;
}

describe('deploying the setup custom resource as CloudFormation does', () => {
  test('GIVEN a function that never ran WHEN deployed THEN the setup, as its own role, answers SUCCESS through the ResponseURL and the log group exists before the alarms run', async () => {
    const result = await runScenario(scenario, env);
    expect(result.error).toBeUndefined();
    expect(result.customResources).toEqual([expect.objectContaining({ type: 'Custom::LambdaRemediationSetup', status: 'SUCCESS', data: { createdLogGroups: 1, existingLogGroups: 0, managedFunctions: 1 } })]);
    expect(result.apiCalls.filter((c) => c.operation === 'CreateLogGroup').map((c) => c.input)).toEqual([{ logGroupName: '/aws/lambda/invoice-pdf' }]);
    expect(result.accessDenied).toEqual([]);
  });

  test('GIVEN the setup role without logs:CreateLogGroup WHEN deployed THEN the setup answers FAILED and the deploy fails: nothing runs', async () => {
    const result = await runScenario(scenario, env, { template: withoutCreateLogGroup });
    expect(result.customResources).toEqual([expect.objectContaining({ status: 'FAILED', reason: expect.stringContaining('logs:CreateLogGroup') })]);
    expect(result.error).toMatch(/^deploy failed: custom resource .* \(Custom::LambdaRemediationSetup\) answered FAILED: /);
    expect(result.accessDenied.map((d) => d.action)).toEqual(['logs:CreateLogGroup']);
    expect(result.executions).toEqual([]);
    expect(result.passed).toBe(false);
  });
});
