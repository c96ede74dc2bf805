/**
 * The checks CloudWatch makes when an alarm is created (PutMetricAlarm, PutLogAlarm,
 * PutCompositeAlarm), each next to the documentation sentence it enforces. A rejected alarm fails
 * with the error the API returns (`ValidationError`, HTTP 400, the Query protocol's validation
 * error: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html), so
 * the simulated deploy fails where the real one would.
 *
 * Follows:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutLogAlarm.html,
 *   API_ScheduledQueryConfiguration.html, API_ScheduleConfiguration.html and
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-logalarm.html
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/multi-time-series-alarms.html and
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 * The sentences are quoted from the API reference as the AWS SDK for JavaScript v3 ships it
 * (node_modules/@aws-sdk/client-cloudwatch/dist-types/models/models_0.d.ts), which is the same text.
 * Not checked: alarm actions (ARNs of SNS topics etc.), Unit, EvaluateLowSampleCountPercentile,
 * cross-account AccountId, tags, PromQL EvaluationCriteria.
 */
import { InsightsQuery, MetricQueryError, parseInsightsQuery } from './metrics';

/** The error PutMetricAlarm / PutLogAlarm return for an invalid request. */
export class CloudWatchValidationError extends Error {
  public readonly $fault = 'client';
  public readonly $metadata = { httpStatusCode: 400 };
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** The default quota was reached (LimitExceededFault, as PutMetricAlarm documents). */
export class CloudWatchLimitExceededError extends Error {
  public readonly $fault = 'client';
  public readonly $metadata = { httpStatusCode: 400 };
  constructor(message: string) {
    super(message);
    this.name = 'LimitExceededFault';
  }
}

/** One query of an alarm (the `Metrics` property of AWS::CloudWatch::Alarm). */
export interface AlarmMetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly metricStat?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, string>;
    readonly period: number;
    readonly stat: string;
  };
  readonly period?: number;
  readonly label?: string;
  readonly returnData?: boolean;
}

/** A metric alarm as configured (PutMetricAlarm / AWS::CloudWatch::Alarm, camel-cased). */
export interface AlarmSpec {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  /** Single-metric form. */
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Record<string, string>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
  readonly period?: number;
  /** Metric math / Metrics Insights / anomaly detection form. */
  readonly metrics?: AlarmMetricQuery[];
  /** Static threshold; absent for anomaly detection alarms. */
  readonly threshold?: number;
  /** Anomaly detection: the id of the ANOMALY_DETECTION_BAND expression. */
  readonly thresholdMetricId?: string;
  readonly comparisonOperator: string;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** `missing` (default), `ignore`, `breaching`, `notBreaching`. */
  readonly treatMissingData?: string;
}

/** A log alarm as configured (PutLogAlarm / AWS::CloudWatch::LogAlarm, camel-cased). */
export interface LogAlarmSpec {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  readonly queryString: string;
  readonly logGroupIdentifiers: string[];
  readonly aggregationExpression: string;
  readonly scheduleExpression: string;
  readonly startTimeOffset?: number;
  readonly endTimeOffset?: number;
  readonly scheduledQueryRoleArn: string;
  readonly queryLanguage?: string;
  readonly queryResultsToEvaluate: number;
  readonly queryResultsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: string;
  readonly treatMissingData?: string;
}

/** A composite alarm (PutCompositeAlarm / AWS::CloudWatch::CompositeAlarm, camel-cased). */
export interface CompositeAlarmSpec {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  readonly alarmRule: string;
  readonly actionsSuppressor?: string;
  readonly actionsSuppressorWaitPeriod?: number;
  readonly actionsSuppressorExtensionPeriod?: number;
}

const STATIC_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'];
const BAND_OPERATORS = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

/** The kind of metric alarm, decided by its configuration. */
export type MetricAlarmKind = 'single' | 'math' | 'insights' | 'insights-multi' | 'anomaly';

