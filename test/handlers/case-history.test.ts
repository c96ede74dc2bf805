/**
 * The case history and the follow-ups through the handlers (issue 11 items 2 and 3): finalize
 * records, diagnose reads (the records table, or the knowledge base's cases/ documents), a leak
 * gets one stopgap raise, and a review is followed up while the alarm stays in ALARM, paging
 * again only when the evidence changed.
 */
import { BedrockAgentClient, StartIngestionJobCommand } from '@aws-sdk/client-bedrock-agent';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  alarmEvent, awsError, clearTable, Db, functionConfigOf, initialState, sample, setEnv, startDb, STATE_MACHINE_ARN, TABLE, useTestWorld, VirtualClock,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { readCaseMetadata } from '../../src/knowledge/cases';
import { KnowledgeBaseCaseHistory, TableCaseHistory } from '../../src/runtime/case-history';
import { handler as finalize } from '../../src/verification/finalize.lambda';
import { FOLLOW_UP_DETAIL_TYPE, FollowUpDetail, HandlerInputs, IntakeInput, RepairOutput, VerifyOutput, WorkflowState } from '../../src/workflow/contract';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const kb = mockClient(BedrockAgentClient);

let db: Db;
let clock: VirtualClock;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await clearTable(db);
  clock = useTestWorld(db);
  restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'orders' });
  for (const m of [lambda, cw, logs, sns, events, sfn, s3, kb]) m.reset();
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started', startDate: new Date() });
});
afterEach(() => restoreEnv());

const execution = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:remediation:${name}`;

/**
 * Log lines of `environments` warm execution environments at `sizeMb`, each climbing 6 MB per
 * invocation from 200 MB over 40 invocations, then killed at the limit; the last minutes before `end`.
 */
function leakingLines(sizeMb: number, environments: number, end: string) {
  const lines: Array<{ timestamp: string; message: string }> = [];
  const total = environments * 41;
  let t = Date.parse(end) - total * 6_000;
  let n = 0;
  for (let e = 0; e < environments; e++) {
    for (let i = 0; i <= 40; i++) {
      const id = `00000000-0000-4000-8000-${String(n++).padStart(12, '0')}`;
      const killed = i === 40;
      const at = (ms: number) => new Date(t + ms).toISOString();
      lines.push({ timestamp: at(0), message: `START RequestId: ${id} Version: $LATEST` });
      if (killed) lines.push({ timestamp: at(300), message: `RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError` });
      lines.push({ timestamp: at(400), message: `END RequestId: ${id}` });
      lines.push({
        timestamp: at(400),
        message: `REPORT RequestId: ${id}\tDuration: 380.00 ms\tBilled Duration: 380 ms\tMemory Size: ${sizeMb} MB\tMax Memory Used: ${killed ? sizeMb : 200 + i * 6} MB\t`
          + (i === 0 ? 'Init Duration: 240.00 ms\t' : ''),
      });
      t += 6_000;
    }
  }
  return lines;
}

/** `killed` of `total` invocations killed at the limit, spread evenly, in the minutes before `end`. */
function killedLines(sizeMb: number, total: number, killed: number, end: string) {
  const lines: Array<{ timestamp: string; message: string }> = [];
  const start = Date.parse(end) - total * 5_000;
  for (let i = 0; i < total; i++) {
    const id = `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const k = Math.floor(((i + 1) * killed) / total) > Math.floor((i * killed) / total);
    const at = (ms: number) => new Date(start + i * 5_000 + ms).toISOString();
    lines.push({ timestamp: at(0), message: `START RequestId: ${id} Version: $LATEST` });
    if (k) lines.push({ timestamp: at(300), message: `RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError` });
    lines.push({ timestamp: at(400), message: `END RequestId: ${id}` });
    lines.push({ timestamp: at(400), message: `REPORT RequestId: ${id}\tDuration: 380.00 ms\tBilled Duration: 380 ms\tMemory Size: ${sizeMb} MB\tMax Memory Used: ${k ? sizeMb : Math.round(sizeMb * 0.7)} MB\t` });
  }
  return lines;
}

/** The target at `sizeMb` with these log lines; normalize and collect for an alarm at `time`. */
async function collected(name: string, sizeMb: number, lines: Array<{ timestamp: string; message: string }>, time: string): Promise<HandlerInputs['diagnose']> {
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf({ ...sample('oom-killed-python'), functionName: 'orders' }, { MemorySize: sizeMb }));
  logs.on(FilterLogEventsCommand).resolves({ events: lines.map((l, i) => ({ eventId: `${name}-${i}`, timestamp: Date.parse(l.timestamp), message: `${l.message}\n`, logStreamName: 's' })) });
  const s = { ...initialState(alarmEvent({ functionName: 'orders', time }), execution(name)), stateMachineArn: STATE_MACHINE_ARN };
  const alarm = await normalize(s);
  expect(alarm.status).toBe('ACCEPTED');
  const withAlarm = { ...s, alarm } as HandlerInputs['collect'];
  return { ...withAlarm, collection: await collect(withAlarm) } as HandlerInputs['diagnose'];
}

