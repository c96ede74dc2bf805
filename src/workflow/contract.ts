/**
 * The contract between the remediation state machine (built by the workflow construct) and the
 * Lambda handlers it invokes. Pure types and constants: no AWS SDK, no Powertools, no CDK import,
 * so both the construct code and the handler bundles can depend on it.
 *
 * How the state machine uses it:
 * - The execution input is the raw EventBridge "CloudWatch Alarm State Change" event. A first
 *   `Pass` state turns it into the initial {@link WorkflowState}:
 *   `{ "executionId.$": "$$.Execution.Id", "startedAt.$": "$$.Execution.StartTime",
 *   "stateMachineArn.$": "$$.StateMachine.Id", "event.$": "$" }`. Besides alarm events the
 *   workflow starts itself with {@link ContributorDetail} and {@link ReexamineDetail} inputs.
 * - An execution that fails, times out or is aborted triggers the `cleanup` handler through the
 *   `Step Functions Execution Status Change` event: it releases a lock the execution still holds.
 * - Every step is one `LambdaInvoke` with `payloadResponseOnly: true`. Its payload is the whole
 *   state (`$`, the default) unless {@link HandlerSpec.payload} says otherwise, and its output goes
 *   to {@link HandlerSpec.resultPath}. So the state only grows; no handler rewrites another's field.
 * - Choice states branch on plain string fields: `$.alarm.status`, `$.diagnosis.action`,
 *   `$.approval.approved`, `$.repair.status`, `$.verification.next`, `$.rollback.status`.
 * - Every task has `Catch: States.ALL -> resultPath $.error -> Finalize`. Finalize works out the
 *   outcome from whatever fields exist, notifies, writes the records and releases the lock.
 *   Retry uses {@link TRANSIENT_ERROR_NAMES}; {@link FATAL_ERROR_NAMES} must not be retried.
 * - Large evidence (log lines, metric series) is stored in the DynamoDB table under
 *   {@link evidenceKey} and only referenced from the state, which keeps the state far below the
 *   256 KB Step Functions payload limit.
 *
 *
 * The flow (state names are the construct's choice):
 * ```
 * Init(Pass) -> Normalize -> Choice $.alarm.status == ACCEPTED ? Collect : Finalize
 * Collect -> Diagnose -> Choice $.diagnosis.action
 *   REPAIR           -> Repair
 *   REQUEST_APPROVAL -> RequestApproval (.waitForTaskToken, TimeoutSeconds = approval timeout)
 *                       -> Choice $.approval.approved == true ? Repair : Finalize
 *   otherwise        -> Finalize
 * Repair -> Choice $.repair.status == SUCCEEDED ? Wait(SecondsPath $.repair.verifyAfterSeconds) : Finalize
 * Verify -> Choice $.verification.next
 *   EXTEND   -> Wait(SecondsPath $.verification.extendSeconds) -> Verify
 *   ROLLBACK -> Rollback -> Finalize
 *   DONE     -> Finalize
 * Finalize -> Succeed  (or Fail when $.outcome.outcome == FAILED, at the construct's choice)
 * ```
 * A Catch of `States.Timeout` on RequestApproval leads to APPROVAL_TIMED_OUT, `ApprovalRejected`
 * to REJECTED; Finalize reads both from `$.error.Error`.
 *
 * Not exported from `src/index.ts` (it uses unions and exported constants, which jsii rejects).
 */

import type {
  AlarmEvent,
  DiagnosisResult,
  DiagnosisSource,
  FunctionConfigSummary,
  MetricsComparison,
  RepairResult,
} from '../core/model';
import { functionKey } from '../runtime/target-account';

// ---------------------------------------------------------------------------------------------
// Environment variables shared by the constructs (which set them) and the handlers (which read them)
// ---------------------------------------------------------------------------------------------

/**
 * Environment variable names. The constructs set them, the handlers check the ones they need at
 * start (see {@link HandlerSpec.requiredEnv}) and fail with a message naming the missing one.
 * Lambda limits all variables of a function to 4 KB together: keep lists short and prefer
 * `MANAGED_FUNCTIONS=*` for large fleets (the EventBridge rule and the IAM policy already limit
 * the workflow to the managed functions).
 */
