/**
 * The simulated Amazon EventBridge Scheduler: one-time schedules that invoke a Lambda function, as
 * the Lambda coordinator uses them to wake itself for verification.
 *
 * Follows:
 * - https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html: Name and
 *   GroupName 1-64 of `[0-9a-zA-Z-_.]`, the group must exist (ResourceNotFoundException), a name
 *   already in the group is ConflictException (409); FlexibleTimeWindow and Target are required;
 *   `ActionAfterCompletion` NONE | DELETE; `State` ENABLED | DISABLED; Description at most 512.
 *   Other constraints of the same page and of the CloudFormation resource: RetryPolicy
 *   `MaximumRetryAttempts` 0-185 and `MaximumEventAgeInSeconds` 60-86,400 (default 185 and one
 *   day), FLEXIBLE windows of 1-1,440 minutes, `RoleArn` an IAM role ARN, a dead-letter queue an
 *   SQS queue ARN. A violation is ValidationException (400).
 * - https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html: a one-time
 *   schedule is `at(yyyy-mm-ddThh:mm:ss)` in `ScheduleExpressionTimezone` (UTC by default) and
 *   invokes its target once; "All schedule types ... invoke their targets with 60 second precision":
 *   at 1:00 means between 1:00:00 and 1:00:59 with the window OFF (here: a seeded second of that
 *   minute, never before the time).
 * - https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html: with
 *   `ActionAfterCompletion: DELETE` a one-time schedule is deleted once it has invoked its target.
 * - https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role:
 *   Scheduler assumes the target's execution role (its trust policy must admit
 *   `scheduler.amazonaws.com`; the confused-deputy keys are `aws:SourceAccount`, the schedule's
 *   account, and `aws:SourceArn`, its schedule group) and calls the target with the role's rights.
 * - https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html: "EventBridge
 *   Scheduler invokes your Lambda function asynchronously": the delivery succeeds once Lambda has
 *   queued the event; what the function does with it is Lambda's business.
 * - https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html: a
 *   delivery that still fails after the retry policy goes to the dead-letter queue, when there is
 *   one (recorded here; the simulation has no SQS).
 * Not modelled: rate() and cron() schedules, time zones other than UTC, StartDate / EndDate (ignored
 * for one-time schedules anyway), KMS keys, targets other than Lambda functions, the retry
 * intervals (documented only as "exponential backoff": here 1 minute doubling), schedule quotas,
 * and an `at()` in the past (its answer is not documented: the call is refused as unsupported).
 */
import { ConflictException, ResourceNotFoundException, ValidationException } from '@aws-sdk/client-scheduler';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { VirtualScheduler } from '../scheduler';
import type { IamDecision, IamRequest } from './iam';
import { SIM_ACCOUNT, SIM_REGION } from './lambda-service';

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

export interface ScheduleTarget {
  readonly Arn?: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  readonly DeadLetterConfig?: { Arn?: string };
}

export interface CreateScheduleInput {
  readonly Name?: string;
  readonly GroupName?: string;
  readonly ScheduleExpression?: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly Description?: string;
  readonly State?: string;
  readonly FlexibleTimeWindow?: { Mode?: string; MaximumWindowInMinutes?: number };
  readonly Target?: ScheduleTarget;
  readonly ActionAfterCompletion?: string;
}

/** A schedule as the service keeps it. */
export interface SimSchedule {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  readonly expression: string;
  /** When its at() falls, virtual epoch ms. */
  readonly at: number;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly target: Required<Pick<ScheduleTarget, 'Arn' | 'RoleArn'>> & ScheduleTarget;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  readonly createdAt: number;
  invokedAt?: number;
}

/** One delivery attempt of a schedule, for the report. */
export interface ScheduleDelivery {
  readonly schedule: string;
  readonly at: string;
  readonly attempt: number;
  readonly error?: string;
}

export interface SchedulerServiceOptions {
  readonly clock: VirtualClock;
  readonly scheduler: VirtualScheduler;
  readonly random: SeededRandom;
  /** Schedule groups that exist besides `default` (the template's AWS::Scheduler::ScheduleGroup). */
  readonly groups?: string[];
  /** Runs `fn` as a participant of the virtual time. */
  readonly participate: (name: string, fn: () => Promise<unknown>) => Promise<unknown>;
  /** May Scheduler assume the role? Without it every role is assumed (IAM not evaluated). */
  readonly assumeRole?: (roleArn: string, context: Record<string, string>) => Promise<IamDecision>;
  /** The role's own rights on the target. Without it every call is allowed. */
  readonly authorize?: (req: IamRequest) => Promise<IamDecision>;
  /** Lambda's asynchronous Invoke of the target: resolves once Lambda has queued the event, throws Lambda's error. */
  readonly invokeLambda: (functionArn: string, input: string) => Promise<void>;
}

export class SchedulerService {
  public readonly deliveries: ScheduleDelivery[] = [];
  /** Dead-letter events (the queue they went to and why). */
  public readonly deadLetters: Array<{ schedule: string; queue?: string; error: string }> = [];
  /** Every schedule ever created, deleted ones included (for the report). */
  public readonly created: SimSchedule[] = [];
  private readonly schedules = new Map<string, SimSchedule>();
  private readonly groups: Set<string>;