const repairOf = (at: string, from: number, to: number): RepairOutput => ({
  repairId: 'r-1',
  status: 'SUCCEEDED',
  reason: 'raised',
  originalMemoryMb: from,
  newMemoryMb: to,
  startedAt: at,
  repairedAt: at,
  verifyAfterSeconds: 600,
  iacChange: `memorySize: ${to}`,
  result: { functionName: 'orders', originalMemory: from, newMemory: to, status: 'SUCCEEDED', timestamp: at, executionId: 'x' },
});
const VERIFIED: VerifyOutput = {
  status: 'SUCCEEDED', next: 'DONE', attempt: 1, extendSeconds: 600, reason: 'no more kills', metricsComparison: { before: 12, after: 0, improvement: '+100.0%' }, details: {}, invocationsAfter: 60,
};

/** Execution `leak-1`: a climbing need killed at 512 MB, raised once to 768 MB as a stopgap, verified. */
async function firstRaise(source: 'table' | 'knowledge-base' = 'table'): Promise<void> {
  const state = await collected('leak-1', 512, leakingLines(512, 3, '2026-11-20T10:48:00Z'), '2026-11-20T10:48:00Z');
  const diagnosis = await diagnose(state);
  expect(diagnosis).toMatchObject({ action: 'REPAIR', targetMemoryMb: 768, signals: { memoryClimbing: true }, history: { source, cases: 0 } });
  expect(diagnosis.result.reasoning).toContain('This raise is a stopgap');
  clock.advance(60);
  await finalize({ ...state, diagnosis, repair: repairOf(clock.now().toISOString(), 512, 768), verification: VERIFIED });
}

describe('a leak gets one stopgap raise (issue 11 item 2)', () => {
  test('GIVEN a leak raised once 40 minutes ago WHEN it climbs at the new size and is killed again THEN no second raise: a person gets it as a leak, with the earlier repair', async () => {
    await firstRaise();
    clock.advance(40 * 60);

    const state = await collected('leak-2', 768, leakingLines(768, 2, '2026-11-20T11:28:00Z'), '2026-11-20T11:28:00Z');
    const out = await diagnose(state);

    expect(out).toMatchObject({ action: 'HUMAN_REVIEW', targetMemoryMb: 768, history: { source: 'table', cases: 1 } });
    expect(out.reason).toContain('memory was already raised once for this (512 MB -> 768 MB at 2026-11-20T10:49:30.000Z (REPAIRED, the need was climbing))');
    expect(out.reason).toContain('escalated as a leak');
    expect(out.result.evidencePoints).toContainEqual(expect.objectContaining({ type: 'REPAIR_HISTORY' }));
    expect(out.result.knowledgeReferences?.map((r) => r.id)).toContain('rb-memory-leak');
  });

  test('GIVEN the same incident at 768 MB and no earlier case WHEN diagnosed THEN the one stopgap raise is allowed', async () => {
    clock.advance(40 * 60);
    const state = await collected('leak-2', 768, leakingLines(768, 2, '2026-11-20T11:28:00Z'), '2026-11-20T11:28:00Z');
    expect(await diagnose(state)).toMatchObject({ action: 'REPAIR', targetMemoryMb: 1152, history: { source: 'table', cases: 0 } });
  });

  test('the table history joins the diagnosis and the repair record of one execution', async () => {
    await firstRaise();
    const cases = await new TableCaseHistory(TABLE).read('orders', new Date('2026-11-20T00:00:00Z'));
    expect(cases).toEqual([{
      caseId: 'leak-1',
      at: '2026-11-20T10:49:30.000Z',
      outcome: 'REPAIRED',
      category: 'OUT_OF_MEMORY',
      originalMemory: 512,
      newMemory: 768,
      memoryClimbing: true,
      memoryFailures: 3,
      invocations: 123,
    }]);
  });

  test('GIVEN the history cannot be read WHEN diagnosed THEN the diagnosis goes on without it and says so', async () => {
    const state = await collected('leak-2', 768, leakingLines(768, 2, '2026-11-20T10:48:00Z'), '2026-11-20T10:48:00Z');
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'orders', KNOWLEDGE_CASES_BUCKET: 'kb-docs' });
    s3.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 'not authorized to perform s3:ListBucket', 403));
    const out = await diagnose(state);
    expect(out).toMatchObject({ action: 'REPAIR', history: { source: 'unavailable', cases: 0 } });
  });
});

