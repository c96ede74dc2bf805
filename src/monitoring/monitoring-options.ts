import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';

/** The kinds of alarm the monitoring creates. */
export enum AlarmKind {
  /** Invocation errors (`AWS/Lambda` `Errors`, sum per period). */
  ERRORS = 'ERRORS',
  /** Longest invocation (`AWS/Lambda` `Duration`, maximum) compared with the function's timeout. */
  DURATION = 'DURATION',
  /** Memory used / memory size, in percent, from the `REPORT` lines of the function's log group. */
  MEMORY_UTILIZATION = 'MEMORY_UTILIZATION',
  /** Throttled invocations (`AWS/Lambda` `Throttles`, sum per period). */
  THROTTLES = 'THROTTLES',
  /** Duration outside the band that CloudWatch anomaly detection learned for the function. */
  DURATION_ANOMALY = 'DURATION_ANOMALY',
  /**
   * Age of the last record a stream consumer finished (`AWS/Lambda` `IteratorAge`, maximum, in
   * milliseconds): a Kinesis or DynamoDB stream consumer falling behind.
   */
  ITERATOR_AGE = 'ITERATOR_AGE',
  /** Active invocations of the function (`AWS/Lambda` `ConcurrentExecutions`, maximum). */
  CONCURRENT_EXECUTIONS = 'CONCURRENT_EXECUTIONS',
}

/**
 * Functions selected by a resource tag instead of a list (fleet mode): the stack does not grow
 * with the number of functions.
 *
 * Needs the account setting "resource tags on telemetry" (CloudWatch, `StartTelemetryEnrichment`),
 * without which Metrics Insights cannot filter metrics by tag. The rights of the handlers are
 * scoped with `aws:ResourceTag/<tagKey>` on the functions, and log reads to `/aws/lambda/*`.
 */
export interface FleetSelection {
  /**
   * The tag key. Letters, digits and underscores only, so the Metrics Insights query can name it
   * unquoted (`WHERE tag.<key> = '<value>'`).
   *
   * @default 'LambdaAutoRemediation'
   */
  readonly tagKey?: string;

  /** The tag value that puts a function under management. */
  readonly tagValue: string;
}

/**
 * One alarm kind's configuration (the seed's alarm configuration fields). Every field is optional;
 * unset fields take the kind's documented default.
 */
export interface AlarmOptions {
  /**
   * Create this kind of alarm at all.
   *
   * @default - true for errors, duration and memory utilisation; false for throttles and anomaly detection
   */
  readonly enabled?: boolean;

  /**
   * The value to compare with. Errors and throttles: a count per period; duration: percent of the
   * function's timeout; memory utilisation: percent of the configured memory; iterator age:
   * milliseconds; concurrent executions: a count.
   *
   * @default - errors 1, duration 90, memory utilisation 90, throttles 10, iterator age 60,000 (a minute behind), concurrent executions 100
   */
  readonly threshold?: number;

  /**
   * Number of periods (metric alarms) or query runs (memory utilisation) to evaluate.
   *
   * @default - 5 for metric alarms, 1 for memory utilisation
   */
  readonly evaluationPeriods?: number;

  /**
   * Number of breaching periods among `evaluationPeriods` that puts the alarm in ALARM.
   *
   * @default - 2 for errors and duration, 3 for throttles, iterator age and concurrent executions, 1 for memory utilisation
   */
  readonly datapointsToAlarm?: number;

  /**
   * How the value is compared with the threshold.
   *
   * @default ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;

  /**
   * How missing data points are treated.
   *
   * @default TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;

  /**
   * The period of one data point (metric alarms) or the interval between query runs (memory
   * utilisation).
   *
   * @default - 1 minute for metric alarms, 5 minutes for memory utilisation
   */
  readonly period?: Duration;
}

/** Options for the duration anomaly-detection alarm. */
export interface AnomalyAlarmOptions {
  /**
   * Create one anomaly-detection alarm per function. Off by default: unlike the other kinds it
   * costs one CloudFormation resource and three alarm metrics per function.
   *
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * Width of the expected band, in standard deviations.
   *
   * @default 3
   */
  readonly standardDeviations?: number;

