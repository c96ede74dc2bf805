/**
 * The data contracts of the remediation loop, kept field-for-field from the original design
 * (seed) document: diagnosis request and result, alarm event, repair request and result,
 * verification request, notification, and the diagnosis / repair / knowledge-base records.
 *
 * Pure types: no AWS SDK import. Shared by the rule engine, the Lambda handlers and the CLI.
 */

/** One point of a metric series (seed: `metrics[]`). */
export interface TimedValue {
  readonly timestamp: string;
  readonly value: number;
}

/** One CloudWatch Logs event of the target function (seed: `logs[]`). */
export interface LogRecord {
  readonly timestamp: string;
  readonly message: string;
}

/** The alarm that started the diagnosis (seed: `alarmDetails`). */
export interface AlarmDetails {
  readonly alarmName: string;
  readonly metricName: string;
  /** Absent when unknown (a contributor event carries none and the alarm could not be read); never 0 by default. */
  readonly threshold?: number;
  readonly evaluationPeriods: number;
}

/**
 * The target function's configuration as far as diagnosis needs it. Never carries environment
 * variables or any other secret-bearing field.
 */
export interface FunctionConfigSummary {
  /** Configured memory, MB. */
  readonly memorySize: number;
  /** Configured timeout, seconds. */
  readonly timeout: number;
  /** e.g. `nodejs22.x`, `python3.12`, `java21`, `dotnet8`, `ruby3.3`, `provided.al2023`. */
  readonly runtime?: string;
  /** `x86_64` or `arm64`. */
  readonly architecture?: string;
}

/** Seed "诊断请求格式" plus `functionConfig` and `metricSeries`. */
export interface DiagnosisRequest {
  readonly functionName: string;
  readonly alarmDetails: AlarmDetails;
  /** The alarm metric's series. */
  readonly metrics: TimedValue[];
  /** Log events of the function around the alarm (REPORT lines, error lines, application lines). */
  readonly logs: LogRecord[];
  readonly functionConfig?: FunctionConfigSummary;
  /** Other series by metric name: Invocations, Errors, Duration, Throttles, ConcurrentExecutions. */
  readonly metricSeries?: Record<string, TimedValue[]>;
  /** When the alarm went into ALARM (ISO-8601); splits the series into before / after. */
  readonly alarmTime?: string;
  /** True when the collector could not gather everything (partial data is never fatal). */
  readonly incomplete?: boolean;
  /** Why the data is incomplete, one line per missing piece. */
  readonly incompleteReasons?: string[];
  /**
   * The function's case history, newest first: earlier incidents and what came of them (from the
   * knowledge base's `cases/` documents, or the records table when no knowledge base is
   * configured). The leak rule allows one stopgap raise at most; follow-ups compare against it.
   */
  readonly history?: PastCase[];
}

/**
 * One earlier incident of the same function and what came of it (an entry of the case history).
 * Written by finalize as the knowledge base's `cases/` document metadata, or read back from the
 * records table (the repair and diagnosis records of the execution).
 */
export interface PastCase {
  /** The name of the workflow execution that handled it. */
  readonly caseId: string;
  /** When it ended (ISO-8601). */
  readonly at: string;
  /** How it ended: REPAIRED, REPAIRED_UNVERIFIED, ROLLED_BACK, HUMAN_REVIEW, NO_ACTION, ... */
  readonly outcome: string;
  /** The incident category the diagnosis found, when one ran. */
  readonly category?: string;
  /** Memory before the incident, MB. */
  readonly originalMemory: number;
  /** Memory after it, MB (the same when nothing was changed). */
  readonly newMemory: number;
  /** The diagnosis saw the memory need climbing in warm execution environments (a leak). */
  readonly memoryClimbing?: boolean;
  /** Invocations of its evidence that failed for memory. */
  readonly memoryFailures?: number;
  /** Invocations its evidence held. */
  readonly invocations?: number;
}

/** Seed `evidencePoints[]`. */
export interface EvidencePoint {
  readonly type: string;
  readonly description: string;
}

/** Seed `knowledgeReferences[]`. */
export interface KnowledgeReference {
  readonly id: string;
  readonly title: string;
  readonly relevance: number;
}

/** What the diagnosis recommends doing. */
export type RecommendedAction =
  /** Raise memory to `recommendedMemorySize`. */
  | 'INCREASE_MEMORY'
  /** A memory issue, but no increase is possible (at 10,240 MB or the policy maximum). */
  | 'CANNOT_INCREASE'
  /** Evidence is contradictory or too thin to act on: a person should look. */
  | 'HUMAN_REVIEW'
  /** Not a memory issue: raising memory would not help. */
  | 'NO_ACTION';

/** The kind of incident the evidence points to. */
export type IncidentCategory =
  | 'OUT_OF_MEMORY'
  | 'MEMORY_PRESSURE'
  | 'FUNCTION_TIMEOUT'
  | 'DOWNSTREAM_TIMEOUT'
  | 'THROTTLING'
  | 'CODE_ERROR'
  | 'PERMISSION_ERROR'
  | 'INIT_FAILURE'
  | 'CPU_BOUND'
  | 'INSUFFICIENT_DATA'
  | 'UNKNOWN';

/** Who made the final diagnosis: the rules, a Bedrock model or agent, or a custom analyzer (a user's function). */
export type DiagnosisSource = 'rules' | 'model' | 'agent' | 'analyzer';