/** A validated metric alarm: its kind and, for Metrics Insights, the parsed query. */
export interface ValidatedMetricAlarm {
  readonly kind: MetricAlarmKind;
  readonly insights?: InsightsQuery;
  /** The query the alarm watches (ReturnData true; the band's input for anomaly alarms). */
  readonly watched?: AlarmMetricQuery;
  /** `ANOMALY_DETECTION_BAND(m1, n)`: the metric id and the band width. */
  readonly band?: { readonly metricId: string; readonly width: number };
}

function fail(message: string): never {
  throw new CloudWatchValidationError(message);
}

function checkPeriod(where: string, period: number | undefined, required: boolean): void {
  if (period === undefined) {
    if (required) fail(`${where}: Period is required`);
    return;
  }
  // "Valid values are 10, 20, 30, and any multiple of 60." (PutMetricAlarm, Period)
  if (!(Number.isInteger(period) && (period === 10 || period === 20 || period === 30 || (period > 0 && period % 60 === 0)))) {
    fail(`${where}: Period must be 10, 20, 30 or a multiple of 60, got ${period}`);
  }
}

/**
 * PutMetricAlarm's checks. `insightsAlarmCount` is the number of Metrics Insights alarms already
 * in the account (default quota 200).
 */
export function validateMetricAlarm(spec: AlarmSpec, insightsAlarmCount = 0): ValidatedMetricAlarm {
  const name = spec.alarmName;
  // AlarmName: "Length Constraints: Minimum length of 1. Maximum length of 255."
  if (!name || name.length > 255) fail(`alarm name must be 1 to 255 characters, got '${name}'`);
  // "The name must contain only UTF-8 characters, and can't contain ASCII control characters"
  if (/[\x00-\x1f\x7f]/.test(name)) fail(`alarm name '${name}' contains an ASCII control character`);
  const at = `alarm ${name}`;
  // EvaluationPeriods: "Valid Range: Minimum value of 1."
  if (!(Number.isInteger(spec.evaluationPeriods) && spec.evaluationPeriods >= 1)) fail(`${at}: EvaluationPeriods must be an integer of at least 1, got ${spec.evaluationPeriods}`);
  const m = spec.datapointsToAlarm ?? spec.evaluationPeriods;
  // DatapointsToAlarm is the M of "M out of N" (N = EvaluationPeriods): at least 1, at most N.
  if (!(Number.isInteger(m) && m >= 1 && m <= spec.evaluationPeriods)) fail(`${at}: DatapointsToAlarm ${m} must be between 1 and EvaluationPeriods (${spec.evaluationPeriods})`);
  // "Valid Values: breaching | notBreaching | ignore | missing"
  if (spec.treatMissingData !== undefined && !TREAT_MISSING.includes(spec.treatMissingData)) fail(`${at}: TreatMissingData must be one of ${TREAT_MISSING.join(', ')}, got '${spec.treatMissingData}'`);
  const isBand = BAND_OPERATORS.includes(spec.comparisonOperator);
  if (!isBand && !STATIC_OPERATORS.includes(spec.comparisonOperator)) fail(`${at}: unknown ComparisonOperator '${spec.comparisonOperator}'`);

  const single = spec.metricName !== undefined || spec.namespace !== undefined;
  // "For each PutMetricAlarm operation, you must specify either MetricName, a Metrics array, or an EvaluationCriteria."
  if (single && spec.metrics) {
    // "If you use the Metrics parameter, you cannot include the Namespace, MetricName, Dimensions,
    // Period, Unit, Statistic, or ExtendedStatistic parameters of PutMetricAlarm in the same operation."
    fail(`${at}: Metrics cannot be combined with Namespace, MetricName, Dimensions, Period, Statistic or ExtendedStatistic`);
  }
  if (!single && !spec.metrics) fail(`${at}: specify either MetricName or a Metrics array`);
  const singleFields = [spec.period, spec.statistic, spec.extendedStatistic, spec.dimensions];
  if (spec.metrics && singleFields.some((f) => f !== undefined)) {
    fail(`${at}: Metrics cannot be combined with Namespace, MetricName, Dimensions, Period, Statistic or ExtendedStatistic`);
  }

  let result: ValidatedMetricAlarm;
  let period: number;
  if (single) {
    if (!spec.metricName || !spec.namespace) fail(`${at}: a single-metric alarm needs both MetricName and Namespace`);
    // "you must specify either Statistic or ExtendedStatistic, but not both."
    if ((spec.statistic === undefined) === (spec.extendedStatistic === undefined)) fail(`${at}: specify either Statistic or ExtendedStatistic, not both or neither`);
    if (spec.statistic !== undefined && !STATISTICS.includes(spec.statistic)) fail(`${at}: Statistic must be one of ${STATISTICS.join(', ')}, got '${spec.statistic}'`);
    // "Period is required for alarms based on static thresholds."
    checkPeriod(at, spec.period, true);
    period = spec.period!;
    if (isBand) fail(`${at}: ${spec.comparisonOperator} is used only for alarms based on anomaly detection models`);
    result = { kind: 'single' };
  } else {
    const queries = spec.metrics!;
    // "A single PutMetricAlarm call can include up to 20 MetricDataQuery structures in the array.
    // The 20 structures can include as many as 10 structures that contain a MetricStat parameter
    // to retrieve a metric, and as many as 10 structures that contain the Expression parameter"
    if (queries.length === 0 || queries.length > 20) fail(`${at}: Metrics must hold 1 to 20 queries, got ${queries.length}`);
    const stats = queries.filter((q) => q.metricStat).length;
    const exprs = queries.filter((q) => q.expression !== undefined).length;
    if (stats > 10) fail(`${at}: at most 10 queries may contain MetricStat, got ${stats}`);
    if (exprs > 10) fail(`${at}: at most 10 queries may contain Expression, got ${exprs}`);
    const ids = new Set<string>();
    for (const q of queries) {
      // Id: "The valid characters are letters, numbers, and underscore. The first character must be a lowercase letter."
      if (!/^[a-z][A-Za-z0-9_]*$/.test(q.id ?? '')) fail(`${at}: metric query id '${q.id}' must start with a lowercase letter and hold only letters, numbers and underscore`);
      if (ids.has(q.id)) fail(`${at}: metric query id '${q.id}' is used twice`);
      ids.add(q.id);
      // "Within one MetricDataQuery object, you must specify either Expression or MetricStat but not both."
      if ((q.expression === undefined) === (q.metricStat === undefined)) fail(`${at}: metric query '${q.id}' must have either Expression or MetricStat, not both or neither`);
      if (q.metricStat) checkPeriod(`${at}, query ${q.id}`, q.metricStat.period, true);
      if (q.expression !== undefined) {
        // MetricDataQuery Expression: "Length Constraints: Minimum length of 1. Maximum length of 2048."
        if (q.expression.length < 1 || q.expression.length > 2048) fail(`${at}: the expression of query '${q.id}' must be 1 to 2048 characters, got ${q.expression.length}`);
        if (q.period !== undefined) checkPeriod(`${at}, query ${q.id}`, q.period, false);
      }
    }
    const returning = queries.filter((q) => q.returnData !== false);
    if (isBand || spec.thresholdMetricId !== undefined) {
      // ThresholdMetricId: "If this is an alarm based on an anomaly detection model, make this value
      // match the ID of the ANOMALY_DETECTION_BAND function." ComparisonOperator: "The values
      // LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, and GreaterThanUpperThreshold
      // are used only for alarms based on anomaly detection models."
      if (!isBand) fail(`${at}: ThresholdMetricId needs an anomaly detection ComparisonOperator (${BAND_OPERATORS.join(', ')}), got ${spec.comparisonOperator}`);
      if (!spec.thresholdMetricId) fail(`${at}: an anomaly detection alarm needs ThresholdMetricId`);
      // Threshold: "should not be used for alarms based on anomaly detection models."
      if (spec.threshold !== undefined) fail(`${at}: Threshold cannot be set on an anomaly detection alarm`);
      const bandQuery = queries.find((q) => q.id === spec.thresholdMetricId);
      const bm = bandQuery?.expression ? /^\s*ANOMALY_DETECTION_BAND\s*\(\s*([a-z][A-Za-z0-9_]*)\s*(?:,\s*(\d+(?:\.\d+)?)\s*)?\)\s*$/.exec(bandQuery.expression) : null;
      if (!bandQuery || !bm) fail(`${at}: ThresholdMetricId '${spec.thresholdMetricId}' must name an ANOMALY_DETECTION_BAND(...) expression of Metrics`);
      const input = queries.find((q) => q.id === bm[1]);
      if (!input) fail(`${at}: ANOMALY_DETECTION_BAND references unknown id '${bm[1]}'`);
      // The band and the metric it watches both return data (the documented anomaly example has both ReturnData true).
      if (returning.length !== 2 || !returning.includes(bandQuery) || !returning.includes(input)) {
        fail(`${at}: an anomaly detection alarm returns exactly the band and its metric (ReturnData true on '${bandQuery.id}' and '${input.id}')`);
      }
      period = input.metricStat?.period ?? input.period ?? 60;
      result = { kind: 'anomaly', watched: input, band: { metricId: bm[1], width: bm[2] !== undefined ? Number(bm[2]) : 2 } };
    } else {
      // "Of those Expression structures, one must have true as the value for ReturnData." and
      // "specify true for the one expression result to use as the alarm. For all other metrics and
      // expressions in the same PutMetricAlarm operation, specify ReturnData as False."
      if (returning.length !== 1) fail(`${at}: exactly one query of Metrics must have ReturnData true, got ${returning.length}`);
      if (spec.threshold === undefined || !Number.isFinite(spec.threshold)) fail(`${at}: Threshold is required for alarms based on static thresholds`);
      const watched = returning[0];
      let insights: InsightsQuery | undefined;
      if (watched.expression !== undefined && /^\s*SELECT\b/i.test(watched.expression)) {
        try {
          insights = parseInsightsQuery(watched.expression);
        } catch (err) {
          if (err instanceof MetricQueryError) fail(`${at}: invalid Metrics Insights query: ${err.message}`);
          throw err;
        }
        if (insights.groupBy.length > 0 && !insights.orderBy) {
          // Multi time series alarms: the query must have GROUP BY and ORDER BY
          // (multi-time-series-alarms.html; AWS-FACTS.md "the query must have a GROUP BY and an ORDER BY").
          fail(`${at}: a Metrics Insights query with GROUP BY must also have ORDER BY to be alarmed on (multi time series alarm): '${watched.expression}'`);
        }
        // "A default of 200 alarms using the Metrics Insights query per account per Region" (alarm-limits.html)
        if (insightsAlarmCount >= 200) throw new CloudWatchLimitExceededError(`${at}: the account already has 200 Metrics Insights alarms (default quota)`);
      }
      if (isBand) fail(`${at}: ${spec.comparisonOperator} is used only for alarms based on anomaly detection models`);
      period = watched.metricStat?.period ?? watched.period ?? queries.find((q) => q.metricStat)?.metricStat?.period ?? 60;
      const kind: MetricAlarmKind = insights ? (insights.groupBy.length ? 'insights-multi' : 'insights') : 'math';
      result = { kind, ...(insights ? { insights } : {}), watched };
    }
  }
  if (single && (spec.threshold === undefined || !Number.isFinite(spec.threshold))) fail(`${at}: Threshold is required for alarms based on static thresholds`);
  // "An alarm's total current evaluation period can be no longer than seven days, so Period
  // multiplied by EvaluationPeriods can't be more than 604,800 seconds. For alarms with a period of
  // less than one hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400 seconds)."
  const total = period * spec.evaluationPeriods;
  if (total > 604_800) fail(`${at}: Period x EvaluationPeriods is ${total} s, more than 604,800`);
  if (period < 3600 && total > 86_400) fail(`${at}: Period x EvaluationPeriods is ${total} s, more than 86,400 for a period under one hour`);
  return result;
}

