/**
 * The contract of the Lambda coordinator (`Workflow.lambdaCoordinator()`): what the construct sets
 * in its environment, what starts a run, how a run is named and checkpointed. Pure types and
 * constants (no AWS SDK, no CDK), shared by the construct, the coordinator, the cleanup handler and
 * the simulation. The story itself is in `coordinator.ts`.
 */
import { createHash } from 'crypto';
import { ENV } from './contract';
import type { HandlerId, WorkflowState } from './contract';

/** Environment variables of the coordinator function (names in the contract's ENV). */
export const COORDINATOR_ENV = {
  /** JSON object: handler id -> function ARN of the handlers the coordinator invokes. */
  HANDLERS: ENV.COORDINATOR_HANDLERS,
  /** EventBridge Scheduler schedule group of the verification schedules. */
  SCHEDULE_GROUP: ENV.COORDINATOR_SCHEDULE_GROUP,
  /** Role EventBridge Scheduler assumes to invoke the coordinator. */
  SCHEDULER_ROLE_ARN: ENV.COORDINATOR_SCHEDULER_ROLE_ARN,
  /** Dead-letter queue of the schedules (events Scheduler could not deliver). */
  SCHEDULE_DLQ_ARN: ENV.COORDINATOR_SCHEDULE_DLQ_ARN,
} as const;

/** The handlers the coordinator invokes, in the order of the story. */
export const COORDINATOR_HANDLERS: readonly HandlerId[] = ['normalize', 'collect', 'diagnose', 'repair', 'verify', 'rollback', 'finalize'];

/** `source` of the coordinator's own wake-up input (the verification schedule). */
export const COORDINATOR_WAKE_SOURCE = 'lambda-auto-remediation.coordinator';

/** The wake-up that ends a follow-up's wait before normalize (the verification's are `VERIFY-<n>`). */
export const COORDINATOR_FOLLOW_UP_WAKE = 'FOLLOW-UP';

/** Field of an input that names the run (starts by normalize and finalize: fan-out, re-examination, follow-up). */
export const COORDINATOR_RUN_NAME_FIELD = 'coordinatorRunName';

/** What a verification schedule delivers: which run to wake, and for which wait. */
export interface CoordinatorWake {
  readonly source: typeof COORDINATOR_WAKE_SOURCE;
  readonly executionId: string;
  /** The wait this wake-up ends (`FOLLOW-UP`, `VERIFY-1`, `VERIFY-2`): a stale or repeated one is ignored. */
  readonly wake: string;
}

/** The run's checkpoint: the state as far as it got, and what it waits for. */
export interface CoordinatorCheckpoint {
  readonly executionId: string;
  readonly state: WorkflowState;
  /** The wake-up the run waits for, if it is waiting. */
  readonly awaiting?: string;
  /** When the wait ends (ISO), for operators. */
  readonly awaitingUntil?: string;
  /** The wake-up that resumed the run last: Lambda's retry of it resumes the run again. */
  readonly resumedBy?: string;
  /** Finalize has run: the run is over. */
  readonly done: boolean;
}

/** Key of a run's checkpoint. */
export function coordinatorCheckpointKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'COORDINATOR' };
}

/** Is this input a wake-up of the coordinator? */
export function isCoordinatorWake(input: unknown): input is CoordinatorWake {
  const i = input as Partial<CoordinatorWake> | undefined;
  return !!i && i.source === COORDINATOR_WAKE_SOURCE && typeof i.executionId === 'string' && typeof i.wake === 'string';
}

/**
 * The run's execution id: the coordinator's ARN, `:run:` and a name fixed by the input, so every
 * delivery of the same event (EventBridge delivers at least once; Lambda retries an asynchronous
 * invocation twice) is the same run and resumes its checkpoint. The name is the one the starter
 * gave (`coordinatorRunName`), else a hash of the EventBridge event id, else of the input.
 */
export function coordinatorExecutionId(functionArn: string, input: unknown): string {
  if (isCoordinatorWake(input)) return input.executionId;
  // arn:aws:lambda:region:account:function:name[:qualifier]: the run belongs to the function.
  const unqualified = functionArn.split(':').slice(0, 7).join(':');
  const i = (input ?? {}) as Record<string, unknown>;
  const given = typeof i[COORDINATOR_RUN_NAME_FIELD] === 'string' ? String(i[COORDINATOR_RUN_NAME_FIELD]) : undefined;
  const name = given ?? `event-${createHash('sha256').update(typeof i.id === 'string' ? `id:${i.id}` : `input:${JSON.stringify(input)}`).digest('hex').slice(0, 40)}`;
  return `${unqualified}:run:${name}`;
}

/**
 * A schedule name (1-64 of `0-9a-zA-Z-_.`, https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html),
 * fixed by the run and the wait, so a retried step creates it once (ConflictException after).
 */
export function verificationScheduleName(executionId: string, wake: string): string {
  return `lar-${createHash('sha256').update(executionId).digest('hex').slice(0, 40)}-${wake}`.slice(0, 64);
}

/**
 * An `at()` expression for a one-time schedule, `at(yyyy-mm-ddThh:mm:ss)` in UTC
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time), rounded
 * up to the next whole second so the schedule never fires before the wait is over.
 */
export function atExpression(when: Date): string {
  const t = new Date(Math.ceil(when.getTime() / 1000) * 1000);
  return `at(${t.toISOString().slice(0, 19)})`;
}

/**
 * The asynchronous-invocation record Lambda sends to an on-failure destination once it has given
 * up on an event (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
export interface AsyncFailureRecord {
  readonly requestContext: {
    readonly requestId?: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount?: number;
  };
  readonly requestPayload: unknown;
  readonly responsePayload?: unknown;
}

/** Is this input an on-failure record of the coordinator's asynchronous invocation? */
export function isAsyncFailureRecord(input: unknown): input is AsyncFailureRecord {
  const i = input as Partial<AsyncFailureRecord> | undefined;
  return !!i && typeof i.requestContext?.functionArn === 'string' && 'requestPayload' in i;
}
