import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  answerInOrder, awsError, clearTable, Db, flatSeries, functionConfigOf, healthyLines, logEventsOf, metricDataOf, sample, setEnv, startDb,
  stateAfterCollect, useTestWorld, VirtualClock,
} from './support';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { handler as repair } from '../../src/repair/repair.lambda';
import { handler as verify } from '../../src/verification/verify.lambda';
import { HandlerInputs } from '../../src/workflow/contract';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const oom = sample('oom-killed-python');

let db: Db;
let clock: VirtualClock;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

/** ingest-2 repaired 256 -> 384 MB at 10:48:30, then 10 virtual minutes pass. */
async function repaired(env: Record<string, string | undefined> = {}): Promise<HandlerInputs['verify']> {
  await clearTable(db);
  clock = useTestWorld(db);
  restoreEnv = setEnv(env);
  for (const m of [lambda, cw, logs]) m.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(oom));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(oom));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(oom.logs));
  const state = await stateAfterCollect('ingest-2');
  const diagnosis = await diagnose(state);
  answerInOrder(lambda.on(GetFunctionConfigurationCommand), [functionConfigOf(oom), functionConfigOf(oom, { MemorySize: 384 })]);
  lambda.on(UpdateFunctionConfigurationCommand).resolves({});
  const r = await repair({ ...state, diagnosis } as HandlerInputs['repair']);
  clock.advance(600);
  return { ...state, diagnosis, repair: r } as HandlerInputs['verify'];
}

/** After the repair: `invocationsPerMinute`, `errorsPerMinute`, and log lines. */
function after(invocationsPerMinute: number, errorsPerMinute: number, lines: Array<{ timestamp: string; message: string }>) {
  const start = '2026-11-20T10:49:00.000Z';
  cw.on(GetMetricDataCommand).resolves(metricDataOf({
    metrics: flatSeries(start, 10, errorsPerMinute),
    metricSeries: {
      Invocations: flatSeries(start, 10, invocationsPerMinute),
      Errors: flatSeries(start, 10, errorsPerMinute),
      Duration: flatSeries(start, 10, 480),
      Throttles: flatSeries(start, 10, 0),
      ConcurrentExecutions: flatSeries(start, 10, 2),
    },
  }));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(lines));
}