export const ENV = {
  /** DynamoDB table holding locks, evidence, diagnosis / repair / audit records. */
  TABLE_NAME: 'TABLE_NAME',
  /** SNS topic ARN for notifications and approval requests. */
  TOPIC_ARN: 'TOPIC_ARN',
  /** EventBridge bus for result events. @default 'default' */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /**
   * Functions under management: comma-separated function names; `*` for "any function an
   * alarm routed to this workflow names" (the rule and IAM scope it); or `tag:<key>=<value>`:
   * a function is managed when `lambda:ListTags` shows that tag with exactly that value.
   * Required by normalize.
   */
  MANAGED_FUNCTIONS: 'MANAGED_FUNCTIONS',
  /** Optional alarm-name prefix; when set, normalize ignores alarms whose name lacks it. */
  ALARM_NAME_PREFIX: 'ALARM_NAME_PREFIX',
  /**
   * Name prefix of the memory log alarms (`<alarmNamePrefix>-mem-`). Normalize learns which
   * functions such an alarm is alarming for from `DescribeAlarmContributors`, whatever its
   * event carried (AWS documents no EventBridge event for log alarms). @default - none: only
   * alarms `DescribeAlarms` reports as log alarms take that path
   */
  LOG_ALARM_NAME_PREFIX: 'LOG_ALARM_NAME_PREFIX',
  /**
   * JSON list of `["<log group>", "<function name>"]` pairs for functions whose log group is not
   * `/aws/lambda/<name>` (a custom `LoggingConfig.LogGroup`): maps a log alarm contributor's
   * `logGroup` attribute to its function. @default '[]'
   */
  LOG_GROUP_FUNCTIONS: 'LOG_GROUP_FUNCTIONS',
  /**
   * JSON of {@link RemediationPolicyConfig}, as the construct writes it. Required wherever the
   * policy is read, with `maxMemoryMb` and `maxStepMb`: a handler without it fails closed
   * (ConfigurationError) instead of acting under defaults nobody chose.
   */
  POLICY: 'REMEDIATION_POLICY',
  /** `true` makes every repair a dry run (records only, changes nothing). @default 'false' */
  DRY_RUN: 'DRY_RUN',
  /** Lock time-to-live in seconds; set it to at least the state machine timeout. @default 21600 */
  LOCK_TTL_SECONDS: 'LOCK_TTL_SECONDS',
  /** How far before the alarm the collector looks, seconds. @default 1800 */
  COLLECTION_WINDOW_SECONDS: 'COLLECTION_WINDOW_SECONDS',
  /** Most log events the collector keeps. @default 500 */
  MAX_LOG_EVENTS: 'MAX_LOG_EVENTS',
  /** Most bytes of log text the collector keeps (the evidence item must stay < 400 KB). @default 131072 */
  MAX_LOG_BYTES: 'MAX_LOG_BYTES',
  /** Bedrock model id or inference profile id for the Converse API; unset = rules only. */
  BEDROCK_MODEL_ID: 'BEDROCK_MODEL_ID',
  /** Bedrock knowledge base id for `Retrieve`; unset = no retrieval. */
  KNOWLEDGE_BASE_ID: 'KNOWLEDGE_BASE_ID',
  /**
   * The knowledge-base bucket of the case history (`RemediationKnowledgeBase`): finalize writes a
   * case document under `KNOWLEDGE_CASES_PREFIX` for every diagnosed incident and diagnose reads
   * the function's cases from there. Unset = the case history is the records table.
   */
  CASES_BUCKET: 'KNOWLEDGE_CASES_BUCKET',
  /** Key prefix of the case documents. @default 'cases/' */
  CASES_PREFIX: 'KNOWLEDGE_CASES_PREFIX',
  /** The knowledge base's data source over the cases: finalize starts its ingestion after a new case. */
  CASES_DATA_SOURCE_ID: 'KNOWLEDGE_CASES_DATA_SOURCE_ID',
  /** Bedrock agent id; with AGENT_ALIAS_ID the diagnosis uses `InvokeAgent` instead of Converse. */
  AGENT_ID: 'AGENT_ID',
  /** Bedrock agent alias id. */
  AGENT_ALIAS_ID: 'AGENT_ALIAS_ID',
  /**
   * Milliseconds before a model call is abandoned and the rules decide. Same name as the
   * knowledge module's `LIMIT_ENV.modelTimeoutMs`; the other Bedrock limits (tokens, passages,
   * daily call budget) are the `BEDROCK_*` names of `src/knowledge/limits.ts` `LIMIT_ENV`.
   * @default 20000
   */
  BEDROCK_TIMEOUT_MS: 'BEDROCK_MODEL_TIMEOUT_MS',
  /**
   * JSON list of the custom analyzers' function ARNs, in the order their answers are merged.
   * @default - no custom analyzer
   */
  ANALYZER_FUNCTIONS: 'ANALYZER_FUNCTIONS',
  /** Milliseconds one custom analyzer may take before its answer is ignored. @default 10000 */
  ANALYZER_TIMEOUT_MS: 'ANALYZER_TIMEOUT_MS',
  /** Most output tokens per model call (= `LIMIT_ENV.maxOutputTokensPerCall`). @default 1024 */
  MODEL_MAX_TOKENS: 'BEDROCK_MAX_OUTPUT_TOKENS',
  /** Coordinator: JSON object of handler id -> function ARN it invokes (coordinator-contract.ts). */
  COORDINATOR_HANDLERS: 'COORDINATOR_HANDLERS',
  /** Coordinator: the EventBridge Scheduler group of its verification schedules. */
  COORDINATOR_SCHEDULE_GROUP: 'COORDINATOR_SCHEDULE_GROUP',
  /** Coordinator: the role EventBridge Scheduler assumes to invoke it. */
  COORDINATOR_SCHEDULER_ROLE_ARN: 'COORDINATOR_SCHEDULER_ROLE_ARN',
  /** Coordinator: the dead-letter queue of its schedules. @default - none */
  COORDINATOR_SCHEDULE_DLQ_ARN: 'COORDINATOR_SCHEDULE_DLQ_ARN',
  /** Powertools service name (read by Powertools itself). */
  POWERTOOLS_SERVICE_NAME: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools metrics namespace (read by Powertools itself). @default {@link METRICS_NAMESPACE} */
  POWERTOOLS_METRICS_NAMESPACE: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** An environment variable name from {@link ENV}. */
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Default CloudWatch namespace of the handlers' own metrics. */
export const METRICS_NAMESPACE = 'LambdaAutoRemediation';
/** `source` of the result events put on EventBridge. */
export const RESULT_EVENT_SOURCE = 'lambda-auto-remediation';
/** `detail-type` of the result events put on EventBridge (detail: {@link ResultEventDetail}). */
export const RESULT_EVENT_DETAIL_TYPE = 'Lambda Remediation Result';

/** How approval is required. */
export type ApprovalMode = 'NONE' | 'ALL' | 'SELECTED';

/** Per-function overrides of the policy (from `addFunction(fn, options)`). */
export interface FunctionPolicyOverride {
  readonly maxMemoryMb?: number;
  readonly maxStepMb?: number;
  readonly minConfidence?: number;
  readonly requireApproval?: boolean;
  readonly dryRun?: boolean;
  readonly cooldownSeconds?: number;
  readonly maxRepairsPerDay?: number;
  /**
   * Aliases configured with `addFunction(fn, { alias })`: a repair of an alarm on one of these
   * publishes a version and moves the alias; an alarm on any other qualifier is refused.
   */
  readonly aliases?: string[];
}

/**
 * The guardrails as the handlers read them from `REMEDIATION_POLICY` (JSON). The first six map
 * onto the core's `PolicySettings`; the rest are workflow guardrails. Defaults in
 * {@link DEFAULT_WORKFLOW_POLICY}.
 */
export interface RemediationPolicyConfig {
  readonly maxMemoryMb?: number;
  readonly maxStepMb?: number;
  readonly minStepMb?: number;
  readonly oomStepFactor?: number;
  readonly headroomFraction?: number;
  readonly minConfidence?: number;
  /** No new repair of a function within this many seconds after its last one. */
  readonly cooldownSeconds?: number;
  /** Repairs per function per UTC day. */
  readonly maxRepairsPerDay?: number;
  /** Roll back to the original size when verification fails. */
  readonly rollbackOnFailedVerification?: boolean;
  /** Raise memory for CPU-starved functions (one step, at most one vCPU). @default false */
  readonly raiseMemoryForCpu?: boolean;
  readonly approvalMode?: ApprovalMode;
  /** Functions needing approval when `approvalMode` is `SELECTED`. */
  readonly approvalFunctions?: string[];
  /** Functions never to touch (normalize ignores their alarms). */
  readonly excludedFunctions?: string[];
  /** Seconds between the repair and its verification (the Wait state uses `$.repair.verifyAfterSeconds`). */
  readonly verificationWindowSeconds?: number;
  /** Fewer invocations than this after the repair make the verification INCONCLUSIVE. */
  readonly verificationMinInvocations?: number;
  /**
   * Seconds between follow-ups: after a HUMAN_REVIEW, NO_ACTION or CANNOT_INCREASE outcome the
   * workflow looks at the function again this long after, as long as its alarm stays in ALARM.
   */
  readonly followUpSeconds?: number;
  /** Follow-ups after one outcome at most (0: none). */
  readonly followUpMaxRounds?: number;
  /** Overrides keyed by function name. */
  readonly functionOverrides?: Record<string, FunctionPolicyOverride>;
  /** How repairs change the memory. @default - `{ kind: 'RAISE_MEMORY' }` (absent from the default stack's JSON) */
  readonly repairStrategy?: RepairStrategyConfig;
  /** Per-environment guardrails and strategy, first match wins (absent when none is configured). */
  readonly environments?: EnvironmentConfig[];
}

/** One environment as the handlers read it (`RemediationEnvironment`). */
export interface EnvironmentConfig {
  readonly name: string;
  /** Glob over the function name (`*` any run, `?` one character), matched at run time. */
  readonly namePattern?: string;
  /** The managed functions whose tags matched at synthesis (for a tag match). */
  readonly functions?: string[];
  /** The environment's guardrails; a per-function override still wins over them. */
  readonly override?: FunctionPolicyOverride & { readonly rollbackOnFailedVerification?: boolean };
  readonly repairStrategy?: RepairStrategyConfig;
}

/** `RepairStrategy` as the handlers read it. */
export interface RepairStrategyConfig {
  readonly kind: 'RAISE_MEMORY' | 'PROGRESSIVE' | 'CUSTOM';
  /** CUSTOM: the ARN of the user's function that makes the change. */
  readonly functionArn?: string;
  /** CUSTOM: how long to wait for its answer, ms. */
  readonly timeoutMs?: number;
  /** PROGRESSIVE: the canary's share of the alias's traffic, 0.01..0.5 (AliasRoutingConfiguration weight). */
  readonly canaryWeight?: number;
  /** PROGRESSIVE: seconds the canary bakes before the side-by-side comparison. */
  readonly bakeTimeSeconds?: number;
}

/** Defaults of the workflow guardrails not covered by the core's `DEFAULT_POLICY`. */
export const DEFAULT_WORKFLOW_POLICY = {
  cooldownSeconds: 1800,
  maxRepairsPerDay: 3,
  rollbackOnFailedVerification: true,
  approvalMode: 'NONE' as ApprovalMode,
  verificationWindowSeconds: 600,
  verificationMinInvocations: 5,
  followUpSeconds: 1800,
  followUpMaxRounds: 12,
  lockTtlSeconds: 21600,
  collectionWindowSeconds: 1800,
  maxLogEvents: 500,
  maxLogBytes: 131072,
  bedrockTimeoutMs: 20000,
  modelMaxTokens: 1024,
  analyzerTimeoutMs: 10000,
} as const;

// ---------------------------------------------------------------------------------------------
// Guardrail limits (issue 10): what the construct accepts at synthesis and the handlers at run time
// ---------------------------------------------------------------------------------------------

/**
 * The construct's documented size defaults. Handlers never fall back to them (a missing
 * `REMEDIATION_POLICY` is a ConfigurationError); the read-only CLI uses them when no policy is given.
 */
export const POLICY_SIZE_DEFAULTS = { maxMemoryMb: 3008, maxStepMb: 1024, minConfidence: 0.7 } as const;

/**
 * Shortest cooldown, seconds. With none, an alarm still in ALARM when an execution ends starts
 * the next repair as soon as the lock is released, on evidence measured before the last one.
 */
export const MIN_COOLDOWN_SECONDS = 60;

/** Shortest time between follow-ups, seconds: an alarm evaluates every minute, a person needs longer. */
export const MIN_FOLLOW_UP_SECONDS = 300;
/** Longest time between follow-ups, seconds (a day). */
export const MAX_FOLLOW_UP_SECONDS = 86400;
/** Most follow-ups after one outcome (a day at 30 minutes). */
export const MAX_FOLLOW_UP_ROUNDS = 48;

/**
 * Most repairs per function per UTC day. At least 1: a budget of 0 would end every alarm as
 * DAILY_BUDGET_EXHAUSTED (use `dryRun` or `excludedFunctions` to stop repairs).
 */
export const MAX_REPAIRS_PER_DAY_LIMIT = 24;

// ---------------------------------------------------------------------------------------------
// DynamoDB table layout (single table)
// ---------------------------------------------------------------------------------------------

/** Partition key attribute (string). */
export const TABLE_PARTITION_KEY = 'pk';
/** Sort key attribute (string). */
export const TABLE_SORT_KEY = 'sk';
/** TTL attribute (epoch seconds): locks and evidence expire by themselves. */
export const TABLE_TTL_ATTRIBUTE = 'expiresAt';

/**
 * Partition key of a function's records: `FUNCTION#<name>`, or `FUNCTION#<account>/<region>/<name>`
 * for a spoke's function on a hub (runtime/target-account.ts), so two spokes' `orders` never share
 * a lock, a cooldown or a history.
 */
export function functionPk(functionName: string): string {
  return `FUNCTION#${functionKey(functionName)}`;
}
/** Key of the per-function lock item. */
export function lockKey(functionName: string): { pk: string; sk: string } {
  return { pk: `LOCK#${functionKey(functionName)}`, sk: 'LOCK' };
}
/** Key of the per-function guardrail state (last repair time, repairs per day). */
export function functionStateKey(functionName: string): { pk: string; sk: string } {
  return { pk: functionPk(functionName), sk: 'STATE' };
}
/**
 * Key of the function's follow-up marker: the name of the one follow-up execution that may look
 * at the function next (an execution that ran a diagnosis sets it, or clears it when it schedules
 * none), so alarms that each end in review never run parallel chains of follow-ups.
 */
export function followUpMarkerKey(functionName: string): { pk: string; sk: string } {
  return { pk: functionPk(functionName), sk: 'FOLLOW_UP' };
}
/** Key of the evidence (the full diagnosis request) of one execution. */
export function evidenceKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'EVIDENCE' };
}
/**
 * Key of the intake record of one execution: which function's lock it took (written before the
 * lock, so whoever cleans up after the execution can find the lock from the execution id alone).
 */
