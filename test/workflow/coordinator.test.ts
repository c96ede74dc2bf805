/**
 * The Lambda coordinator's story (src/workflow/coordinator.ts) with fake ports: which handlers run
 * in which order, what each gets, where it waits (a schedule) and how a run resumes from its
 * checkpoint, as the state machine of definition.ts would do it.
 */
import { ERROR_NAMES, FOLLOW_UP_DETAIL_TYPE, HandlerId, INTAKE_SOURCE, REEXAMINE_DETAIL_TYPE, WorkflowState } from '../../src/workflow/contract';
import { CoordinatorPorts, HandlerFunctionError, runCoordinator } from '../../src/workflow/coordinator';
import {
  atExpression,
  COORDINATOR_FOLLOW_UP_WAKE,
  COORDINATOR_RUN_NAME_FIELD,
  COORDINATOR_WAKE_SOURCE,
  CoordinatorCheckpoint,
  coordinatorExecutionId,
  isAsyncFailureRecord,
  verificationScheduleName,
} from '../../src/workflow/coordinator-contract';

const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:coordinator';
const EVENT = { 'id': 'evt-1', 'detail-type': 'CloudWatch Alarm State Change', 'source': 'aws.cloudwatch', 'detail': { alarmName: 'lar-fn-Errors-orders' } };

type Outputs = Partial<Record<HandlerId, (state: WorkflowState, n: number) => unknown>>;

/** A world: scripted handler outputs, an in-memory checkpoint table, a clock and the schedules made. */
function world(outputs: Outputs) {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const table = new Map<string, CoordinatorCheckpoint>();
  const calls: Array<{ handler: HandlerId; state: WorkflowState }> = [];
  const schedules: Array<{ executionId: string; wake: string; at: Date }> = [];
  const sleeps: number[] = [];
  const counts = new Map<HandlerId, number>();
  const ports: CoordinatorPorts = {
    async invoke(handler, state) {
      calls.push({ handler, state });
      const n = (counts.get(handler) ?? 0) + 1;
      counts.set(handler, n);
      const out = outputs[handler];
      if (!out) throw new Error(`no output scripted for ${handler}`);
      return out(state, n);
    },
    async load(id) {
      return table.get(id);
    },
    async save(c) {
      table.set(c.executionId, JSON.parse(JSON.stringify(c)));
    },
    async schedule(executionId, wake, at) {
      if (!schedules.some((s) => s.executionId === executionId && s.wake === wake)) schedules.push({ executionId, wake, at });
    },
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
    now: () => new Date(now),
  };
  return {
    ports,
    table,
    calls,
    schedules,
    sleeps,
    advance: (ms: number) => { now += ms; },
    order: () => calls.map((c) => c.handler),
  };
}

const accepted = () => ({ status: 'ACCEPTED', reason: 'ok', functionName: 'orders' });
const diagnosed = (action: string) => () => ({ action, reason: 'r', originalMemoryMb: 512, targetMemoryMb: 768 });
const repaired = () => ({ status: 'SUCCEEDED', repairedAt: '2026-11-28T12:00:10.000Z', verifyAfterSeconds: 600, originalMemoryMb: 512, newMemoryMb: 768 });
const finalized = (s: WorkflowState) => ({ outcome: s.error ? 'FAILED' : s.rollback ? 'ROLLED_BACK' : s.repair ? 'REPAIRED' : 'NO_ACTION', reason: 'done' });
const verified = (next: string, attempt = 1) => ({ status: next === 'EXTEND' ? 'INCONCLUSIVE' : 'SUCCEEDED', next, attempt, extendSeconds: 300 });
const wakeUp = (executionId: string, wake: string) => ({ source: COORDINATOR_WAKE_SOURCE, executionId, wake });

