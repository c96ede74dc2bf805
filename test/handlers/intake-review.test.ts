/**
 * Issue 10 item 12: an alarm on `name:alias` for a function whose alias option names no such
 * alias must not change `$LATEST` silently. Normalize keeps the qualifier and says why a person
 * must decide (`humanReviewReason`); diagnose then caps REPAIR / REQUEST_APPROVAL at HUMAN_REVIEW.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  alarmEvent, clearTable, Db, functionConfigOf, initialState, logEventsOf, metricDataOf, sample, Sample, setEnv, startDb, useTestWorld,
} from './support';
import { handler as collect } from '../../src/diagnosis/collect.lambda';
import { handler as diagnose } from '../../src/diagnosis/diagnose.lambda';
import { HandlerInputs } from '../../src/workflow/contract';
import { capForIntake } from '../../src/workflow/intake-cap';
import { handler as normalize } from '../../src/workflow/normalize.lambda';

const lambda = mockClient(LambdaClient);
const cw = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);

let db: Db;
let restoreEnv: () => void;

beforeAll(async () => {
  db = await startDb();
});
afterAll(async () => {
  await db.close();
});
afterEach(() => restoreEnv());

/** An out-of-memory incident of orders whose alarm watched `resource`, through normalize, collect and diagnose. */
async function diagnosed(resource: string | undefined, env: Record<string, string | undefined> = {}) {
  await clearTable(db);
  useTestWorld(db);
  restoreEnv = setEnv(env);
  for (const m of [lambda, cw, logs]) m.reset();
  const s: Sample = { ...sample('oom-killed-python'), functionName: 'orders' };
  lambda.on(GetFunctionConfigurationCommand).resolves(functionConfigOf(s));
  cw.on(GetMetricDataCommand).resolves(metricDataOf(s));
  logs.on(FilterLogEventsCommand).resolves(logEventsOf(s.logs));
  const state = initialState(alarmEvent({ functionName: 'orders', ...(resource ? { resource } : {}) }));
  const alarm = await normalize(state);
  const collection = await collect({ ...state, alarm } as HandlerInputs['collect']);
  return { alarm, diagnosis: await diagnose({ ...state, alarm, collection } as HandlerInputs['diagnose']) };
}

describe('an alarm on an alias', () => {
  test('without the alias option: the memory issue is diagnosed, but the action is HUMAN_REVIEW with the reason', async () => {
    const { alarm, diagnosis } = await diagnosed('orders:live');
    expect(alarm).toMatchObject({ status: 'ACCEPTED', qualifier: 'live' });
    expect(diagnosis.result.recommendedAction).toBe('INCREASE_MEMORY');
    expect(diagnosis.action).toBe('HUMAN_REVIEW');
    expect(diagnosis.targetMemoryMb).toBe(diagnosis.originalMemoryMb);
    expect(diagnosis.reason).toContain('alarm orders-errors-alarm watches alias live of orders, but no alias is configured for it');
  });

  test('with the alias option naming it: REPAIR as usual', async () => {
    const { diagnosis } = await diagnosed('orders:live', {
      REMEDIATION_POLICY: JSON.stringify({ functionOverrides: { orders: { aliases: ['live'] } } }),
    });
    expect(diagnosis.action).toBe('REPAIR');
  });

  test('an unqualified alarm: REPAIR as usual', async () => {
    expect((await diagnosed(undefined)).diagnosis.action).toBe('REPAIR');
  });
});

describe('capForIntake only ever lowers the action', () => {
  const decision = { action: 'REPAIR' as const, targetMemoryMb: 768, reason: 'OUT_OF_MEMORY' };
  test('REPAIR and REQUEST_APPROVAL become HUMAN_REVIEW at the current size', () => {
    expect(capForIntake(decision, { humanReviewReason: 'why' }, 512)).toEqual({
      action: 'HUMAN_REVIEW', targetMemoryMb: 512, reason: 'why (the diagnosis proposed 512 -> 768 MB: OUT_OF_MEMORY)',
    });
    expect(capForIntake({ ...decision, action: 'REQUEST_APPROVAL' }, { humanReviewReason: 'why' }, 512).action).toBe('HUMAN_REVIEW');
  });
  test('NO_ACTION stays, and without a reason nothing changes', () => {
    expect(capForIntake({ ...decision, action: 'NO_ACTION' }, { humanReviewReason: 'why' }, 512).action).toBe('NO_ACTION');
    expect(capForIntake(decision, {}, 512)).toBe(decision);
  });
});
