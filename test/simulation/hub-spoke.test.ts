import { join } from 'node:path';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile } from '../../src/simulation/scenario';
import { CfnTemplate } from '../../src/simulation/template';

jest.setTimeout(300_000);

const SPOKE_ROLE = 'arn:aws:iam::111111111111:role/lambda-auto-remediation-spoke-eu-west-1';
const scenario = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'hub-spoke-repair.json'));

/** A copy of `template` with `change` applied to each resource. */
function edited(template: CfnTemplate, change: (id: string, r: any) => void): CfnTemplate {
  const t = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, any> };
  for (const [id, r] of Object.entries(t.Resources)) change(id, r);
  return t as CfnTemplate;
}

let env: SimulationEnvironment;
beforeAll(async () => {
  env = await SimulationEnvironment.start();
});
afterAll(async () => {
  await env?.stop();
});

describe('GIVEN hub-spoke-repair', () => {
  test('WHEN simulated as synthesized THEN every handler role that acts in the spoke assumes the spoke role itself, allowed by the evaluator, and the spoke answers as that role', async () => {
    const result = await runScenario(scenario, env);
    expect(result.passed).toBe(true);
    const callers = new Set(result.assumeRoles!.filter((a) => a.allowed && a.roleArn === SPOKE_ROLE).map((a) => a.caller.split('/').pop()!));
    for (const handler of ['WorkflowNormalize', 'DiagnosisCollect', 'RepairRepair', 'VerificationVerify']) {
      expect([...callers].filter((c) => c.includes(`AutoRemediation${handler}`))).toHaveLength(1);
    }
    expect(callers.size).toBe(4);
    const spoke = result.spokes!.find((s) => s.account === '111111111111')!;
    expect(spoke.apiCalls.filter((c) => c.operation === 'UpdateFunctionConfiguration' && !c.error)).toHaveLength(1);
    // The spoke's own calls were authorized in the spoke (the hub's gate never saw them).
    expect(result.apiCalls.some((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration')).toBe(false);
  });

  test('fails when the hub\'s handlers may not assume the spoke role: AssumeRole is denied, the spoke function keeps its memory', async () => {
    const result: ScenarioResult = await runScenario({ ...scenario, durationMinutes: 12 }, env, {
      template: (t) => edited(t, (_id, r) => {
        if (r.Type !== 'AWS::IAM::Policy') return;
        r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter((s: { Action: unknown }) => s.Action !== 'sts:AssumeRole');
      }),
    });
    expect(result.assumeRoles!.filter((a) => a.allowed)).toEqual([]);
    expect(result.assumeRoles!.some((a) => !a.allowed && a.roleArn === SPOKE_ROLE)).toBe(true);
    expect(result.accessDenied.some((d) => d.action === 'sts:AssumeRole' && d.resource === SPOKE_ROLE)).toBe(true);
    expect(result.spokes!.find((s) => s.account === '111111111111')!.functions).toEqual([{ functionName: 'orders-api', finalMemoryMb: 512 }]);
    expect(result.passed).toBe(false);
  });

  test('fails when the spoke role trusts another account than the hub: AssumeRole is denied by its trust policy', async () => {
    const result = await runScenario({ ...scenario, durationMinutes: 12 }, env, {
      spokeTemplate: (t) => edited(t, (_id, r) => {
        if (r.Type === 'AWS::IAM::Role' && r.Properties.RoleName) {
          r.Properties.AssumeRolePolicyDocument.Statement[0].Principal = { AWS: 'arn:aws:iam::999999999999:root' };
        }
      }),
    });
    expect(result.assumeRoles!.filter((a) => a.allowed)).toEqual([]);
    expect(result.assumeRoles![0].reason).toMatch(/may not sts:AssumeRole/);
    expect(result.spokes!.find((s) => s.account === '111111111111')!.functions[0].finalMemoryMb).toBe(512);
  });

  test('fails when the hub bus policy admits neither the organization nor the account: the spoke\'s PutEvents is refused and no run starts', async () => {
    const result = await runScenario({ ...scenario, durationMinutes: 12 }, env, {
      template: (t) => edited(t, (_id, r) => {
        if (r.Type === 'AWS::Events::EventBusPolicy') r.Properties.Statement = { ...r.Properties.Statement, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-someoneelse1' } }, Principal: '*' };
      }),
    });
    const spoke = result.spokes!.find((s) => s.account === '111111111111')!;
    expect(spoke.forwardedEvents).toBe(0);
    expect(spoke.refusedEvents.length).toBeGreaterThan(0);
    expect(spoke.refusedEvents[0].reason).toMatch(/events:PutEvents on arn:aws:events:us-east-1:123456789012:event-bus\/lambda-auto-remediation-hub denied/);
    expect(result.executions).toEqual([]);
  });
});
