import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  alarmEvent, answerInOrder, awsError, clearTable, Db, functionConfigOf, initialState, logEventsOf, metricDataOf, sample, setEnv, startDb,
  stateAfterCollect, useTestWorld, VirtualClock,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { handler as repair } from '../../src/repair/repair.lambda';
import { handler as rollback } from '../../src/repair/rollback.lambda';
import { functionStateKey, HandlerInputs } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const oom = sample('oom-killed-python');

let db: Db;
let clock: VirtualClock;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

async function given(env: Record<string, string | undefined> = {}, configOverrides: Record<string, unknown> = {}): Promise<HandlerInputs['repair']> {
  await clearTable(db);
  clock = useTestWorld(db);
  restoreEnv = setEnv(env);
  for (const m of [lambda, cw, logs]) m.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom, configOverrides));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
  const state = await stateAfterCollect('ingest-2');
  const d = await diagnose(state);
  return { ...state, diagnosis: d } as HandlerInputs['repair'];
}

/** After UpdateFunctionConfiguration, $LATEST reports InProgress twice and then Successful at the new size. */
function updateGoesThrough(newMemory: number) {
  answerInOrder(lambda.on(GetFunctionConfigurationCommand), [
    functionConfigOf(oom),
    functionConfigOf(oom, { MemorySize: newMemory, LastUpdateStatus: 'InProgress' }),
    functionConfigOf(oom, { MemorySize: newMemory, LastUpdateStatus: 'InProgress' }),
    functionConfigOf(oom, { MemorySize: newMemory, LastUpdateStatus: 'Successful', RevisionId: 'rev-2' }),
  ]);
  lambda.on(UpdateFunctionConfigurationCommand).resolves({ MemorySize: newMemory, LastUpdateStatus: 'InProgress' });
}