export function executionIntakeKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'INTAKE' };
}
/** Key of the cleanup record of one execution (the cleanup handler's idempotency marker). */
export function executionCleanupKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'CLEANUP' };
}
/**
 * Attribute of the lock item holding the alarms that arrived while it was held (a DynamoDB
 * string set of JSON {@link PendingAlarm}s: only ever added to, so its size tells whether it changed).
 */
export const LOCK_PENDING_ATTRIBUTE = 'pendingAlarms';
// ---------------------------------------------------------------------------------------------
// Idempotency records (issue 10): what a retried step needs to recognise its own earlier work
// ---------------------------------------------------------------------------------------------

/** The steps that record an intent before they change a function. */
export type IntentKind = 'REPAIR' | 'ROLLBACK';

/** Key of one execution's repair or rollback intent. */
export function intentKey(kind: IntentKind, executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: `${kind}_INTENT` };
}

/** Key of one execution's notification marker (finalize publishes once per execution). */
export function notificationMarkerKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'NOTIFICATION' };
}

/**
 * Written by repair before `UpdateFunctionConfiguration`: a retry of the same execution finds
 * it and recognises the change as its own (target size on a revision newer than `fromRevisionId`).
 */
export interface RepairIntent {
  readonly executionId: string;
  readonly functionName: string;
  readonly repairId: string;
  readonly startedAt: string;
  readonly fromMb: number;
  readonly toMb: number;
  /** `$LATEST`'s RevisionId the update is conditional on. */
  readonly fromRevisionId?: string;
  /** Set when the repair moves an alias: where it pointed and what that version ran. */
  readonly alias?: {
    readonly name: string;
    readonly versionBefore: string;
    readonly aliasRevisionBefore?: string;
    readonly codeSha256?: string;
    /**
     * Progressive strategy: the share (0..1) of the alias's traffic the published version gets;
     * the alias keeps pointing at `versionBefore` until the canary is promoted.
     */
    readonly canaryWeight?: number;
  };
  /** `$LATEST`'s RevisionId once the update completed. */
  readonly appliedRevisionId?: string;
  /** The version published for the alias. */
  readonly publishedVersion?: string;
}

/** Written by rollback before it restores the size (same purpose as {@link RepairIntent}). */
export interface RollbackIntent {
  readonly executionId: string;
  readonly functionName: string;
  readonly startedAt: string;
  readonly fromMb: number;
  readonly toMb: number;
  readonly fromRevisionId?: string;
}

/** Sort key prefixes of the records stored under `pk = FUNCTION#<name>`. */
export const RECORD_SORT_KEY_PREFIX = {
  DIAGNOSIS: 'DIAGNOSIS#',
  REPAIR: 'REPAIR#',
  AUDIT: 'AUDIT#',
} as const;

// ---------------------------------------------------------------------------------------------
// Named errors (the `name` of the error a handler throws is the `Error` Step Functions matches)
// ---------------------------------------------------------------------------------------------

