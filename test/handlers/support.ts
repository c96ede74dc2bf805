/**
 * Test support for the handler tests: a real DynamoDB implementation (dynalite) on loopback for
 * locks, records and conditional writes, the table created with the contract's keys, and the
 * environment the handlers need.
 */
import * as fs from 'fs';
import { AddressInfo } from 'net';
import * as path from 'path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handler as collectHandler } from '../../src/diagnosis/collect.lambda';
import { setClients } from '../../src/runtime/clients';
import { setClock } from '../../src/runtime/clock';
import { logger } from '../../src/runtime/powertools';
import { ENV, HandlerInputs, TABLE_PARTITION_KEY, TABLE_SORT_KEY, WorkflowState } from '../../src/workflow/contract';
import { handler as normalizeHandler } from '../../src/workflow/normalize.lambda';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

export const TABLE = 'remediation-test';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:remediation';

export interface Db {
  readonly doc: DynamoDBDocumentClient;
  close(): Promise<void>;
  /** Every item in the table. */
  items(): Promise<Record<string, unknown>[]>;
  /** Create another table with the remediation table's key schema. */
  createTable(name: string): Promise<void>;
}

/** Start dynalite on 127.0.0.1, port 0, and create the table. */
export async function startDb(): Promise<Db> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const createTable = async (name: string): Promise<void> => {
    await raw.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: TABLE_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: TABLE_SORT_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: TABLE_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: TABLE_SORT_KEY, KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
  };
  await createTable(TABLE);
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  return {
    doc,
    createTable,
    close: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    items: async () => {
      const out = await doc.send(new ScanCommand({ TableName: TABLE }));
      return (out.Items ?? []) as Record<string, unknown>[];
    },
  };
}

/** Clear the table between tests (scan + delete). */
export async function clearTable(db: Db): Promise<void> {
  for (const item of await db.items()) {
    await db.doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
  }
}

