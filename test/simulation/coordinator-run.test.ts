/**
 * The default incident (oom-recovered) with `Workflow.lambdaCoordinator()`, looked at closely: the
 * coordinator invokes the handlers, waits with a one-time EventBridge Scheduler schedule that
 * deletes itself, and every service on the way authorizes with the synthesized policies (the
 * scheduler role's trust policy, the coordinator's rights, Lambda's destination).
 */
import { join } from 'node:path';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile, Scenario } from '../../src/simulation/scenario';
import { CfnTemplate } from '../../src/simulation/template';
import { STATE_NAMES } from '../../src/workflow/definition';

jest.setTimeout(600_000);

const base = loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'oom-recovered.json'));
const scenario: Scenario = { ...base, stack: { ...base.stack, workflow: 'lambdaCoordinator' } };

let env: SimulationEnvironment;
beforeAll(async () => {
  env = await SimulationEnvironment.start();
});
afterAll(async () => {
  await env?.stop();
});

/** Change the template's resources whose logical id matches `id`. */
function edit(id: RegExp, change: (r: any) => void): (t: CfnTemplate) => CfnTemplate {
  return (template) => {
    const t = JSON.parse(JSON.stringify(template)) as { Resources: Record<string, any> };
    const ids = Object.keys(t.Resources).filter((x) => id.test(x));
    expect(ids.length).toBeGreaterThan(0);
    for (const x of ids) change(t.Resources[x]);
    return t as CfnTemplate;
  };
}

describe('GIVEN oom-recovered with the coordinator', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await runScenario(scenario, env);
  });

  test('THEN it is repaired to 768 MB and verified, with no Step Functions call', () => {
    expect(result.error).toBeUndefined();
    expect(result.workflow).toBe('lambdaCoordinator');
    expect(result.outcomes.REPAIRED).toBe(1);
    expect(result.functions[0].finalMemoryMb).toBe(768);
    expect(result.apiCalls.filter((c) => c.service === 'StepFunctions')).toEqual([]);
  });

  test('THEN the coordinator invoked each handler of the story synchronously, in order, for the repaired run', () => {
    const run = result.executions.find((e) => e.outcome === 'REPAIRED')!;
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.map((s) => s.state)).toEqual([
      STATE_NAMES.NORMALIZE, STATE_NAMES.COLLECT, STATE_NAMES.DIAGNOSE, STATE_NAMES.REPAIR, STATE_NAMES.WAIT, STATE_NAMES.VERIFY, STATE_NAMES.NOTIFY,
    ]);
    const invokes = result.apiCalls.filter((c) => c.service === 'Lambda' && c.operation === 'Invoke' && !c.error);
    expect(invokes.every((c) => ['RequestResponse', 'Event', undefined].includes((c.input as any).InvocationType))).toBe(true);
  });

  test('THEN the verification wait is one at() schedule at the end of the window that deleted itself after waking the run', () => {
    const creates = result.apiCalls.filter((c) => c.service === 'Scheduler' && c.operation === 'CreateSchedule');
    const repaired = result.executions.find((e) => e.outcome === 'REPAIRED')!;
    expect(creates).toHaveLength(1);
    const input = creates[0].input as any;
    expect(input).toMatchObject({ ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/), ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' } });
    const repairedAt = Date.parse(repaired.steps.find((s) => s.state === STATE_NAMES.REPAIR)!.at);
    const at = Date.parse(`${/^at\((.*)\)$/.exec(input.ScheduleExpression)![1]}Z`);
    // The window is 10 minutes: the schedule names its end (rounded up to the second).
    expect(at - repairedAt).toBeGreaterThanOrEqual(600_000);
    expect(at - repairedAt).toBeLessThan(602_000);
    expect(result.schedules.created).toHaveLength(1);
    const created = result.schedules.created[0];
    expect(created.exists).toBe(false);
    // Scheduler fires within the minute of its time, never before it.
    expect(Date.parse(created.invokedAt!) - at).toBeGreaterThanOrEqual(0);
    expect(Date.parse(created.invokedAt!) - at).toBeLessThan(60_000);
    expect(result.schedules.deliveries).toEqual([{ schedule: created.name, at: created.invokedAt, attempt: 1 }]);
    const verifiedAt = Date.parse(repaired.steps.find((s) => s.state === STATE_NAMES.VERIFY)!.at);
    expect(verifiedAt).toBeGreaterThanOrEqual(at);
  });

  test('THEN every call was authorized, and Scheduler assumed its role through the trust policy', () => {
    expect(result.accessDenied).toEqual([]);
    expect(result.schedules.deadLetters).toEqual([]);
  });
});

describe('GIVEN the scheduler role does not trust EventBridge Scheduler', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await runScenario({ ...scenario, durationMinutes: 20 }, env, {
      template: edit(/WorkflowSchedulerRole[0-9A-F]{8}$/, (r) => {
        r.Properties.AssumeRolePolicyDocument.Statement[0].Principal = { Service: 'events.amazonaws.com' };
      }),
    });
  });

  test('THEN every delivery fails on the role, the wake-up goes to the dead-letter queue, and the run never verifies', () => {
    expect(result.error).toBeUndefined();
    expect(result.schedules.deliveries.length).toBeGreaterThan(1);
    expect(result.schedules.deliveries.every((d) => /could not assume .*trust policy/.test(d.error ?? ''))).toBe(true);
    expect(result.schedules.deadLetters).toEqual([expect.objectContaining({ queue: expect.stringMatching(/^arn:aws:sqs:/) })]);
    expect(result.outcomes.REPAIRED).toBeUndefined();
    expect(result.apiCalls.some((c) => c.operation === 'UpdateFunctionConfiguration')).toBe(true);
  });
});

describe('GIVEN the coordinator may not create schedules', () => {
  let result: ScenarioResult;
  beforeAll(async () => {
    result = await runScenario({ ...scenario, durationMinutes: 20 }, env, {
      template: edit(/WorkflowCoordinatorRoleDefaultPolicy[0-9A-F]{8}$/, (r) => {
        r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter((s: any) => s.Action !== 'scheduler:CreateSchedule');
      }),
    });
  });

  test('THEN IAM denies CreateSchedule, Lambda retries the event twice, and its on-failure destination (the cleanup) releases the lock and tells the raised size', () => {
    const denied = result.accessDenied.filter((d) => d.action === 'scheduler:CreateSchedule');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied[0].reason).toContain('no identity-based policy allows the scheduler:CreateSchedule action');
    expect(result.asyncInvocations.failureRecords).toEqual([expect.objectContaining({ condition: 'RetriesExhausted', destination: expect.stringContaining('Cleanup') })]);
    expect(result.outcomes.FAILED).toBe(1);
    expect(result.locksHeldAtEnd).toEqual([]);
    const text = result.notifications.map((n) => n.message).join('\n');
    expect(text).toMatch(/ended FAILED; the lock on orders-api was released; memory is 768 MB \(was 512 MB before the repair\)/);
    // The repair ran once: the retries resumed after it.
    expect(result.apiCalls.filter((c) => c.operation === 'UpdateFunctionConfiguration')).toHaveLength(1);
  });
});