describe('GIVEN an accepted alarm diagnosed REPAIR', () => {
  const outputs: Outputs = {
    normalize: accepted,
    collect: () => ({ evidenceKey: 'k' }),
    diagnose: diagnosed('REPAIR'),
    repair: repaired,
    verify: () => verified('DONE'),
    finalize: finalized,
  };

  test('WHEN the alarm event arrives THEN it runs normalize to repair, schedules the verification at the end of the window and waits', async () => {
    const w = world(outputs);
    const result = await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(result).toEqual({ executionId: `${FN_ARN}:run:${result.executionId.split(':run:')[1]}`, status: 'WAITING', awaiting: 'VERIFY-1' });
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'repair']);
    // repairedAt + verifyAfterSeconds, as the Wait state's SecondsPath would wait.
    expect(w.schedules).toEqual([{ executionId: result.executionId, wake: 'VERIFY-1', at: new Date('2026-11-28T12:10:10.000Z') }]);
    expect(w.table.get(result.executionId)).toMatchObject({ awaiting: 'VERIFY-1', done: false });
  });

  test('WHEN the schedule wakes it THEN it verifies and finalizes REPAIRED without running the earlier steps again', async () => {
    const w = world(outputs);
    const first = await runCoordinator(EVENT, FN_ARN, w.ports);
    w.advance(600_000);
    const second = await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports);
    expect(second).toMatchObject({ status: 'FINISHED', outcome: 'REPAIRED' });
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'repair', 'verify', 'finalize']);
    // Each step receives the state as the state machine builds it: the fields of the steps before.
    const verifyInput = w.calls.find((c) => c.handler === 'verify')!.state;
    expect(Object.keys(verifyInput).sort()).toEqual(['alarm', 'collection', 'diagnosis', 'event', 'executionId', 'repair', 'startedAt', 'stateMachineArn']);
    expect(verifyInput.stateMachineArn).toBe(FN_ARN);
    expect(verifyInput.event).toEqual(EVENT);
    expect(w.table.get(first.executionId)).toMatchObject({ done: true });
  });

  test('WHEN the same event is delivered again, or a stale wake-up arrives THEN nothing runs twice', async () => {
    const w = world(outputs);
    const first = await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(await runCoordinator(EVENT, FN_ARN, w.ports)).toMatchObject({ status: 'IGNORED' });
    expect(await runCoordinator(wakeUp(first.executionId, 'VERIFY-2'), FN_ARN, w.ports)).toMatchObject({ status: 'IGNORED' });
    await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports);
    expect(await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports)).toMatchObject({ status: 'IGNORED', outcome: 'REPAIRED' });
    expect(w.order().filter((h) => h === 'repair')).toHaveLength(1);
    expect(w.order().filter((h) => h === 'finalize')).toHaveLength(1);
  });

  test('WHEN verification is inconclusive THEN it waits extendSeconds once more and verifies again, as ExtendVerificationWindow does', async () => {
    const w = world({ ...outputs, verify: (_s, n) => (n === 1 ? verified('EXTEND', 1) : verified('DONE', 2)) });
    const first = await runCoordinator(EVENT, FN_ARN, w.ports);
    w.advance(600_000);
    const second = await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports);
    expect(second).toEqual({ executionId: first.executionId, status: 'WAITING', awaiting: 'VERIFY-2' });
    expect(w.schedules[1].at.getTime() - Date.parse('2026-11-28T12:10:00Z')).toBe(300_000);
    const third = await runCoordinator(wakeUp(first.executionId, 'VERIFY-2'), FN_ARN, w.ports);
    expect(third).toMatchObject({ status: 'FINISHED', outcome: 'REPAIRED' });
    expect(w.calls.filter((c) => c.handler === 'verify')[1].state.verification).toMatchObject({ next: 'EXTEND', attempt: 1 });
  });

  test('WHEN verification says ROLLBACK THEN it rolls back before finalize', async () => {
    const w = world({ ...outputs, verify: () => verified('ROLLBACK'), rollback: () => ({ status: 'SUCCEEDED', restoredMemoryMb: 512 }) });
    const first = await runCoordinator(EVENT, FN_ARN, w.ports);
    const second = await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports);
    expect(second.outcome).toBe('ROLLED_BACK');
    expect(w.order().slice(-3)).toEqual(['verify', 'rollback', 'finalize']);
  });
});

describe('GIVEN outcomes that end before a repair', () => {
  test.each(['IGNORED', 'ALREADY_IN_PROGRESS', 'COOLDOWN', 'SUPPRESSED'])('WHEN normalize says %s THEN only finalize follows', async (status) => {
    const w = world({ normalize: () => ({ status, reason: 'r' }), finalize: finalized });
    expect(await runCoordinator(EVENT, FN_ARN, w.ports)).toMatchObject({ status: 'FINISHED' });
    expect(w.order()).toEqual(['normalize', 'finalize']);
  });

  test.each(['NO_ACTION', 'HUMAN_REVIEW', 'CANNOT_INCREASE'])('WHEN the diagnosis says %s THEN it notifies only', async (action) => {
    const w = world({ normalize: accepted, collect: () => ({}), diagnose: diagnosed(action), finalize: finalized });
    expect(await runCoordinator(EVENT, FN_ARN, w.ports)).toMatchObject({ status: 'FINISHED', outcome: 'NO_ACTION' });
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'finalize']);
    expect(w.schedules).toEqual([]);
  });

  test('WHEN the repair is not applied (dry run, skipped) THEN nothing is scheduled', async () => {
    const w = world({ normalize: accepted, collect: () => ({}), diagnose: diagnosed('REPAIR'), repair: () => ({ ...repaired(), status: 'DRY_RUN' }), finalize: finalized });
    await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'repair', 'finalize']);
    expect(w.schedules).toEqual([]);
  });

  test('WHEN the diagnosis asks for approval THEN nothing changes and finalize gets a configuration error saying approval needs Step Functions', async () => {
    const w = world({ normalize: accepted, collect: () => ({}), diagnose: diagnosed('REQUEST_APPROVAL'), finalize: finalized });
    const result = await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(result.outcome).toBe('FAILED');
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'finalize']);
    expect(w.calls.at(-1)!.state.error).toEqual({ Error: ERROR_NAMES.CONFIGURATION, Cause: expect.stringContaining('Workflow.stepFunctions()') });
  });
});