/** Error names thrown by the handlers. */
export const ERROR_NAMES = {
  /** An AWS API throttled us after the SDK's own retries. Transient. */
  THROTTLED: 'ThrottledError',
  /** `ResourceConflictException` / update in progress after internal retries. Transient. */
  CONFLICT: 'UpdateConflictError',
  /** A dependency (AWS API, Bedrock, waiting for `LastUpdateStatus`) took too long. Transient. */
  TIMEOUT: 'DependencyTimeoutError',
  /** A 5xx / service-unavailable answer. Transient. */
  SERVICE_UNAVAILABLE: 'ServiceUnavailableError',
  /** The handler's input does not match its contract. Fatal. */
  INVALID_INPUT: 'InvalidInputError',
  /** The EventBridge event is not a well-formed alarm state change. Fatal. */
  MALFORMED_EVENT: 'MalformedEventError',
  /** An AWS API refused us (AccessDenied, not authorized). Fatal: retrying will not help. */
  ACCESS_DENIED: 'AccessDeniedError',
  /** The target function does not exist (any more). Fatal. */
  FUNCTION_NOT_FOUND: 'FunctionNotFoundError',
  /** A required environment variable is missing or invalid. Fatal. */
  CONFIGURATION: 'ConfigurationError',
  /** The memory update ended `Failed` or was rejected; the function is as it was. Fatal. */
  REPAIR_FAILED: 'RepairFailedError',
  /** Rollback to the original size failed. Fatal. */
  ROLLBACK_FAILED: 'RollbackFailedError',
  /** The operator rejected the approval (`send-task-failure --error ApprovalRejected`). */
  APPROVAL_REJECTED: 'ApprovalRejected',
} as const;

/** An error name from {@link ERROR_NAMES}. */
export type ErrorName = (typeof ERROR_NAMES)[keyof typeof ERROR_NAMES];

/** Retry these (with backoff); everything else goes straight to the Catch. */
export const TRANSIENT_ERROR_NAMES: readonly string[] = [
  ERROR_NAMES.THROTTLED,
  ERROR_NAMES.CONFLICT,
  ERROR_NAMES.TIMEOUT,
  ERROR_NAMES.SERVICE_UNAVAILABLE,
  // The Lambda service's own invoke errors (what sfn-tasks' LambdaInvoke retries by default).
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Never retry these. */
export const FATAL_ERROR_NAMES: readonly string[] = [
  ERROR_NAMES.INVALID_INPUT,
  ERROR_NAMES.MALFORMED_EVENT,
  ERROR_NAMES.ACCESS_DENIED,
  ERROR_NAMES.FUNCTION_NOT_FOUND,
  ERROR_NAMES.CONFIGURATION,
  ERROR_NAMES.REPAIR_FAILED,
  ERROR_NAMES.ROLLBACK_FAILED,
];

/** Suggested Retry for the transient errors. */
export const DEFAULT_RETRY = {
  errors: TRANSIENT_ERROR_NAMES,
  intervalSeconds: 2,
  maxAttempts: 4,
  backoffRate: 2,
} as const;

/** What a Catch with `resultPath: '$.error'` puts in the state. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

/** The final outcome of one execution, written by Finalize. */
export const OUTCOMES = {
  REPAIRED: 'REPAIRED',
  /** Memory raised and kept, but the verification could not tell (too little traffic or data). */
  REPAIRED_UNVERIFIED: 'REPAIRED_UNVERIFIED',
  REPAIRED_DRY_RUN: 'REPAIRED_DRY_RUN',
  ROLLED_BACK: 'ROLLED_BACK',
  NO_ACTION: 'NO_ACTION',
  HUMAN_REVIEW: 'HUMAN_REVIEW',
  CANNOT_INCREASE: 'CANNOT_INCREASE',
  ALREADY_IN_PROGRESS: 'ALREADY_IN_PROGRESS',
  COOLDOWN: 'COOLDOWN',
  DAILY_BUDGET_EXHAUSTED: 'DAILY_BUDGET_EXHAUSTED',
  IGNORED: 'IGNORED',
  /** A hub received an alarm from an account it does not act for: recorded, nothing changed. */
  NOT_ADMITTED: 'NOT_ADMITTED',
  REJECTED: 'REJECTED',
  APPROVAL_TIMED_OUT: 'APPROVAL_TIMED_OUT',
  /** The alarm's actions were muted (alarm mute rule) or suppressed (composite suppressor): no change. */
  SUPPRESSED: 'SUPPRESSED',
  FAILED: 'FAILED',
} as const;

/** An outcome from {@link OUTCOMES}. */
export type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];

/** `value` when it is an outcome this workflow knows (read back from a record or an input), else undefined. */
export function outcomeOf(value: unknown): Outcome | undefined {
  return Object.values(OUTCOMES).find((o) => o === value);
}

// ---------------------------------------------------------------------------------------------
// Per-step inputs and outputs
// ---------------------------------------------------------------------------------------------

/**
 * Normalize's verdict; only `ACCEPTED` continues (Choice on `$.alarm.status`). `SUPPRESSED`: the
 * alarm's actions are muted (`muteDetail` window covering the state change) or suppressed
 * (`actionsSuppressedBy` of a composite alarm): an operator said "not now", so nothing changes.
 */
export type IntakeStatus =
  | 'ACCEPTED'
  | 'IGNORED'
  | 'NOT_ADMITTED'
  | 'SUPPRESSED'
  | 'ALREADY_IN_PROGRESS'
  | 'COOLDOWN'
  | 'DAILY_BUDGET_EXHAUSTED';

/** How the alarm was built, which decides how normalize reads it. */
export type AlarmKind =
  | 'METRIC'
  | 'METRIC_MATH'
  | 'ANOMALY_DETECTION'
  | 'COMPOSITE'
  | 'METRICS_INSIGHTS'
  | 'LOG';

/** The lock this execution holds. */
export interface LockInfo {
  readonly functionName: string;
  /** The execution that owns the lock (release is conditional on it). */
  readonly owner: string;
  readonly acquiredAt: string;
  /** Epoch seconds when DynamoDB's TTL may drop it. */
  readonly expiresAt: number;
}

/** Output of normalize, at `$.alarm`. */
export interface NormalizeOutput {
  readonly status: IntakeStatus;
  /** Why it is not ACCEPTED, or a one-line summary when it is. */
  readonly reason: string;
  /** The function; absent only when the event names none (then status is IGNORED). */
  readonly functionName?: string;
  /** Alias or version the alarm watched (`Resource` dimension `name:alias`), when any. */
  readonly qualifier?: string;
  /** The seed's alarm event; present when ACCEPTED. */
  readonly alarmEvent?: AlarmEvent;
  /** Alarm kind, for the record. */
  readonly alarmKind?: AlarmKind;
  /** The contributor (multi-time-series or log alarm) this execution handles, when any. */
  readonly contributorId?: string;
  /**
   * Set when automation must not change the function even if the diagnosis says REPAIR (for
   * example an alarm on an alias while the alias option is off: raising `$LATEST` would not change
   * what the alias runs). Decide caps the action at HUMAN_REVIEW with this reason; repair must
   * refuse to change anything when it is present.
   */
  readonly humanReviewReason?: string;
  /** Executions normalize started for further functions in ALARM (log alarm fan-out), by name. */
  readonly startedExecutions?: string[];
  /** ALREADY_IN_PROGRESS only: the alarm was recorded on the lock, so its holder re-examines it. */
  readonly recordedOnLock?: boolean;
  /** Present when ACCEPTED: the lock taken for this execution. */
  readonly lock?: LockInfo;
  /** Present when the execution is a follow-up ({@link FollowUpDetail}). */
  readonly followUp?: FollowUpInfo;
  /**
   * On a hub: the account and region the alarm came from (the event's `account` and `region`),
   * where every later step acts (runtime/target-account.ts). Absent off a hub.
   */
  readonly account?: string;
  readonly region?: string;
}

// ---------------------------------------------------------------------------------------------
// Execution inputs the workflow starts itself (besides the EventBridge alarm events)
// ---------------------------------------------------------------------------------------------

