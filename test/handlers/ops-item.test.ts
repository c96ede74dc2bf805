import { CreateOpsItemCommand, OpsItemAlreadyExistsException, SSMClient } from '@aws-sdk/client-ssm';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, clearTable, Db, setEnv, startDb, TABLE, useTestWorld } from './support';
import { handler as opsItem } from '../../src/opscenter/ops-item.lambda';

const ssm = mockClient(SSMClient);
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:sm:exec-1';
let db: Db;
let restoreEnv: () => void;
beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

async function given(env: Record<string, string | undefined> = {}) {
  await clearTable(db);
  useTestWorld(db, '2026-11-28T12:07:01.000Z');
  restoreEnv = setEnv({ OPS_ITEM_ACCOUNT: '123456789012', OPS_ITEM_PRIORITY: '2', OPS_ITEM_SEVERITY: '2', OPS_ITEM_AUTOMATION_DOCUMENT: undefined, ...env });
  ssm.reset();
  ssm.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-0123456789ab' });
  // The execution's diagnosis record, as diagnose writes it.
  await db.doc.send(new PutCommand({
    TableName: TABLE,
    Item: {
      pk: 'FUNCTION#orders-api',
      sk: 'DIAGNOSIS#2026-11-28T12:07:00.000Z#d-1',
      recordType: 'DIAGNOSIS',
      executionId: EXECUTION,
      functionName: 'orders-api',
      category: 'OUT_OF_MEMORY',
      confidence: 0.85,
      reasoning: 'killed at the limit',
      evidencePoints: [{ type: 'PROCESS_KILLED_AT_MEMORY_LIMIT', description: 'killed in 56 of 210 invocations' }],
      knowledgeReferences: [{ id: 'rb-oom-kill', title: 'Out of memory', relevance: 0.9 }],
    },
  }));
}

const review = {
  'version': '0',
  'id': 'e-1',
  'source': 'lambda-auto-remediation',
  'detail-type': 'Lambda Remediation Result',
  'account': '123456789012',
  'region': 'us-east-1',
  'time': '2026-11-28T12:07:00Z',
  'resources': ['arn:aws:lambda:us-east-1:123456789012:function:orders-api'],
  'detail': { executionId: EXECUTION, functionName: 'orders-api', outcome: 'HUMAN_REVIEW', reason: 'confidence 0.85 below 0.98', notificationStatus: 'SENT' },
};
const records = async () => (await db.items()).filter((i) => String(i.sk).startsWith('OPSITEM#'));

describe('OpsItem handler', () => {
  test('GIVEN a HUMAN_REVIEW result THEN an OpsItem with the diagnosis evidence and runbook, deduplicated per function and incident, and a record of it', async () => {
    await given();
    const out = await opsItem(review);
    expect(out).toEqual({ status: 'OPENED', reason: 'review of orders-api', functionName: 'orders-api', opsItemId: 'oi-0123456789ab' });
    const input = ssm.commandCalls(CreateOpsItemCommand)[0].args[0].input;
    expect(input).toMatchObject({ Title: 'orders-api: memory remediation needs a person (HUMAN_REVIEW)', Source: 'lambda-auto-remediation', Priority: 2, Severity: '2' });
    expect(input.Description).toContain('killed in 56 of 210 invocations');
    expect(input.Description).toContain('rb-oom-kill');
    expect(JSON.parse(input.OperationalData!['/aws/dedup'].Value!)).toEqual({ dedupString: 'lambda-auto-remediation:123456789012:us-east-1:orders-api:review' });
    expect(await records()).toEqual([expect.objectContaining({ kind: 'review', opsItemId: 'oi-0123456789ab', deduplicated: false, source: EXECUTION })]);
  });

  test('GIVEN an open OpsItem for the same incident THEN OpsCenter creates none, and the record names the existing one', async () => {
    await given();
    ssm.on(CreateOpsItemCommand).rejects(new OpsItemAlreadyExistsException({ message: 'The OpsItem already exists.', OpsItemId: 'oi-aaaaaaaaaaaa', $metadata: {} }));
    const out = await opsItem(review);
    expect(out).toMatchObject({ status: 'DEDUPLICATED', opsItemId: 'oi-aaaaaaaaaaaa' });
    expect(await records()).toEqual([expect.objectContaining({ deduplicated: true, opsItemId: 'oi-aaaaaaaaaaaa' })]);
  });

  test('GIVEN an Automation runbook configured THEN the OpsItem lists it', async () => {
    await given({ OPS_ITEM_AUTOMATION_DOCUMENT: 'LambdaRemediation-RaiseMemory' });
    await opsItem(review);
    const data = ssm.commandCalls(CreateOpsItemCommand)[0].args[0].input.OperationalData!;
    expect(JSON.parse(data['/aws/automations'].Value!)).toEqual([{ automationType: 'AWS:SSM:Automation', automationId: 'LambdaRemediation-RaiseMemory' }]);
  });

  test('GIVEN a REPAIRED result THEN nothing is opened', async () => {
    await given();
    expect((await opsItem({ ...review, detail: { ...review.detail, outcome: 'REPAIRED' } })).status).toBe('IGNORED');
    expect(ssm).toHaveReceivedCommandTimes(CreateOpsItemCommand, 0);
  });

  test('GIVEN CreateOpsItem denied THEN the handler fails with the named error (EventBridge retries, then the dead-letter queue)', async () => {
    await given();
    ssm.on(CreateOpsItemCommand).rejects(awsError('AccessDeniedException', 'no', 400));
    await expect(opsItem(review)).rejects.toMatchObject({ name: 'AccessDeniedError' });
    expect(await records()).toEqual([]);
  });

  test('fails when the priority is out of range', async () => {
    await given({ OPS_ITEM_PRIORITY: '9' });
    await expect(opsItem(review)).rejects.toMatchObject({ name: 'ConfigurationError', message: "environment variable OPS_ITEM_PRIORITY must be 1 to 5, got '9'" });
  });
});
