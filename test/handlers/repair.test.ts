import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  GetAliasCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { FakeLambda } from './lambda-fake';
import {
  alarmEvent, awsError, clearTable, Db, initialState, logEventsOf, metricDataOf, sample, SECRET, setEnv, startDb, useTestWorld, VirtualClock,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { handler as repair } from '../../src/repair/repair.lambda';
import { handler as rollback } from '../../src/repair/rollback.lambda';
import { setClock } from '../../src/runtime/clock';
import { invokeCustomRepair } from '../../src/runtime/custom-strategy';
import { ThrottledError } from '../../src/runtime/errors';
import { updateTuning } from '../../src/runtime/lambda-config';
import { metrics, MetricUnit } from '../../src/runtime/powertools';
import { Store } from '../../src/runtime/store';
import { functionStateKey, HandlerInputs, intentKey, RepairOutput } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const oom = sample('oom-killed-python');

let db: Db;
let clock: VirtualClock;
let fake: FakeLambda;
let restoreEnv: () => void = () => undefined;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => {
  restoreEnv();
  updateTuning.options = {};
  jest.restoreAllMocks();
});

/**
 * GIVEN ingest-2 at 256 MB killed at its limit (the rules propose 384 MB), the state after
 * normalize, collect and diagnose; `resource` makes the alarm watch a qualifier.
 */
async function given(env: Record<string, string | undefined> = {}, opts: { resource?: string; alias?: string } = {}): Promise<HandlerInputs['repair']> {
  await clearTable(db);
  clock = useTestWorld(db);
  restoreEnv();
  restoreEnv = setEnv(env);
  for (const m of [lambda, cw, logs]) m.reset();
  fake = new FakeLambda('ingest-2', 256);
  if (opts.alias) fake.withAlias(opts.alias);
  fake.install(lambda);
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
  const s = initialState(alarmEvent({ functionName: 'ingest-2', ...(opts.resource ? { resource: opts.resource } : {}) }));
  const alarm = await normalize(s);
  const collection = await collect({ ...s, alarm } as HandlerInputs['collect']);
  const diagnosis = await diagnose({ ...s, alarm, collection } as HandlerInputs['diagnose']);
  return { ...s, alarm, collection, diagnosis } as HandlerInputs['repair'];
}

async function items() {
  return db.items();
}
async function repairCount(): Promise<number | undefined> {
  const state = (await items()).find((i) => i.pk === functionStateKey('ingest-2').pk && i.sk === 'STATE');
  return state?.['repairs#2026-11-20'] as number | undefined;
}
function updates(): number {
  return lambda.commandCalls(UpdateFunctionConfigurationCommand).length;
}

describe('repair handler', () => {
  test('raises memory with the collected RevisionId, waits for Successful, records and counts the repair', async () => {
    // GIVEN a diagnosis to raise ingest-2 from 256 to 384 MB
    const state = await given();
    expect(state.diagnosis.targetMemoryMb).toBe(384);

    // WHEN repair runs
    const out = await repair(state);

    // THEN the update named the revision read at collection, and the seed repair result says SUCCEEDED
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { FunctionName: 'ingest-2', MemorySize: 384, RevisionId: 'rev-1' });
    expect(updates()).toBe(1);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384, iacChange: 'memorySize: 384', verifyAfterSeconds: 600, revisionAfterRepair: 'rev-2' });
    expect(out.result).toEqual({ functionName: 'ingest-2', originalMemory: 256, newMemory: 384, status: 'SUCCEEDED', timestamp: out.repairedAt, executionId: state.executionId });
    expect(clock.slept).toEqual([2000, 2000]);
    const all = await items();
    expect(all.find((i) => String(i.sk).startsWith('REPAIR#'))).toMatchObject({ status: 'SUCCEEDED', originalMemory: 256, newMemory: 384, verificationStatus: 'PENDING' });
    expect(all.find((i) => String(i.sk).startsWith('AUDIT#') && i.step === 'repair')).toMatchObject({ before: { memorySize: 256 }, after: { memorySize: 384 } });
    expect(await repairCount()).toBe(1);
    // The intent was recorded before the update, with the revision it updates from
    expect(all.find((i) => i.pk === intentKey('REPAIR', state.executionId).pk && i.sk === 'REPAIR_INTENT')?.intent)
      .toMatchObject({ fromMb: 256, toMb: 384, fromRevisionId: 'rev-1', appliedRevisionId: 'rev-2' });
  });

  test('ResourceConflictException (an update in progress, nothing changed yet) is retried with backoff, then succeeds', async () => {
    const state = await given();
    const conflict = () => awsError('ResourceConflictException', 'An update is in progress', 409);
    fake.faults.update.push(conflict(), conflict());
    const out = await repair(state);
    expect(out.status).toBe('SUCCEEDED');
    expect(updates()).toBe(3);
    expect(clock.slept.slice(0, 2)).toEqual([1000, 2000]);
  });

  test('fails with UpdateConflictError (transient, for the state machine to retry) when conflicts persist', async () => {
    const state = await given();
    for (let i = 0; i < 5; i++) fake.faults.update.push(awsError('ResourceConflictException', 'An update is in progress', 409));
    await expect(repair(state)).rejects.toMatchObject({ name: 'UpdateConflictError' });
    expect(updates()).toBe(5);
  });

  test('fails with AccessDeniedError when the role may not update the function', async () => {
    const state = await given();
    fake.faults.update.push(awsError('AccessDeniedException', 'not authorized', 403));
    await expect(repair(state)).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });

  test('fails with ThrottledError when throttling outlasts the SDK retries', async () => {
    const state = await given();
    fake.faults.update.push(awsError('TooManyRequestsException', 'Rate exceeded', 429));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ThrottledError' });
  });

  test('an update that ends Failed returns FAILED with the reason; the function is as it was', async () => {
    const state = await given();
    fake.updateOutcome = 'Failed';
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'FAILED', newMemoryMb: 256 });
    expect(out.reason).toMatch(/^update of ingest-2 ended Failed/);
    expect(fake.latest.MemorySize).toBe(256);
    expect(await repairCount()).toBeUndefined();
  });

  test('a deploy since collection (RevisionId changed) is not overwritten: CHANGED_BY_OTHERS', async () => {
    const state = await given();
    fake.deploy({ CodeSha256: 'sha-code-2' });
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('changed since it was read (revision rev-1)');
    expect(updates()).toBe(0);
    expect(fake.latest.MemorySize).toBe(256);
    expect(await repairCount()).toBeUndefined();
  });

  test('dryRun records the repair and changes nothing', async () => {
    const state = await given({ DRY_RUN: 'true' });
    expect(state.diagnosis.dryRun).toBe(true);
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'DRY_RUN', originalMemoryMb: 256, newMemoryMb: 384 });
    expect(updates()).toBe(0);
    const all = await items();
    expect(all.find((i) => String(i.sk).startsWith('REPAIR#'))).toMatchObject({ status: 'DRY_RUN', dryRun: true });
    expect(all.some((i) => i.sk === 'STATE')).toBe(false);
  });

  test('the repair function\'s own DRY_RUN holds even when the diagnosis was not a dry run', async () => {
    const state = await given();
    expect(state.diagnosis.dryRun).toBe(false);
    restoreEnv();
    restoreEnv = setEnv({ DRY_RUN: 'true' });
    const out = await repair(state);
    expect(out.status).toBe('DRY_RUN');
    expect(updates()).toBe(0);
  });

  test('memory changed by someone since collection (to a size below the target): SKIPPED, not overridden', async () => {
    const state = await given();
    fake.deploy({ MemorySize: 320 });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SKIPPED', originalMemoryMb: 320, newMemoryMb: 320 });
    expect(out.reason).toBe('memory of ingest-2 changed from 256 MB to 320 MB since collection; not overriding');
    expect(updates()).toBe(0);
  });

  test('memory already above the target: SKIPPED', async () => {
    const state = await given();
    fake.deploy({ MemorySize: 1024 });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SKIPPED', newMemoryMb: 1024 });
    expect(updates()).toBe(0);
  });

  test.each([
    ['the policy ceiling', { maxMemoryMb: 300 }, 300],
    ['the largest step', { maxStepMb: 64 }, 320],
    ['a per-function largest step', { functionOverrides: { 'ingest-2': { maxStepMb: 32 } } }, 288],
  ])('a tampered diagnosis target is clamped again by %s', async (_label, policy, expected) => {
    const state = await given();
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify(policy) });
    const out = await repair({ ...state, diagnosis: { ...state.diagnosis, targetMemoryMb: 20000 } });
    expect(out).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: expected });
    expect(fake.latest.MemorySize).toBe(expected);
  });

  test('fails closed (ConfigurationError, fatal) without its policy, instead of raising under 10,240 MB / +4,096 MB defaults', async () => {
    const state = await given();
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: undefined });
    await expect(repair(state)).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining('REMEDIATION_POLICY') });
    restoreEnv();
    restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ maxMemoryMb: null }) });
    await expect(repair(state)).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining('maxMemoryMb is required') });
    expect(updates()).toBe(0);
  });

  test('fails when the repair needs an approval it does not have', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'ALL' }) });
    expect(state.diagnosis.action).toBe('REQUEST_APPROVAL');
    await expect(repair(state)).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(repair({ ...state, approval: { approved: false, approver: 'ops' } })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('a retried repair recognises its own change (issue 10 item 1)', () => {
  test('the wait for LastUpdateStatus gives up after the update took effect: the retry finishes SUCCEEDED, counted once', async () => {
    // GIVEN an update that stays InProgress longer than the repair waits
    const state = await given();
    updateTuning.options = { waitTimeoutMs: 2000 };
    fake.inProgressReads = 3;

    // WHEN the first attempt gives up and the state machine retries the same input
    await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    expect(fake.latest.MemorySize).toBe(384);
    const out = await repair(state);

    // THEN the retry recognises 384 MB on a newer revision as its own change: SUCCEEDED, 256 -> 384
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384, revisionAfterRepair: 'rev-2' });
    expect(updates()).toBe(1);
    expect(await repairCount()).toBe(1);
    const all = await items();
    expect(all.filter((i) => String(i.sk).startsWith('REPAIR#'))).toEqual([expect.objectContaining({ status: 'SUCCEEDED', originalMemory: 256, newMemory: 384 })]);
    expect(all.filter((i) => i.step === 'repair')).toEqual([expect.objectContaining({ before: { memorySize: 256 }, after: { memorySize: 384 } })]);
  });

  test('a throttled record write after the update: the retry is SUCCEEDED, not SKIPPED, and the repair counts once', async () => {
    const state = await given();
    jest.spyOn(Store.prototype, 'putRepairRecord').mockRejectedValueOnce(new ThrottledError('dynamodb:PutItem repair record throttled'));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ThrottledError' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384 });
    expect(updates()).toBe(1);
    expect(await repairCount()).toBe(1);
  });

  test('the update\'s response is lost: the retry does not update again', async () => {
    const state = await given();
    fake.faults.update.push('apply-then-lose-response');
    await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384 });
    expect(updates()).toBe(1);
    expect(fake.memoryHistory).toEqual([256, 384]);
  });

  test('an SDK-level retry of the update meets PreconditionFailed from our own first request: SUCCEEDED, not "nothing changed"', async () => {
    const state = await given();
    fake.faults.update.push('apply-then-precondition-failed');
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384 });
    expect(await repairCount()).toBe(1);
  });

  test('a retry that finds a size that is neither the original nor the target stops: CHANGED_BY_OTHERS, not counted', async () => {
    const state = await given();
    fake.faults.update.push('apply-then-lose-response');
    await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    fake.deploy({ MemorySize: 768 });
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('its memory is 768 MB, neither 256 MB nor 384 MB');
    expect(out).toMatchObject({ originalMemoryMb: 256, newMemoryMb: 768 });
    expect(await repairCount()).toBeUndefined();
  });

  test('noteRepair counts one execution once, however often it is called', async () => {
    await given();
    const store = new Store('remediation-test');
    expect(await store.noteRepair('ingest-2', '2026-11-20T10:50:00.000Z', 'exec-a')).toBe(true);
    expect(await store.noteRepair('ingest-2', '2026-11-20T10:51:00.000Z', 'exec-a')).toBe(false);
    expect(await store.noteRepair('ingest-2', '2026-11-20T11:50:00.000Z', 'exec-b')).toBe(true);
    expect(await repairCount()).toBe(2);
  });
});