/** `source` of the execution inputs the workflow writes itself. */
export const INTAKE_SOURCE = 'lambda-auto-remediation';
/** `detail-type` of a further contributor of a log alarm event (detail: {@link ContributorDetail}). */
export const CONTRIBUTOR_DETAIL_TYPE = 'Lambda Remediation Contributor';
/** `detail-type` of a re-examination after a lock was released (detail: {@link ReexamineDetail}). */
export const REEXAMINE_DETAIL_TYPE = 'Lambda Remediation Re-examination';
/** `detail-type` of a follow-up after a review or no-action outcome (detail: {@link FollowUpDetail}). */
export const FOLLOW_UP_DETAIL_TYPE = 'Lambda Remediation Follow-up';

/**
 * One function in ALARM on a log alarm, handed to its own execution by the execution that read
 * the alarm's contributors. Normalize checks with `DescribeAlarmContributors` that the
 * contributor is still in ALARM and still maps to this function before it acts.
 */
export interface ContributorDetail {
  readonly alarmName: string;
  readonly functionName: string;
  readonly contributorId: string;
  /** The contributor's state reason when it was read. */
  readonly reason: string;
  /** When the alarm event that found it changed state (part of the execution name). */
  readonly stateTimestamp: string;
}

/** An alarm that arrived while the function's lock was held. */
export interface PendingAlarm {
  readonly alarmName: string;
  readonly contributorId?: string;
}

/**
 * Re-examine a function whose lock was just released because alarms arrived meanwhile: normalize
 * asks CloudWatch for each alarm's current state and proceeds with the first still in ALARM.
 */
export interface ReexamineDetail {
  readonly functionName: string;
  readonly alarms: PendingAlarm[];
  /** The execution that held the lock. */
  readonly previousExecutionId: string;
  /**
   * What that execution concluded for the function, when it reached finalize. A conclusion that
   * stands ({@link STANDING_OUTCOMES}) covers the alarms that arrived meanwhile: the same function,
   * the same evidence, so a second diagnosis would only repeat it (and page again).
   */
  readonly previousOutcome?: Outcome;
  readonly reason: string;
}

/**
 * Conclusions that stand for alarms that arrived while they were being reached: nothing was
 * changed and another look at the same evidence gives the same answer (the function is at its
 * maximum, an operator rejected or did not answer, a person reviews it, the diagnosis found no
 * memory problem, the alarm was muted). A repair is not among them: the re-examination after it
 * meets its cooldown. A failed execution is not: its alarms deserve the look it did not take.
 */
export const STANDING_OUTCOMES: readonly Outcome[] = [
  OUTCOMES.CANNOT_INCREASE, OUTCOMES.REJECTED, OUTCOMES.APPROVAL_TIMED_OUT, OUTCOMES.HUMAN_REVIEW,
  OUTCOMES.NO_ACTION, OUTCOMES.SUPPRESSED,
];

/**
 * Look at a function again after a HUMAN_REVIEW, NO_ACTION or CANNOT_INCREASE outcome (issue 11
 * item 3): the execution waits `waitSeconds` (a Wait state before normalize, so no lock is held
 * meanwhile), then normalize proceeds with the first of `alarms` still in ALARM for the function;
 * none in ALARM ends it (IGNORED, not paged). Diagnose compares the new evidence with the case it
 * follows (the function's case history, else `baseline`); finalize pages only when it changed,
 * and schedules the next round while rounds are left.
 */
export interface FollowUpDetail {
  readonly functionName: string;
  readonly alarms: PendingAlarm[];
  /**
   * The execution whose outcome people were last told about: the review (or no-action outcome)
   * itself, or the last follow-up that paged because the evidence changed. Unchanged follow-ups
   * hand it on, so a slow drift is measured against what people last saw.
   */
  readonly previousExecutionId: string;
  /** 1 for the first follow-up after an outcome that paged. */
  readonly round: number;
  /** Seconds the execution waits before it looks (`SecondsPath: $.event.detail.waitSeconds`). */
  readonly waitSeconds: number;
  /** The evidence of the case it follows, in case the history cannot be read. */
  readonly baseline: FollowUpBaseline;
}

/** The figures a follow-up compares with (the case it follows). */
export interface FollowUpBaseline {
  readonly at: string;
  readonly action: string;
  readonly category?: string;
  readonly memoryFailures?: number;
  readonly invocations?: number;
}

/** What normalize passes on when the execution is a follow-up. */
export interface FollowUpInfo {
  readonly round: number;
  readonly previousExecutionId: string;
  readonly baseline: FollowUpBaseline;
}

/** Diagnose's comparison of a follow-up with the case it follows. */
export interface FollowUpResult {
  readonly round: number;
  readonly previousExecutionId: string;
  /** True when the evidence changed (a new category, a memory failure rate that rose): page. */
  readonly changed: boolean;
  /** One sentence: what changed, or that nothing did. */
  readonly summary: string;
  /** Where the baseline came from: the case history, or the follow-up's own input. */
  readonly baselineFrom: 'history' | 'input';
}

/** The figures of a diagnosis that a case records and a follow-up compares. */
export interface DiagnosisSignals {
  readonly memoryFailures: number;
  readonly invocations: number;
  readonly memoryClimbing: boolean;
}

/** An execution input the workflow writes itself: EventBridge-like, so `detail-type` tells them apart. */
export interface IntakeInput<D> {
  readonly 'source': typeof INTAKE_SOURCE;
  readonly 'detail-type': string;
  readonly 'detail': D;
  /** On a hub, the spoke the run acts in (a further run of a spoke's function stays there). */
  readonly 'account'?: string;
  readonly 'region'?: string;
}

/** Output of collect, at `$.collection`. The evidence itself is in the table. */
export interface CollectOutput {
  /** Key of the stored `DiagnosisRequest` ({@link evidenceKey}). */
  readonly evidenceKey: { readonly pk: string; readonly sk: string };
  readonly functionName: string;
  readonly functionArn?: string;
  /** The function's log group (custom `LoggingConfig.LogGroup` or `/aws/lambda/<name>`). */
  readonly logGroup?: string;
  /** Never environment variables or any other secret-bearing field. */
  readonly functionConfig: FunctionConfigSummary;
  /** `RevisionId` read at collection; repair updates only this revision. */
  readonly revisionId?: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly logEventCount: number;
  readonly metricPointCount: number;
  readonly incomplete: boolean;
  readonly incompleteReasons: string[];
}

/** What the workflow does after diagnosis (Choice on `$.diagnosis.action`). */
export type DecisionAction =
  | 'REPAIR'
  | 'REQUEST_APPROVAL'
  | 'NO_ACTION'
  | 'HUMAN_REVIEW'
  | 'CANNOT_INCREASE';

/** Model call accounting, for the record. */
export interface ModelUsage {
  readonly modelId: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly latencyMs: number;
  /** `ok`, or why the model's answer was not used (error name, `timeout`, `invalid answer`). */
  readonly status: string;
}

/** What one custom analyzer did in one diagnosis, for the record. */
export interface AnalyzerUsage {
  /** The analyzer function's name (with its qualifier, when it has one). */
  readonly functionName: string;
  /** `ok` (its answer was merged), `timeout`, `error: ...` or `invalid answer: ...` (not used). */
  readonly status: string;
  readonly latencyMs: number;
  /** The action it recommended, when it answered. */
  readonly action?: string;
}

