import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsError, clearTable, Db, setEnv, startDb, TABLE, useTestWorld } from './support';
import { MANAGED_SETTINGS_KEY, SETUP_RESOURCE_TYPE } from '../../src/workflow/setup-contract';
import { handler, SetupEvent } from '../../src/workflow/setup.lambda';

const logs = mockClient(CloudWatchLogsClient);

let db: Db;
let restoreEnv: () => void;
let server: Server;
let responses: Array<{ method?: string; contentType?: string; body: any }>;
let responseUrl: string;

beforeAll(async () => {
  db = await startDb();
  // The pre-signed ResponseURL CloudFormation gives: a loopback server records what the handler PUTs.
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      responses.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;
});
afterAll(async () => {
  await db.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv();
  logs.reset();
  responses = [];
});
afterEach(() => restoreEnv());

function event(type: SetupEvent['RequestType'], props: Record<string, unknown>, old?: Record<string, unknown>): SetupEvent {
  return {
    RequestType: type,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/orders/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'AutoRemediationSetup',
    ResourceType: SETUP_RESOURCE_TYPE,
    ...(type !== 'Create' ? { PhysicalResourceId: 'AutoRemediationSetup-setup' } : {}),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:setup', ...props },
    ...(old ? { OldResourceProperties: old } : {}),
  };
}

const props = {
  TableName: TABLE,
  FunctionNames: ['orders', 'billing'],
  CustomLogGroups: [['/billing/prod', 'billing']],
};

describe('deploy-time setup', () => {
  test('creates the missing log groups (custom or /aws/lambda/<name>) and keeps the existing ones', async () => {
    // GIVEN /aws/lambda/orders does not exist and /billing/prod does
    logs.on(CreateLogGroupCommand, { logGroupName: '/aws/lambda/orders' }).resolves({});
    logs.on(CreateLogGroupCommand, { logGroupName: '/billing/prod' }).rejects(awsError('ResourceAlreadyExistsException', 'The specified log group already exists'));
    // WHEN
    const result = await handler(event('Create', props));
    // THEN
    expect(result).toEqual({ createdLogGroups: 1, existingLogGroups: 1, managedFunctions: 2 });
    expect(logs.commandCalls(CreateLogGroupCommand).map((c) => c.args[0].input.logGroupName)).toEqual(['/aws/lambda/orders', '/billing/prod']);
    // CloudFormation is answered through the pre-signed URL, with an empty content type as it is signed
    expect(responses).toEqual([{
      method: 'PUT',
      contentType: '',
      body: expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'AutoRemediationSetup-setup', RequestId: 'req-1', LogicalResourceId: 'AutoRemediationSetup' }),
    }]);
  });

  test('writes the managed-function settings the handlers read', async () => {
    logs.on(CreateLogGroupCommand).resolves({});
    await handler(event('Create', props));
    const item = (await db.items()).find((i) => i.pk === MANAGED_SETTINGS_KEY.pk && i.sk === MANAGED_SETTINGS_KEY.sk);
    expect(item).toMatchObject({ functions: ['orders', 'billing'], logGroupFunctions: { '/billing/prod': 'billing' } });
  });

  test('an update only creates the log groups of the functions added since', async () => {
    logs.on(CreateLogGroupCommand).resolves({});
    await handler(event('Update', { ...props, FunctionNames: ['orders', 'billing', 'search'] }, props));
    expect(logs.commandCalls(CreateLogGroupCommand).map((c) => c.args[0].input.logGroupName)).toEqual(['/aws/lambda/search']);
  });

  test('a delete leaves the log groups and answers SUCCESS', async () => {
    await handler(event('Delete', props));
    expect(logs.commandCalls(CreateLogGroupCommand)).toHaveLength(0);
    expect(responses[0].body.Status).toBe('SUCCESS');
  });

  test('fails the stack operation with the reason when a log group cannot be created', async () => {
    logs.on(CreateLogGroupCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform logs:CreateLogGroup'));
    await handler(event('Create', props));
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('logs:CreateLogGroup /aws/lambda/orders') });
  });

  test('fails with a clear reason on malformed properties, and still answers', async () => {
    await handler(event('Create', { TableName: TABLE, FunctionNames: 'orders' }));
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('FunctionNames must be a list of names') });
  });
});