describe('alias repair never ships unreleased code (issue 10 item 2)', () => {
  const aliased = { REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { 'ingest-2': { aliases: ['live'] } } }) };

  test('same code and configuration: publishes the revision our update produced and moves the alias conditionally', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', aliasName: 'live', publishedVersion: '8', previousAliasVersion: '7', newMemoryMb: 384 });
    expect(lambda).toHaveReceivedCommandWith(PublishVersionCommand, { FunctionName: 'ingest-2', RevisionId: 'rev-2', CodeSha256: 'sha-code-1' });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { FunctionName: 'ingest-2', Name: 'live', FunctionVersion: '8', RevisionId: 'alias-rev-1' });
    expect(fake.versions.get('8')?.MemorySize).toBe(384);
  });

  test.each([
    ['new code in $LATEST', { CodeSha256: 'sha-code-unreleased' }, 'CodeSha256'],
    ['a new handler in $LATEST', { Handler: 'v2.handler' }, 'Handler'],
  ])('%s: no change at all, REFUSED, the reason names what differs and the IaC change', async (_label, latest, field) => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.latest = { ...fake.latest, ...latest };
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toContain(`alias live of ingest-2 runs version 7, whose ${field} differ from $LATEST`);
    expect(out.reason).toContain('publishing $LATEST would release changes that are not released yet');
    expect(out.reason).toContain('memorySize: 384');
    expect(updates()).toBe(0);
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('code and handler both new in $LATEST: REFUSED, the reason names both', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.latest = { ...fake.latest, CodeSha256: 'sha-code-unreleased', Handler: 'v2.handler' };
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toMatch(/whose (CodeSha256, Handler|Handler, CodeSha256) differ from \$LATEST/);
    expect(updates()).toBe(0);
  });

  test('an environment variable added in $LATEST is named, its value never appears', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.latest = { ...fake.latest, Environment: { Variables: { ...fake.latest.Environment.Variables, NEW_FLAG: SECRET } } };
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toContain('Environment variable names');
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(JSON.stringify(await items())).not.toContain(SECRET);
  });

  test('the publish fails after the memory update: the retry publishes once and moves the alias', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.faults.publish.push(awsError('ServiceException', 'internal', 500));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', publishedVersion: '8', previousAliasVersion: '7', originalMemoryMb: 256 });
    expect(updates()).toBe(1);
    expect(fake.aliases.get('live')?.FunctionVersion).toBe('8');
    expect([...fake.versions.keys()]).toEqual(['7', '8']);
  });

  test('the alias move fails after the publish: the retry moves the alias to the version it published, and publishes nothing more', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.faults.updateAlias.push(awsError('ServiceException', 'internal', 500));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(fake.aliases.get('live')?.FunctionVersion).toBe('7');
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', publishedVersion: '8', previousAliasVersion: '7' });
    expect(fake.aliases.get('live')?.FunctionVersion).toBe('8');
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 1);
    expect(updates()).toBe(1);
  });

  test('the alias moved by someone else during the repair: not moved, CHANGED_BY_OTHERS', async () => {
    const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
    fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(fake.aliases.get('live')?.FunctionVersion).toBe('7');
  });
});

describe('an alarm on a qualifier that is not configured (issue 10 item 12)', () => {
  test.each([
    ['an alias', 'ingest-2:live', 'alias live'],
    ['a version', 'ingest-2:7', 'version 7'],
  ])('%s: diagnose sends it to a person, and repair refuses it too (defence in depth): $LATEST is not changed', async (_label, resource, named) => {
    const state = await given({}, { resource, alias: 'live' });
    // normalize flagged it and diagnose capped the action (intake)
    expect(state.alarm.humanReviewReason).toBeDefined();
    expect(state.diagnosis.action).toBe('HUMAN_REVIEW');
    // a repair reached with REPAIR anyway (a tampered or older state) still changes nothing
    const out = await repair({ ...state, diagnosis: { ...state.diagnosis, action: 'REPAIR', targetMemoryMb: 384 } });
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toContain(`the alarm watched ${named} of ingest-2, which is not configured for repair`);
    expect(out.reason).toContain(`changing $LATEST would not change what ${resource.split(':')[1]} runs`);
    expect(updates()).toBe(0);
    expect(lambda).toHaveReceivedCommandTimes(GetAliasCommand, 0);
  });
});

