import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ApiRecorder } from '../../../src/simulation/account/api-recorder';
import { CallPipeline } from '../../../src/simulation/account/call-pipeline';
import { LocalDynamoDb, tablesFromTemplate } from '../../../src/simulation/account/dynamodb-local';
import { SdkRetryModel } from '../../../src/simulation/account/sdk-retry';
import { VirtualClock } from '../../../src/simulation/clock';
import { VirtualScheduler } from '../../../src/simulation/scheduler';

const template = {
  Resources: {
    StoreTable0A1B2C3D: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
    },
    Other: { Type: 'AWS::SNS::Topic' },
  },
};

describe('DynamoDB on loopback (dynalite)', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await LocalDynamoDb.start();
  });
  afterAll(async () => {
    await db.stop();
  });

  test('GIVEN the template key schema WHEN tables are created THEN one table named by the resolver', () => {
    const tables = tablesFromTemplate(template, (id) => `sim-${id}`);
    expect(tables).toEqual([{
      tableName: 'sim-StoreTable0A1B2C3D',
      keySchema: template.Resources.StoreTable0A1B2C3D.Properties.KeySchema,
      attributeDefinitions: template.Resources.StoreTable0A1B2C3D.Properties.AttributeDefinitions,
      globalSecondaryIndexes: undefined,
    }]);
  });

  test('GIVEN two conditional lock writes racing WHEN both run concurrently THEN exactly one wins and the other gets ConditionalCheckFailedException', async () => {
    await db.resetTables(tablesFromTemplate(template, () => 'sim-table'));
    const recorder = new ApiRecorder(() => '2026-11-28T12:00:00.000Z');
    const scheduler = new VirtualScheduler(new VirtualClock(0));
    const pipeline = new CallPipeline({ recorder, retry: new SdkRetryModel(1, (ms) => scheduler.sleep(ms)), now: () => 0, requestId: () => 'req' });
    const doc = db.documentClient(pipeline, scheduler);
    const lock = (owner: string) => doc.send(new PutCommand({
      TableName: 'sim-table',
      Item: { pk: 'LOCK#orders', sk: 'LOCK', owner },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    const results = await Promise.allSettled([lock('exec-1'), lock('exec-2'), lock('exec-3')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => r.reason.name)).toEqual(['ConditionalCheckFailedException', 'ConditionalCheckFailedException']);
    const items = await db.scanAll('sim-table');
    expect(items).toHaveLength(1);
    expect(recorder.filter('DynamoDB', 'PutItem')).toHaveLength(3);
    expect(recorder.calls().filter((c) => c.error === 'ConditionalCheckFailedException')).toHaveLength(2);
  });
});
