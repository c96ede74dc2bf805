import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  alarmEvent, answerInOrder, clearTable, Db, functionConfigOf, initialState, logEventsOf, metricDataOf, sample, SECRET, setEnv, startDb, useTestWorld,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { handler as repair } from '../../src/repair/repair.lambda';
import { logger } from '../../src/runtime/powertools';
import { handler as finalize } from '../../src/verification/finalize.lambda';
import { handler as verify } from '../../src/verification/verify.lambda';
import { HandlerInputs, WorkflowState } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';
import { handler as requestApproval } from '../../src/workflow/request-approval.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const bedrock = mockClient(BedrockRuntimeClient);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const oom = sample('oom-killed-python');

let db: Db;
let restoreEnv: () => void;
let written: string[];
let spies: jest.SpyInstance[];

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv({ BEDROCK_MODEL_ID: 'amazon.nova-lite-v1:0', REMEDIATION_POLICY: JSON.stringify({ approvalMode: 'ALL' }) });
  for (const m of [lambda, cw, logs, bedrock, sns, events]) m.reset();
  // GIVEN a target function whose environment holds a secret (and whose answer keeps it in every read)
  answerInOrder(lambda.on(GetFunctionConfigurationCommand), [
    functionConfigOf(oom), functionConfigOf(oom),
    functionConfigOf(oom, { MemorySize: 384, LastUpdateStatus: 'Successful', RevisionId: 'rev-2' }),
  ]);
  lambda.on(UpdateFunctionConfigurationCommand).resolves({ MemorySize: 384, Environment: { Variables: { STRIPE_KEY: SECRET } } } as never);
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
  bedrock.on(ConverseCommand).resolves({
    output: {
      message: {
        role: 'assistant',
        content: [{
          toolUse: {
            toolUseId: 't',
            name: 'submit_diagnosis',
            input: {
              isMemoryIssue: true,
              confidence: 0.9,
              reasoning: 'killed at the limit',
              recommendedAction: 'INCREASE_MEMORY',
              recommendedMemoryIncrease: 128,
              evidencePoints: [],
              category: 'OUT_OF_MEMORY',
            } as never,
          },
        }],
      },
    },
    usage: { inputTokens: 10, outputTokens: 10, totalTokens: 20 },
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  // Capture every log line at the most verbose level.
  logger.setLogLevel('DEBUG');
  written = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture as never),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture as never),
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { written.push(a.map(String).join(' ')); }),
    jest.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => { written.push(a.map(String).join(' ')); }),
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { written.push(a.map(String).join(' ')); }),
  ];
});
afterEach(() => {
  spies.forEach((s) => s.mockRestore());
  logger.setLogLevel('INFO');
  restoreEnv();
});

describe('secrets of the target function', () => {
  test('a secret in the environment appears in no log line, record, prompt, notification, event or state', async () => {
    // WHEN the whole workflow runs: normalize, collect, diagnose (model), approval, repair, verify, finalize
    let state: WorkflowState = initialState(alarmEvent({ functionName: 'ingest-2' }));
    state = { ...state, alarm: await normalize(state) };
    state = { ...state, collection: await collect(state as HandlerInputs['collect']) };
    state = { ...state, diagnosis: await diagnose(state as HandlerInputs['diagnose']) };
    await requestApproval({ taskToken: 'token', state });
    state = { ...state, approval: { approved: true, approver: 'ana' } };
    state = { ...state, repair: await repair(state as HandlerInputs['repair']) };
    state = { ...state, verification: await verify(state as HandlerInputs['verify']) };
    state = { ...state, outcome: await finalize(state) };

    // THEN the run did reach every channel ...
    expect(state.repair?.status).toBe('SUCCEEDED');
    expect(written.length).toBeGreaterThan(10);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand).length).toBeGreaterThanOrEqual(2);
    const items = await db.items();
    expect(items.length).toBeGreaterThan(5);

    // ... and the secret (and the variable names) are in none of them
    const channels: Record<string, string> = {
      logs: written.join('\n'),
      records: JSON.stringify(items),
      prompt: JSON.stringify(bedrock.commandCalls(ConverseCommand).map((c) => c.args[0].input)),
      notifications: JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)),
      events: JSON.stringify(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input)),
      state: JSON.stringify(state),
    };
    for (const [channel, text] of Object.entries(channels)) {
      expect({ channel, leaked: text.includes(SECRET) }).toEqual({ channel, leaked: false });
      expect({ channel, leaked: text.includes('STRIPE_KEY') }).toEqual({ channel, leaked: false });
    }
  });
});