describe('rollback handler', () => {
  async function repaired(env: Record<string, string | undefined> = {}, opts: { resource?: string; alias?: string } = {}): Promise<HandlerInputs['rollback']> {
    const state = await given(env, opts);
    const r: RepairOutput = await repair(state);
    expect(r.status).toBe('SUCCEEDED');
    lambda.resetHistory();
    return { ...state, repair: r } as HandlerInputs['rollback'];
  }

  test('restores the original size, conditional on the revision the repair produced', async () => {
    const state = await repaired();
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { FunctionName: 'ingest-2', MemorySize: 256, RevisionId: 'rev-2' });
    expect((await items()).find((i) => i.step === 'rollback')).toMatchObject({ before: { memorySize: 384 }, after: { memorySize: 256 } });
  });

  test('a deploy since the repair that kept the new size is not reverted (issue 10 item 6)', async () => {
    // GIVEN the repair raised 256 -> 384 MB, then an IaC deploy shipped new code with memorySize 384
    const state = await repaired();
    fake.deploy({ CodeSha256: 'sha-code-2' });

    // WHEN verification failed and rollback runs
    const out = await rollback(state);

    // THEN nothing is rolled back and the outcome says why
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toBe('memory of ingest-2 was changed since the repair by someone else (e.g. a deploy): not rolled back; memory is 384 MB');
    expect(updates()).toBe(0);
    expect(fake.latest.MemorySize).toBe(384);
  });

  test('a size someone else set since the repair is not rolled back', async () => {
    const state = await repaired();
    fake.deploy({ MemorySize: 2048 });
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', restoredMemoryMb: 2048 });
    expect(updates()).toBe(0);
  });

  test('the restore\'s response is lost: the retry recognises its own rollback', async () => {
    const state = await repaired();
    fake.faults.update.push('apply-then-lose-response');
    await expect(rollback(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(updates()).toBe(1);
  });

  test('fails with RollbackFailedError when the restore ends Failed', async () => {
    const state = await repaired();
    fake.updateOutcome = 'Failed';
    await expect(rollback(state)).rejects.toMatchObject({ name: 'RollbackFailedError' });
  });

  describe('with an alias', () => {
    const aliased = { REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { 'ingest-2': { aliases: ['live'] } } }) };

    test('moves the alias back while it still points at the version the repair published', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      const out = await rollback(state);
      expect(out.status).toBe('ROLLED_BACK');
      expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { Name: 'live', FunctionVersion: '7' });
      expect(fake.aliases.get('live')?.FunctionVersion).toBe('7');
    });

    test('an alias a deploy moved since is left where it is', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
      fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
      const out = await rollback(state);
      expect(out.status).toBe('CHANGED_BY_OTHERS');
      expect(out.reason).toContain('alias live of ingest-2 (now at version 9) was changed since the repair by someone else');
      expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
      expect(updates()).toBe(0);
    });
  });
});

describe('what a repair records and says, on each path', () => {
  function audits(step: string) {
    return items().then((all) => all.filter((i) => i.step === step));
  }
  function records() {
    return items().then((all) => all.filter((i) => String(i.sk).startsWith('REPAIR#')));
  }

  test('a repair a person approved is made, and the record and the audit name the approver', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'ALL' }) });
    expect(state.diagnosis.action).toBe('REQUEST_APPROVAL');
    const out = await repair({ ...state, approval: { approved: true, approver: 'ops@example.com' } });
    expect(out).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: 384 });
    expect(fake.latest.MemorySize).toBe(384);
    expect(await records()).toEqual([expect.objectContaining({ approver: 'ops@example.com', dryRun: false, verificationStatus: 'PENDING', notificationStatus: 'PENDING' })]);
    expect(await audits('repair')).toEqual([expect.objectContaining({
      actor: 'approved by ops@example.com',
      action: 'UpdateFunctionConfiguration MemorySize',
      at: out.startedAt,
      why: `raised ingest-2 from 256 MB to 384 MB: ${state.diagnosis.reason}`,
    })]);
  });

  test('an input that is not an object is refused, naming the handler\'s input', async () => {
    await given();
    await expect(repair(null as unknown as HandlerInputs['repair'])).rejects.toMatchObject({ name: 'InvalidInputError', message: 'repair input must be an object, got null' });
    await expect(rollback('x' as unknown as HandlerInputs['rollback'])).rejects.toMatchObject({ name: 'InvalidInputError', message: 'rollback input must be an object, got string' });
    expect(updates()).toBe(0);
  });

  test('an input that lacks what the repair needs is refused, naming what is missing', async () => {
    await given();
    await expect(repair({ executionId: 'exec-x' } as HandlerInputs['repair'])).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: 'repair input lacks alarm.functionName, collection.functionConfig.memorySize, diagnosis.targetMemoryMb, diagnosis.action',
    });
    await expect(repair(null as unknown as HandlerInputs['repair'])).rejects.toMatchObject({ name: 'InvalidInputError', message: 'repair input must be an object, got null' });
    await expect(rollback({ executionId: 'exec-x' } as HandlerInputs['rollback'])).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: 'rollback input lacks repair.originalMemoryMb, repair.newMemoryMb, collection.functionName',
    });
    await expect(rollback(null as unknown as HandlerInputs['rollback'])).rejects.toMatchObject({ name: 'InvalidInputError', message: 'rollback input must be an object, got null' });
  });

  test('a repair that needs an approval says what approval it got', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'ALL' }) });
    await expect(repair(state)).rejects.toMatchObject({ message: 'repair of ingest-2 needs an approval, got null' });
    await expect(repair({ ...state, approval: { approved: false, approver: 'ops' } }))
      .rejects.toMatchObject({ message: 'repair of ingest-2 needs an approval, got {"approved":false,"approver":"ops"}' });
  });

  test('a diagnosis that asks for no change is refused as input, naming its action', async () => {
    const state = await given();
    await expect(repair({ ...state, diagnosis: { ...state.diagnosis, action: 'HUMAN_REVIEW' } }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: 'repair needs diagnosis action REPAIR or REQUEST_APPROVAL, got \'HUMAN_REVIEW\'' });
    expect(updates()).toBe(0);
  });

  test('a dry run is recorded as nothing to verify, and its audit says no update was made', async () => {
    const state = await given({ DRY_RUN: 'true' });
    const out = await repair(state);
    expect(out.reason).toBe('dry run: would raise ingest-2 from 256 MB to 384 MB');
    expect(await records()).toEqual([expect.objectContaining({ status: 'DRY_RUN', verificationStatus: 'NOT_APPLICABLE', notificationStatus: 'PENDING' })]);
    expect(await audits('repair')).toEqual([expect.objectContaining({
      actor: 'lambda-auto-remediation', action: 'repair DRY_RUN', before: { memorySize: 256 }, after: { memorySize: 384 }, why: out.reason, at: out.startedAt,
    })]);
  });

  test('a proposed size equal to the current one is SKIPPED without an update; a fractional size is rounded down', async () => {
    const state = await given();
    const same = await repair({ ...state, diagnosis: { ...state.diagnosis, targetMemoryMb: 256 } });
    expect(same).toMatchObject({ status: 'SKIPPED', originalMemoryMb: 256, newMemoryMb: 256 });
    expect(same.reason).toBe('function ingest-2 already has 256 MB, not below the proposed 256 MB');
    expect(updates()).toBe(0);
    const fractional = await repair({ ...state, executionId: `${state.executionId}-b`, diagnosis: { ...state.diagnosis, targetMemoryMb: 383.7 } });
    expect(fractional).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: 383 });
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { MemorySize: 383 });
  });

  test('memory already above the target: the reason says what it has and what was proposed', async () => {
    const state = await given();
    fake.deploy({ MemorySize: 1024 });
    const out = await repair(state);
    expect(out.reason).toBe('function ingest-2 already has 1024 MB, not below the proposed 384 MB');
  });

  test('an alarm on $LATEST itself is repaired like one on the function', async () => {
    const state = await given();
    const out = await repair({ ...state, alarm: { ...state.alarm, qualifier: '$LATEST' } });
    expect(out).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: 384 });
    expect(out.aliasName).toBeUndefined();
    expect(lambda).toHaveReceivedCommandTimes(GetAliasCommand, 0);
  });

  describe('through an alias', () => {
    const aliased = { REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { 'ingest-2': { aliases: ['live'] } } }) };

    test('a dry run names the alias it would move, and publishes nothing', async () => {
      const state = await given({ ...aliased, DRY_RUN: 'true' }, { resource: 'ingest-2:live', alias: 'live' });
      const out = await repair(state);
      expect(out).toMatchObject({ status: 'DRY_RUN', newMemoryMb: 384 });
      expect(out.reason).toBe('dry run: would raise ingest-2 from 256 MB to 384 MB and move alias live');
      expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
      expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    });

    test('the alias move\'s response is lost: the retry finds the alias on the version it published and is done', async () => {
      const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.faults.updateAlias.push('apply-then-lose-response');
      await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
      expect(fake.aliases.get('live')?.FunctionVersion).toBe('8');
      const out = await repair(state);
      expect(out).toMatchObject({ status: 'SUCCEEDED', aliasName: 'live', publishedVersion: '8', previousAliasVersion: '7' });
      expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
      expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 1);
    });

    test('an alias someone moved before the publish is not moved, and the reason says where it went', async () => {
      const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.faults.update.push('apply-then-lose-response');
      await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
      fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
      fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
      const out = await repair(state);
      expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', originalMemoryMb: 256, newMemoryMb: 384 });
      expect(out.reason).toBe('memory of $LATEST raised from 256 MB to 384 MB, but alias live was moved by someone else to version 9 (it pointed at 7): '
        + 'not moved; alias live still runs what it ran');
      expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
      expect(fake.aliases.get('live')?.FunctionVersion).toBe('9');
    });

    test('an alias that moved during the move: the reason says $LATEST was raised and the alias runs what it ran', async () => {
      const state = await given(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
      const out = await repair(state);
      expect(out.reason).toBe('memory of $LATEST raised from 256 MB to 384 MB, but alias ingest-2:live moved since it was read: not moved to version 8; '
        + 'alias live still runs what it ran');
      expect(out.revisionAfterRepair).toBe('rev-2');
    });
  });

  test('a repair with the stack\'s guardrails and the default strategy records neither an environment nor a strategy', async () => {
    const state = await given();
    await repair(state);
    const [record] = await records();
    expect(record).toMatchObject({ status: 'SUCCEEDED' });
    expect(record).not.toHaveProperty('repairStrategy');
    expect(record).not.toHaveProperty('environment');
  });

  test('the repair reads the function\'s configuration once before its update, and the rollback once before its restore', async () => {
    const state = await given();
    lambda.resetHistory();
    const readsBeforeUpdate = () => {
      const calls = lambda.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
      return calls.slice(0, calls.indexOf('UpdateFunctionConfigurationCommand')).filter((n) => n === 'GetFunctionConfigurationCommand').length;
    };
    const out = await repair(state);
    expect(out.status).toBe('SUCCEEDED');
    expect(readsBeforeUpdate()).toBe(1);
    lambda.resetHistory();
    const back = await rollback({ ...state, repair: out } as HandlerInputs['rollback']);
    expect(back.status).toBe('ROLLED_BACK');
    expect(readsBeforeUpdate()).toBe(1);
  });

  test('a handler that fails counts the failure under its own name', async () => {
    await given();
    const counted = jest.spyOn(metrics, 'addMetric');
    await expect(repair(null as unknown as HandlerInputs['repair'])).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(counted).toHaveBeenCalledWith('repairError', MetricUnit.Count, 1);
    counted.mockClear();
    await expect(repair({ promote: true, state: null as any })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(counted).toHaveBeenCalledWith('repairError', MetricUnit.Count, 1);
    counted.mockClear();
    await expect(rollback(null as unknown as HandlerInputs['rollback'])).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(counted).toHaveBeenCalledWith('rollbackError', MetricUnit.Count, 1);
  });
});