/** Output of diagnose, at `$.diagnosis`. */
export interface DiagnoseOutput {
  readonly diagnosisId: string;
  readonly action: DecisionAction;
  /** Why this action (policy, confidence, disagreement, ceiling...). */
  readonly reason: string;
  readonly decidedBy: DiagnosisSource;
  /** Current memory, MB. */
  readonly originalMemoryMb: number;
  /** Size repair will set, MB (policy-clamped); equals original unless action is REPAIR/REQUEST_APPROVAL. */
  readonly targetMemoryMb: number;
  readonly dryRun: boolean;
  /** The seed's diagnosis result (bounded: evidence points and reasoning only). */
  readonly result: DiagnosisResult;
  /** Present when Bedrock was asked (whether or not its answer was used). */
  readonly model?: ModelUsage;
  /** Present when custom analyzers are configured: what each did. */
  readonly analyzers?: AnalyzerUsage[];
  /** The figures the case history records (memory failures, invocations, a climbing need). */
  readonly signals?: DiagnosisSignals;
  /** Where the case history came from and how many cases it held. */
  readonly history?: { readonly source: 'knowledge-base' | 'table' | 'unavailable'; readonly cases: number };
  /** Present when the execution is a follow-up: the comparison with the case it follows. */
  readonly followUp?: FollowUpResult;
}

/** Payload of the approval task (`.waitForTaskToken`): `{ "taskToken.$": "$$.Task.Token", "state.$": "$" }`. */
export interface ApprovalRequestInput {
  readonly taskToken: string;
  readonly state: WorkflowState;
}

/** What the operator sends with `send-task-success --task-output`; the task's output at `$.approval`. */
export interface ApprovalResponse {
  readonly approved: boolean;
  readonly approver?: string;
  readonly comment?: string;
}

/**
 * Repair status (Choice on `$.repair.status`); a thrown error also reaches Finalize.
 * - `REFUSED`: nothing changed and a person must act (an alarm on an alias or version that is not
 *   configured, an alias whose version differs from `$LATEST` in code or configuration);
 * - `CHANGED_BY_OTHERS`: someone else changed the function while the repair ran; it stopped.
 */
export type RepairStatus = 'SUCCEEDED' | 'DRY_RUN' | 'FAILED' | 'SKIPPED' | 'REFUSED' | 'CHANGED_BY_OTHERS';

/** Output of repair, at `$.repair`. */
export interface RepairOutput {
  readonly repairId: string;
  readonly status: RepairStatus;
  readonly reason: string;
  /** The seed's repair result. */
  readonly result: RepairResult;
  readonly originalMemoryMb: number;
  readonly newMemoryMb: number;
  /** When the repair step started (the repair record's `startTime`, part of its key). */
  readonly startedAt?: string;
  readonly repairedAt: string;
  /** Version published for the alias, when the alias was moved. */
  readonly publishedVersion?: string;
  /** Version the alias pointed to before (rollback moves it back). */
  readonly previousAliasVersion?: string;
  /** The alias the repair moved, when it moved one. */
  readonly aliasName?: string;
  /**
   * Progressive strategy: the published version serves `weight` of the alias's traffic while the
   * alias still points at `previousVersion`; verify compares the two, then the canary is promoted
   * or its routing removed.
   */
  readonly canary?: CanaryRelease;
  /** Custom strategy: the ARN of the user's function that made the change (rollback asks it too). */
  readonly strategyFunction?: string;
  /** Custom strategy: how long rollback waits for that function, ms. */
  readonly strategyTimeoutMs?: number;
  /**
   * `$LATEST`'s RevisionId once our update completed: rollback updates only this revision, so a
   * deploy made since is never reverted.
   */
  readonly revisionAfterRepair?: string;
  /** Seconds the Wait state waits before verification (`SecondsPath: $.repair.verifyAfterSeconds`). */
  readonly verifyAfterSeconds: number;
  /** The infrastructure-code change to make so the next deploy keeps the size, e.g. `memorySize: 1024`. */
  readonly iacChange: string;
}

/** A canary release of the new memory size through weighted alias routing. */
export interface CanaryRelease {
  readonly aliasName: string;
  /** The published version with the new memory size. */
  readonly version: string;
  /** The version the alias points at (and keeps, unless the canary is promoted). */
  readonly previousVersion: string;
  /** Share of the alias's invocations routed to `version`, 0..1. */
  readonly weight: number;
}

/** Promotion status: PROMOTED (alias on the canary, routing cleared) or the alias changed by someone else. */
export type PromotionStatus = 'PROMOTED' | 'CHANGED_BY_OTHERS';

/** Output of the promotion (the repair handler with `{ promote: true }`), at `$.promotion`. */
export interface PromotionOutput {
  readonly status: PromotionStatus;
  readonly reason: string;
  /** The version the alias points at afterwards. */
  readonly aliasVersion: string;
  readonly promotedAt: string;
}

/** Verification status. */
export type VerificationStatus = 'SUCCEEDED' | 'FAILED' | 'INCONCLUSIVE';

/** What the workflow does after verification (Choice on `$.verification.next`). */
export type VerificationNext = 'DONE' | 'EXTEND' | 'ROLLBACK' | 'PROMOTE';

/** Output of verify, at `$.verification`. */
export interface VerifyOutput {
  readonly status: VerificationStatus;
  readonly next: VerificationNext;
  /** 1 for the first verification, 2 after one extension (never more). */
  readonly attempt: number;
  /** Seconds to wait before verifying again when `next` is EXTEND (`SecondsPath: $.verification.extendSeconds`). */
  readonly extendSeconds: number;
  readonly reason: string;
  /** The seed's comparison of the alarm metric. */
  readonly metricsComparison: MetricsComparison;
  /** Other comparisons by name (errorRate, oomCount, timeoutCount, memoryUtilization). */
  readonly details: Record<string, MetricsComparison>;
  readonly invocationsAfter: number;
}

/**
 * Rollback status (Choice on `$.rollback.status`). `CHANGED_BY_OTHERS`: the function (or the
 * alias) changed since the repair, so nothing was rolled back.
 */
export type RollbackStatus = 'ROLLED_BACK' | 'FAILED' | 'SKIPPED' | 'CHANGED_BY_OTHERS';

/** Output of rollback, at `$.rollback`. */
export interface RollbackOutput {
  readonly status: RollbackStatus;
  readonly reason: string;
  readonly restoredMemoryMb: number;
  readonly rolledBackAt: string;
}

/** How the outcome reached people. */
export type NotificationStatus = 'SENT' | 'FALLBACK_EVENT_ONLY' | 'FAILED';

/** Output of finalize, at `$.outcome`. */
export interface FinalizeOutput {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly functionName?: string;
  readonly notificationStatus: NotificationStatus;
  readonly eventPublished: boolean;
  readonly lockReleased: boolean;
  readonly finishedAt: string;
}

/** Detail of the EventBridge result event. */
export interface ResultEventDetail {
  readonly executionId: string;
  readonly functionName?: string;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly originalMemoryMb?: number;
  readonly newMemoryMb?: number;
  readonly iacChange?: string;
  readonly verificationStatus?: VerificationStatus;
  readonly notificationStatus: NotificationStatus;
  /** On a hub: the account and region of the function. */
  readonly account?: string;
  readonly region?: string;
}

/**
 * The state that flows through the state machine. Every field but the first three is the output
 * of one step at its result path. Small by design (a few KB): evidence lives in the table.
 */
export interface WorkflowState {
  /** `$$.Execution.Id`. */
  readonly executionId: string;
  /** `$$.Execution.StartTime`. */
  readonly startedAt: string;
  /**
   * `$$.StateMachine.Id`: the state machine's own ARN, so normalize and finalize can start
   * executions of it without an environment variable (which would be a CloudFormation cycle).
   */
  readonly stateMachineArn?: string;
  /** The raw EventBridge event (execution input). */
  readonly event: unknown;
  readonly alarm?: NormalizeOutput;
  readonly collection?: CollectOutput;
  readonly diagnosis?: DiagnoseOutput;
  readonly approval?: ApprovalResponse;
  readonly repair?: RepairOutput;
  readonly verification?: VerifyOutput;
  readonly rollback?: RollbackOutput;
  /** Progressive strategy: the canary's promotion. */
  readonly promotion?: PromotionOutput;
  readonly outcome?: FinalizeOutput;
  /** Set by a Catch (`resultPath: '$.error'`). */
  readonly error?: CaughtError;
}

