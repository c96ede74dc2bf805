/**
 * Starting a further run (log-alarm fan-out, re-examination): an execution of the state machine,
 * or, with Workflow.lambdaCoordinator(), an asynchronous invocation of the coordinator that names
 * the run, so a second start of the same name is the same run.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { setClients } from '../../src/runtime/clients';
import { startExecutionOnce } from '../../src/runtime/executions';
import { coordinatorExecutionId } from '../../src/workflow/coordinator-contract';

const lambda = mockClient(LambdaClient);
const sfn = mockClient(SFNClient);
const COORDINATOR = 'arn:aws:lambda:us-east-1:123456789012:function:remediation-coordinator';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:remediation';

beforeEach(() => {
  lambda.reset();
  sfn.reset();
  setClients({}, { region: 'us-east-1' });
});
afterAll(() => setClients());

test('GIVEN a state machine ARN WHEN a run starts THEN StartExecution names it, and an existing name is ALREADY_EXISTS', async () => {
  sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'e', startDate: new Date() })
    .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
  expect(await startExecutionOnce(MACHINE, 'reexamine-1', { a: 1 })).toBe('STARTED');
  expect(await startExecutionOnce(MACHINE, 'reexamine-1', { a: 1 })).toBe('ALREADY_EXISTS');
  expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE, name: 'reexamine-1', input: '{"a":1}' });
  expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
});

test('GIVEN the coordinator\'s ARN WHEN a run starts THEN the coordinator is invoked asynchronously with the run name in its input', async () => {
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  expect(await startExecutionOnce(COORDINATOR, 'reexamine-1', { 'detail-type': 'x' })).toBe('STARTED');
  const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(input).toMatchObject({ FunctionName: COORDINATOR, InvocationType: 'Event' });
  const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
  expect(payload).toEqual({ 'detail-type': 'x', 'coordinatorRunName': 'reexamine-1' });
  // The coordinator names the run from it: the same name is the same run.
  expect(coordinatorExecutionId(COORDINATOR, payload)).toBe(`${COORDINATOR}:run:reexamine-1`);
  expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
});

test('GIVEN the coordinator cannot be invoked WHEN a run starts THEN the error is a named one the retry can match', async () => {
  lambda.on(InvokeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 } }));
  await expect(startExecutionOnce(COORDINATOR, 'r', {})).rejects.toMatchObject({ name: expect.stringMatching(/Error$/) });
});
