import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, InvokeCommand, InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  awsError, clearTable, Db, functionConfigOf, logEventsOf, metricDataOf, sample, Sample, SECRET, setEnv, startDb, stateAfterCollect, useTestWorld,
} from './support';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { analyzerName } from '../../src/runtime/custom-analyzers';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const bedrock = mockClient(BedrockRuntimeClient);

const ANALYZER = 'arn:aws:lambda:us-east-1:123456789012:function:team-analyzer';
const SECOND = 'arn:aws:lambda:us-east-1:123456789012:function:capacity-analyzer:live';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
let db: Db;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

/** The OOM sample (256 MB, processes killed; the rules raise to 384 MB), with a password printed in one line. */
async function given(env: Record<string, string | undefined>, name = 'oom-killed-python') {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv({ MANAGED_FUNCTIONS: '*', ANALYZER_FUNCTIONS: JSON.stringify([ANALYZER]), ...env });
  for (const m of [lambda, cw, logs, bedrock]) m.reset();
  const s: Sample = { ...sample(name), functionName: 'ingest-2' };
  s.logs = [...s.logs, { timestamp: s.logs[0].timestamp, message: `db connect failed: password=${SECRET} host=db` }];
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(s));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(s));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(s.logs));
  return stateAfterCollect('ingest-2');
}

function answers(body: unknown, functionError?: string) {
  return { StatusCode: 200, ExecutedVersion: '$LATEST', ...(functionError ? { FunctionError: functionError } : {}), Payload: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)) as never };
}

const REVIEW = {
  isMemoryIssue: true,
  confidence: 0.8,
  reasoning: 'A release went out a minute before the first kill; a person should look.',
  recommendedAction: 'HUMAN_REVIEW',
  recommendedMemoryIncrease: 0,
  evidencePoints: [{ type: 'RECENT_RELEASE', description: 'release 42 deployed at 10:40' }],
};

const RAISE = {
  isMemoryIssue: true,
  confidence: 1,
  reasoning: 'Raise it a lot.',
  recommendedAction: 'INCREASE_MEMORY',
  recommendedMemoryIncrease: 8192,
  evidencePoints: [{ type: 'HUNCH', description: 'more is better' }],
};

async function diagnosisRecord(): Promise<Record<string, any>> {
  return (await db.items()).find((i) => String(i.sk).startsWith('DIAGNOSIS#'))!;
}

function payloadSent(n = 0): any {
  const input = lambda.commandCalls(InvokeCommand)[n].args[0].input as InvokeCommandInput;
  return JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
}

