/**
 * The request-approval handler: the `.waitForTaskToken` step that asks a person. The message is
 * one per protocol (MessageStructure json): the e-mail says what would change and why and gives
 * the console link and the two commands; the JSON carries the commands for machines; the chat
 * message leaves the token out.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PublishCommand, PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { alarmEvent, awsError, clearTable, Db, initialState, setEnv, startDb, TOPIC_ARN, useTestWorld } from './support';
import { DiagnoseOutput, WorkflowState } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';
import { handler as requestApproval } from '../../src/workflow/request-approval.lambda';

const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);

let db: Db;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv();
  sns.reset();
  events.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => {
  restoreEnv();
});

const DIAGNOSIS: DiagnoseOutput = {
  diagnosisId: 'd-1',
  action: 'REQUEST_APPROVAL',
  reason: 'OUT_OF_MEMORY with confidence 1.00 (decided by rules): 512 -> 768 MB; approval required',
  decidedBy: 'rules',
  originalMemoryMb: 512,
  targetMemoryMb: 768,
  dryRun: false,
  result: {
    functionName: 'orders',
    isMemoryIssue: true,
    confidence: 1,
    reasoning: 'killed at the limit',
    recommendedAction: 'INCREASE_MEMORY',
    recommendedMemoryIncrease: 256,
    recommendedMemorySize: 768,
    evidencePoints: [{ type: 'PLATFORM_OOM', description: 'the Lambda platform reported Runtime.OutOfMemory for 3 of 10 invocations (30 %)' }],
    category: 'OUT_OF_MEMORY',
    decidedBy: 'rules',
  },
};

const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAT0k+token';

async function accepted(): Promise<WorkflowState> {
  const s = initialState(alarmEvent({ functionName: 'orders' }));
  return { ...s, alarm: await normalize(s), diagnosis: DIAGNOSIS };
}

function publishedInput(): { input: PublishCommandInput; messages: Record<string, string> } {
  const input = sns.commandCalls(PublishCommand)[0].args[0].input as PublishCommandInput;
  return { input, messages: JSON.parse(input.Message!) };
}

describe('request-approval handler', () => {
  test('publishes the approval request with both commands and the token; records it; never logs the token', async () => {
    // GIVEN a diagnosis that needs approval
    const state = await accepted();

    // WHEN the step runs with its task token
    const out = await requestApproval({ taskToken: TOKEN, state });

    // THEN one Publish, a message per protocol, the JSON with the two exact commands
    expect(out).toEqual({ requested: true, messageId: 'm-1' });
    const { input, messages } = publishedInput();
    expect(input.TopicArn).toBe(TOPIC_ARN);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe('[Lambda remediation] orders: APPROVAL_REQUEST approve 512->768 MB?');
    const body = JSON.parse(messages.default);
    expect(body).toMatchObject({ type: 'APPROVAL_REQUEST', functionName: 'orders', originalMemory: 512, proposedMemory: 768 });
    expect(body.approveCommand).toBe(`aws stepfunctions send-task-success --region us-east-1 --task-token '${TOKEN}' --task-output '{"approved":true,"approver":"YOUR_NAME"}'`);
    expect(body.rejectCommand).toBe(`aws stepfunctions send-task-failure --region us-east-1 --task-token '${TOKEN}' --error ApprovalRejected --cause 'rejected by YOUR_NAME'`);
    expect(body.executionUrl).toBe(`https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${state.executionId}`);
    expect(input.MessageAttributes?.type).toEqual({ DataType: 'String', StringValue: 'APPROVAL_REQUEST' });
    const audit = (await db.items()).find((i) => i.step === 'requestApproval');
    expect(audit).toMatchObject({ action: 'approval requested', after: { memorySize: 768 } });
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  test('the e-mail gives a clear approve / reject path: summary, console link, the two commands on their own lines', async () => {
    const state = await accepted();
    await requestApproval({ taskToken: TOKEN, state });
    const email = publishedInput().messages.email;
    const lines = email.split('\n');
    expect(lines[0]).toBe('orders: APPROVAL_REQUEST, approve raising memory 512 MB → 768 MB? Proposed because it ran out of memory (OUT_OF_MEMORY, confidence 1.00).');
    expect(lines).toContain('How to answer');
    expect(lines).toContain(`    aws stepfunctions send-task-success --region us-east-1 --task-token '${TOKEN}' --task-output '{"approved":true,"approver":"YOUR_NAME"}'`);
    expect(lines).toContain(`    aws stepfunctions send-task-failure --region us-east-1 --task-token '${TOKEN}' --error ApprovalRejected --cause 'rejected by YOUR_NAME'`);
    expect(lines).toContain(`  - Execution: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${state.executionId}`);
    expect(email).toContain('set memorySize: 768 in your infrastructure code');
  });

  test('the chat message (HTTPS) and the SMS leave the token out; the machine protocols carry it', async () => {
    await requestApproval({ taskToken: TOKEN, state: await accepted() });
    const { messages } = publishedInput();
    expect(messages.https).not.toContain(TOKEN);
    expect(messages.sms).not.toContain(TOKEN);
    expect(JSON.parse(messages.https)).toMatchObject({ version: '1.0', source: 'custom', metadata: { eventType: 'APPROVAL_REQUEST' } });
    for (const key of ['default', 'email', 'email-json', 'sqs', 'lambda', 'http']) expect(messages[key]).toContain(TOKEN);
  });

  test('fails (for the state machine to retry) when the request cannot be published', async () => {
    sns.on(PublishCommand).rejects(awsError('InternalErrorException', 'down', 500));
    await expect(requestApproval({ taskToken: 't', state: await accepted() })).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
  });

  test('fails when the payload has no task token', async () => {
    const state = await accepted();
    await expect(requestApproval({ state } as never)).rejects.toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining('taskToken') });
  });
});