describe('what a rollback does and records, on each path', () => {
  const aliased = { REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { 'ingest-2': { aliases: ['live'] } } }) };
  const verification = { reason: 'errors did not drop after the repair' } as HandlerInputs['rollback']['verification'];

  async function repaired(env: Record<string, string | undefined> = {}, opts: { resource?: string; alias?: string } = {}): Promise<HandlerInputs['rollback']> {
    const state = await given(env, opts);
    const r: RepairOutput = await repair(state);
    lambda.resetHistory();
    return { ...state, repair: r, verification } as HandlerInputs['rollback'];
  }
  async function rollbackAudit() {
    return (await items()).filter((i) => i.step === 'rollback');
  }

  test('nothing to roll back after a repair that did not succeed: SKIPPED, the size as it is, and the audit says so', async () => {
    const state = await repaired({ DRY_RUN: 'true' });
    expect(state.repair.status).toBe('DRY_RUN');
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'SKIPPED', reason: 'repair status was DRY_RUN: nothing to roll back', restoredMemoryMb: 256 });
    expect(updates()).toBe(0);
    expect(await rollbackAudit()).toEqual([expect.objectContaining({
      actor: 'lambda-auto-remediation',
      action: 'rollback SKIPPED',
      before: { memorySize: 256 },
      after: { memorySize: 256 },
      why: 'repair status was DRY_RUN: nothing to roll back; verification: errors did not drop after the repair',
      at: out.rolledBackAt,
    })]);
  });

  test('a rolled-back repair is audited as the rollback update, with the verification\'s reason', async () => {
    const state = await repaired();
    const out = await rollback(state);
    expect(out.reason).toBe('restored ingest-2 from 384 MB to 256 MB after a failed verification');
    expect(await rollbackAudit()).toEqual([expect.objectContaining({
      action: 'UpdateFunctionConfiguration MemorySize (rollback)',
      before: { memorySize: 384 },
      after: { memorySize: 256 },
      why: 'restored ingest-2 from 384 MB to 256 MB after a failed verification; verification: errors did not drop after the repair',
    })]);
  });

  test('a size someone else set is audited as left as it is', async () => {
    const state = await repaired();
    fake.deploy({ MemorySize: 2048 });
    await rollback(state);
    expect(await rollbackAudit()).toEqual([expect.objectContaining({ action: 'rollback CHANGED_BY_OTHERS', before: { memorySize: 2048 }, after: { memorySize: 2048 } })]);
  });

  test('a restore that ends Failed names the function, the size and Lambda\'s reason', async () => {
    const state = await repaired();
    fake.updateOutcome = 'Failed';
    await expect(rollback(state)).rejects.toMatchObject({ name: 'RollbackFailedError', message: expect.stringMatching(/^rollback of ingest-2 to 256 MB failed: update of ingest-2 ended Failed/) });
  });

  test('a retried rollback whose first restore took effect audits the change from the raised size, and a missing verification reads n/a', async () => {
    const state = await repaired();
    fake.faults.update.push('apply-then-lose-response');
    await expect(rollback(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    const { verification: _none, ...withoutVerification } = state;
    const out = await rollback(withoutVerification as HandlerInputs['rollback']);
    expect(out.status).toBe('ROLLED_BACK');
    expect(await rollbackAudit()).toEqual([expect.objectContaining({
      action: 'UpdateFunctionConfiguration MemorySize (rollback)',
      before: { memorySize: 384 },
      after: { memorySize: 256 },
      why: 'restored ingest-2 from 384 MB to 256 MB after a failed verification; verification: n/a',
    })]);
  });

  test('a repair that did not know its revision, and a size changed since: not rolled back, and no rollback intent is recorded', async () => {
    const state = await repaired();
    const { revisionAfterRepair: _dropped, ...withoutRevision } = state.repair;
    fake.deploy({ MemorySize: 2048 });
    const out = await rollback({ ...state, repair: withoutRevision as RepairOutput });
    expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', restoredMemoryMb: 2048 });
    expect((await items()).filter((i) => i.pk === intentKey('ROLLBACK', state.executionId).pk && i.sk === intentKey('ROLLBACK', state.executionId).sk)).toEqual([]);
    expect(updates()).toBe(0);
  });

  test('a repair that did not know its revision is rolled back on its size alone', async () => {
    const state = await repaired();
    const { revisionAfterRepair: _dropped, ...withoutRevision } = state.repair;
    fake.deploy({ CodeSha256: 'sha-code-2' });
    const out = await rollback({ ...state, repair: withoutRevision as RepairOutput });
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(fake.latest.MemorySize).toBe(256);
  });

  describe('with an alias', () => {
    test('an alias moved during the move back is left where it is: CHANGED_BY_OTHERS, memory as it is', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
      const out = await rollback(state);
      expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', restoredMemoryMb: 384 });
      expect(out.reason).toBe('alias live of ingest-2 was changed since the repair by someone else (e.g. a deploy): not rolled back; memory is 384 MB');
      expect(updates()).toBe(0);
      expect(fake.latest.MemorySize).toBe(384);
    });

    test('an alias move back that fails for another reason is an error (retried), not taken for a change by someone else', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.faults.updateAlias.push(awsError('ServiceException', 'internal', 500));
      await expect(rollback(state)).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
      expect(fake.aliases.get('live')?.FunctionVersion).toBe('8');
      expect(fake.latest.MemorySize).toBe(384);
    });

    test('an alias already back on its previous version (a retried rollback): memory is restored, the alias is not moved again', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.aliases.set('live', { FunctionVersion: '7', RevisionId: 'alias-rev-back' });
      const out = await rollback(state);
      expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
      expect(out.reason).toBe('restored ingest-2 from 384 MB to 256 MB after a failed verification; alias live back on version 7');
      expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
      expect(fake.latest.MemorySize).toBe(256);
    });

    test('the alias goes back, but a $LATEST deployed since keeps its size, and the reason says both', async () => {
      const state = await repaired(aliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.deploy({ CodeSha256: 'sha-code-2' });
      const out = await rollback(state);
      expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
      expect(out.reason).toBe('alias restored; alias live back on version 7; $LATEST was changed since the repair by someone else and keeps 384 MB');
      expect(fake.aliases.get('live')?.FunctionVersion).toBe('7');
      expect(updates()).toBe(0);
      expect(fake.latest.MemorySize).toBe(384);
    });
  });
});

