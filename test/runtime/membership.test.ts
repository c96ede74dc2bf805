/**
 * Which functions a stack manages (src/runtime/membership.ts): the cases the lock group's mutation
 * run found untested. The rest of membership is tested through the normalize handler
 * (test/handlers/normalize.test.ts).
 */
import { LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { setClients } from '../../src/runtime/clients';
import { forgetManagedSettings, isManagedFunction, managedSettings, parseMembership } from '../../src/runtime/membership';
import { MANAGED_SETTINGS_KEY } from '../../src/workflow/setup-contract';
import { clearTable, Db, startDb, TABLE, useTestWorld } from '../handlers/support';

const lambda = mockClient(LambdaClient);
const OTHER_TABLE = 'other-remediation-table';
let db: Db;

beforeAll(async () => {
  db = await startDb();
  await db.createTable(OTHER_TABLE);
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  setClients({ dynamo: db.doc, lambda: new LambdaClient({ region: 'us-east-1' }) }, { region: 'us-east-1' });
  lambda.reset();
  forgetManagedSettings();
});

test('GIVEN a tag setting whose key is empty but which holds another "tag:" later THEN it is refused, not read from the later part', () => {
  expect(() => parseMembership('tag:=tag:team=payments'))
    .toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining("got 'tag:=tag:team=payments'") }));
});

test('GIVEN ListTags fails without an error object THEN it is a named error naming the call, not a crash reading its name', async () => {
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:orders';
  lambda.on(ListTagsCommand).callsFake(() => Promise.reject(undefined));
  await expect(isManagedFunction({ mode: 'tag', key: 'team', value: 'payments' }, 'orders', arn))
    .rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining(`lambda:ListTags on ${arn} failed`) });
});

test('GIVEN two tables read within the same minute THEN each table\'s settings come from that table, not from the other\'s cache', async () => {
  const put = (table: string, functions: string[]) =>
    db.doc.send(new PutCommand({ TableName: table, Item: { ...MANAGED_SETTINGS_KEY, recordType: 'CONFIG', functions, logGroupFunctions: {} } }));
  await put(TABLE, ['orders']);
  await put(OTHER_TABLE, ['payments']);
  const t0 = Date.parse('2026-11-20T10:48:30.000Z');
  expect((await managedSettings(TABLE, t0)).functions).toEqual(['orders']);
  expect((await managedSettings(OTHER_TABLE, t0 + 1_000)).functions).toEqual(['payments']);
});