  constructor(private readonly options: SchedulerServiceOptions) {
    this.groups = new Set(['default', ...(options.groups ?? [])]);
  }

  /** Schedules that exist now. */
  public list(): SimSchedule[] {
    return [...this.schedules.values()];
  }

  public createSchedule(input: CreateScheduleInput): { ScheduleArn: string } {
    const name = this.name(input.Name, 'name');
    const groupName = input.GroupName === undefined ? 'default' : this.name(input.GroupName, 'groupName');
    if (!input.FlexibleTimeWindow) throw invalid('FlexibleTimeWindow is required');
    if (!input.Target) throw invalid('Target is required');
    if (!input.ScheduleExpression) throw invalid('ScheduleExpression is required');
    if (input.Description !== undefined && input.Description.length > 512) throw invalid(`Description must be at most 512 characters, got ${input.Description.length}`);
    const window = input.FlexibleTimeWindow;
    if (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE') throw invalid(`FlexibleTimeWindow.Mode must be OFF or FLEXIBLE, got '${window.Mode}'`);
    if (window.Mode === 'FLEXIBLE' && !between(window.MaximumWindowInMinutes, 1, 1440)) {
      throw invalid(`MaximumWindowInMinutes must be 1 to 1440 with a FLEXIBLE window, got ${window.MaximumWindowInMinutes}`);
    }
    const action = input.ActionAfterCompletion ?? 'NONE';
    if (action !== 'NONE' && action !== 'DELETE') throw invalid(`ActionAfterCompletion must be NONE or DELETE, got '${action}'`);
    const state = input.State ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid(`State must be ENABLED or DISABLED, got '${state}'`);
    const target = input.Target;
    if (!target.Arn) throw invalid('Target.Arn is required');
    if (!target.RoleArn || !ROLE_ARN.test(target.RoleArn)) throw invalid(`Target.RoleArn must be an iam role arn, got '${target.RoleArn}'`);
    const retry = target.RetryPolicy;
    if (retry?.MaximumRetryAttempts !== undefined && !between(retry.MaximumRetryAttempts, 0, 185)) {
      throw invalid(`MaximumRetryAttempts must be 0 to 185, got ${retry.MaximumRetryAttempts}`);
    }
    if (retry?.MaximumEventAgeInSeconds !== undefined && !between(retry.MaximumEventAgeInSeconds, 60, 86400)) {
      throw invalid(`MaximumEventAgeInSeconds must be 60 to 86400, got ${retry.MaximumEventAgeInSeconds}`);
    }
    if (target.DeadLetterConfig?.Arn !== undefined && !QUEUE_ARN.test(target.DeadLetterConfig.Arn)) throw invalid(`DeadLetterConfig.Arn must be an sqs queue arn, got '${target.DeadLetterConfig.Arn}'`);
    const at = this.atTime(input.ScheduleExpression, input.ScheduleExpressionTimezone);
    if (!this.groups.has(groupName)) throw new ResourceNotFoundException({ message: `Schedule group ${groupName} does not exist.`, Message: `Schedule group ${groupName} does not exist.`, $metadata: { httpStatusCode: 404 } });
    const key = `${groupName}/${name}`;
    if (this.schedules.has(key)) throw new ConflictException({ message: `Schedule ${name} already exists.`, Message: `Schedule ${name} already exists.`, $metadata: { httpStatusCode: 409 } });
    const schedule: SimSchedule = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${SIM_REGION}:${SIM_ACCOUNT}:schedule/${groupName}/${name}`,
      expression: input.ScheduleExpression,
      at,
      state,
      target: { ...target, Arn: target.Arn, RoleArn: target.RoleArn },
      actionAfterCompletion: action,
      createdAt: this.options.clock.now(),
    };
    this.schedules.set(key, schedule);
    this.created.push(schedule);
    if (state === 'ENABLED') {
      // Within the minute of its time (60-second precision), or anywhere in a flexible window.
      const spreadMs = window.Mode === 'FLEXIBLE' ? window.MaximumWindowInMinutes! * 60_000 : 60_000;
      const fireAt = at + Math.floor(this.options.random.next() * spreadMs);
      void this.options.participate(`schedule-${name}`, async () => {
        await this.options.scheduler.sleep(fireAt - this.options.clock.now());
        if (this.schedules.get(key) === schedule) await this.deliver(key, schedule);
      });
    }
    return { ScheduleArn: schedule.arn };
  }

  public getSchedule(input: { Name?: string; GroupName?: string }): Record<string, unknown> {
    const s = this.schedules.get(`${input.GroupName ?? 'default'}/${this.name(input.Name, 'name')}`);
    if (!s) throw new ResourceNotFoundException({ message: `Schedule ${input.Name} does not exist.`, Message: `Schedule ${input.Name} does not exist.`, $metadata: { httpStatusCode: 404 } });
    return {
      Arn: s.arn,
      Name: s.name,
      GroupName: s.groupName,
      ScheduleExpression: s.expression,
      State: s.state,
      Target: s.target,
      ActionAfterCompletion: s.actionAfterCompletion,
      CreationDate: new Date(s.createdAt),
    };
  }

  public deleteSchedule(input: { Name?: string; GroupName?: string }): Record<string, never> {
    const key = `${input.GroupName ?? 'default'}/${this.name(input.Name, 'name')}`;
    if (!this.schedules.delete(key)) throw new ResourceNotFoundException({ message: `Schedule ${input.Name} does not exist.`, Message: `Schedule ${input.Name} does not exist.`, $metadata: { httpStatusCode: 404 } });
    return {};
  }

  /** Assume the execution role, invoke the target, retry by the policy, then dead-letter; delete after completion. */
  private async deliver(key: string, s: SimSchedule): Promise<void> {
    const retries = s.target.RetryPolicy?.MaximumRetryAttempts ?? 185;
    const maxAgeMs = (s.target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86400) * 1000;
    const firstAt = this.options.clock.now();
    let lastError = '';
    for (let attempt = 1; attempt <= 1 + retries; attempt++) {
      if (attempt > 1) {
        const wait = Math.min(60_000 * 2 ** (attempt - 2), 3_600_000);
        if (this.options.clock.now() + wait - firstAt > maxAgeMs) break;
        await this.options.scheduler.sleep(wait);
      }
      try {
        await this.invokeOnce(s);
        this.deliveries.push({ schedule: s.name, at: new Date(this.options.clock.now()).toISOString(), attempt });
        s.invokedAt = this.options.clock.now();
        if (s.actionAfterCompletion === 'DELETE') this.schedules.delete(key);
        return;
      } catch (err) {
        lastError = `${(err as Error).name}: ${(err as Error).message}`;
        this.deliveries.push({ schedule: s.name, at: new Date(this.options.clock.now()).toISOString(), attempt, error: lastError.slice(0, 300) });
      }
    }
    this.deadLetters.push({ schedule: s.name, queue: s.target.DeadLetterConfig?.Arn, error: lastError });
    if (s.actionAfterCompletion === 'DELETE') this.schedules.delete(key);
  }

  private async invokeOnce(s: SimSchedule): Promise<void> {
    const context = {
      'aws:SourceAccount': SIM_ACCOUNT,
      'aws:SourceArn': `arn:aws:scheduler:${SIM_REGION}:${SIM_ACCOUNT}:schedule-group/${s.groupName}`,
    };
    const assumed = await this.options.assumeRole?.(s.target.RoleArn, context);
    if (assumed && !assumed.allowed) throw named('AccessDeniedException', `scheduler.amazonaws.com could not assume ${s.target.RoleArn} ${assumed.explanation ?? ''}`);
    if (!/^arn:aws[a-z-]*:lambda:/.test(s.target.Arn)) throw named('UnsupportedOperationError', `the simulation invokes lambda targets only, got ${s.target.Arn}`);
    const allowed = await this.options.authorize?.({ principalArn: s.target.RoleArn, action: 'lambda:InvokeFunction', resource: s.target.Arn });
    if (allowed && !allowed.allowed) throw named('AccessDeniedException', `${s.target.RoleArn} is not authorized to perform: lambda:InvokeFunction on resource: ${s.target.Arn} ${allowed.explanation ?? ''}`);
    await this.options.invokeLambda(s.target.Arn, s.target.Input ?? '{}');
  }

  /** The virtual time an `at()` expression names. */
  private atTime(expression: string, timezone: string | undefined): number {
    if (timezone !== undefined && timezone !== 'UTC') throw new UnsupportedScheduleError(`the simulation evaluates schedules in UTC only, got time zone '${timezone}'`);
    if (/^(rate|cron)\(/.test(expression)) throw new UnsupportedScheduleError(`the simulation models one-time at() schedules only, got '${expression}'`);
    const m = AT.exec(expression);
    if (!m) throw invalid(`Invalid Schedule Expression ${expression}.`);
    const at = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    const check = new Date(at).toISOString().slice(0, 19);
    if (check !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`) throw invalid(`Invalid Schedule Expression ${expression}.`);
    if (at <= this.options.clock.now()) {
      throw new UnsupportedScheduleError(`at() names a time that has passed (${expression} at ${new Date(this.options.clock.now()).toISOString()}): what Scheduler answers is not documented`);
    }
    return at;
  }

  private name(value: string | undefined, field: string): string {
    if (value === undefined || !NAME.test(value)) throw invalid(`${field} must be 1 to 64 of 0-9 a-z A-Z - _ ., got '${value}'`);
    return value;
  }
}

/** What the simulation does not model (never answered as if AWS accepted it). */
export class UnsupportedScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}

/** A whole number in [min, max]. */
function between(value: number | undefined, min: number, max: number): boolean {
  return Number.isInteger(value) && value! >= min && value! <= max;
}

function invalid(message: string): ValidationException {
  return new ValidationException({ message, Message: message, $metadata: { httpStatusCode: 400 } });
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