describe('progressive repair (RepairStrategy.progressive): a canary through the alias', () => {
  const progressive = {
    REMEDIATION_POLICY: JSON.stringify({
      functionOverrides: { 'ingest-2': { aliases: ['live'] } },
      repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 },
    }),
  };
  const routingOf = () => fake.aliases.get('live');

  test('GIVEN an alarm on the function as a whole WHEN repaired THEN $LATEST is raised, published, and 20 % of live goes to the new version while live stays on 7', async () => {
    const state = await given(progressive, { alias: 'live' });
    const out = await repair(state);
    expect(out).toMatchObject({
      status: 'SUCCEEDED',
      newMemoryMb: 384,
      verifyAfterSeconds: 600,
      canary: { aliasName: 'live', version: '8', previousVersion: '7', weight: 0.2 },
    });
    expect(lambda).toHaveReceivedCommandWith(PublishVersionCommand, { FunctionName: 'ingest-2', RevisionId: 'rev-2', CodeSha256: 'sha-code-1' });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
      Name: 'live', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: { 8: 0.2 } }, RevisionId: 'alias-rev-1',
    });
    expect(routingOf()).toMatchObject({ FunctionVersion: '7', Weights: { 8: 0.2 } });
    expect(fake.versions.get('8')?.MemorySize).toBe(384);
    expect(out.reason).toContain('which stays on version 7 until the canary is verified');
  });

  test('GIVEN the strategy comes from a matching environment THEN the repair record names the environment and the strategy', async () => {
    const state = await given({
      REMEDIATION_POLICY: JSON.stringify({
        functionOverrides: { 'ingest-2': { aliases: ['live'] } },
        environments: [{ name: 'production', namePattern: 'ingest-*', repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 } }],
      }),
    }, { alias: 'live' });
    const out = await repair(state);
    expect(out.canary).toMatchObject({ version: '8', weight: 0.2 });
    expect((await items()).find((i) => i.recordType === 'REPAIR')).toMatchObject({ environment: 'production', repairStrategy: 'PROGRESSIVE' });
  });

  test('fails safe when no alias is configured: REFUSED, nothing changed, the reason says what to configure', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 } }) });
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toContain('has none configured (addFunction(fn, { alias }))');
    expect(updates()).toBe(0);
  });

  test('fails safe when $LATEST runs other code than the alias\'s version: REFUSED, no publish, no routing', async () => {
    const state = await given(progressive, { alias: 'live' });
    fake.latest = { ...fake.latest, CodeSha256: 'sha-code-unreleased' };
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(updates()).toBe(0);
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN the routing update\'s response is lost WHEN the step is retried THEN it recognises its own canary: one update, one publish, SUCCEEDED', async () => {
    const state = await given(progressive, { alias: 'live' });
    fake.faults.updateAlias.push('apply-then-lose-response');
    await expect(repair(state)).rejects.toBeDefined();
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', canary: { version: '8', previousVersion: '7', weight: 0.2 } });
    expect(updates()).toBe(1);
    expect([...fake.versions.keys()]).toEqual(['7', '8']);
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
  });

  test('GIVEN the alias was moved by a deploy while the repair ran THEN no canary starts: CHANGED_BY_OTHERS', async () => {
    const state = await given(progressive, { alias: 'live' });
    fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(routingOf()).toMatchObject({ FunctionVersion: '7' });
    expect(routingOf()?.Weights).toBeUndefined();
  });

  async function canaryStarted(): Promise<HandlerInputs['rollback'] & { verification: any }> {
    const state = await given(progressive, { alias: 'live' });
    const r: RepairOutput = await repair(state);
    expect(r.status).toBe('SUCCEEDED');
    lambda.resetHistory();
    return { ...state, repair: r, verification: { status: 'SUCCEEDED', next: 'PROMOTE', reason: 'canary version 8 against version 7: error rate 1 -> 0' } } as any;
  }

  test('WHEN the verified canary is promoted THEN live points at 8 with no routing, and a retry changes nothing more', async () => {
    const state = await canaryStarted();
    const out = await repair({ promote: true, state });
    expect(out).toMatchObject({ status: 'PROMOTED', aliasVersion: '8' });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { Name: 'live', FunctionVersion: '8', RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(routingOf()).toMatchObject({ FunctionVersion: '8', Weights: {} });
    const again = await repair({ promote: true, state });
    expect(again.status).toBe('PROMOTED');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect((await items()).find((i) => i.step === 'promote')).toMatchObject({ before: { aliasVersion: '7', canaryVersion: '8' }, after: { aliasVersion: '8' } });
  });

  test('fails when promotion is asked without a verification that asks for it', async () => {
    const state = await canaryStarted();
    await expect(repair({ promote: true, state: { ...state, verification: { ...state.verification, next: 'ROLLBACK' } } })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN a deploy moved live during the bake WHEN promotion runs THEN the alias is left alone: CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
    const out = await repair({ promote: true, state });
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN a deploy added routing to another version of live during the bake WHEN promotion runs THEN the alias is left alone and the reason names the routing', async () => {
    const state = await canaryStarted();
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '7', RevisionId: 'alias-rev-deploy', Weights: { 9: 0.5 } });
    const out = await repair({ promote: true, state });
    expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', aliasVersion: '7' });
    expect(out.reason).toContain('was changed by someone else since the canary started (now version 7 with routing {"9":0.5}): not promoted');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN a deploy moved live to another version and kept the canary\'s routing WHEN promotion runs THEN the alias is left alone: CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy', Weights: { 8: 0.2 } });
    const out = await repair({ promote: true, state });
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN live changed between the promotion\'s read and its write THEN the conditional update fails and nothing is promoted: CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
    const out = await repair({ promote: true, state });
    expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', aliasVersion: '7' });
    expect(out.reason).toContain('was changed by someone else since the canary started (now version 7 with routing {"8":0.2}): not promoted');
    expect(routingOf()).toMatchObject({ FunctionVersion: '7', Weights: { 8: 0.2 } });
  });

  test('fails when the promotion\'s alias update fails for another reason: the error is named, the alias unchanged', async () => {
    const state = await canaryStarted();
    fake.faults.updateAlias.push(awsError('ServiceException', 'internal error', 500));
    await expect(repair({ promote: true, state })).rejects.toBeDefined();
    expect(routingOf()).toMatchObject({ FunctionVersion: '7', Weights: { 8: 0.2 } });
  });

  test('GIVEN live already routes to another version before the repair THEN no canary starts and the reason names the routing', async () => {
    const state = await given(progressive, { alias: 'live' });
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '7', RevisionId: 'alias-rev-1', Weights: { 9: 0.1 } });
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('it points at version 7 with routing {"9":0.1}; it pointed at 7 alone): no canary started');
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('GIVEN a deploy moved live during the bake WHEN the canary is rolled back THEN neither the alias nor $LATEST is touched: CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
    const out = await rollback(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('alias live of ingest-2 (now version 9) was changed since the repair by someone else');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(fake.latest.MemorySize).toBe(384);
  });

  test('GIVEN live changed between the rollback\'s read and its write THEN the routing stays and $LATEST keeps the raised size: CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.faults.updateAlias.push(awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412));
    const out = await rollback(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('alias live of ingest-2 (now version 7 with routing {"8":0.2}) was changed since the repair');
    expect(fake.latest.MemorySize).toBe(384);
  });

  test('GIVEN live is back on version 7 with the canary left at weight 0 WHEN rolled back THEN the routing counts as removed: no alias update', async () => {
    // A weight of 0.0 is a valid AdditionalVersionWeights value (UpdateAlias, AliasRoutingConfiguration:
    // https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html): it routes nothing.
    const state = await canaryStarted();
    fake.aliases.set('live', { FunctionVersion: '7', RevisionId: 'alias-rev-zero', Weights: { 8: 0 } });
    const out = await rollback(state);
    expect(out.status).toBe('ROLLED_BACK');
    expect(out.reason).toContain('canary routing to version 8 removed; alias live stays on version 7');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    expect(fake.latest.MemorySize).toBe(256);
  });

  test('GIVEN the alias update that removes the canary is throttled THEN the rollback fails with that error (the workflow retries it), not CHANGED_BY_OTHERS', async () => {
    const state = await canaryStarted();
    fake.faults.updateAlias.push(awsError('ThrottlingException', 'Rate exceeded', 429));
    await expect(rollback(state)).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(routingOf()).toMatchObject({ FunctionVersion: '7', Weights: { 8: 0.2 } });
  });

  test('WHEN the canary did not pass THEN rollback removes the routing, live stays on 7, $LATEST is restored; a retry recognises both', async () => {
    const state = await canaryStarted();
    const out = await rollback(state);
    expect(out.status).toBe('ROLLED_BACK');
    expect(out.reason).toContain('canary routing to version 8 removed; alias live stays on version 7');
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, { Name: 'live', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(routingOf()).toMatchObject({ FunctionVersion: '7', Weights: {} });
    expect(fake.latest.MemorySize).toBe(256);
    const again = await rollback(state);
    expect(again.status).toBe('ROLLED_BACK');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
    expect(updates()).toBe(1);
  });

  test('GIVEN a dry run THEN the reason says the share of live the canary would get, and nothing is published', async () => {
    const state = await given({ ...progressive, DRY_RUN: 'true' }, { alias: 'live' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'DRY_RUN', newMemoryMb: 384 });
    expect(out.reason).toBe('dry run: would raise ingest-2 from 256 MB to 384 MB and give it 20% of alias live\'s traffic as a canary');
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
  });

  test('GIVEN a bake time other than the verification window THEN verification waits the bake time, and the reason says who serves what', async () => {
    const state = await given({
      REMEDIATION_POLICY: JSON.stringify({
        functionOverrides: { 'ingest-2': { aliases: ['live'] } },
        repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 300 },
      }),
    }, { alias: 'live' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', verifyAfterSeconds: 300 });
    expect(out.reason).toBe('canary: version 8 of ingest-2 with 384 MB (was 256 MB) serves 20% of alias live, '
      + `which stays on version 7 until the canary is verified: ${state.diagnosis.reason}`);
  });

  test('GIVEN live was moved to another version (no routing) before a retried repair started the canary THEN no canary starts and the reason says where live went', async () => {
    const state = await given(progressive, { alias: 'live' });
    fake.faults.update.push('apply-then-lose-response');
    await expect(repair(state)).rejects.toMatchObject({ name: 'DependencyTimeoutError' });
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'CHANGED_BY_OTHERS', newMemoryMb: 384 });
    expect(out.reason).toBe('memory of $LATEST raised from 256 MB to 384 MB, but alias live was changed by someone else (it points at version 9; it pointed at 7 alone): '
      + 'no canary started; alias live still runs what it ran');
    expect(lambda).toHaveReceivedCommandTimes(PublishVersionCommand, 0);
  });

  test('GIVEN publishing $LATEST returns live\'s own version THEN no canary starts: CHANGED_BY_OTHERS, the routing untouched', async () => {
    const state = await given(progressive, { alias: 'live' });
    lambda.on(PublishVersionCommand).resolves({ Version: '7' });
    const out = await repair(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('publishing $LATEST returned version 7, the alias\'s own: the new memory size is not in a new version; no canary started');
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
  });

  test('WHEN the canary is promoted THEN the reason and the audit say so, with the verification\'s reason; a retry says the alias is on the canary', async () => {
    const state = await canaryStarted();
    const out = await repair({ promote: true, state });
    expect(out.reason).toBe('canary version 8 promoted: alias live of ingest-2 moved from version 7 to 8, routing cleared');
    expect((await items()).filter((i) => i.step === 'promote')).toEqual([expect.objectContaining({
      actor: 'lambda-auto-remediation',
      action: 'UpdateAlias FunctionVersion (canary promoted, routing cleared)',
      before: { aliasVersion: '7', canaryVersion: '8', canaryWeight: 0.2 },
      why: `${out.reason}; verification: canary version 8 against version 7: error rate 1 -> 0`,
    })]);
    const again = await repair({ promote: true, state });
    expect(again.reason).toBe('alias live of ingest-2 points at version 8 (promoted)');
  });

  test('GIVEN a deploy moved live to another version without routing WHEN promotion runs THEN the reason says where it is, and the audit is not a promotion', async () => {
    const state = await canaryStarted();
    fake.versions.set('9', { ...fake.latest, CodeSha256: 'sha-code-9' });
    fake.aliases.set('live', { FunctionVersion: '9', RevisionId: 'alias-rev-deploy' });
    const out = await repair({ promote: true, state });
    expect(out.reason).toBe('alias live of ingest-2 was changed by someone else since the canary started (now version 9): not promoted');
    expect((await items()).filter((i) => i.step === 'promote')).toEqual([expect.objectContaining({
      action: 'promotion CHANGED_BY_OTHERS', after: { aliasVersion: '9' }, why: `${out.reason}; verification: canary version 8 against version 7: error rate 1 -> 0`,
    })]);
  });

  test('a promotion input that is not a state, or lacks what promotion needs, or a verification that asks for no promotion is refused, saying which', async () => {
    const state = await canaryStarted();
    await expect(repair({ promote: true, state: null as any })).rejects.toMatchObject({ name: 'InvalidInputError', message: 'promotion state must be an object, got null' });
    await expect(repair({ promote: true, state: { executionId: 'exec-x' } as any })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: 'promotion state lacks alarm.functionName, repair.canary.version, repair.canary.previousVersion, repair.canary.aliasName, verification.status',
    });
    await expect(repair({ promote: true, state: { ...state, verification: { ...state.verification, next: 'ROLLBACK' } } }))
      .rejects.toMatchObject({ message: 'promotion needs a verification that asks for it, got next \'ROLLBACK\'' });
    expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    // No input at all is neither a promotion nor a repair: refused as a repair input that is missing.
    await expect(repair(undefined as any)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('repair input must be an object') });
  });

  test('WHEN the canary is rolled back THEN the reason says the canary did not pass', async () => {
    const state = await canaryStarted();
    const out = await rollback(state);
    expect(out.reason).toBe('restored ingest-2 from 384 MB to 256 MB after the canary did not pass verification; canary routing to version 8 removed; alias live stays on version 7');
  });

  test('GIVEN an alarm on a version that is not configured THEN the progressive repair refuses it like any repair', async () => {
    const state = await given(progressive, { resource: 'ingest-2:7', alias: 'live' });
    const out = await repair({ ...state, diagnosis: { ...state.diagnosis, action: 'REPAIR', targetMemoryMb: 384 } });
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toContain('the alarm watched version 7 of ingest-2, which is not configured for repair');
    expect(updates()).toBe(0);
  });

  test('GIVEN an alarm on $LATEST and no alias configured THEN REFUSED: nothing changed', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 } }) });
    const out = await repair({ ...state, alarm: { ...state.alarm, qualifier: '$LATEST' } });
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toBe('the progressive repair strategy releases the new memory size through the function\'s alias, and ingest-2 has none configured '
      + '(addFunction(fn, { alias })): nothing was changed');
    expect(updates()).toBe(0);
  });

  test('GIVEN two aliases configured and an alarm on the function as a whole THEN REFUSED, the reason names them', async () => {
    const state = await given({
      REMEDIATION_POLICY: JSON.stringify({
        functionOverrides: { 'ingest-2': { aliases: ['live', 'beta'] } },
        repairStrategy: { kind: 'PROGRESSIVE', canaryWeight: 0.2, bakeTimeSeconds: 600 },
      }),
    }, { alias: 'live' });
    const out = await repair(state);
    expect(out.status).toBe('REFUSED');
    expect(out.reason).toBe('the progressive repair strategy needs one alias of ingest-2, and 2 are configured (live, beta) '
      + 'while the alarm watched the function as a whole: nothing was changed');
    expect(updates()).toBe(0);
  });
});