// ---------------------------------------------------------------------------------------------
// The handlers
// ---------------------------------------------------------------------------------------------

/** Identifier of a handler. */
export type HandlerId =
  | 'normalize'
  | 'collect'
  | 'diagnose'
  | 'requestApproval'
  | 'repair'
  | 'verify'
  | 'rollback'
  | 'finalize'
  | 'cleanup'
  | 'coordinator';

/** One handler: where it lives, what it does, and how the state machine calls it. */
export interface HandlerSpec {
  readonly id: HandlerId;
  /** Source file, relative to the package root. */
  readonly entry: string;
  /** Class projen generates next to it (`src/<dir>/<name>-function.ts`). */
  readonly functionClass: string;
  /** Bundle directory under `assets/`. */
  readonly asset: string;
  readonly description: string;
  /** Payload: `$` (the state), or a payload object template when the step needs more. */
  readonly payload: '$' | Record<string, string>;
  /** Where the output goes. */
  readonly resultPath: string;
  /** True for the `.waitForTaskToken` step. */
  readonly waitForTaskToken?: boolean;
  /** Environment variables the handler refuses to start without. */
  readonly requiredEnv: readonly EnvName[];
  /** Optional environment variables it reads. */
  readonly optionalEnv: readonly EnvName[];
  /** IAM actions it calls (resource scoping is the construct's job). */
  readonly iamActions: readonly string[];
  /** Suggested Lambda timeout, seconds. */
  readonly timeoutSeconds: number;
  /** Suggested memory, MB. */
  readonly memorySizeMb: number;
}

const COMMON_OPTIONAL: readonly EnvName[] = [ENV.POWERTOOLS_SERVICE_NAME, ENV.POWERTOOLS_METRICS_NAMESPACE];