describe('secrets the target function printed in its logs (issue 10 item 5)', () => {
  // Credentials a careless function prints next to its out-of-memory kills.
  const PRINTED = {
    url: 'Pr1ntedUrlPass',
    pair: 'Pr1ntedPairValue',
    json: 'Pr1ntedJsonValue',
    accessKey: 'AKIAPR1NTEDKEY00042X',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcmludGVkIn0.Pr1ntedJwtSignature',
    bearer: 'Pr1ntedBearer0042',
    pem: 'MIIEPr1ntedPemBody',
  };
  const lines = [
    `ERROR connecting to postgres://orders:${PRINTED.url}@db.internal:5432/orders`,
    `ERROR retrying with user=orders password=${PRINTED.pair}`,
    `ERROR {"level":"error","password":"${PRINTED.json}","msg":"db auth"}`,
    `ERROR aws credentials ${PRINTED.accessKey} rejected`,
    `ERROR token ${PRINTED.jwt} expired`,
    `ERROR upstream answered 401 to Authorization: Bearer ${PRINTED.bearer}`,
    `ERROR bad key -----BEGIN PRIVATE KEY-----\n${PRINTED.pem}\n-----END PRIVATE KEY-----`,
  ];

  test('a credential in an error line reaches no record, prompt, notification, event, log or state', async () => {
    // GIVEN the function's error lines carry credentials, next to its kills
    const t0 = Date.parse(oom.logs[0].timestamp);
    const withSecrets = [...oom.logs, ...lines.map((message, i) => ({ timestamp: new Date(t0 + 1000 + i).toISOString(), message }))]
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    logs.on(FilterLogEventsCommand).resolves(logEventsOf(withSecrets));

    // WHEN the whole workflow runs
    let state: WorkflowState = initialState(alarmEvent({ functionName: 'ingest-2' }));
    state = { ...state, alarm: await normalize(state) };
    state = { ...state, collection: await collect(state as HandlerInputs['collect']) };
    state = { ...state, diagnosis: await diagnose(state as HandlerInputs['diagnose']) };
    await requestApproval({ taskToken: 'token', state });
    state = { ...state, approval: { approved: true, approver: 'ana' } };
    state = { ...state, repair: await repair(state as HandlerInputs['repair']) };
    state = { ...state, verification: await verify(state as HandlerInputs['verify']) };
    state = { ...state, outcome: await finalize(state) };

    // THEN the lines were collected (masked) and the diagnosis still saw the kills
    const items = await db.items();
    const evidence = JSON.stringify(items.find((i) => i.sk === 'EVIDENCE'));
    expect(evidence).toContain('postgres://orders:[MASKED]@db.internal');
    expect(state.diagnosis?.result.category).toBe('OUT_OF_MEMORY');
    const channels: Record<string, string> = {
      logs: written.join('\n'),
      records: JSON.stringify(items),
      prompt: JSON.stringify(bedrock.commandCalls(ConverseCommand).map((c) => c.args[0].input)),
      notifications: JSON.stringify(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)),
      events: JSON.stringify(events.commandCalls(PutEventsCommand).map((c) => c.args[0].input)),
      state: JSON.stringify(state),
    };
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
    for (const [channel, text] of Object.entries(channels)) {
      for (const [kind, secret] of Object.entries(PRINTED)) {
        expect({ channel, kind, leaked: text.includes(secret) }).toEqual({ channel, kind, leaked: false });
      }
    }
  });
});

describe('approval task tokens (issue 10 item 9)', () => {
  const TOKEN = 'AAAAKgAAAAIAAAAAAAAAAQ-approval-token-Zx9';

  test('the request-approval handler never logs the token, on success or failure; only the topic carries it', async () => {
    let state: WorkflowState = initialState(alarmEvent({ functionName: 'ingest-2' }));
    state = { ...state, alarm: await normalize(state) };
    state = { ...state, collection: await collect(state as HandlerInputs['collect']) };
    state = { ...state, diagnosis: await diagnose(state as HandlerInputs['diagnose']) };
    await requestApproval({ taskToken: TOKEN, state });
    sns.on(PublishCommand).rejects(Object.assign(new Error(`publish failed for ${'x'}`), { name: 'InternalErrorException', $fault: 'server' }));
    await expect(requestApproval({ taskToken: TOKEN, state })).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    await expect(requestApproval({ taskToken: TOKEN, state: { ...state, diagnosis: undefined } } as never)).rejects.toMatchObject({ name: 'InvalidInputError' });

    expect(written.length).toBeGreaterThan(3);
    expect(written.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(await db.items())).not.toContain(TOKEN);
    expect(JSON.stringify(sns.commandCalls(PublishCommand)[0].args[0].input)).toContain(TOKEN);
  });
});