describe('follow-up after a review (issue 11 item 3)', () => {
  const REVIEW_POLICY = JSON.stringify({ minConfidence: 0.98, followUpSeconds: 600, followUpMaxRounds: 3 });

  /** Execution `review-1`: 10 % of invocations killed, the policy wants 0.98: a person reviews. */
  async function review(): Promise<WorkflowState> {
    restoreEnv();
    restoreEnv = setEnv({ MANAGED_FUNCTIONS: 'orders', REMEDIATION_POLICY: REVIEW_POLICY });
    const state = await collected('review-1', 512, killedLines(512, 100, 10, '2026-11-20T10:48:00Z'), '2026-11-20T10:48:00Z');
    const diagnosis = await diagnose(state);
    expect(diagnosis).toMatchObject({ action: 'HUMAN_REVIEW', signals: { memoryFailures: 10, invocations: 100 } });
    return { ...state, diagnosis };
  }

  function startedFollowUps(): Array<{ name: string; input: IntakeInput<FollowUpDetail> }> {
    return sfn.commandCalls(StartExecutionCommand).map((c) => {
      const i = c.args[0].input as StartExecutionCommandInput;
      return { name: i.name!, input: JSON.parse(i.input!) };
    }).filter((s) => s.input['detail-type'] === FOLLOW_UP_DETAIL_TYPE);
  }

  /** The follow-up execution as finalize started it, its alarm still in ALARM (or not), up to diagnose. */
  async function followUpRun(started: { name: string; input: IntakeInput<FollowUpDetail> }, lines: Array<{ timestamp: string; message: string }>, alarmState = 'ALARM') {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{
        AlarmName: 'orders-errors-alarm',
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-errors-alarm',
        StateValue: alarmState as never,
        StateReason: 'Threshold Crossed',
        StateUpdatedTimestamp: new Date('2026-11-20T10:48:00Z'),
        Threshold: 1,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: 'orders' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
      }],
    });
    logs.on(FilterLogEventsCommand).resolves({ events: lines.map((l, i) => ({ eventId: `f-${i}`, timestamp: Date.parse(l.timestamp), message: `${l.message}\n`, logStreamName: 's' })) });
    const s = { ...initialState(started.input, execution(started.name)), stateMachineArn: STATE_MACHINE_ARN };
    const alarm = await normalize(s);
    if (alarm.status !== 'ACCEPTED') return { ...s, alarm } as WorkflowState;
    const withAlarm = { ...s, alarm } as HandlerInputs['collect'];
    const withCollection = { ...withAlarm, collection: await collect(withAlarm) } as HandlerInputs['diagnose'];
    return { ...withCollection, diagnosis: await diagnose(withCollection) } as WorkflowState;
  }

  test('GIVEN a review WHEN finalized THEN it pages once and schedules a follow-up that waits the policy interval', async () => {
    const state = await review();
    const out = await finalize(state);

    expect(out.outcome).toBe('HUMAN_REVIEW');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const [started] = startedFollowUps();
    expect(started.input).toEqual({
      'source': 'lambda-auto-remediation',
      'detail-type': 'Lambda Remediation Follow-up',
      'detail': {
        functionName: 'orders',
        alarms: [{ alarmName: 'orders-errors-alarm' }],
        previousExecutionId: execution('review-1'),
        round: 1,
        waitSeconds: 600,
        baseline: { at: '2026-11-20T10:48:30.000Z', action: 'HUMAN_REVIEW', category: 'OUT_OF_MEMORY', memoryFailures: 10, invocations: 100 },
      },
    });
    expect(started.name).toMatch(/^followup-[0-9a-f]{40}$/);
    // A retried finalize starts the same execution name (StartExecution is idempotent on it).
    await finalize(state);
    expect(startedFollowUps().map((f) => f.name)).toEqual([started.name, started.name]);
  });

  test('GIVEN the kill rate rose to 60 % WHEN the follow-up looks THEN it pages again, saying what changed, and schedules the next round', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    clock.advance(600);

    const state = await followUpRun(first, killedLines(512, 100, 60, '2026-11-20T10:58:00Z'));
    expect(state.alarm).toMatchObject({ status: 'ACCEPTED', followUp: { round: 1, previousExecutionId: execution('review-1') } });
    expect(state.diagnosis?.followUp).toEqual({
      round: 1,
      previousExecutionId: execution('review-1'),
      changed: true,
      summary: 'the memory failure rate rose since 2026-11-20T10:48:30.000Z (HUMAN_REVIEW, OUT_OF_MEMORY): memory failures in 10 of 100 invocations (10 %) then, memory failures in 60 of 100 invocations (60 %) now',
      baselineFrom: 'history',
    });
    expect(state.diagnosis?.reason).toMatch(/^follow-up 1: the memory failure rate rose since/);
    sns.resetHistory();
    const out = await finalize(state);
    expect(out.outcome).toBe('HUMAN_REVIEW');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(startedFollowUps().map((f) => f.input.detail.round)).toEqual([1, 2]);
  });

  test('GIVEN the evidence as it was WHEN the follow-up looks THEN it is recorded, not paged, and the next round is scheduled', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    clock.advance(600);

    const state = await followUpRun(first, killedLines(512, 100, 11, '2026-11-20T10:58:00Z'));
    expect(state.diagnosis?.followUp).toMatchObject({ changed: false, summary: expect.stringMatching(/^the evidence is as it was since/) });
    sns.resetHistory();
    const out = await finalize(state);
    expect(out).toMatchObject({ outcome: 'HUMAN_REVIEW', notificationStatus: 'SENT' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(events).toHaveReceivedCommand(PutEventsCommand);
    expect(startedFollowUps().map((f) => f.input.detail.round)).toEqual([1, 2]);
  });

  test('GIVEN the alarm went back to OK WHEN the follow-up looks THEN the follow-ups end without a page', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    clock.advance(600);

    const state = await followUpRun(first, [], 'OK');
    expect(state.alarm).toMatchObject({ status: 'IGNORED', reason: expect.stringMatching(/^follow-up 1 of orders ends: alarm no longer in ALARM/) });
    sns.resetHistory();
    await finalize(state);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(startedFollowUps()).toHaveLength(1);
  });

  test('GIVEN the last round of the policy WHEN it ends in review THEN no further follow-up starts', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    const last = { ...first, input: { ...first.input, detail: { ...first.input.detail, round: 3 } } };
    clock.advance(600);
    const state = await followUpRun(last, killedLines(512, 100, 11, '2026-11-20T10:58:00Z'));
    await finalize(state);
    expect(startedFollowUps().map((f) => f.input.detail.round)).toEqual([1]);
  });

  test('GIVEN an unchanged follow-up WHEN the next one is scheduled THEN it still compares with the review people saw, so a slow drift is caught', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    clock.advance(600);
    await finalize(await followUpRun(first, killedLines(512, 100, 13, '2026-11-20T10:58:00Z')));
    const second = startedFollowUps()[1];
    expect(second.input.detail).toMatchObject({ round: 2, previousExecutionId: execution('review-1'), baseline: { memoryFailures: 10, invocations: 100 } });
    clock.advance(600);
    // 10 % -> 13 % -> 17 %: each step small, 17 % against the review's 10 % is a change.
    const third = await followUpRun(second, killedLines(512, 100, 17, '2026-11-20T11:08:00Z'));
    expect(third.diagnosis?.followUp).toMatchObject({ changed: true, previousExecutionId: execution('review-1'), baselineFrom: 'history' });
  });

  test('GIVEN a later alarm of the function that ends in review WHEN the earlier chain\'s follow-up runs THEN it ends, superseded: one chain per function', async () => {
    await finalize(await review());
    const [first] = startedFollowUps();
    // Another alarm's execution for orders ends in review too and schedules its own follow-up.
    clock.advance(120);
    const other = await collected('review-2', 512, killedLines(512, 100, 10, '2026-11-20T10:50:00Z'), '2026-11-20T10:50:00Z');
    await finalize({ ...other, diagnosis: await diagnose(other) });
    expect(startedFollowUps()).toHaveLength(2);
    clock.advance(600);
    const state = await followUpRun(first, killedLines(512, 100, 60, '2026-11-20T10:58:00Z'));
    expect(state.alarm).toMatchObject({ status: 'IGNORED', reason: expect.stringMatching(/^follow-up 1 of orders ends: superseded by the later follow-up followup-/) });
  });

  test('GIVEN no earlier case in the history WHEN the follow-up compares THEN it uses the figures it was handed', async () => {
    const state = await review();
    await finalize(state);
    const [first] = startedFollowUps();
    await clearTable(db);
    clock.advance(600);
    const next = await followUpRun(first, killedLines(512, 100, 60, '2026-11-20T10:58:00Z'));
    expect(next.diagnosis?.followUp).toMatchObject({ changed: true, baselineFrom: 'input' });
  });

  test('a malformed follow-up input is rejected by name', async () => {
    const bad = { 'source': 'lambda-auto-remediation', 'detail-type': FOLLOW_UP_DETAIL_TYPE, 'detail': { functionName: 'orders', alarms: [{ alarmName: 'a' }] } };
    await expect(normalize(initialState(bad))).rejects.toMatchObject({
      name: 'MalformedEventError',
      message: expect.stringContaining('Lambda Remediation Follow-up input needs detail.round'),
    });
  });
});