/** Every handler of the workflow, in the order the states run. */
export const HANDLERS: Readonly<Record<HandlerId, HandlerSpec>> = {
  normalize: {
    id: 'normalize',
    entry: 'src/workflow/normalize.lambda.ts',
    functionClass: 'NormalizeFunction',
    asset: 'assets/workflow/normalize.lambda',
    description: 'Turns the alarm event into the seed alarm event (asking CloudWatch what the event lacks), ignores non-ALARM and unmanaged, leaves muted alarms alone, takes the per-function lock, enforces cooldown and daily budget.',
    payload: '$',
    resultPath: '$.alarm',
    requiredEnv: [ENV.TABLE_NAME, ENV.MANAGED_FUNCTIONS],
    optionalEnv: [
      ENV.POLICY, ENV.LOCK_TTL_SECONDS, ENV.ALARM_NAME_PREFIX, ENV.LOG_ALARM_NAME_PREFIX, ENV.LOG_GROUP_FUNCTIONS, ...COMMON_OPTIONAL,
    ],
    iamActions: [
      'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem',
      'cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmContributors', 'cloudwatch:GetMetricData',
      // lambda:ListTags only when MANAGED_FUNCTIONS is tag:<key>=<value>.
      'lambda:ListTags', 'states:StartExecution',
    ],
    timeoutSeconds: 30,
    memorySizeMb: 256,
  },
  collect: {
    id: 'collect',
    entry: 'src/diagnosis/collect.lambda.ts',
    functionClass: 'CollectFunction',
    asset: 'assets/diagnosis/collect.lambda',
    description: 'GetMetricData for the alarm window, REPORT and error lines from CloudWatch Logs (bounded), GetFunctionConfiguration without secrets; stores the evidence.',
    payload: '$',
    resultPath: '$.collection',
    requiredEnv: [ENV.TABLE_NAME],
    optionalEnv: [ENV.COLLECTION_WINDOW_SECONDS, ENV.MAX_LOG_EVENTS, ENV.MAX_LOG_BYTES, ...COMMON_OPTIONAL],
    iamActions: ['cloudwatch:GetMetricData', 'logs:FilterLogEvents', 'lambda:GetFunctionConfiguration', 'dynamodb:PutItem'],
    timeoutSeconds: 90,
    memorySizeMb: 512,
  },
  diagnose: {
    id: 'diagnose',
    entry: 'src/diagnosis/diagnose.lambda.ts',
    functionClass: 'DiagnoseFunction',
    asset: 'assets/diagnosis/diagnose.lambda',
    description: 'Rule engine always; Bedrock Converse (tool answer) with knowledge-base passages, or InvokeAgent; falls back to rules; applies the policy; writes the diagnosis record.',
    payload: '$',
    resultPath: '$.diagnosis',
    requiredEnv: [ENV.TABLE_NAME, ENV.POLICY],
    optionalEnv: [
      ENV.DRY_RUN, ENV.BEDROCK_MODEL_ID, ENV.KNOWLEDGE_BASE_ID, ENV.AGENT_ID, ENV.AGENT_ALIAS_ID,
      ENV.BEDROCK_TIMEOUT_MS, ENV.MODEL_MAX_TOKENS, ENV.CASES_BUCKET, ENV.CASES_PREFIX, ENV.ANALYZER_FUNCTIONS, ENV.ANALYZER_TIMEOUT_MS,
      ...COMMON_OPTIONAL,
    ],
    iamActions: [
      'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'bedrock:InvokeModel', 'bedrock:Retrieve', 'bedrock:InvokeAgent',
      // The case history: the records table (Query), or the knowledge base's cases/ documents.
      'dynamodb:Query', 's3:ListBucket', 's3:GetObject',
      // Only on the custom analyzers' functions, when configured.
      'lambda:InvokeFunction',
    ],
    timeoutSeconds: 120,
    memorySizeMb: 512,
  },
  requestApproval: {
    id: 'requestApproval',
    entry: 'src/workflow/request-approval.lambda.ts',
    functionClass: 'RequestApprovalFunction',
    asset: 'assets/workflow/request-approval.lambda',
    description: 'Publishes the approval request (with the task token and the exact send-task-success / send-task-failure commands) to the topic.',
    payload: { 'taskToken.$': '$$.Task.Token', 'state.$': '$' },
    resultPath: '$.approval',
    waitForTaskToken: true,
    requiredEnv: [ENV.TABLE_NAME, ENV.TOPIC_ARN],
    optionalEnv: [...COMMON_OPTIONAL],
    iamActions: ['sns:Publish', 'dynamodb:PutItem'],
    timeoutSeconds: 30,
    memorySizeMb: 256,
  },
  repair: {
    id: 'repair',
    entry: 'src/repair/repair.lambda.ts',
    functionClass: 'RepairFunction',
    asset: 'assets/repair/repair.lambda',
    description: 'UpdateFunctionConfiguration MemorySize with the collected RevisionId, waits for LastUpdateStatus Successful, retries conflicts, optionally publishes a version and moves the alias; dryRun records only.',
    payload: '$',
    resultPath: '$.repair',
    requiredEnv: [ENV.TABLE_NAME, ENV.POLICY],
    optionalEnv: [ENV.DRY_RUN, ...COMMON_OPTIONAL],
    iamActions: [
      'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion',
      'lambda:GetAlias', 'lambda:UpdateAlias', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
      // Only on the functions of RepairStrategy.custom, when configured.
      'lambda:InvokeFunction',
    ],
    timeoutSeconds: 300,
    memorySizeMb: 256,
  },
  verify: {
    id: 'verify',
    entry: 'src/verification/verify.lambda.ts',
    functionClass: 'VerifyFunction',
    asset: 'assets/verification/verify.lambda',
    description: 'Compares the alarm metric, error rate, OOM/timeout counts and memory utilisation before and after the repair; INCONCLUSIVE extends once; FAILED asks for rollback.',
    payload: '$',
    resultPath: '$.verification',
    requiredEnv: [ENV.TABLE_NAME, ENV.POLICY],
    optionalEnv: [ENV.MAX_LOG_EVENTS, ENV.MAX_LOG_BYTES, ...COMMON_OPTIONAL],
    iamActions: ['cloudwatch:GetMetricData', 'logs:FilterLogEvents', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    timeoutSeconds: 90,
    memorySizeMb: 512,
  },
  rollback: {
    id: 'rollback',
    entry: 'src/repair/rollback.lambda.ts',
    functionClass: 'RollbackFunction',
    asset: 'assets/repair/rollback.lambda',
    description: 'Restores the original memory size (and the alias target) after a failed verification.',
    payload: '$',
    resultPath: '$.rollback',
    requiredEnv: [ENV.TABLE_NAME],
    optionalEnv: [...COMMON_OPTIONAL],
    iamActions: [
      'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:GetAlias', 'lambda:UpdateAlias',
      'dynamodb:GetItem', 'dynamodb:PutItem',
      // Only on the functions of RepairStrategy.custom, when configured.
      'lambda:InvokeFunction',
    ],
    timeoutSeconds: 300,
    memorySizeMb: 256,
  },
  finalize: {
    id: 'finalize',
    entry: 'src/verification/finalize.lambda.ts',
    functionClass: 'FinalizeFunction',
    asset: 'assets/verification/finalize.lambda',
    description: 'Works out the outcome on every path, publishes the seed notification to SNS (retried, falls back to the event and audit record), puts the result event, writes the repair record and audit entry, releases the lock.',
    payload: '$',
    resultPath: '$.outcome',
    requiredEnv: [ENV.TABLE_NAME, ENV.TOPIC_ARN],
    optionalEnv: [
      ENV.EVENT_BUS_NAME, ENV.POLICY, ENV.CASES_BUCKET, ENV.CASES_PREFIX, ENV.KNOWLEDGE_BASE_ID, ENV.CASES_DATA_SOURCE_ID, ...COMMON_OPTIONAL,
    ],
    iamActions: [
      'sns:Publish', 'events:PutEvents', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem',
      // Re-examinations and follow-ups; the case document when a knowledge base records cases.
      'states:StartExecution', 's3:PutObject', 'bedrock:StartIngestionJob',
    ],
    timeoutSeconds: 60,
    memorySizeMb: 256,
  },
  cleanup: {
    id: 'cleanup',
    entry: 'src/workflow/cleanup.lambda.ts',
    functionClass: 'CleanupFunction',
    asset: 'assets/workflow/cleanup.lambda',
    description: 'After an execution FAILED, TIMED_OUT or was ABORTED (Step Functions Execution Status Change): releases the lock it still holds, re-examines waiting alarms, and notifies with the memory from the repair record.',
    // Not a state: the EventBridge rule on the execution status change invokes it with the event.
    payload: '$',
    resultPath: '$',
    requiredEnv: [ENV.TABLE_NAME, ENV.TOPIC_ARN],
    optionalEnv: [ENV.EVENT_BUS_NAME, ...COMMON_OPTIONAL],
    iamActions: [
      'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:Query',
      'sns:Publish', 'events:PutEvents', 'states:StartExecution',
    ],
    timeoutSeconds: 60,
    memorySizeMb: 256,
  },
  coordinator: {
    id: 'coordinator',
    entry: 'src/workflow/coordinator.lambda.ts',
    functionClass: 'CoordinatorFunction',
    asset: 'assets/workflow/coordinator.lambda',
    description: 'Lambda coordinator (Workflow.lambdaCoordinator()): runs normalize, collect, diagnose, repair, verify, rollback and finalize in order, checkpointing the state, and schedules its own verification with EventBridge Scheduler.',
    // Not a state: the alarm rule, its own schedules and the workflow's own starts invoke it asynchronously.
    payload: '$',
    resultPath: '$',
    requiredEnv: [ENV.TABLE_NAME, ENV.COORDINATOR_HANDLERS, ENV.COORDINATOR_SCHEDULE_GROUP, ENV.COORDINATOR_SCHEDULER_ROLE_ARN],
    optionalEnv: [ENV.LOCK_TTL_SECONDS, ENV.COORDINATOR_SCHEDULE_DLQ_ARN, ...COMMON_OPTIONAL],
    iamActions: ['lambda:InvokeFunction', 'dynamodb:GetItem', 'dynamodb:PutItem', 'scheduler:CreateSchedule', 'iam:PassRole'],
    // The longest path without a wait: normalize 30 + collect 90 + diagnose 120 + repair 300 s, with retries.
    timeoutSeconds: 900,
    memorySizeMb: 256,
  },
};

/**
 * The `Step Functions Execution Status Change` event the cleanup handler receives, as documented
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html): `detail` "provides the
 * same information as the DescribeExecution API".
 */
export interface ExecutionStatusChangeEvent {
  readonly 'source': 'aws.states';
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly 'detail': {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
    readonly startDate?: number;
    readonly stopDate?: number | null;
    readonly input?: string | null;
    readonly output?: string | null;
  };
}

/**
 * The execution statuses the cleanup handles: after them nothing of the execution runs any more,
 * yet its lock may still be held (a timeout or StopExecution runs no further state; a failed
 * Finalize never reached its release).
 */
export const CLEANUP_STATUSES: readonly string[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** What the cleanup did for one ended execution. */
export interface CleanupOutput {
  readonly executionArn: string;
  readonly status: string;
  readonly functionName?: string;
  /** True when this call (or an earlier attempt of it) released a lock the execution still held. */
  readonly lockReleased: boolean;
  readonly notified: boolean;
  /** The re-examination started for alarms that waited on the lock. */
  readonly reexamination?: string;
}

/** The handlers in state order, then the cleanup (not a state: started by the execution's end). */
export const HANDLER_ORDER: readonly HandlerId[] = [
  'normalize', 'collect', 'diagnose', 'requestApproval', 'repair', 'verify', 'rollback', 'finalize', 'cleanup',
];

/** Input of each handler (what its payload holds). */
export interface HandlerInputs {
  readonly normalize: WorkflowState;
  readonly collect: WorkflowState & { readonly alarm: NormalizeOutput };
  readonly diagnose: WorkflowState & { readonly alarm: NormalizeOutput; readonly collection: CollectOutput };
  readonly requestApproval: ApprovalRequestInput;
  readonly repair: WorkflowState & { readonly alarm: NormalizeOutput; readonly collection: CollectOutput; readonly diagnosis: DiagnoseOutput };
  readonly verify: WorkflowState & { readonly alarm: NormalizeOutput; readonly collection: CollectOutput; readonly repair: RepairOutput };
  readonly rollback: WorkflowState & { readonly collection: CollectOutput; readonly repair: RepairOutput };
  readonly finalize: WorkflowState;
  readonly cleanup: ExecutionStatusChangeEvent;
}

/** Output of each handler (what lands at its result path). */
export interface HandlerOutputs {
  readonly normalize: NormalizeOutput;
  readonly collect: CollectOutput;
  readonly diagnose: DiagnoseOutput;
  /** The handler returns nothing useful; the task's output is the operator's answer. */
  readonly requestApproval: ApprovalResponse;
  readonly repair: RepairOutput;
  readonly verify: VerifyOutput;
  readonly rollback: RollbackOutput;
  readonly finalize: FinalizeOutput;
  readonly cleanup: CleanupOutput;
}