  /**
   * Number of periods to evaluate.
   *
   * @default 5
   */
  readonly evaluationPeriods?: number;

  /**
   * Number of breaching periods that puts the alarm in ALARM.
   *
   * @default 3
   */
  readonly datapointsToAlarm?: number;
}

/** What the monitoring watches and how. */
export interface MonitoringOptions {
  /**
   * Invocation errors.
   *
   * @default - on; one or more errors in 2 of 5 one-minute periods
   */
  readonly errors?: AlarmOptions;

  /**
   * Longest invocation compared with the timeout; `threshold` is a percent of the timeout.
   *
   * @default - on; 90 % of the timeout in 2 of 5 one-minute periods
   */
  readonly duration?: AlarmOptions;

  /**
   * Memory utilisation from REPORT lines; `threshold` is a percent of the configured memory.
   *
   * @default - on; 90 % or more in the last five-minute window
   */
  readonly memoryUtilization?: AlarmOptions;

  /**
   * Throttled invocations.
   *
   * @default - off
   */
  readonly throttles?: AlarmOptions;

  /**
   * Duration anomaly detection (one alarm per function).
   *
   * @default - off
   */
  readonly anomalyDetection?: AnomalyAlarmOptions;

  /**
   * How far behind a stream consumer is: `IteratorAge` (Maximum), the age of the last record of a
   * batch when the function finished it, which Lambda emits for Kinesis and DynamoDB stream event
   * sources only (https://docs.aws.amazon.com/lambda/latest/dg/events-dynamodb-metrics.html).
   * `threshold` is in milliseconds. Enable it for functions that consume streams; on other
   * functions the metric never exists and the alarm stays OK (missing data is not breaching). The
   * diagnosis counts a rising age as evidence only next to memory evidence (a consumer short of
   * memory falls behind; so does one with a slow downstream). Named functions only, not fleet mode.
   *
   * @default - off; one minute behind in 3 of 5 one-minute periods when enabled
   */
  readonly iteratorAge?: AlarmOptions;

  /**
   * Active invocations of the function: `ConcurrentExecutions` (Maximum), which Lambda emits for
   * every function (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html).
   * The diagnosis counts a surge as evidence only next to memory evidence. Named functions only,
   * not fleet mode.
   *
   * @default - off; 100 concurrent invocations in 3 of 5 one-minute periods when enabled
   */
  readonly concurrentExecutions?: AlarmOptions;

  /**
   * Manage every function that carries a tag (fleet mode), in addition to any `functions` listed.
   * One Metrics Insights alarm watches the errors of all of them; memory utilisation is watched
   * only for the functions listed by name (a log alarm must name its log groups).
   *
   * @default - only the functions listed by name
   */
  readonly fleet?: FleetSelection;

  /**
   * Alarms you already have. Their state changes start the workflow too; each must watch a
   * metric with a `FunctionName` dimension of a managed function.
   *
   * @default - none
   */
  readonly existingAlarms?: cloudwatch.IAlarm[];

  /**
   * The start of every alarm name this construct creates. The EventBridge rule matches alarm
   * names by this prefix, so it must be unique in the account and region.
   *
   * @default - `LambdaAutoRemediation-` followed by a name derived from the construct path
   */
  readonly alarmNamePrefix?: string;
}

/** Per-function monitoring settings. */
export interface MonitoredFunctionOptions {
  /**
   * The function's timeout, for the duration alarm. Needed for imported functions, whose timeout
   * the construct cannot see; without it an imported function gets no duration alarm.
   *
   * @default - the timeout of a `lambda.Function` defined in the app (3 seconds if it sets none)
   */
  readonly timeout?: Duration;

  /**
   * The function's log group, for the memory alarm and the collector's and verifier's log reads.
   * Needed for an imported function that logs to a custom log group; a `lambda.Function` defined
   * in the app with `logGroup` (its `LoggingConfig.LogGroup`) is recognised without it.
   *
   * @default - the function's own `LoggingConfig.LogGroup` when it sets one, else `/aws/lambda/<functionName>`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Alarm kinds not to create for this function.
   *
   * @default - none excluded
   */
  readonly excludeAlarms?: AlarmKind[];
}