describe('verify handler', () => {
  test('SUCCEEDED when errors and kills stop after the repair', async () => {
    // GIVEN the repaired function now runs 6 invocations a minute without errors at 300 of 384 MB
    const state = await repaired();
    after(6, 0, healthyLines(60, '2026-11-20T10:48:40.000Z', 384, 300));

    // WHEN verify runs after the window
    const out = await verify(state);

    // THEN the alarm metric fell to zero and the workflow is done
    expect(out).toMatchObject({ status: 'SUCCEEDED', next: 'DONE', attempt: 1, invocationsAfter: 60 });
    expect(out.metricsComparison.after).toBe(0);
    expect(out.metricsComparison.before).toBeGreaterThan(0);
    expect(out.metricsComparison.improvement).toBe('+100.0%');
    expect(out.details.memoryUtilization.after).toBeCloseTo(300 / 384, 3);
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, { StartTime: new Date('2026-11-20T10:48:30.000Z'), EndTime: new Date('2026-11-20T10:58:30.000Z') });
  });

  test('FAILED with a rollback request when kills continue at the same rate', async () => {
    const state = await repaired();
    const before = oom.metrics.filter((p) => p.timestamp < '2026-11-20T10:48:30.000Z');
    const meanErrors = before.reduce((a, p) => a + p.value, 0) / before.length;
    after(6, meanErrors, healthyLines(60, '2026-11-20T10:48:40.000Z', 384, 300, { killedEvery: 2 }));
    const out = await verify(state);
    expect(out.status).toBe('FAILED');
    expect(out.next).toBe('ROLLBACK');
    expect(out.reason).toMatch(/^out-of-memory rate did not improve/);
  });

  test('FAILED without rollback when the policy turns rollback off', async () => {
    const state = await repaired({ REMEDIATION_POLICY: JSON.stringify({ rollbackOnFailedVerification: false }) });
    after(6, 20, healthyLines(60, '2026-11-20T10:48:40.000Z', 384, 300, { killedEvery: 1 }));
    const out = await verify(state);
    expect(out).toMatchObject({ status: 'FAILED', next: 'DONE' });
  });

  test('INCONCLUSIVE with too few invocations extends once, then ends', async () => {
    const state = await repaired();
    after(0, 0, healthyLines(2, '2026-11-20T10:48:40.000Z', 384, 300));
    const first = await verify(state);
    expect(first).toMatchObject({ status: 'INCONCLUSIVE', next: 'EXTEND', attempt: 1, extendSeconds: 600 });
    expect(first.reason).toBe('only 2 invocations after the repair, fewer than the 5 needed to judge');

    clock.advance(600);
    const second = await verify({ ...state, verification: first });
    expect(second).toMatchObject({ status: 'INCONCLUSIVE', next: 'DONE', attempt: 2 });
  });

  test('missing metrics make a success INCONCLUSIVE (no claim without data)', async () => {
    const state = await repaired();
    after(6, 0, healthyLines(60, '2026-11-20T10:48:40.000Z', 384, 300));
    cw.on(GetMetricDataCommand).rejects(awsError('AccessDeniedException', 'no', 403));
    const out = await verify(state);
    expect(out.status).toBe('INCONCLUSIVE');
    expect(out.reason).toContain('data incomplete: metrics unavailable: AccessDeniedError');
  });

  test('fails when the repair did not succeed', async () => {
    const state = await repaired();
    await expect(verify({ ...state, repair: { ...state.repair, status: 'DRY_RUN' } })).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('verify handler, progressive repair: the canary against the old version (ExecutedVersion)', () => {
  const canary = { aliasName: 'live', version: '8', previousVersion: '7', weight: 0.2 };
  /** GetMetricData answers the per-version sums: `old` and `canary` as [invocations, errors]. */
  function versions(old: [number, number], next: [number, number]) {
    cw.on(GetMetricDataCommand).callsFake(async (input: any) => ({
      MetricDataResults: input.MetricDataQueries.map((q: any) => {
        const dims = Object.fromEntries(q.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value]));
        const [inv, err] = dims.ExecutedVersion === '8' ? next : old;
        return { Id: q.Id, Timestamps: [new Date('2026-11-20T10:50:00Z')], Values: [q.MetricStat.Metric.MetricName === 'Errors' ? err : inv] };
      }),
    }));
  }
  const withCanary = (state: HandlerInputs['verify']) => ({ ...state, repair: { ...state.repair, canary, verifyAfterSeconds: 600 } }) as HandlerInputs['verify'];

  test('GIVEN the canary clean and the old version killed THEN SUCCEEDED and PROMOTE, read by FunctionName, Resource and ExecutedVersion', async () => {
    const state = withCanary(await repaired());
    versions([240, 230], [60, 0]);
    const out = await verify(state);
    expect(out).toMatchObject({ status: 'SUCCEEDED', next: 'PROMOTE', invocationsAfter: 60 });
    expect(cw).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: expect.arrayContaining([expect.objectContaining({
        MetricStat: expect.objectContaining({
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Dimensions: [
              { Name: 'FunctionName', Value: 'ingest-2' }, { Name: 'Resource', Value: 'ingest-2:live' }, { Name: 'ExecutedVersion', Value: '8' },
            ],
          },
        }),
      })]),
    });
  });

  test('GIVEN the canary failing as often THEN FAILED and ROLLBACK even with rollbackOnFailedVerification off: a canary is never left routed', async () => {
    const state = withCanary(await repaired({ REMEDIATION_POLICY: JSON.stringify({ rollbackOnFailedVerification: false }) }));
    versions([240, 240], [60, 60]);
    expect(await verify(state)).toMatchObject({ status: 'FAILED', next: 'ROLLBACK' });
  });

  test('GIVEN too few canary invocations THEN the bake is extended once by the bake time, then the canary is removed', async () => {
    const state = withCanary(await repaired());
    versions([240, 230], [2, 0]);
    const first = await verify(state);
    expect(first).toMatchObject({ status: 'INCONCLUSIVE', next: 'EXTEND', extendSeconds: 600, attempt: 1 });
    const second = await verify({ ...state, verification: first });
    expect(second).toMatchObject({ status: 'INCONCLUSIVE', next: 'ROLLBACK', attempt: 2 });
  });
});
