/**
 * The simulated EventBridge Scheduler against the pages it follows (scheduler-service.ts header):
 * what CreateSchedule rejects, when a one-time schedule fires, that it deletes itself, and how a
 * delivery that keeps failing ends in the dead-letter queue.
 */
import { CreateScheduleInput, SchedulerService } from '../../../src/simulation/account/scheduler-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';
import { VirtualScheduler } from '../../../src/simulation/scheduler';

const START = Date.parse('2026-11-28T12:00:00Z');
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:coordinator';
const ROLE = 'arn:aws:iam::123456789012:role/scheduler-role';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:dead-letters';

function world(options: { assume?: boolean; invokeFails?: number } = {}) {
  const clock = new VirtualClock(START);
  const scheduler = new VirtualScheduler(clock);
  const invoked: Array<{ arn: string; input: string; at: number }> = [];
  let failures = options.invokeFails ?? 0;
  const assumed: Array<{ roleArn: string; context: Record<string, string> }> = [];
  const service = new SchedulerService({
    clock,
    scheduler,
    random: new SeededRandom(7),
    groups: ['verification'],
    participate: (name, fn) => scheduler.participate(name, fn),
    assumeRole: async (roleArn, context) => {
      assumed.push({ roleArn, context });
      return options.assume === false ? { allowed: false, result: 'ImplicitlyDenied', explanation: 'because the trust policy does not admit it' } : { allowed: true, result: 'Allowed' };
    },
    authorize: async () => ({ allowed: true, result: 'Allowed' }),
    invokeLambda: async (arn, input) => {
      if (failures-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      invoked.push({ arn, input, at: clock.now() });
    },
  });
  /** Let virtual time run until nothing waits any more. */
  const runAll = async () => {
    for (let i = 0; i < 10_000; i++) {
      await scheduler.idle();
      const next = scheduler.nextWake();
      if (next === undefined) return;
      scheduler.wakeUntil(next);
    }
  };
  return { clock, service, invoked, assumed, runAll };
}

const valid = (over: Partial<CreateScheduleInput> = {}): CreateScheduleInput => ({
  Name: 'lar-abc-VERIFY-1',
  GroupName: 'verification',
  ScheduleExpression: 'at(2026-11-28T12:10:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: { Arn: FN, RoleArn: ROLE, Input: '{"wake":"VERIFY-1"}', RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: DLQ } },
  ...over,
});

describe('GIVEN CreateSchedule', () => {
  test.each([
    ['a name with a slash', valid({ Name: 'a/b' }), 'ValidationException', /name must be 1 to 64/],
    ['a name of 65 characters', valid({ Name: 'a'.repeat(65) }), 'ValidationException', /name must be 1 to 64/],
    ['no flexible time window', valid({ FlexibleTimeWindow: undefined }), 'ValidationException', /FlexibleTimeWindow is required/],
    ['a flexible window of 0 minutes', valid({ FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 0 } }), 'ValidationException', /1 to 1440/],
    ['an unknown completion action', valid({ ActionAfterCompletion: 'ARCHIVE' }), 'ValidationException', /NONE or DELETE/],
    ['186 retries', valid({ Target: { Arn: FN, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } } }), 'ValidationException', /0 to 185/],
    ['an event age of 30 s', valid({ Target: { Arn: FN, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 30 } } }), 'ValidationException', /60 to 86400/],
    ['a role that is not a role arn', valid({ Target: { Arn: FN, RoleArn: 'arn:aws:iam::123456789012:user/x' } }), 'ValidationException', /iam role arn/],
    ['a dead-letter target that is not a queue', valid({ Target: { Arn: FN, RoleArn: ROLE, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:123456789012:t' } } }), 'ValidationException', /sqs queue arn/],
    ['a malformed at()', valid({ ScheduleExpression: 'at(2026-11-28 12:10:00)' }), 'ValidationException', /Invalid Schedule Expression/],
    ['an impossible date', valid({ ScheduleExpression: 'at(2026-02-30T12:10:00)' }), 'ValidationException', /Invalid Schedule Expression/],
    ['a group that does not exist', valid({ GroupName: 'other' }), 'ResourceNotFoundException', /Schedule group other does not exist/],
  ])('WHEN it gets %s THEN it is rejected as the API documents', (_what, input, name, message) => {
    const { service } = world();
    expect(() => service.createSchedule(input)).toThrow(expect.objectContaining({ name, message: expect.stringMatching(message) }));
  });

  test('WHEN the same name is created twice in a group THEN the second is a 409 ConflictException', () => {
    const { service } = world();
    service.createSchedule(valid());
    expect(() => service.createSchedule(valid())).toThrow(expect.objectContaining({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } }));
  });

  test.each([
    ['a rate schedule', valid({ ScheduleExpression: 'rate(5 minutes)' })],
    ['a time zone other than UTC', valid({ ScheduleExpressionTimezone: 'Europe/Paris' })],
    ['an at() that has passed (its answer is not documented)', valid({ ScheduleExpression: 'at(2026-11-28T11:59:00)' })],
  ])('WHEN it gets %s THEN the simulation refuses it as not modelled, never as accepted', (_what, input) => {
    const { service } = world();
    expect(() => service.createSchedule(input)).toThrow(expect.objectContaining({ name: 'UnsupportedOperationError' }));
  });
});

describe('GIVEN a one-time schedule', () => {
  test('WHEN its time comes THEN it assumes the role with the confused-deputy keys, invokes once within that minute, and deletes itself', async () => {
    const w = world();
    w.service.createSchedule(valid());
    await w.runAll();
    expect(w.invoked).toHaveLength(1);
    expect(w.invoked[0]).toMatchObject({ arn: FN, input: '{"wake":"VERIFY-1"}' });
    const at = Date.parse('2026-11-28T12:10:00Z');
    expect(w.invoked[0].at).toBeGreaterThanOrEqual(at);
    expect(w.invoked[0].at).toBeLessThan(at + 60_000);
    expect(w.assumed).toEqual([{
      roleArn: ROLE,
      context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:scheduler:us-east-1:123456789012:schedule-group/verification' },
    }]);
    expect(w.service.list()).toEqual([]);
    // Deleted: the name is free again.
    expect(() => w.service.getSchedule({ Name: 'lar-abc-VERIFY-1', GroupName: 'verification' })).toThrow(expect.objectContaining({ name: 'ResourceNotFoundException' }));
  });

  test('WHEN ActionAfterCompletion is NONE THEN it stays after its one invocation', async () => {
    const w = world();
    w.service.createSchedule(valid({ ActionAfterCompletion: 'NONE' }));
    await w.runAll();
    expect(w.invoked).toHaveLength(1);
    expect(w.service.getSchedule({ Name: 'lar-abc-VERIFY-1', GroupName: 'verification' })).toMatchObject({ ActionAfterCompletion: 'NONE' });
  });

  test('WHEN it is DISABLED THEN it never fires', async () => {
    const w = world();
    w.service.createSchedule(valid({ State: 'DISABLED' }));
    await w.runAll();
    expect(w.invoked).toEqual([]);
  });

  test('WHEN delivery fails twice THEN it is retried with backoff and succeeds on the third attempt', async () => {
    const w = world({ invokeFails: 2 });
    w.service.createSchedule(valid());
    await w.runAll();
    expect(w.service.deliveries.map((d) => [d.attempt, !!d.error])).toEqual([[1, true], [2, true], [3, false]]);
    expect(w.invoked).toHaveLength(1);
    expect(w.service.deadLetters).toEqual([]);
  });

  test('WHEN the role cannot be assumed THEN every attempt of the retry policy fails and the event goes to the dead-letter queue', async () => {
    const w = world({ assume: false });
    w.service.createSchedule(valid());
    await w.runAll();
    expect(w.invoked).toEqual([]);
    expect(w.service.deliveries).toHaveLength(4);
    expect(w.service.deadLetters).toEqual([{ schedule: 'lar-abc-VERIFY-1', queue: DLQ, error: expect.stringContaining('could not assume') }]);
  });
});