/** A parsed log alarm aggregation: `fn(expr) [by a, b]`. */
export interface LogAggregation {
  readonly stats: string;
  readonly byFields: string[];
}

/** PutLogAlarm's checks. `validateQuery` compiles a Logs Insights query, throwing on a malformed one. */
export function validateLogAlarm(spec: LogAlarmSpec, validateQuery: (query: string) => void): LogAggregation {
  const name = spec.alarmName;
  if (!name || name.length > 255) fail(`alarm name must be 1 to 255 characters, got '${name}'`);
  const at = `log alarm ${name}`;
  // QueryResultsToEvaluate: "Valid range is 1 through 100."
  if (!(Number.isInteger(spec.queryResultsToEvaluate) && spec.queryResultsToEvaluate >= 1 && spec.queryResultsToEvaluate <= 100)) {
    fail(`${at}: QueryResultsToEvaluate must be 1 to 100, got ${spec.queryResultsToEvaluate}`);
  }
  // QueryResultsToAlarm: "Must be less than or equal to QueryResultsToEvaluate."
  if (!(Number.isInteger(spec.queryResultsToAlarm) && spec.queryResultsToAlarm >= 1 && spec.queryResultsToAlarm <= spec.queryResultsToEvaluate)) {
    fail(`${at}: QueryResultsToAlarm ${spec.queryResultsToAlarm} must be between 1 and QueryResultsToEvaluate (${spec.queryResultsToEvaluate})`);
  }
  // ComparisonOperator: "Valid values are GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, and LessThanOrEqualToThreshold."
  if (!STATIC_OPERATORS.includes(spec.comparisonOperator)) fail(`${at}: ComparisonOperator must be one of ${STATIC_OPERATORS.join(', ')}, got '${spec.comparisonOperator}'`);
  if (!Number.isFinite(spec.threshold)) fail(`${at}: Threshold is required`);
  // TreatMissingData: "Valid values are breaching, notBreaching, ignore, and missing."
  if (spec.treatMissingData !== undefined && !TREAT_MISSING.includes(spec.treatMissingData)) fail(`${at}: TreatMissingData must be one of ${TREAT_MISSING.join(', ')}, got '${spec.treatMissingData}'`);
  // LogGroupIdentifiers: "The list must contain between 1 and 50 entries."
  const groups = spec.logGroupIdentifiers ?? [];
  if (groups.length < 1 || groups.length > 50) fail(`${at}: LogGroupIdentifiers must list 1 to 50 log groups, got ${groups.length}`);
  if (!spec.scheduledQueryRoleArn) fail(`${at}: ScheduledQueryRoleARN is required`);
  // QueryString: "Length constraints: maximum of 10,000 characters."
  if (typeof spec.queryString !== 'string' || spec.queryString.length > 10_000) fail(`${at}: QueryString must be at most 10,000 characters`);
  // AggregationExpression: "Length Constraints: Minimum length of 1. Maximum length of 256." (the
  // constraint table of API_ScheduledQueryConfiguration; its description says 2048, the enforced
  // constraint is the table's)
  const agg = spec.aggregationExpression ?? '';
  if (agg.length < 1 || agg.length > 256) fail(`${at}: AggregationExpression must be 1 to 256 characters, got ${agg.length}`);
  // ScheduleExpression: "Specify a rate() expression, for example rate(5 minutes)." "Length
  // Constraints: Minimum length of 1. Maximum length of 256."
  if (scheduleIntervalMs(spec.scheduleExpression) === undefined) fail(`${at}: ScheduleExpression must be a rate() expression such as rate(5 minutes), got '${spec.scheduleExpression}'`);
  // EndTimeOffset: "Must be non-negative and less than StartTimeOffset. The default is 0."
  const endOffset = spec.endTimeOffset ?? 0;
  if (!(Number.isInteger(endOffset) && endOffset >= 0)) fail(`${at}: EndTimeOffset must be a non-negative integer, got ${spec.endTimeOffset}`);
  if (spec.startTimeOffset !== undefined && !(Number.isInteger(spec.startTimeOffset) && spec.startTimeOffset > endOffset)) {
    fail(`${at}: EndTimeOffset (${endOffset}) must be less than StartTimeOffset (${spec.startTimeOffset})`);
  }
  if (spec.queryLanguage !== undefined && spec.queryLanguage !== 'CWLI') fail(`${at}: only the Logs Insights query language (CWLI) is simulated, got '${spec.queryLanguage}'`);
  const aggregation = parseAggregation(at, agg);
  try {
    validateQuery(`${spec.queryString} | stats ${aggregation.stats}`);
  } catch (err) {
    fail(`${at}: invalid query: ${(err as Error).message}`);
  }
  return aggregation;
}