/** A virtual clock: `now` is fixed until advanced; sleeps advance it without waiting. */
export class VirtualClock {
  public slept: number[] = [];
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    // Let pending I/O (mocked AWS answers) settle first: a virtual time budget only expires when
    // nothing else is ready, as in an event-driven simulation.
    await new Promise((resolve) => setImmediate(resolve));
    this.current = new Date(this.current.getTime() + ms);
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Point the handlers at the test table and a virtual clock; returns the clock. */
export function useTestWorld(db: Db, start = '2026-11-20T10:48:30.000Z'): VirtualClock {
  setClients({ dynamo: db.doc }, { region: 'us-east-1' });
  // Quiet handler logs in tests; the secret test turns them up to DEBUG to inspect them.
  logger.setLogLevel('SILENT');
  const clock = new VirtualClock(new Date(start));
  setClock(clock);
  return clock;
}

/**
 * The policy the handler tests run under, complete as the construct writes it (handlers refuse to
 * run without one). The limits are Lambda's own so the sizes the tests expect come from the rules.
 */
export const TEST_POLICY = {
  maxMemoryMb: 10240,
  maxStepMb: 4096,
  minConfidence: 0.7,
  cooldownSeconds: 1800,
  maxRepairsPerDay: 3,
  rollbackOnFailedVerification: true,
  verificationWindowSeconds: 600,
  approvalMode: 'NONE',
};

/**
 * The environment the handlers need, plus overrides; previous values restored by the returned
 * function. A `REMEDIATION_POLICY` override is merged onto {@link TEST_POLICY}; `undefined` unsets it.
 */
export function setEnv(overrides: Record<string, string | undefined> = {}): () => void {
  const policyOverride = overrides[ENV.POLICY];
  const policy = ENV.POLICY in overrides && policyOverride === undefined
    ? undefined
    : JSON.stringify({ ...TEST_POLICY, ...(policyOverride ? JSON.parse(policyOverride) : {}) });
  const base: Record<string, string | undefined> = {
    [ENV.TABLE_NAME]: TABLE,
    [ENV.TOPIC_ARN]: TOPIC_ARN,
    [ENV.EVENT_BUS_NAME]: 'default',
    [ENV.MANAGED_FUNCTIONS]: 'orders,ingest-2',
    [ENV.DRY_RUN]: undefined,
    [ENV.BEDROCK_MODEL_ID]: undefined,
    [ENV.KNOWLEDGE_BASE_ID]: undefined,
    [ENV.AGENT_ID]: undefined,
    [ENV.AGENT_ALIAS_ID]: undefined,
    [ENV.ALARM_NAME_PREFIX]: undefined,
    [ENV.LOG_ALARM_NAME_PREFIX]: undefined,
    [ENV.LOG_GROUP_FUNCTIONS]: undefined,
    [ENV.CASES_BUCKET]: undefined,
    [ENV.CASES_PREFIX]: undefined,
    [ENV.CASES_DATA_SOURCE_ID]: undefined,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...overrides,
    [ENV.POLICY]: policy,
  };
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(base)) {
    previous[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** An EventBridge "CloudWatch Alarm State Change" for a single-metric Lambda alarm. */
export function alarmEvent(opts: {
  functionName?: string; state?: string; alarmName?: string; metricName?: string; time?: string; resource?: string;
} = {}): Record<string, unknown> {
  const fn = opts.functionName ?? 'orders';
  const alarmName = opts.alarmName ?? `${fn}-errors-alarm`;
  const dims: Record<string, string> = { FunctionName: fn };
  if (opts.resource) dims.Resource = opts.resource;
  return {
    'version': '0',
    'id': 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    'source': 'aws.cloudwatch',
    'account': '123456789012',
    'time': opts.time ?? '2026-11-20T10:48:00Z',
    'region': 'us-east-1',
    'resources': [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
    'detail': {
      alarmName,
      configuration: {
        metrics: [{
          id: 'm1',
          metricStat: { metric: { namespace: 'AWS/Lambda', name: opts.metricName ?? 'Errors', dimensions: dims }, period: 60, stat: 'Sum' },
          returnData: true,
        }],
      },
      previousState: { value: 'OK', reason: 'ok', timestamp: '2026-11-20T10:40:00.000+0000' },
      state: {
        value: opts.state ?? 'ALARM',
        reason: 'Threshold Crossed: 2 out of the last 2 datapoints [12.0, 8.0] were greater than or equal to the threshold (1.0)',
        reasonData: JSON.stringify({ version: '1.0', threshold: 1, recentDatapoints: [12, 8] }),
        timestamp: opts.time ? opts.time.replace('Z', '+0000') : '2026-11-20T10:48:00.000+0000',
      },
    },
  };
}

/** The initial state the Init Pass state builds. */
export function initialState(event: unknown, executionId = 'arn:aws:states:us-east-1:123456789012:execution:remediation:exec-1'): WorkflowState {
  return { executionId, startedAt: '2026-11-20T10:48:05.000Z', event };
}

/** An AWS-SDK-shaped service error. */
export function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** A sample incident from `samples/` (the seed's diagnosis request shape). */
export interface Sample {
  functionName: string;
  functionConfig: { memorySize: number; timeout: number; runtime: string; architecture: string };
  alarmDetails: { alarmName: string; metricName: string; threshold: number; evaluationPeriods: number };
  metrics: Array<{ timestamp: string; value: number }>;
  metricSeries: Record<string, Array<{ timestamp: string; value: number }>>;
  logs: Array<{ timestamp: string; message: string }>;
}

/** Load `samples/<name>.json`. */
export function sample(name: string): Sample {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return JSON.parse(JSON.stringify(require(`../../samples/${name}.json`))) as Sample;
}

/** GetMetricData results for a sample, by the collector's query ids. */
export function metricDataOf(s: Pick<Sample, 'metrics' | 'metricSeries'>) {
  const ids: Record<string, string> = { invocations: 'Invocations', errors: 'Errors', duration: 'Duration', throttles: 'Throttles', concurrent: 'ConcurrentExecutions' };
  const result = (id: string, pts: Array<{ timestamp: string; value: number }>) => ({
    Id: id, Timestamps: pts.map((p) => new Date(p.timestamp)), Values: pts.map((p) => p.value), StatusCode: 'Complete' as const,
  });
  return {
    MetricDataResults: [
      result('alarm', s.metrics),
      ...Object.entries(ids).map(([id, name]) => result(id, s.metricSeries[name] ?? [])),
    ],
  };
}

/** FilterLogEvents events for sample log lines. */
export function logEventsOf(logs: Array<{ timestamp: string; message: string }>) {
  return { events: logs.map((l, i) => ({ eventId: String(i), timestamp: Date.parse(l.timestamp), message: `${l.message}\n`, logStreamName: 's' })) };
}

/** The secret planted in the target function's environment by the secret tests. */
export const SECRET = 'sk_live_DO_NOT_LEAK_5f3a9c';

/** GetFunctionConfiguration answer for a sample, with a secret in its environment. */
export function functionConfigOf(s: Pick<Sample, 'functionName' | 'functionConfig'>, overrides: Record<string, unknown> = {}) {
  return {
    FunctionName: s.functionName,
    FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${s.functionName}`,
    Runtime: s.functionConfig.runtime,
    MemorySize: s.functionConfig.memorySize,
    Timeout: s.functionConfig.timeout,
    Architectures: [s.functionConfig.architecture],
    RevisionId: 'rev-1',
    Version: '$LATEST',
    LastUpdateStatus: 'Successful',
    State: 'Active',
    KMSKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc',
    Environment: { Variables: { STRIPE_KEY: SECRET, DB_PASSWORD: SECRET } },
    LoggingConfig: { LogGroup: `/aws/lambda/${s.functionName}`, LogFormat: 'Text' },
    ...overrides,
  } as never;
}

/** Run normalize and collect for a sample (with the SDK mocks already answering for it). */
export async function stateAfterCollect(functionName: string, executionId?: string): Promise<HandlerInputs['diagnose']> {
  const s = initialState(alarmEvent({ functionName }), executionId);
  const alarm = await normalizeHandler(s);
  const withAlarm = { ...s, alarm };
  const collection = await collectHandler(withAlarm as HandlerInputs['collect']);
  return { ...withAlarm, collection } as HandlerInputs['diagnose'];
}

/**
 * Answer a mocked command with `answers` in order (the last one repeats); an Error answer is
 * thrown. Counted from now, unlike resolvesOnce, whose order counts earlier calls too.
 */
export function answerInOrder(stub: { callsFake(fn: (input: unknown) => unknown): unknown }, answers: unknown[]): void {
  let n = 0;
  stub.callsFake(async () => {
    const a = answers[Math.min(n++, answers.length - 1)];
    if (a instanceof Error) throw a;
    return a;
  });
}

/** `n` healthy invocations' START/END/REPORT lines, one per 10 s from `start`. */
export function healthyLines(n: number, start: string, memorySize: number, used: number, opts: { killedEvery?: number } = {}) {
  const lines: Array<{ timestamp: string; message: string }> = [];
  for (let i = 0; i < n; i++) {
    const t = Date.parse(start) + i * 10_000;
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const at = (ms: number) => new Date(t + ms).toISOString();
    lines.push({ timestamp: at(0), message: `START RequestId: ${id} Version: $LATEST` });
    const killed = opts.killedEvery !== undefined && i % opts.killedEvery === 0;
    if (killed) lines.push({ timestamp: at(400), message: `RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError` });
    lines.push({ timestamp: at(500), message: `END RequestId: ${id}` });
    lines.push({
      timestamp: at(500),
      message: `REPORT RequestId: ${id}\tDuration: 480.00 ms\tBilled Duration: 480 ms\tMemory Size: ${memorySize} MB\tMax Memory Used: ${killed ? memorySize : used} MB\t`,
    });
  }
  return lines;
}

/** Per-minute series of `value` for `minutes` minutes from `start`. */
export function flatSeries(start: string, minutes: number, value: number) {
  return Array.from({ length: minutes }, (_, i) => ({ timestamp: new Date(Date.parse(start) + i * 60_000).toISOString(), value }));
}

/** The state machine ARN the Init state passes as `$$.StateMachine.Id`. */
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:remediation';

/**
 * A documented CloudWatch alarm event, verbatim (test/fixtures/aws-events, copied from
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 */
export function documentedEvent(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-events', name), 'utf8'));
}

/**
 * A documented Step Functions execution status change event, verbatim (test/fixtures/sfn-events,
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html).
 */
export function documentedExecutionEvent(status: 'failed' | 'timed-out' | 'aborted' | 'succeeded'): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sfn-events', `execution-${status}.json`), 'utf8'));
}