describe('GIVEN a follow-up started by finalize (an asynchronous invoke with the follow-up detail)', () => {
  // What startExecutionOnce sends the coordinator: the intake input and the run's name.
  const FOLLOW_UP = {
    'source': INTAKE_SOURCE,
    'detail-type': FOLLOW_UP_DETAIL_TYPE,
    'detail': { functionName: 'orders', alarms: [{ alarmName: 'lar-fn-Errors-orders' }], previousExecutionId: 'x', round: 1, waitSeconds: 1800, baseline: {} },
    [COORDINATOR_RUN_NAME_FIELD]: 'followup-abc',
  };
  const outputs: Outputs = { normalize: accepted, collect: () => ({ evidenceKey: 'k' }), diagnose: diagnosed('HUMAN_REVIEW'), finalize: finalized };

  test('WHEN it starts THEN it runs no handler and schedules its wake-up waitSeconds after the start, as WaitBeforeFollowUp waits (no lock held)', async () => {
    const w = world(outputs);
    const result = await runCoordinator(FOLLOW_UP, FN_ARN, w.ports);
    expect(result).toEqual({ executionId: `${FN_ARN}:run:followup-abc`, status: 'WAITING', awaiting: COORDINATOR_FOLLOW_UP_WAKE });
    expect(w.order()).toEqual([]);
    expect(w.schedules).toEqual([{ executionId: result.executionId, wake: COORDINATOR_FOLLOW_UP_WAKE, at: new Date('2026-11-28T12:30:00.000Z') }]);
  });

  test('WHEN the schedule wakes it THEN it runs the story from normalize and finalizes; a repeated wake-up runs nothing again', async () => {
    const w = world(outputs);
    const first = await runCoordinator(FOLLOW_UP, FN_ARN, w.ports);
    expect(await runCoordinator(FOLLOW_UP, FN_ARN, w.ports)).toMatchObject({ status: 'IGNORED' });
    w.advance(1_800_000);
    const second = await runCoordinator(wakeUp(first.executionId, COORDINATOR_FOLLOW_UP_WAKE), FN_ARN, w.ports);
    expect(second).toMatchObject({ status: 'FINISHED', outcome: 'NO_ACTION' });
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'finalize']);
    expect(w.calls[0].state.event).toEqual(FOLLOW_UP);
    expect(await runCoordinator(wakeUp(first.executionId, COORDINATOR_FOLLOW_UP_WAKE), FN_ARN, w.ports)).toMatchObject({ status: 'IGNORED' });
    expect(w.order()).toHaveLength(4);
  });

  test('WHEN the input is a re-examination (no waitSeconds) THEN it does not wait', async () => {
    const w = world(outputs);
    const { [COORDINATOR_RUN_NAME_FIELD]: _name, ...rest } = FOLLOW_UP;
    const reexamination = { ...rest, 'detail-type': REEXAMINE_DETAIL_TYPE, 'detail': { functionName: 'orders', alarms: [], previousExecutionId: 'x' } };
    expect(await runCoordinator(reexamination, FN_ARN, w.ports)).toMatchObject({ status: 'FINISHED' });
    expect(w.schedules).toEqual([]);
  });
});

