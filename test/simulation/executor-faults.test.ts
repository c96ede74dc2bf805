import { ApiRecorder } from '../../src/simulation/account/api-recorder';
import { CallPipeline } from '../../src/simulation/account/call-pipeline';
import { FaultInjector } from '../../src/simulation/account/faults';
import { SdkRetryModel } from '../../src/simulation/account/sdk-retry';
import { VirtualClock } from '../../src/simulation/clock';
import { BoundHandler, ExecutionStatus, WorkflowExecutor } from '../../src/simulation/executor';
import { VirtualScheduler } from '../../src/simulation/scheduler';

// The first test pays for loading the executor; a busy machine takes longer than jest's 5 s default.
jest.setTimeout(60_000);

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:step';
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:test';

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

/** A two-task machine: First (caught into Handle) -> Second; the handler makes two AWS calls through the pipeline. */
function world(faults?: FaultInjector, definition?: unknown) {
  const scheduler = new VirtualScheduler(new VirtualClock(T0));
  const recorder = new ApiRecorder(() => new Date(scheduler.clock.now()).toISOString());
  const pipeline = new CallPipeline({ recorder, retry: new SdkRetryModel(1, (ms) => scheduler.sleep(ms)), now: () => scheduler.clock.now(), requestId: () => 'r', faults });
  const performed: string[] = [];
  const call = (op: string) => pipeline.call({}, 'SNS', op, {}, async () => {
    performed.push(op);
    return {};
  });
  const handler: BoundHandler = {
    functionArn: ARN,
    functionName: 'step',
    source: 'test',
    handlerId: 'finalize',
    timeoutSeconds: 30,
    invoke: async (event: any) => {
      await call('Publish');
      await scheduler.sleep(1000);
      await call('ListTopics');
      return { done: event.n };
    },
  };
  const statuses: Array<[string, ExecutionStatus, number]> = [];
  const executor = new WorkflowExecutor({
    definition: definition ?? {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: ARN, ResultPath: '$.first', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle' }], Next: 'Second' },
        Handle: { Type: 'Pass', End: true },
        Second: { Type: 'Task', Resource: ARN, ResultPath: '$.second', End: true },
      },
    },
    stateMachineArn: MACHINE,
    handlers: new Map([[ARN, handler]]),
    scheduler,
    requestId: () => 'req-1',
    faults,
    onStatusChange: (r, s) => statuses.push([r.name, s, scheduler.clock.now() - T0]),
  });
  return { scheduler, executor, performed, statuses };
}

describe('handler faults', () => {
  test('GIVEN a crash before the handler runs THEN Step Functions gets Runtime.ExitError with the error document as cause, and the Catch runs', async () => {
    const faults = new FaultInjector(T0, [], [{ handler: 'finalize', effect: 'crash', times: 1 }]);
    const { scheduler, executor, performed } = world(faults);
    const record = await drive(scheduler, scheduler.participate('x', () => executor.execute('x', { n: 1 })));
    expect(performed).toEqual([]);
    expect(record.steps[0].error?.name).toBe('Runtime.ExitError');
    expect(JSON.parse(record.steps[0].error!.message)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: 'RequestId: req-1 Error: Runtime exited with error: exit status 1' });
    expect((record.output as any).error.Error).toBe('Runtime.ExitError');
    expect(faults.fired).toEqual([{ minute: 0, target: 'handler finalize', effect: 'crash', executionId: 'x' }]);
  });

  test('GIVEN a crash after the first Publish THEN the Publish happened, the handler\'s later call never leaves the sandbox', async () => {
    const faults = new FaultInjector(T0, [], [{ handler: 'finalize', effect: 'crash', afterCalls: 1, afterOperation: 'sns:Publish' }]);
    const { scheduler, executor, performed } = world(faults);
    const record = await drive(scheduler, scheduler.participate('x', () => executor.execute('x', { n: 1 })));
    // The second invocation (state Second) is not hit: times 1.
    expect(record.steps.map((s) => `${s.state}:${s.error?.name ?? 'ok'}`)).toEqual(['First:Runtime.ExitError']);
    expect(performed).toEqual(['Publish']);
    // Let the dead handler's code run on: its ListTopics still never reaches the service.
    scheduler.wakeUntil(T0 + 5000);
    await new Promise((r) => setImmediate(r));
    expect(performed).toEqual(['Publish']);
  });

  test('GIVEN a timeout THEN the invocation lasts the function timeout in virtual time and fails with Sandbox.Timedout', async () => {
    const faults = new FaultInjector(T0, [], [{ handler: 'finalize', effect: 'timeout' }]);
    const { scheduler, executor } = world(faults);
    const record = await drive(scheduler, scheduler.participate('x', () => executor.execute('x', { n: 1 })));
    expect(record.steps[0]).toMatchObject({ state: 'First', error: { name: 'Sandbox.Timedout' } });
    expect(record.steps[0].endedAt - record.steps[0].startedAt).toBe(30_000);
    expect(JSON.parse(record.steps[0].error!.message).errorMessage).toBe('RequestId: req-1 Error: Task timed out after 30.00 seconds');
  });
});

describe('execution faults', () => {
  test('GIVEN StopExecution during a task THEN ABORTED at that time, no further state, the running invocation finishes, status events RUNNING then ABORTED', async () => {
    const { scheduler, executor, performed, statuses } = world();
    const run = scheduler.participate('x', () => executor.execute('x', { n: 1 }));
    void scheduler.timer(500).done.then(() => executor.stop('x', 'ABORTED'));
    const record = await drive(scheduler, run);
    expect(record).toMatchObject({ status: 'ABORTED', endedAt: T0 + 500, steps: [] });
    expect(performed).toEqual(['Publish', 'ListTopics']);
    expect(statuses).toEqual([['x', 'RUNNING', 0], ['x', 'ABORTED', 500]]);
    expect(executor.runningExecutions()).toEqual([]);
  });

  test('GIVEN the definition\'s TimeoutSeconds THEN TIMED_OUT after that much virtual time (the library\'s real-time timer is not used)', async () => {
    const { scheduler, executor, statuses } = world(undefined, {
      TimeoutSeconds: 60,
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
    });
    const started = performance.now();
    const record = await drive(scheduler, scheduler.participate('x', () => executor.execute('x', {})));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(record).toMatchObject({ status: 'TIMED_OUT', endedAt: T0 + 60_000 });
    expect(statuses.map((s) => s[1])).toEqual(['RUNNING', 'TIMED_OUT']);
  });
});
