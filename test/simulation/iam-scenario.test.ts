import { join } from 'node:path';
import { checkExpectations } from '../../src/simulation/expectations';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile } from '../../src/simulation/scenario';
import { CfnTemplate } from '../../src/simulation/template';
import { ERROR_NAMES } from '../../src/workflow/contract';

jest.setTimeout(300_000);

const ORDERS = 'arn:aws:lambda:us-east-1:123456789012:function:orders-api';

/** Remove `action` from every policy attached to the roles whose logical id matches `role`. */
function withoutGrant(role: RegExp, action: string): (t: CfnTemplate) => CfnTemplate {
  return (template) => {
    const t = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, any> };
    const roleIds = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::IAM::Role' && role.test(id));
    expect(roleIds).toHaveLength(1);
    let removed = 0;
    for (const r of Object.values(t.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
      if (!(r.Properties.Roles ?? []).some((x: { Ref?: string }) => x.Ref === roleIds[0])) continue;
      r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.flatMap((st: { Action: string | string[] }) => {
        const actions = [st.Action].flat();
        if (!actions.includes(action)) return [st];
        removed++;
        const rest = actions.filter((a) => a !== action);
        return rest.length ? [{ ...st, Action: rest }] : [];
      });
    }
    expect(removed).toBeGreaterThan(0);
    return t as CfnTemplate;
  };
}

describe('GIVEN oom-recovered WHEN the repair role loses lambda:UpdateFunctionConfiguration', () => {
  let env: SimulationEnvironment;
  let result: ScenarioResult;
  const scenario = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'oom-recovered.json'));

  beforeAll(async () => {
    env = await SimulationEnvironment.start();
    result = await runScenario({ ...scenario, durationMinutes: 10 }, env, { template: withoutGrant(/RepairRepairRole[0-9A-F]{8}$/, 'lambda:UpdateFunctionConfiguration') });
  });
  afterAll(async () => {
    await env?.stop();
  });

  test('THEN the report lists the denied call: who, what, on which resource, why', () => {
    expect(result.iamEvaluated).toBe(true);
    expect(result.accessDenied.length).toBeGreaterThan(0);
    for (const d of result.accessDenied) {
      expect(d).toEqual({
        time: expect.stringMatching(/^2026-11-28T12:/),
        principal: expect.stringContaining('AutoRemediationRepair'),
        operation: 'Lambda:UpdateFunctionConfiguration',
        action: 'lambda:UpdateFunctionConfiguration',
        resource: ORDERS,
        reason: 'because no identity-based policy allows the lambda:UpdateFunctionConfiguration action',
      });
    }
  });

  test('THEN the call failed as AWS fails it, the handler handled it, and the function kept its memory', () => {
    const updates = result.apiCalls.filter((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration');
    expect(updates.map((c) => c.error)).toEqual(result.accessDenied.map(() => 'AccessDeniedException'));
    expect(result.functions.find((f) => f.functionName === 'orders-api')?.finalMemoryMb).toBe(512);
    const repairSteps = result.executions.flatMap((e) => e.steps).filter((s) => s.state === 'ExecuteRepair');
    expect(repairSteps.length).toBeGreaterThan(0);
    // The repair handler's own error handling: toNamedError makes it the fatal AccessDenied error.
    expect(repairSteps.map((s) => s.detail)).toEqual(repairSteps.map(() => `error ${ERROR_NAMES.ACCESS_DENIED}`));
  });

  test('THEN the scenario fails on the denied call it did not expect', () => {
    expect(result.passed).toBe(false);
    expect(result.expectations.find((e) => e.name === 'no unexpected denied call')).toEqual({
      name: 'no unexpected denied call',
      passed: false,
      detail: expect.stringContaining(`lambda:UpdateFunctionConfiguration on ${ORDERS}`),
    });
  });

  test('WHEN the scenario expects exactly those denied calls THEN the denial checks pass', () => {
    const n = result.accessDenied.length;
    const checks = checkExpectations({ accessDenied: [{ action: 'lambda:UpdateFunctionConfiguration', resource: ORDERS, count: n }] }, { ...result, accessDenied: result.accessDenied }, () => 512);
    expect(checks).toEqual([
      { name: `denied lambda:UpdateFunctionConfiguration on ${ORDERS}`, passed: true, detail: String(n) },
      { name: 'no unexpected denied call', passed: true, detail: 'none' },
    ]);
  });
});

describe('GIVEN analyzer-lowers-action WHEN the diagnose role loses lambda:InvokeFunction on the analyzer', () => {
  let env: SimulationEnvironment;
  let result: ScenarioResult;
  const scenario = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'analyzer-lowers-action.json'));
  const ANALYZER = 'arn:aws:lambda:us-east-1:123456789012:function:orders-release-analyzer';

  beforeAll(async () => {
    env = await SimulationEnvironment.start();
    result = await runScenario({ ...scenario, durationMinutes: 10 }, env, { template: withoutGrant(/DiagnosisDiagnoseRole[0-9A-F]{8}$/, 'lambda:InvokeFunction') });
  });
  afterAll(async () => {
    await env?.stop();
  });

  test('THEN the evaluator denies the invoke, the analyzer never runs, and the rules decide alone (the repair goes ahead)', () => {
    expect(result.accessDenied.map((d) => [d.operation, d.action, d.resource])).toEqual([['Lambda:Invoke', 'lambda:InvokeFunction', ANALYZER]]);
    expect(result.apiCalls.filter((c) => c.operation === 'Invoke').map((c) => c.error)).toEqual(['AccessDeniedException']);
    const diagnosis = result.records.find((r) => String(r.sk).startsWith('DIAGNOSIS#'))!;
    expect(diagnosis.decidedBy).toBe('rules');
    expect((diagnosis.analyzers as Array<{ status: string }>)[0].status).toMatch(/^error: lambda:InvokeFunction orders-release-analyzer failed: AccessDeniedException/);
    expect(result.outcomes.REPAIRED).toBe(1);
  });
});
