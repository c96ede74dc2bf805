import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { clearTable, Db, setEnv, startDb, TABLE, useTestWorld } from './support';
import { handler as manualRepair } from '../../src/opscenter/manual-repair.lambda';

const lambda = mockClient(LambdaClient);
const sns = mockClient(SNSClient);
const AUTOMATION = 'ff59b693-c7af-49b0-9156-b08ef9ffb7b2';
let db: Db;
let restoreEnv: () => void;
beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

const config = (memory: number, revision: string, status = 'Successful') => ({
  FunctionName: 'orders',
  FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
  MemorySize: memory,
  Timeout: 30,
  Runtime: 'nodejs22.x',
  RevisionId: revision,
  LastUpdateStatus: status,
  State: 'Active',
  Version: '$LATEST',
});

async function given(policy: Record<string, unknown> = {}, state?: Record<string, unknown>, env: Record<string, string> = {}) {
  await clearTable(db);
  useTestWorld(db, '2026-11-28T12:12:00.000Z');
  restoreEnv = setEnv({ REMEDIATION_POLICY: JSON.stringify({ maxMemoryMb: 3008, maxStepMb: 1024, ...policy }), ...env });
  lambda.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  let updated = false;
  lambda.on(GetFunctionConfigurationCommand).callsFake(async () => (updated ? config(768, 'rev-2') : config(512, 'rev-1')));
  lambda.on(UpdateFunctionConfigurationCommand).callsFake(async () => {
    updated = true;
    return config(768, 'rev-2', 'InProgress');
  });
  if (state) await db.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'FUNCTION#orders', sk: 'STATE', ...state } }));
}
const input = (memorySize: unknown = 768) => ({ functionName: 'orders', memorySize, reason: 'OpsItem review', automationExecutionId: AUTOMATION });
const items = async (prefix: string) => (await db.items()).filter((i) => String(i.sk).startsWith(prefix));

describe('manual repair (the Automation runbook step)', () => {
  test('GIVEN a raise within the policy THEN a conditional update, a repair record, an audit entry, a notification, and the lock released', async () => {
    await given();
    const out = await manualRepair(input('768'));
    expect(out).toMatchObject({ status: 'SUCCEEDED', originalMemoryMb: 512, newMemoryMb: 768, iacChange: 'memorySize: 768' });
    expect(lambda).toHaveReceivedCommandWith(UpdateFunctionConfigurationCommand, { FunctionName: 'orders', MemorySize: 768, RevisionId: 'rev-1' });
    expect(await items('REPAIR#')).toEqual([expect.objectContaining({
      executionId: AUTOMATION, originalMemory: 512, newMemory: 768, status: 'SUCCEEDED', verificationStatus: 'NOT_VERIFIED', outcome: 'REPAIRED_UNVERIFIED', manual: true,
    })]);
    expect(await items('AUDIT#')).toEqual([expect.objectContaining({ actor: `ssm-automation:${AUTOMATION}`, action: 'memory 512 -> 768 MB', why: 'OpsItem review' })]);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: '[Lambda remediation] orders: MANUAL_REPAIR 512->768 MB' });
    expect((await db.items()).filter((i) => String(i.pk).startsWith('LOCK#'))).toEqual([]);
    // Counted for the cooldown and the daily budget like the workflow's repairs.
    expect((await items('STATE'))[0]).toMatchObject({ lastRepairAt: '2026-11-28T12:12:00.000Z' });
  });

  test.each([
    ['not above the current size', {}, undefined, 512, 'is not above the current 512 MB'],
    ['above the policy maximum', {}, undefined, 3072, 'above the policy maximum of 3008 MB'],
    ['a step above the largest step', { maxStepMb: 128 }, undefined, 768, 'a step of 256 MB, above the policy\'s largest step of 128 MB'],
    ['inside the cooldown', {}, { lastRepairAt: '2026-11-28T12:00:00.000Z' }, 768, 'inside the cooldown of 1800 s'],
    ['past the daily budget', { maxRepairsPerDay: 1 }, { 'repairs#2026-11-28': 1 }, 768, '1 repairs today, the policy allows 1'],
    ['an excluded function', { excludedFunctions: ['orders'] }, undefined, 768, 'policy.excludedFunctions'],
  ])('GIVEN %s THEN refused with the reason, audited, nothing changed', async (_what, policy, state, memory, reason) => {
    await given(policy, state);
    await expect(manualRepair(input(memory))).rejects.toMatchObject({ name: 'GuardrailRefusedError', message: expect.stringContaining(reason) });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
    expect(await items('AUDIT#')).toEqual([expect.objectContaining({ action: 'refused', why: expect.stringContaining(reason) })]);
  });

  test('GIVEN a follow-up chain waiting to review the function WHEN the manual repair succeeds THEN the chain ends, as after a workflow repair', async () => {
    await given();
    // An earlier review scheduled a follow-up: the marker names it (what finalize's scheduleFollowUp writes).
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'FUNCTION#orders', sk: 'FOLLOW_UP', recordType: 'FOLLOW_UP', functionName: 'orders', execution: 'followup-orders-r1' } }));
    await manualRepair(input());
    // '' is "no follow-up may run": normalize ignores the waiting follow-up (normalize.lambda.ts).
    expect((await items('FOLLOW_UP'))[0]).toMatchObject({ execution: '' });
  });

  test('GIVEN a follow-up chain WHEN the manual repair does not change the function (dry run) THEN the chain is left as it was', async () => {
    await given({}, undefined, { DRY_RUN: 'true' });
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'FUNCTION#orders', sk: 'FOLLOW_UP', recordType: 'FOLLOW_UP', functionName: 'orders', execution: 'followup-orders-r1' } }));
    await manualRepair(input());
    expect((await items('FOLLOW_UP'))[0]).toMatchObject({ execution: 'followup-orders-r1' });
  });

  test('GIVEN a remediation execution holding the lock THEN refused: the execution wins', async () => {
    await given();
    await db.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'LOCK#orders', sk: 'LOCK', owner: 'arn:aws:states:...:exec-9', expiresAt: 9_999_999_999 } }));
    await expect(manualRepair(input())).rejects.toMatchObject({ name: 'GuardrailRefusedError', message: expect.stringContaining('holds the function\'s lock') });
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
  });

  test('GIVEN the policy in dry run THEN recorded and notified, nothing changed', async () => {
    await given({}, undefined, { DRY_RUN: 'true' });
    expect((await manualRepair(input())).status).toBe('DRY_RUN');
    expect(lambda).toHaveReceivedCommandTimes(UpdateFunctionConfigurationCommand, 0);
    expect(await items('REPAIR#')).toEqual([expect.objectContaining({ status: 'DRY_RUN', newMemory: 512 })]);
  });

  test.each([
    [{ ...input(), functionName: 'arn:bad name' }, 'functionName must be a function name'],
    [input('lots'), 'memorySize must be a whole number of MB from 128 to 10240'],
    [{ ...input(), automationExecutionId: '' }, 'automationExecutionId is required'],
  ])('fails when the input is invalid (%#)', async (bad, message) => {
    await given();
    await expect(manualRepair(bad)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(message) });
  });
});