describe('the case history in the knowledge base', () => {
  const KB_ENV = { MANAGED_FUNCTIONS: 'orders', KNOWLEDGE_CASES_BUCKET: 'kb-docs', KNOWLEDGE_CASES_PREFIX: 'cases/', KNOWLEDGE_BASE_ID: 'KB12345678', KNOWLEDGE_CASES_DATA_SOURCE_ID: 'DS12345678' };
  /** The objects finalize put, served back by ListObjectsV2 / GetObject. */
  const bucket = new Map<string, { body: string; modified: Date }>();
  beforeEach(() => {
    bucket.clear();
    restoreEnv();
    restoreEnv = setEnv(KB_ENV);
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      bucket.set(input.Key!, { body: String(input.Body), modified: clock.now() });
      return {};
    });
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({
      Contents: [...bucket.entries()].filter(([k]) => k.startsWith(input.Prefix ?? '')).map(([Key, o]) => ({ Key, LastModified: o.modified })),
      IsTruncated: false,
    }));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const o = bucket.get(input.Key);
      if (!o) throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
      // The SDK's stream mixin: only transformToString is read.
      return { Body: { transformToString: async () => o.body } } as never;
    });
    kb.on(StartIngestionJobCommand).resolves({ ingestionJob: { ingestionJobId: 'job-1' } as never });
  });

  test('GIVEN a knowledge base WHEN a raise is finalized THEN its case document and sidecar go under cases/<function>/ and are indexed', async () => {
    await firstRaise('knowledge-base');

    expect([...bucket.keys()].sort()).toEqual(['cases/orders/leak-1.md', 'cases/orders/leak-1.md.metadata.json']);
    expect(readCaseMetadata(bucket.get('cases/orders/leak-1.md.metadata.json')!.body, 'orders')).toMatchObject({
      caseId: 'leak-1', outcome: 'REPAIRED', originalMemory: 512, newMemory: 768, memoryClimbing: true,
    });
    const doc = bucket.get('cases/orders/leak-1.md')!.body;
    expect(doc).toContain('# Case leak-1: REPAIRED (OUT_OF_MEMORY) on orders');
    expect(doc).not.toContain('RequestId');
    expect(kb).toHaveReceivedCommandWith(StartIngestionJobCommand, { knowledgeBaseId: 'KB12345678', dataSourceId: 'DS12345678' });
  });

  test('GIVEN the leak raised once, recorded in the knowledge base WHEN it is killed again THEN the history from cases/ holds the second raise', async () => {
    await firstRaise('knowledge-base');
    clock.advance(40 * 60);
    const state = await collected('leak-2', 768, leakingLines(768, 2, '2026-11-20T11:28:00Z'), '2026-11-20T11:28:00Z');
    const out = await diagnose(state);
    expect(out).toMatchObject({ action: 'HUMAN_REVIEW', history: { source: 'knowledge-base', cases: 1 } });
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, { Bucket: 'kb-docs', Prefix: 'cases/orders/' });
  });

  test('GIVEN the bucket refuses the case WHEN finalized THEN the outcome, the page and the lock release are as without it', async () => {
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const state = await collected('leak-1', 512, leakingLines(512, 3, '2026-11-20T10:48:00Z'), '2026-11-20T10:48:00Z');
    const diagnosis = await diagnose(state);
    const out = await finalize({ ...state, diagnosis, repair: repairOf('2026-11-20T10:49:30.000Z', 512, 768), verification: VERIFIED });
    expect(out).toMatchObject({ outcome: 'REPAIRED', notificationStatus: 'SENT', lockReleased: true });
  });

  test('the reader skips sidecars that are not cases of this function', async () => {
    bucket.set('cases/orders/x.md.metadata.json', { body: JSON.stringify({ metadataAttributes: { documentType: 'case', functionName: 'billing' } }), modified: clock.now() });
    bucket.set('cases/orders/y.md.metadata.json', { body: 'not json', modified: clock.now() });
    expect(await new KnowledgeBaseCaseHistory('kb-docs').read('orders', new Date('2026-11-01T00:00:00Z'))).toEqual([]);
  });
});