describe('repair handler', () => {
  test('raises memory with the collected RevisionId, waits for Successful, records and counts the repair', async () => {
    // GIVEN a diagnosis to raise ingest-2 from 256 to 384 MB
    const state = await given();
    expect(state.diagnosis.targetMemoryMb).toBe(384);
    updateGoesThrough(384);

    // WHEN repair runs
    const out = await repair(state);

    // THEN the update named the revision read at collection, and the seed repair result says SUCCEEDED
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { FunctionName: 'ingest-2', MemorySize: 384, RevisionId: 'rev-1' });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 1);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384, iacChange: 'memorySize: 384', verifyAfterSeconds: 600 });
    expect(out.result).toEqual({ functionName: 'ingest-2', originalMemory: 256, newMemory: 384, status: 'SUCCEEDED', timestamp: out.repairedAt, executionId: state.executionId });
    expect(clock.slept).toEqual([2000, 2000]);
    const items = await db.items();
    expect(items.find((i) => String(i.sk).startsWith('REPAIR#'))).toMatchObject({ status: 'SUCCEEDED', originalMemory: 256, newMemory: 384, verificationStatus: 'PENDING' });
    expect(items.find((i) => String(i.sk).startsWith('AUDIT#') && i.step === 'repair')).toMatchObject({ before: { memorySize: 256 }, after: { memorySize: 384 } });
    const guard = items.find((i) => i.pk === functionStateKey('ingest-2').pk && i.sk === 'STATE')!;
    expect(guard['repairs#2026-11-20']).toBe(1);
  });

  test('ResourceConflictException is retried with backoff, then succeeds', async () => {
    const state = await given();
    updateGoesThrough(384);
    answerInOrder(lambda.on(UpdateFunctionConfigurationCommand), [
      awsError('ResourceConflictException', 'An update is in progress', 409),
      awsError('ResourceConflictException', 'An update is in progress', 409),
      { MemorySize: 384 },
    ]);
    const out = await repair(state);
    expect(out.status).toBe('SUCCEEDED');
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 3);
    expect(clock.slept.slice(0, 2)).toEqual([1000, 2000]);
  });

  test('fails with UpdateConflictError (transient, for the state machine to retry) when conflicts persist', async () => {
    const state = await given();
    lambda.on(UpdateFunctionConfigurationCommand).rejects(awsError('ResourceConflictException', 'An update is in progress', 409));
    await expect(repair(state)).rejects.toMatchObject({ name: 'UpdateConflictError' });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 5);
  });

  test('fails with AccessDeniedError when the role may not update the function', async () => {
    const state = await given();
    lambda.on(UpdateFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'not authorized', 403));
    await expect(repair(state)).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });

  test('fails with ThrottledError when throttling outlasts the SDK retries', async () => {
    const state = await given();
    lambda.on(UpdateFunctionConfigurationCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded', 429));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  test('an update that ends Failed returns FAILED with the reason; the function is as it was', async () => {
    const state = await given();
    answerInOrder(lambda.on(GetFunctionConfigurationCommand), [
      functionConfigOf(oom),
      functionConfigOf(oom, { LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InternalError', LastUpdateStatusReason: 'boom' }),
    ]);
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'FAILED', newMemoryMb: 256, reason: 'update of ingest-2 ended Failed: InternalError boom' });
  });

  test('a deploy since collection (RevisionId changed) is not overwritten', async () => {
    const state = await given();
    lambda.on(UpdateFunctionConfigurationCommand).rejects(awsError('PreconditionFailedException', 'The RevisionId provided does not match', 412));
    const out = await repair(state);
    expect(out.status).toBe('FAILED');
    expect(out.reason).toContain('changed since it was read (revision rev-1)');
  });

  test('dryRun records the repair and changes nothing', async () => {
    const state = await given({ DRY_RUN: 'true' });
    expect(state.diagnosis.dryRun).toBe(true);
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'DRY_RUN', originalMemoryMb: 256, newMemoryMb: 384 });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
    const items = await db.items();
    expect(items.find((i) => String(i.sk).startsWith('REPAIR#'))).toMatchObject({ status: 'DRY_RUN', dryRun: true });
    expect(items.some((i) => i.sk === 'STATE')).toBe(false);
  });

  test('memory changed by someone since collection: SKIPPED, not overridden', async () => {
    const state = await given();
    lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom, { MemorySize: 1024, RevisionId: 'rev-9' }));
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SKIPPED', newMemoryMb: 1024 });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
  });

  test('when the alarm watched an alias: publishes a version and moves the alias', async () => {
    await clearTable(db);
    clock = useTestWorld(db);
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ publishVersionForAlias: true }) });
    for (const m of [lambda, cw, logs]) m.reset();
    lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom));
    cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
    logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
    const s = initialState(alarmEvent({ functionName: 'ingest-2', resource: 'ingest-2:live' }));
    const alarm = await normalize(s);
    const collection = await collect({ ...s, alarm } as HandlerInputs['collect']);
    const diagnosis = await diagnose({ ...s, alarm, collection } as HandlerInputs['diagnose']);
    updateGoesThrough(384);
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7', RevisionId: 'alias-rev' });
    lambda.on(PublishVersionCommand).resolves({ Version: '8' });
    lambda.on(UpdateAliasCommand).resolves({});

    const out = await repair({ ...s, alarm, collection, diagnosis } as HandlerInputs['repair']);

    expect(out).toMatchObject({ status: 'SUCCEEDED', publishedVersion: '8', previousAliasVersion: '7' });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { FunctionName: 'ingest-2', Name: 'live', FunctionVersion: '8' });
  });

  test('fails when the repair needs an approval it does not have', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'ALL' }) });
    expect(state.diagnosis.action).toBe('REQUEST_APPROVAL');
    await expect(repair(state)).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(repair({ ...state, approval: { approved: false, approver: 'ops' } })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('rollback handler', () => {
  async function repaired(): Promise<HandlerInputs['rollback']> {
    const state = await given();
    updateGoesThrough(384);
    const r = await repair(state);
    return { ...state, repair: r } as HandlerInputs['rollback'];
  }

  test('restores the original size after a failed verification', async () => {
    const state = await repaired();
    lambda.reset();
    answerInOrder(lambda.on(GetFunctionConfigurationCommand), [
      functionConfigOf(oom, { MemorySize: 384, RevisionId: 'rev-2' }),
      functionConfigOf(oom, { MemorySize: 256, RevisionId: 'rev-3' }),
    ]);
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { FunctionName: 'ingest-2', MemorySize: 256, RevisionId: 'rev-2' });
    expect((await db.items()).find((i) => i.step === 'rollback')).toMatchObject({ before: { memorySize: 384 }, after: { memorySize: 256 } });
  });

  test('does not roll back a size someone else changed since', async () => {
    const state = await repaired();
    lambda.reset();
    lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom, { MemorySize: 2048 }));
    const out = await rollback(state);
    expect(out.status).toBe('SKIPPED');
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
  });

  test('fails with RollbackFailedError when the restore ends Failed', async () => {
    const state = await repaired();
    lambda.reset();
    answerInOrder(lambda.on(GetFunctionConfigurationCommand), [
      functionConfigOf(oom, { MemorySize: 384 }),
      functionConfigOf(oom, { MemorySize: 384, LastUpdateStatus: 'Failed', LastUpdateStatusReason: 'nope' }),
    ]);
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    await expect(rollback(state)).rejects.toMatchObject({ name: 'RollbackFailedError' });
  });
});