describe('custom analyzers in the diagnose handler', () => {
  test('GIVEN the rules repair WHEN the analyzer answers HUMAN_REVIEW THEN the action is lowered, its evidence added and the record says so', async () => {
    const state = await given({});
    lambda.on(InvokeCommand).resolves(answers(REVIEW));

    const out = await diagnose(state);

    expect(out).toMatchObject({ action: 'HUMAN_REVIEW', decidedBy: 'analyzer', targetMemoryMb: 256 });
    expect(out.result.evidencePoints).toContainEqual({ type: 'analyzer:team-analyzer:RECENT_RELEASE', description: 'release 42 deployed at 10:40' });
    expect(out.reason).toContain('A release went out a minute before the first kill');
    expect(out.analyzers).toEqual([{ functionName: 'team-analyzer', status: 'ok', latencyMs: expect.any(Number), action: 'HUMAN_REVIEW' }]);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: ANALYZER, InvocationType: 'RequestResponse' });
    const record = await diagnosisRecord();
    expect(record).toMatchObject({ decidedBy: 'analyzer', action: 'HUMAN_REVIEW', rulesResult: { recommendedAction: 'INCREASE_MEMORY' } });
    expect(record.analyzers).toEqual(out.analyzers);
  });

  test('GIVEN the rules repair WHEN the analyzer asks for far more memory with full confidence THEN the rules size stands', async () => {
    const state = await given({});
    lambda.on(InvokeCommand).resolves(answers(RAISE));
    const out = await diagnose(state);
    expect(out).toMatchObject({ action: 'REPAIR', targetMemoryMb: 384 });
    // Confidence is the lower of the two: the analyzer's 1.0 cannot raise the rules' own.
    expect(out.result.confidence).toBeLessThan(1);
  });

  test('GIVEN the rules say not a memory issue WHEN the analyzer says raise THEN it goes to a person, never to a repair', async () => {
    const state = await given({}, 'code-error-python');
    lambda.on(InvokeCommand).resolves(answers(RAISE));
    const out = await diagnose(state);
    expect(out.action).toBe('HUMAN_REVIEW');
    expect(out.targetMemoryMb).toBe(out.originalMemoryMb);
    expect(out.result.reasoning).toMatch(/disagree/);
  });

  test('GIVEN the rules repair WHEN the analyzer proposes a smaller step THEN the smaller size is applied', async () => {
    // The policy's smallest step is 64 MB here (default 128 MB), so +64 MB is a valid proposal.
    const state = await given({ REMEDIATION_POLICY: JSON.stringify({ minStepMb: 64 }) });
    lambda.on(InvokeCommand).resolves(answers({ ...REVIEW, recommendedAction: 'INCREASE_MEMORY', recommendedMemoryIncrease: 64, confidence: 0.95 }));
    const out = await diagnose(state);
    expect(out).toMatchObject({ action: 'REPAIR', decidedBy: 'analyzer', targetMemoryMb: 320 });
  });

  test('THEN the analyzer receives the seed diagnosis request with the printed password masked and no environment', async () => {
    const state = await given({});
    lambda.on(InvokeCommand).resolves(answers(REVIEW));
    await diagnose(state);
    const event = payloadSent();
    expect(Object.keys(event)).toEqual(expect.arrayContaining(['functionName', 'alarmDetails', 'metrics', 'logs', 'functionConfig']));
    expect(event.functionName).toBe('ingest-2');
    expect(event.alarmDetails).toMatchObject({ alarmName: 'ingest-2-errors-alarm', metricName: 'Errors' });
    expect(event.logs.some((l: { message: string }) => l.message.includes('password=[MASKED]'))).toBe(true);
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(event.functionConfig).toEqual({
      memorySize: 256, timeout: expect.any(Number), runtime: expect.any(String), architecture: expect.any(String),
    });
  });

  test.each([
    ['a function error', () => answers({ errorType: 'TypeError', errorMessage: 'x is undefined' }, 'Unhandled'), 'error: Unhandled function error: TypeError: x is undefined'],
    ['an answer that is not json', () => answers('memory, probably'), 'error: answer is not json: memory, probably'],
    ['an answer outside the format', () => answers({ ...REVIEW, confidence: 3 }), 'invalid answer: confidence must be 0..1, got 3'],
    ['access denied', () => awsError('AccessDeniedException', 'not authorized', 403), 'error: lambda:InvokeFunction team-analyzer failed: AccessDeniedException: not authorized'],
  ])('WHEN the analyzer fails with %s THEN the rules decide and the failure is recorded', async (_what, answer, status) => {
    const state = await given({});
    const a = answer();
    if (a instanceof Error) lambda.on(InvokeCommand).rejects(a);
    else lambda.on(InvokeCommand).resolves(a);

    const out = await diagnose(state);

    expect(out).toMatchObject({ action: 'REPAIR', decidedBy: 'rules', targetMemoryMb: 384 });
    expect(out.analyzers).toEqual([{ functionName: 'team-analyzer', status, latencyMs: expect.any(Number) }]);
    expect((await diagnosisRecord()).notes).toContain(`analyzer team-analyzer not used, the diagnosis stands: ${status}`);
  });

  test('WHEN the analyzer takes longer than ANALYZER_TIMEOUT_MS THEN it is abandoned, the rules decide and the timeout is recorded', async () => {
    const state = await given({ ANALYZER_TIMEOUT_MS: '2000' });
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    const out = await diagnose(state);
    expect(out).toMatchObject({ action: 'REPAIR', decidedBy: 'rules' });
    expect(out.analyzers).toEqual([{ functionName: 'team-analyzer', status: 'timeout', latencyMs: expect.any(Number) }]);
  });

  test('GIVEN two analyzers and a model THEN both are asked, the one that fails is skipped and the other still lowers the action', async () => {
    const state = await given({ ANALYZER_FUNCTIONS: JSON.stringify([ANALYZER, SECOND]), BEDROCK_MODEL_ID: MODEL });
    bedrock.on(ConverseCommand).resolves({
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'submit_diagnosis', input: { ...RAISE, recommendedMemoryIncrease: 128, confidence: 0.9, category: 'OUT_OF_MEMORY' } as never } }] } },
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    });
    lambda.on(InvokeCommand, { FunctionName: ANALYZER }).resolves(answers({ errorType: 'Error', errorMessage: 'boom' }, 'Unhandled'));
    lambda.on(InvokeCommand, { FunctionName: SECOND }).resolves(answers(REVIEW));

    const out = await diagnose(state);

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
    expect(out).toMatchObject({ action: 'HUMAN_REVIEW', decidedBy: 'analyzer', model: { status: 'ok' } });
    expect(out.analyzers?.map((a) => [a.functionName, a.status.split(':')[0]])).toEqual([['team-analyzer', 'error'], ['capacity-analyzer:live', 'ok']]);
  });

  test('GIVEN no analyzer configured THEN no function is invoked and the output has no analyzers field', async () => {
    const state = await given({ ANALYZER_FUNCTIONS: undefined });
    const out = await diagnose(state);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
    expect(out.analyzers).toBeUndefined();
  });

  test('fails when ANALYZER_FUNCTIONS is not a json list of arns', async () => {
    const state = await given({ ANALYZER_FUNCTIONS: 'team-analyzer' });
    await expect(diagnose(state)).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining("got 'team-analyzer'") });
  });

  test('the analyzer name is the function name of its arn, with its qualifier', () => {
    expect(analyzerName(ANALYZER)).toBe('team-analyzer');
    expect(analyzerName(SECOND)).toBe('capacity-analyzer:live');
    expect(analyzerName('plain-name')).toBe('plain-name');
  });
});