/**
 * `max(x) by a, b`: a stats aggregation with at most 5 `by` fields (AWS-FACTS.md: "≤ 5
 * by-fields", from alarm-log.html). An optional `| sort ...` tail (the API's own example,
 * "avg(latency) by host | sort desc") only orders contributors and is accepted.
 */
export function parseAggregation(at: string, expression: string): LogAggregation {
  const [head] = expression.split('|');
  const m = /^\s*(.+?)(?:\s+by\s+(.+?))?\s*$/is.exec(head);
  if (!m || !/^\s*\w+\s*\(.*\)\s*(?:as\s+[@\w.]+\s*)?$/is.test(m[1])) fail(`${at}: AggregationExpression must be a stats function such as max(field) [by field, ...], got '${expression}'`);
  const byFields = m[2] ? m[2].split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
  if (byFields.length > 5) fail(`${at}: AggregationExpression may group by at most 5 fields, got ${byFields.length}`);
  return { stats: head.trim(), byFields };
}

/** `rate(N minute[s]|hour[s]|day[s])` in ms, or undefined when not a rate expression. */
export function scheduleIntervalMs(expression: string | undefined): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression ?? '');
  if (!m || Number(m[1]) < 1) return undefined;
  const unit = m[2].startsWith('minute') ? 60_000 : m[2].startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/** PutCompositeAlarm's checks, against the alarms that exist. */
export function validateCompositeAlarm(spec: CompositeAlarmSpec, exists: (name: string) => boolean): string[] {
  const at = `composite alarm ${spec.alarmName}`;
  if (!spec.alarmName || spec.alarmName.length > 255) fail(`alarm name must be 1 to 255 characters, got '${spec.alarmName}'`);
  // AlarmRule: "Length Constraints: Minimum length of 1. Maximum length of 10240." (API_PutCompositeAlarm)
  if (!spec.alarmRule || spec.alarmRule.length > 10_240) fail(`${at}: AlarmRule must be 1 to 10,240 characters`);
  const refs = [...spec.alarmRule.matchAll(/\b(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*("?)([^")]+)\2\s*\)/g)].map((r) => r[3].trim());
  for (const r of refs) {
    const nameOf = r.includes(':alarm:') ? r.slice(r.indexOf(':alarm:') + 7) : r;
    // A composite alarm's rule must name existing alarms.
    if (!exists(nameOf)) fail(`${at}: AlarmRule references alarm '${nameOf}', which does not exist`);
  }
  return refs;
}
