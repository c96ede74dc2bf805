import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, clearTable, Db, setEnv, startDb, TABLE, TOPIC_ARN, useTestWorld } from './support';
import { handler as drift } from '../../src/drift/drift.lambda';

const sns = mockClient(SNSClient);
const config = mockClient(ConfigServiceClient);
const events = mockClient(EventBridgeClient);
const EVENT = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aws-events', 'hypothetical', 'cloudtrail-update-function-configuration.json'), 'utf8'));

let db: Db;
let restoreEnv: () => void;
beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

async function given(repairs: Array<Record<string, unknown>>) {
  await clearTable(db);
  useTestWorld(db, '2026-11-28T12:26:00.000Z');
  restoreEnv = setEnv();
  sns.reset();
  config.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  for (const r of repairs) {
    await db.doc.send(new PutCommand({
      TableName: TABLE,
      Item: {
        pk: 'FUNCTION#orders-api',
        sk: `REPAIR#${String(r.startTime)}#${String(r.repairId)}`,
        recordType: 'REPAIR',
        functionName: 'orders-api',
        executionId: 'exec-1',
        status: 'SUCCEEDED',
        verificationStatus: 'SUCCEEDED',
        originalMemory: 512,
        ...r,
      },
    }));
  }
}

const VERIFIED = { repairId: 'r-768', startTime: '2026-11-28T12:07:00.000Z', endTime: '2026-11-28T12:17:00.000Z', newMemory: 768 };
const drifts = async () => (await db.items()).filter((i) => String(i.sk).startsWith('DRIFT#'));

/** A Config rule invocation for orders-api at `memorySize`. */
function configEvent(memorySize: number, extra: Record<string, unknown> = {}) {
  return {
    invokingEvent: JSON.stringify({
      configurationItem: {
        configurationItemCaptureTime: '2026-11-28T12:26:00.000Z',
        configurationItemStatus: 'OK',
        resourceType: 'AWS::Lambda::Function',
        resourceId: 'orders-api',
        ARN: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api',
        configuration: { functionName: 'orders-api', memorySize, environment: { variables: { DB_PASSWORD: 'sk_live_DO_NOT_LEAK_5f3a9c' } } },
      },
      messageType: 'ConfigurationItemChangeNotification',
    }),
    resultToken: 'token-1',
    eventLeftScope: false,
    configRuleName: 'memory-not-below-verified-repair',
    ...extra,
  };
}

describe('drift handler: CloudTrail path', () => {
  test('GIVEN a verified repair to 768 MB WHEN a deploy sets 512 MB THEN one drift record and one notification with the change to make', async () => {
    await given([VERIFIED]);

    const out = await drift(EVENT);

    expect(out).toMatchObject({ status: 'DRIFT', functionName: 'orders-api' });
    const [record] = await drifts();
    expect(record).toMatchObject({
      sk: 'DRIFT#2026-11-28T12:24:00Z#9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4',
      memorySizeMb: 512,
      verifiedMemoryMb: 768,
      verifiedRepairId: 'r-768',
      iacChange: 'memorySize: 768',
      source: 'cloudtrail',
      notificationStatus: 'SENT',
      changedBy: { invokedBy: 'cloudformation.amazonaws.com' },
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC_ARN, MessageStructure: 'json', Subject: '[Lambda remediation] orders-api: DRIFT 512 MB is below the verified 768 MB' });
    // The drift event for others to act on (the OpsItem rule).
    const entry = events.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
    expect(entry).toMatchObject({ EventBusName: 'default', Source: 'lambda-auto-remediation', DetailType: 'Lambda Remediation Drift' });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ functionName: 'orders-api', memorySizeMb: 512, verifiedMemoryMb: 768, iacChange: 'memorySize: 768', eventId: '9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4' });
    expect(record.eventPublished).toBe(true);
  });

  test('GIVEN the same event delivered twice (EventBridge delivers at least once) THEN nothing is sent twice', async () => {
    await given([VERIFIED]);
    await drift(EVENT);
    const again = await drift(EVENT);
    expect(again).toMatchObject({ status: 'DRIFT', duplicate: true });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(await drifts()).toHaveLength(1);
  });

  test('GIVEN a later verified repair to 1024 MB THEN a deploy at 768 MB drifts from 1024, not from the older size', async () => {
    await given([VERIFIED, { repairId: 'r-1024', startTime: '2026-11-29T08:00:00.000Z', endTime: '2026-11-29T08:10:00.000Z', newMemory: 1024 }]);
    const event = { ...EVENT, detail: { ...EVENT.detail, requestParameters: { functionName: 'orders-api', memorySize: 768 } } };
    expect(await drift(event)).toMatchObject({ status: 'DRIFT', reason: expect.stringContaining('below its verified 1024 MB') });
  });

  test.each([
    ['the change keeps the verified size', [VERIFIED], 768, 'IN_LINE'],
    ['the change raises it', [VERIFIED], 2048, 'IN_LINE'],
    ['the function has no verified repair', [{ ...VERIFIED, verificationStatus: 'FAILED', status: 'ROLLED_BACK' }], 512, 'IGNORED'],
    ['the function was never repaired', [], 512, 'IGNORED'],
  ])('GIVEN %s THEN no drift, no record, no notification', async (_what, repairs, memorySize, status) => {
    await given(repairs as Array<Record<string, unknown>>);
    const event = { ...EVENT, detail: { ...EVENT.detail, requestParameters: { functionName: 'orders-api', memorySize } } };
    expect((await drift(event)).status).toBe(status);
    expect(await drifts()).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  test('GIVEN SNS failing THEN the drift is still recorded, with the failure', async () => {
    await given([VERIFIED]);
    sns.on(PublishCommand).rejects(awsError('AuthorizationErrorException', 'not authorized', 403));
    expect((await drift(EVENT)).status).toBe('DRIFT');
    const [record] = await drifts();
    expect(String(record.notificationStatus)).toMatch(/^FAILED: AccessDeniedError/);
  });
});

