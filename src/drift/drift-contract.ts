/**
 * The contract of drift detection: the CloudTrail events the rule routes, the handler, its
 * environment and the records it writes. Pure types and constants (no AWS SDK, no CDK), shared by
 * the construct and the handler. Not exported from src/index.ts.
 *
 * A drift is a change of a function's configuration (a deploy, a console edit, a script) that
 * sets its memory below the size the last verified repair established: the next deploy from
 * unchanged infrastructure code silently undoes a fix.
 */

/**
 * The CloudTrail management events that change a function's memory, as EventBridge receives them
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-lambda.html: source `aws.lambda`,
 * detail-type `AWS API Call via CloudTrail`, `detail.eventSource` `lambda.amazonaws.com`). Lambda
 * names its CloudTrail events after the API version: `UpdateFunctionConfiguration20150331v2`.
 * A CloudFormation stack update that changes `MemorySize` calls the same API, so it arrives the
 * same way. EventBridge receives these only where a CloudTrail trail logs management events
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html: "To record events
 * with a detail-type value of AWS API Call via CloudTrail, a CloudTrail trail with logging
 * enabled is required").
 */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const LAMBDA_EVENT_SOURCE = 'lambda.amazonaws.com';
export const MEMORY_CHANGE_EVENT_NAMES: readonly string[] = ['UpdateFunctionConfiguration20150331v2'];

/** The EventBridge pattern of the drift rule. */
export const DRIFT_EVENT_PATTERN = {
  'source': ['aws.lambda'],
  'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
  'detail': {
    eventSource: [LAMBDA_EVENT_SOURCE],
    eventName: [...MEMORY_CHANGE_EVENT_NAMES],
  },
} as const;

/** Environment of the drift handler (names shared with the workflow's where they mean the same). */
export const DRIFT_ENV = {
  TABLE_NAME: 'TABLE_NAME',
  TOPIC_ARN: 'TOPIC_ARN',
} as const;

/** The drift handler. */
export const DRIFT_HANDLER = {
  id: 'drift',
  entry: 'src/drift/drift.lambda.ts',
  description: 'Drift detection: a configuration change (CloudTrail UpdateFunctionConfiguration, or an AWS Config evaluation) that sets a function below its last verified repair is recorded and notified with the infrastructure-code change.',
  timeoutSeconds: 60,
  memorySizeMb: 256,
} as const;

/** `detail-type` of the drift event put on the bus (`source` `lambda-auto-remediation`; detail: {@link DriftEventDetail}). */
export const DRIFT_EVENT_DETAIL_TYPE = 'Lambda Remediation Drift';

/** Detail of the drift event. */
export interface DriftEventDetail {
  readonly functionName: string;
  readonly memorySizeMb: number;
  readonly verifiedMemoryMb: number;
  readonly verifiedRepairId: string;
  readonly changedAt: string;
  readonly changedBy?: string;
  readonly iacChange: string;
  readonly eventId: string;
}

/** `type` of the drift notification (also its `outcome` message attribute, for subscription filters). */
export const DRIFT_NOTIFICATION_TYPE = 'DRIFT';

/** Sort-key prefix of drift records under `pk = FUNCTION#<name>`. */
export const DRIFT_SORT_KEY_PREFIX = 'DRIFT#';

/** Key of the drift record of one CloudTrail event (its `eventID` makes a redelivery a no-op). */
export function driftKey(functionName: string, eventTime: string, eventId: string): { pk: string; sk: string } {
  return { pk: `FUNCTION#${functionName}`, sk: `${DRIFT_SORT_KEY_PREFIX}${eventTime}#${eventId}` };
}

/** The repair a drift undoes: the last one whose verification succeeded. */
export interface VerifiedRepair {
  readonly repairId: string;
  readonly executionId: string;
  readonly memoryMb: number;
  /** When the repair ended (its record's `endTime`). */
  readonly verifiedAt: string;
}

/** Who changed the configuration, as CloudTrail tells it. */
export interface ChangeActor {
  /** `userIdentity.arn` (an assumed-role session, a user), when present. */
  readonly arn?: string;
  /** `userIdentity.invokedBy`: the AWS service that made the call (`cloudformation.amazonaws.com`). */
  readonly invokedBy?: string;
  /** `userAgent` (set by the caller: untrusted text). */
  readonly userAgent?: string;
}

/** The drift record (one per configuration change that set a function below its verified size). */
export interface DriftRecord {
  readonly functionName: string;
  readonly detectedAt: string;
  /** When the change was made (`eventTime`). */
  readonly changedAt: string;
  /** CloudTrail `eventID`, or the Config result token's evaluation for a Config-found drift. */
  readonly eventId: string;
  readonly source: 'cloudtrail' | 'config';
  readonly memorySizeMb: number;
  readonly verifiedMemoryMb: number;
  readonly verifiedRepairId: string;
  readonly changedBy?: ChangeActor;
  /** The infrastructure-code change that keeps the verified size, e.g. `memorySize: 768`. */
  readonly iacChange: string;
  /** `SENT`, or `FAILED: <why>` (the record stays the evidence either way). */
  readonly notificationStatus: string;
}

/** What the handler did with one event. */
export interface DriftOutput {
  /** `DRIFT` (recorded, notified), `IN_LINE` (at or above the verified size), `IGNORED` (not a memory change, no verified repair, failed call). */
  readonly status: 'DRIFT' | 'IN_LINE' | 'IGNORED';
  readonly reason: string;
  readonly functionName?: string;
  /** True when this event was seen before (EventBridge delivers at least once): nothing sent again. */
  readonly duplicate?: boolean;
  /** Config evaluations reported, when the handler ran for an AWS Config rule. */
  readonly evaluations?: number;
}
