import { VirtualClock } from '../../src/simulation/clock';
import { BoundHandler, WorkflowExecutor } from '../../src/simulation/executor';
import { VirtualScheduler } from '../../src/simulation/scheduler';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:step';
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Drive virtual time until the execution settles. */
async function drive<T>(scheduler: VirtualScheduler, p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  while (!done) {
    await scheduler.idle();
    const next = scheduler.nextWake();
    if (next !== undefined) scheduler.wakeUntil(next);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

describe('workflow executor', () => {
  test('GIVEN a Wait of 600 s and a retried task WHEN executed THEN virtual time moves by the wait and the retry interval, not real time', async () => {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    let calls = 0;
    const handler: BoundHandler = {
      functionArn: ARN,
      functionName: 'step',
      source: 'test',
      timeoutSeconds: 30,
      invoke: async (event: any) => {
        calls++;
        if (calls === 2) {
          const e = new Error('conflict');
          e.name = 'UpdateConflictError';
          throw e;
        }
        return { seen: event.n, at: new Date(scheduler.clock.now()).toISOString() };
      },
    };
    const executor = new WorkflowExecutor({
      definition: {
        StartAt: 'First',
        States: {
          First: { Type: 'Task', Resource: ARN, ResultPath: '$.first', Next: 'Pause' },
          Pause: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Second' },
          Second: { Type: 'Task', Resource: ARN, ResultPath: '$.second', Retry: [{ ErrorEquals: ['UpdateConflictError'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }], End: true },
        },
      },
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:test',
      handlers: new Map([[ARN, handler]]),
      scheduler,
      requestId: () => 'req',
    });
    const started = performance.now();
    const record = await drive(scheduler, scheduler.participate('x', () => executor.execute('x', { n: 1, waitSeconds: 600 })));
    // Real time would be over 606 s (the wait and the retry intervals); the bound leaves room for a busy machine.
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toEqual({
      n: 1,
      waitSeconds: 600,
      first: { seen: 1, at: '2026-11-28T12:00:00.000Z' },
      second: { seen: 1, at: '2026-11-28T12:10:02.000Z' },
    });
    expect(record.steps.map((s) => `${s.state}${s.error ? ' ' + s.error.name : ''}`)).toEqual(['First', 'Pause', 'Second UpdateConflictError', 'Second']);
  });

  test('GIVEN an approval task nobody answers THEN States.Timeout after the task timeout is caught', async () => {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    const handler: BoundHandler = { functionArn: ARN, functionName: 'step', source: 'test', timeoutSeconds: 30, invoke: async () => ({ requested: true }) };
    const executor = new WorkflowExecutor({
      definition: {
        StartAt: 'Ask',
        States: {
          Ask: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: ARN, Payload: { 'token.$': '$$.Task.Token' } },
            TimeoutSeconds: 3600,
            ResultPath: '$.approval',
            Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Done' }],
            Next: 'Done',
          },
          Done: { Type: 'Pass', End: true },
        },
      },
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:test',
      handlers: new Map([[ARN, handler]]),
      scheduler,
      requestId: () => 'req',
      approval: { decision: 'ignore', afterMs: 0 },
    });
    const record = await drive(scheduler, scheduler.participate('y', () => executor.execute('y', {})));
    expect(record.output).toEqual({ error: { Error: 'States.Timeout', Cause: 'Task timed out' } });
    expect(scheduler.clock.now()).toBe(T0 + 3600_000);
  });
});

describe('workflow executor: definition validation', () => {
  const invalid = {
    StartAt: 'First',
    States: { First: { Type: 'Task', Resource: ARN, Next: 'Missing' } },
  };
  function executorFor(definition: unknown): { executor: WorkflowExecutor; scheduler: VirtualScheduler } {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    const handler: BoundHandler = { functionArn: ARN, functionName: 'step', source: 'test', timeoutSeconds: 30, invoke: async () => ({}) };
    const executor = new WorkflowExecutor({
      definition,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:test',
      handlers: new Map([[ARN, handler]]),
      scheduler,
      requestId: () => 'req',
    });
    return { executor, scheduler };
  }

  test('GIVEN a definition whose Next names no state WHEN executed THEN it fails as invalid, and again for a second machine with the same definition', async () => {
    // Step Functions rejects such a definition (CreateStateMachine: InvalidDefinition); the
    // simulation validates each distinct definition once and must not remember an invalid one.
    for (let i = 0; i < 2; i++) {
      const { executor, scheduler } = executorFor(invalid);
      await expect(drive(scheduler, scheduler.participate(`x${i}`, () => executor.execute(`x${i}`, {})))).rejects.toThrow(/definition is invalid/);
    }
  });
});