describe('drift handler: AWS Config path', () => {
  test.each([
    [512, 'NON_COMPLIANT', 'memory 512 MB is below the 768 MB of verified repair r-768; set memorySize: 768'],
    [768, 'COMPLIANT', 'memory 768 MB, verified repair 768 MB'],
  ])('GIVEN a verified repair to 768 MB WHEN Config evaluates a function at %s MB THEN it reports %s', async (memory, complianceType, annotation) => {
    await given([VERIFIED]);
    const out = await drift(configEvent(memory));
    expect(out.evaluations).toBe(1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, {
      ResultToken: 'token-1',
      Evaluations: [{ ComplianceResourceType: 'AWS::Lambda::Function', ComplianceResourceId: 'orders-api', ComplianceType: complianceType, Annotation: annotation, OrderingTimestamp: new Date('2026-11-28T12:26:00.000Z') }],
    });
    // Config reports; the CloudTrail path notifies: nobody is told twice.
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(await drifts()).toEqual([]);
  });

  test('GIVEN no verified repair, or a function that left the rule\'s scope THEN NOT_APPLICABLE', async () => {
    const typeOf = () => config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input.Evaluations?.[0].ComplianceType);
    await given([]);
    await drift(configEvent(512));
    expect(typeOf()).toEqual(['NOT_APPLICABLE']);
    await given([VERIFIED]);
    await drift(configEvent(512, { eventLeftScope: true }));
    expect(typeOf()).toEqual(['NOT_APPLICABLE']);
  });

  test('the configuration item\'s environment is never written anywhere', async () => {
    await given([VERIFIED]);
    await drift(configEvent(512));
    expect(JSON.stringify(await db.items())).not.toContain('sk_live_DO_NOT_LEAK_5f3a9c');
    expect(JSON.stringify(config.commandCalls(PutEvaluationsCommand).map((c) => c.args[0].input))).not.toContain('sk_live_DO_NOT_LEAK_5f3a9c');
  });

  test('GIVEN PutEvaluations denied THEN the handler fails with the named error (Config shows the rule in error)', async () => {
    await given([VERIFIED]);
    config.on(PutEvaluationsCommand).rejects(awsError('AccessDeniedException', 'no', 400));
    await expect(drift(configEvent(512))).rejects.toMatchObject({ name: 'AccessDeniedError' });
  });

  test('fails when invokingEvent is not json', async () => {
    await given([]);
    await expect(drift({ invokingEvent: 'nope', resultToken: 't' })).rejects.toMatchObject({ name: 'InvalidInputError', message: 'invokingEvent is not json: nope' });
  });
});