describe('GIVEN failing handlers', () => {
  test('WHEN a step fails with a transient error THEN it retries with the state machine policy (2 s, x2) and goes on', async () => {
    const throttled = () => { const e = new Error('slow down'); e.name = 'ServiceUnavailableError'; return e; };
    const w = world({
      normalize: accepted,
      collect: (_s, n) => { if (n < 3) throw throttled(); return {}; },
      diagnose: diagnosed('NO_ACTION'),
      finalize: finalized,
    });
    await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(w.sleeps).toEqual([2000, 4000]);
    expect(w.order()).toEqual(['normalize', 'collect', 'collect', 'collect', 'diagnose', 'finalize']);
  });

  test('WHEN a step keeps failing THEN after 4 retries its error is caught at $.error with the Lambda document as cause and finalize runs', async () => {
    const doc = JSON.stringify({ errorType: 'ServiceUnavailableError', errorMessage: 'down', trace: [] });
    const w = world({
      normalize: accepted,
      collect: () => { throw new HandlerFunctionError('ServiceUnavailableError', 'down', doc); },
      finalize: finalized,
    });
    const result = await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(w.order().filter((h) => h === 'collect')).toHaveLength(5);
    expect(w.calls.at(-1)).toMatchObject({ handler: 'finalize', state: { error: { Error: 'ServiceUnavailableError', Cause: doc } } });
    expect(result.outcome).toBe('FAILED');
  });

  test('WHEN a step fails with a fatal error THEN it is not retried', async () => {
    const w = world({
      normalize: accepted,
      collect: () => { const e = new Error('no'); e.name = ERROR_NAMES.ACCESS_DENIED; throw e; },
      finalize: finalized,
    });
    await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(w.order()).toEqual(['normalize', 'collect', 'finalize']);
    expect(w.sleeps).toEqual([]);
  });

  test('WHEN finalize fails THEN the invocation fails, and Lambda\'s retry of the same wake-up resumes at finalize only', async () => {
    let finalizeFails = true;
    const w = world({
      normalize: accepted,
      collect: () => ({}),
      diagnose: diagnosed('REPAIR'),
      repair: repaired,
      verify: () => verified('DONE'),
      finalize: (s) => { if (finalizeFails) throw new Error('record write failed'); return finalized(s); },
    });
    const first = await runCoordinator(EVENT, FN_ARN, w.ports);
    await expect(runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports)).rejects.toThrow(/record write failed/);
    finalizeFails = false;
    const retried = await runCoordinator(wakeUp(first.executionId, 'VERIFY-1'), FN_ARN, w.ports);
    expect(retried).toMatchObject({ status: 'FINISHED', outcome: 'REPAIRED' });
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'repair', 'verify', 'finalize', 'finalize']);
  });

  test('WHEN the invocation dies after the repair THEN the retried start resumes after the repair', async () => {
    const w = world({ normalize: accepted, collect: () => ({}), diagnose: diagnosed('REPAIR'), repair: repaired });
    const broken = { ...w.ports, schedule: async () => { throw new Error('scheduler down'); } };
    await expect(runCoordinator(EVENT, FN_ARN, broken)).rejects.toThrow('scheduler down');
    const result = await runCoordinator(EVENT, FN_ARN, w.ports);
    expect(result.status).toBe('WAITING');
    expect(w.order()).toEqual(['normalize', 'collect', 'diagnose', 'repair']);
  });
});

describe('GIVEN the contract', () => {
  test('a run is named by the event id, so every delivery of one event is one run, and by the starter\'s name when given', () => {
    const a = coordinatorExecutionId(`${FN_ARN}:$LATEST`, EVENT);
    expect(a).toBe(coordinatorExecutionId(FN_ARN, { ...EVENT }));
    expect(a.startsWith(`${FN_ARN}:run:event-`)).toBe(true);
    expect(coordinatorExecutionId(FN_ARN, { ...EVENT, id: 'evt-2' })).not.toBe(a);
    expect(coordinatorExecutionId(FN_ARN, { coordinatorRunName: 'reexamine-abc' })).toBe(`${FN_ARN}:run:reexamine-abc`);
    expect(coordinatorExecutionId(FN_ARN, wakeUp('x:run:y', 'VERIFY-1'))).toBe('x:run:y');
  });

  test('at() expressions are UTC seconds rounded up, so a schedule never fires before the window ends', () => {
    expect(atExpression(new Date('2026-11-28T12:10:10.000Z'))).toBe('at(2026-11-28T12:10:10)');
    expect(atExpression(new Date('2026-11-28T12:10:10.001Z'))).toBe('at(2026-11-28T12:10:11)');
  });

  test('schedule names fit the API (1-64 of 0-9a-zA-Z-_.) and differ per run and wait', () => {
    const a = verificationScheduleName(`${FN_ARN}:run:event-${'f'.repeat(40)}`, 'VERIFY-1');
    expect(a).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(verificationScheduleName(`${FN_ARN}:run:other`, 'VERIFY-1')).not.toBe(a);
    expect(verificationScheduleName(`${FN_ARN}:run:event-${'f'.repeat(40)}`, 'VERIFY-2')).not.toBe(a);
  });

  test('the on-failure record Lambda sends is recognised, an execution status event is not', () => {
    expect(isAsyncFailureRecord({ requestContext: { functionArn: FN_ARN, condition: 'RetriesExhausted' }, requestPayload: EVENT })).toBe(true);
    expect(isAsyncFailureRecord({ 'detail-type': 'Step Functions Execution Status Change', 'detail': {} })).toBe(false);
  });
});