/** Seed "诊断结果格式", plus `recommendedMemorySize` and what decided it. */
export interface DiagnosisResult {
  readonly functionName: string;
  readonly isMemoryIssue: boolean;
  /** 0..1 */
  readonly confidence: number;
  readonly reasoning: string;
  readonly recommendedAction: RecommendedAction;
  /** MB to add to the current size; 0 when no increase is recommended. */
  readonly recommendedMemoryIncrease: number;
  /** The new size in MB (current size when no increase is recommended). */
  readonly recommendedMemorySize: number;
  readonly evidencePoints: EvidencePoint[];
  readonly category: IncidentCategory;
  readonly decidedBy: DiagnosisSource;
  readonly knowledgeReferences?: KnowledgeReference[];
  /** True when the evidence it rests on was incomplete. */
  readonly incomplete?: boolean;
}

/**
 * Where a threshold came from: the event's `reasonData`, the alarm itself (`DescribeAlarms`), the
 * upper band of an anomaly-detection alarm, the alarm's state reason text, or nowhere (`unknown`).
 */
export type ThresholdSource = 'reasonData' | 'alarm' | 'anomalyBand' | 'stateReason' | 'unknown';

/**
 * Where a current value came from: the event's `reasonData` datapoints, the state reason text
 * ("The most recent datapoint which crossed the threshold: [0.0 (...)]"), `GetMetricData`, or
 * nowhere (`unknown`).
 */
export type ValueSource = 'reasonData' | 'stateReason' | 'metricData' | 'unknown';

/**
 * Seed "告警事件模型": the normalized alarm event. `threshold` and `currentValue` are absent when
 * unknown (contributor events carry neither); every reader says "unknown" then, never 0.
 */
export interface AlarmEvent {
  readonly alarmId: string;
  readonly alarmName: string;
  readonly functionName: string;
  readonly metricName: string;
  readonly threshold?: number;
  readonly thresholdSource: ThresholdSource;
  readonly currentValue?: number;
  readonly valueSource: ValueSource;
  /** Anomaly-detection alarms: whether the value left the band above or below it. */
  readonly direction?: 'ABOVE' | 'BELOW';
  readonly stateChangeTime: string;
  /** `UNKNOWN` when the event has none (contributor events). */
  readonly previousState: string;
  readonly currentState: string;
  readonly stateReason: string;
}

/** A threshold or value for people and prompts: the number, or `unknown` (never 0 for "not known"). */
export function displayNumber(value: number | undefined): string {
  return value === undefined ? 'unknown' : String(value);
}

/** Seed "修复请求格式". */
export interface RepairRequest {
  readonly functionName: string;
  readonly memoryIncrease: number;
  readonly maxMemory: number;
  readonly dryRun: boolean;
}

/** Seed "修复结果格式". `status`: SUCCEEDED, DRY_RUN, FAILED, SKIPPED, ROLLED_BACK. */
export interface RepairResult {
  readonly functionName: string;
  readonly originalMemory: number;
  readonly newMemory: number;
  readonly status: string;
  readonly timestamp: string;
  readonly executionId: string;
}

/** Seed "验证请求格式". */
export interface VerificationRequest {
  readonly functionName: string;
  readonly repairTimestamp: string;
  readonly metricName: string;
  /** Seconds. */
  readonly verificationPeriod: number;
}

/** Seed `verification.metricsComparison`. */
export interface MetricsComparison {
  readonly before: number;
  readonly after: number;
  readonly improvement: string;
}

/** Seed "通知格式". */
export interface Notification {
  readonly type: string;
  readonly functionName: string;
  readonly issue: { readonly description: string; readonly alarmName: string; readonly detectedAt: string };
  readonly diagnosis: { readonly result: string; readonly confidence: number; readonly reasoning: string };
  readonly repair?: {
    readonly action: string;
    readonly originalMemory: number;
    readonly newMemory: number;
    readonly executedAt: string;
  };
  readonly verification?: { readonly status: string; readonly metricsComparison: MetricsComparison };
}

/** Seed "Lambda 函数配置模型", without `environment` (never collected). */
export interface LambdaFunctionConfiguration {
  readonly functionName: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly tags?: Record<string, string>;
  readonly lastModified: string;
  readonly lastModifiedBy?: string;
}

/** Seed "诊断记录模型". */
export interface DiagnosisRecord {
  readonly diagnosisId: string;
  readonly functionName: string;
  readonly alarmId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly isMemoryIssue: boolean;
  readonly confidence: number;
  readonly reasoning: string;
  readonly recommendedAction: string;
  readonly recommendedMemoryIncrease: number;
  readonly evidencePoints: EvidencePoint[];
  readonly knowledgeReferences: KnowledgeReference[];
}

/** Seed "修复记录模型". */
export interface RepairRecord {
  readonly repairId: string;
  readonly functionName: string;
  readonly diagnosisId: string;
  readonly executionId: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly originalMemory: number;
  readonly newMemory: number;
  readonly status: string;
  readonly verificationStatus: string;
  readonly notificationStatus: string;
}

/** Seed "知识库条目模型". */
export interface KnowledgeEntry {
  readonly entryId: string;
  readonly title: string;
  readonly category: string;
  readonly content: string;
  readonly source: string;
  readonly tags: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: string;
  readonly approvedBy: string;
}