describe('custom repair (RepairStrategy.custom): the user\'s function makes the change, only the size read back counts', () => {
  const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:memory-changer';
  const custom = { REMEDIATION_POLICY: JSON.stringify({ repairStrategy: { kind: 'CUSTOM', functionArn: ARN, timeoutMs: 5000 } }) };
  const events: any[] = [];
  /** The user's function: does what `behaviour` says with the event it receives. */
  function userFunction(behaviour: 'apply' | 'error' | 'wrong-size' | 'nothing' | 'hang') {
    events.length = 0;
    lambda.on(InvokeCommand).callsFake(async (input: any) => {
      const event = JSON.parse(new TextDecoder().decode(input.Payload));
      events.push({ functionName: input.FunctionName, event });
      if (behaviour === 'hang') return new Promise(() => undefined);
      if (behaviour === 'error') return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorType":"PipelineDown","errorMessage":"no"}') };
      if (behaviour === 'apply') fake.updateFunctionConfiguration({ MemorySize: event.toMemoryMb });
      if (behaviour === 'wrong-size') fake.updateFunctionConfiguration({ MemorySize: 320 });
      return { StatusCode: 200, Payload: new TextEncoder().encode('{"ok":true}') };
    });
  }

  test('GIVEN a function that applies the size WHEN repaired THEN it got the target size, the read-back confirms it: SUCCEEDED, counted once, our role never updated', async () => {
    const state = await given(custom);
    userFunction('apply');
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 256, newMemoryMb: 384, strategyFunction: ARN });
    expect(events).toEqual([{ functionName: ARN, event: expect.objectContaining({ action: 'RAISE', functionName: 'ingest-2', fromMemoryMb: 256, toMemoryMb: 384 }) }]);
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
    expect(await repairCount()).toBe(1);
  });

  test.each([
    ['throws', 'error' as const, /did not make the change \(CustomRepairFunctionError: repair function memory-changer failed \(Unhandled\)/],
    ['answers but sets another size', 'wrong-size' as const, /repair function memory-changer answered, but ingest-2 has 320 MB, not the 384 MB asked for: no change assumed/],
    ['answers and changes nothing', 'nothing' as const, /answered, but ingest-2 has 256 MB, not the 384 MB asked for/],
  ])('GIVEN a function that %s THEN FAILED with no change assumed, not counted', async (_label, behaviour, reason) => {
    const state = await given(custom);
    userFunction(behaviour);
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'FAILED', originalMemoryMb: 256, newMemoryMb: 256 });
    expect(out.reason).toMatch(reason);
    expect(await repairCount()).toBeUndefined();
  });

  test('GIVEN a function that does not answer in time THEN FAILED (DependencyTimeoutError), no change assumed', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ repairStrategy: { kind: 'CUSTOM', functionArn: ARN, timeoutMs: 1000 } }) });
    userFunction('hang');
    const pending = repair(state);
    clock.advance(1000);
    const out = await pending;
    expect(out.status).toBe('FAILED');
    expect(out.reason).toContain('DependencyTimeoutError: repair function memory-changer did not answer within 1000 ms');
  });

  test('GIVEN the step is retried after the change was made THEN it recognises the size and does not invoke again', async () => {
    const state = await given(custom);
    userFunction('apply');
    jest.spyOn(Store.prototype, 'noteRepair').mockRejectedValueOnce(new ThrottledError('dynamodb throttled'));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ThrottledError' });
    const out = await repair(state);
    expect(out.status).toBe('SUCCEEDED');
    expect(events).toHaveLength(1);
  });

  async function repairedThroughCustom(): Promise<HandlerInputs['rollback']> {
    const state = await given(custom);
    userFunction('apply');
    const r: RepairOutput = await repair(state);
    expect(r.status).toBe('SUCCEEDED');
    return { ...state, repair: r } as HandlerInputs['rollback'];
  }

  test('GIVEN the function is already back at its original size WHEN rollback is retried THEN ROLLED_BACK without asking the function again', async () => {
    const state = await repairedThroughCustom();
    fake.updateFunctionConfiguration({ MemorySize: 256 });
    const out = await rollback(state);
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(out.reason).toContain('is back at 256 MB (a retried rollback)');
    expect(events).toHaveLength(1);
  });

  test('GIVEN a deploy set another size after the repair THEN rollback leaves it and does not ask the function: CHANGED_BY_OTHERS', async () => {
    const state = await repairedThroughCustom();
    fake.updateFunctionConfiguration({ MemorySize: 512 });
    const out = await rollback(state);
    expect(out.status).toBe('CHANGED_BY_OTHERS');
    expect(out.reason).toContain('memory is 512 MB');
    expect(events).toHaveLength(1);
    expect(fake.latest.MemorySize).toBe(512);
  });

  test('GIVEN the function fails on ROLLBACK THEN FAILED: the reason names it, the raised size is kept and said', async () => {
    const state = await repairedThroughCustom();
    userFunction('error');
    const out = await rollback(state);
    expect(out.status).toBe('FAILED');
    expect(out.reason).toMatch(/repair function memory-changer did not put ingest-2 back to 256 MB \(CustomRepairFunctionError: .*\); it keeps 384 MB/);
    expect(fake.latest.MemorySize).toBe(384);
  });

  test('GIVEN the function answers ROLLBACK but leaves the size THEN FAILED, naming the size read back', async () => {
    const state = await repairedThroughCustom();
    userFunction('nothing');
    const out = await rollback(state);
    expect(out.status).toBe('FAILED');
    expect(out.reason).toContain('repair function memory-changer answered, but ingest-2 has 384 MB, not 256 MB');
  });

  const longSecretAnswer = () => lambda.on(InvokeCommand).callsFake(async () => ({
    StatusCode: 200,
    FunctionError: 'Unhandled',
    Payload: new TextEncoder().encode(JSON.stringify({ errorMessage: `db password=hunter2 ${'x'.repeat(400)}` })),
  }));

  test('GIVEN the function fails with an answer holding a secret THEN the repair\'s reason quotes it masked', async () => {
    const state = await given(custom);
    longSecretAnswer();
    const out = await repair(state);
    expect(out.status).toBe('FAILED');
    expect(out.reason).toContain('password=');
    expect(out.reason).not.toContain('hunter2');
  });

  test('the error of a failed repair function quotes at most 300 characters of its answer, secrets masked', async () => {
    longSecretAnswer();
    const event = { action: 'RAISE' as const, functionName: 'ingest-2', fromMemoryMb: 256, toMemoryMb: 384, executionId: 'exec-1', reason: 'test' };
    const err = await invokeCustomRepair(ARN, event, 5000).then(() => undefined, (e: Error) => e);
    expect(err).toMatchObject({ name: 'CustomRepairFunctionError' });
    expect(err!.message).not.toContain('hunter2');
    expect(err!.message).toContain('x'.repeat(200));
    expect(err!.message).not.toContain('x'.repeat(290));
  });

  test('WHEN verification failed THEN rollback asks the same function for the original size and reads it back', async () => {
    const state = await given(custom);
    userFunction('apply');
    const r: RepairOutput = await repair(state);
    const out = await rollback({ ...state, repair: r } as HandlerInputs['rollback']);
    expect(out).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
    expect(events[1].event).toMatchObject({ action: 'ROLLBACK', fromMemoryMb: 384, toMemoryMb: 256 });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
  });

  test('GIVEN a function that applies the size THEN the reason says it went through the function and the read-back revision is kept', async () => {
    const state = await given(custom);
    userFunction('apply');
    const out = await repair(state);
    expect(out.reason).toBe(`raised ingest-2 from 256 MB to 384 MB through repair function memory-changer (read back from the function's configuration): ${state.diagnosis.reason}`);
    expect(out.revisionAfterRepair).toBe(fake.latest.RevisionId);
    expect(out.revisionAfterRepair).toBeDefined();
  });

  test('GIVEN a function that fails after setting another size THEN FAILED, and the reason says the size it left; a failure that changed nothing says no more', async () => {
    const state = await given(custom);
    lambda.on(InvokeCommand).callsFake(async () => {
      fake.updateFunctionConfiguration({ MemorySize: 320 });
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorMessage":"half done"}') };
    });
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'FAILED', newMemoryMb: 256 });
    expect(out.reason).toMatch(/^repair function memory-changer did not make the change \(CustomRepairFunctionError: .*\); no change assumed; ingest-2 now has 320 MB: check it$/);

    const untouched = await given(custom);
    userFunction('error');
    const plain = await repair(untouched);
    expect(plain.reason).toMatch(/\); no change assumed$/);
  });

  test('GIVEN the invocation itself is refused THEN FAILED, and the reason names the call that failed', async () => {
    const state = await given(custom);
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException', 'not authorized to invoke', 403));
    const out = await repair(state);
    expect(out.status).toBe('FAILED');
    expect(out.reason).toContain('(AccessDeniedError: lambda:InvokeFunction memory-changer failed: AccessDeniedException: not authorized to invoke)');
  });

  test('GIVEN a function error without an answer THEN the reason quotes nothing of it', async () => {
    const state = await given(custom);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled' });
    const out = await repair(state);
    expect(out.reason).toContain('(CustomRepairFunctionError: repair function memory-changer failed (Unhandled): ); no change assumed');
  });

  test('GIVEN a function that does not answer in time THEN its invocation is aborted; one that answered is never aborted afterwards', async () => {
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ repairStrategy: { kind: 'CUSTOM', functionArn: ARN, timeoutMs: 1000 } }) });
    userFunction('hang');
    const pending = repair(state);
    const out = await pending;
    expect(out.status).toBe('FAILED');
    type SendArgs = [unknown, { abortSignal?: AbortSignal } | undefined];
    const signalOf = (i: number) => (lambda.commandCalls(InvokeCommand)[i].args as unknown as SendArgs)[1]?.abortSignal;
    expect(signalOf(0)?.aborted).toBe(true);

    // On the real clock: a call that answered well within its limit is left alone when the limit passes.
    lambda.resetHistory();
    userFunction('nothing');
    setClock();
    try {
      await invokeCustomRepair(ARN, { action: 'RAISE', functionName: 'ingest-2', fromMemoryMb: 256, toMemoryMb: 384, executionId: 'exec-1', reason: 'test' }, 30);
      await new Promise((resolve) => setTimeout(resolve, 90));
    } finally {
      setClock(clock);
    }
    expect(signalOf(0)?.aborted).toBe(false);
  });

  test('GIVEN the function failed and the record write was throttled WHEN the step is retried THEN the function is asked again', async () => {
    const state = await given(custom);
    userFunction('error');
    jest.spyOn(Store.prototype, 'putRepairRecord').mockRejectedValueOnce(new ThrottledError('dynamodb:PutItem repair record throttled'));
    await expect(repair(state)).rejects.toMatchObject({ name: 'ThrottledError' });
    userFunction('apply');
    const out = await repair(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: 384 });
    expect(events).toHaveLength(1);
  });

  describe('with an alias configured and the alarm on it', () => {
    const customAliased = {
      REMEDIATION_POLICY: JSON.stringify({
        functionOverrides: { 'ingest-2': { aliases: ['live'] } },
        repairStrategy: { kind: 'CUSTOM', functionArn: ARN, timeoutMs: 5000 },
      }),
    };
    /** The user's function: sets the size of the version live points at. */
    function aliasFunction() {
      events.length = 0;
      lambda.on(InvokeCommand).callsFake(async (input: any) => {
        const event = JSON.parse(new TextDecoder().decode(input.Payload));
        events.push({ functionName: input.FunctionName, event });
        fake.versions.set('7', { ...fake.versions.get('7')!, MemorySize: event.toMemoryMb });
        return { StatusCode: 200, Payload: new TextEncoder().encode('{"ok":true}') };
      });
    }

    test('GIVEN $LATEST runs other code than live THEN the function is still asked (it makes the release), with the qualifier, and the alias is not read', async () => {
      const state = await given(customAliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.latest = { ...fake.latest, CodeSha256: 'sha-code-unreleased' };
      aliasFunction();
      lambda.resetHistory();
      const out = await repair(state);
      expect(out).toMatchObject({ status: 'SUCCEEDED', newMemoryMb: 384 });
      expect(events).toEqual([{ functionName: ARN, event: expect.objectContaining({ action: 'RAISE', qualifier: 'live', fromMemoryMb: 256, toMemoryMb: 384 }) }]);
      expect(lambda).toHaveReceivedCommandTimes(GetAliasCommand, 0);

      const back = await rollback({ ...state, repair: out, verification: { reason: 'errors did not drop' } } as HandlerInputs['rollback']);
      expect(back).toMatchObject({ status: 'ROLLED_BACK', restoredMemoryMb: 256 });
      expect(events[1].event).toMatchObject({ action: 'ROLLBACK', qualifier: 'live', fromMemoryMb: 384, toMemoryMb: 256 });
    });

    test('GIVEN live\'s version already has the target size on the first attempt THEN the function is asked all the same', async () => {
      const state = await given(customAliased, { resource: 'ingest-2:live', alias: 'live' });
      fake.versions.set('7', { ...fake.versions.get('7')!, MemorySize: 384 });
      aliasFunction();
      const collection = { ...state.collection, functionConfig: { ...state.collection.functionConfig, memorySize: 256 } };
      const out = await repair({ ...state, collection });
      expect(out.status).toBe('SUCCEEDED');
      expect(events).toHaveLength(1);
    });
  });

  test('WHEN a custom rollback succeeds THEN the function is told why, the reason names the function; without a verification the function reads n/a', async () => {
    const state = await repairedThroughCustom();
    const out = await rollback({ ...state, verification: { reason: 'errors did not drop after the repair' } } as HandlerInputs['rollback']);
    expect(out.reason).toBe('restored ingest-2 from 384 MB to 256 MB through repair function memory-changer after a failed verification');
    expect(events[1].event).toMatchObject({ action: 'ROLLBACK', reason: 'verification failed: errors did not drop after the repair' });

    const again = await repairedThroughCustom();
    await rollback(again);
    expect(events[1].event).toMatchObject({ action: 'ROLLBACK', reason: 'verification failed: n/a' });
  });
});
