/**
 * Validation of a diagnosis request (the seed's "诊断请求格式" plus `functionConfig` and
 * `metricSeries`). Everything that reaches the engine passed through here, so the engine can
 * trust types and ranges. Pure: no AWS SDK import.
 */
import { AlarmDetails, DiagnosisRequest, FunctionConfigSummary, LogRecord, PastCase, TimedValue } from './model';
import { LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB } from './policy';

/** Thrown when a diagnosis request does not have the expected shape; the message names the field. */
export class RequestValidationError extends Error {
  /** The path of the offending field, e.g. `functionConfig.memorySize` or `logs[3].message`. */
  public readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'RequestValidationError';
    this.field = field;
  }
}

/** Lambda's configurable timeout range, seconds. */
const MAX_TIMEOUT_SECONDS = 900;

/**
 * Check that `value` is a diagnosis request and return a clean copy of it.
 *
 * `logs`, `metrics` and `metricSeries` may be missing (partial data is never fatal; they become
 * empty), but when present they must have the right shape. Log and metric timestamps may be
 * ISO-8601 strings or epoch milliseconds (CloudWatch Logs returns numbers); numbers are converted
 * to ISO-8601 strings. Unknown top-level fields are dropped, so secrets that a caller put in by
 * mistake (environment variables) never travel further.
 *
 * @throws RequestValidationError naming the first bad field and its value
 */
export function parseDiagnosisRequest(value: unknown): DiagnosisRequest {
  const root = requireObject(value, 'request');
  const functionName = requireString(root.functionName, 'functionName');
  const alarmDetails = parseAlarmDetails(root.alarmDetails);
  const metrics = parseSeries(root.metrics, 'metrics');
  const logs = parseLogs(root.logs);
  const functionConfig = root.functionConfig === undefined ? undefined : parseFunctionConfig(root.functionConfig);
  const metricSeries = root.metricSeries === undefined ? undefined : parseMetricSeries(root.metricSeries);
  const alarmTime = root.alarmTime === undefined ? undefined : requireTimestamp(root.alarmTime, 'alarmTime');
  if (root.incomplete !== undefined && typeof root.incomplete !== 'boolean') {
    throw invalid('incomplete', 'must be a boolean', root.incomplete);
  }
  const incompleteReasons = root.incompleteReasons === undefined ? undefined
    : requireArray(root.incompleteReasons, 'incompleteReasons').map((r, i) => requireString(r, `incompleteReasons[${i}]`, true));
  const history = root.history === undefined ? undefined : parseHistory(root.history);

  return {
    functionName,
    alarmDetails,
    metrics,
    logs,
    ...(functionConfig ? { functionConfig } : {}),
    ...(metricSeries ? { metricSeries } : {}),
    ...(alarmTime ? { alarmTime } : {}),
    ...(root.incomplete !== undefined ? { incomplete: root.incomplete as boolean } : {}),
    ...(incompleteReasons ? { incompleteReasons } : {}),
    ...(history ? { history } : {}),
  };
}

function parseHistory(value: unknown): PastCase[] {
  return requireArray(value, 'history').map((v, i) => {
    const o = requireObject(v, `history[${i}]`);
    const f = (name: string) => `history[${i}].${name}`;
    const optionalCount = (name: string) => (o[name] === undefined ? {} : { [name]: requireNumber(o[name], f(name), 0, Number.MAX_SAFE_INTEGER) });
    if (o.memoryClimbing !== undefined && typeof o.memoryClimbing !== 'boolean') throw invalid(f('memoryClimbing'), 'must be a boolean', o.memoryClimbing);
    return {
      caseId: requireString(o.caseId, f('caseId')),
      at: requireTimestamp(o.at, f('at')),
      outcome: requireString(o.outcome, f('outcome')),
      ...(o.category !== undefined ? { category: requireString(o.category, f('category')) } : {}),
      originalMemory: requireNumber(o.originalMemory, f('originalMemory'), LAMBDA_MIN_MEMORY_MB, LAMBDA_MAX_MEMORY_MB),
      newMemory: requireNumber(o.newMemory, f('newMemory'), LAMBDA_MIN_MEMORY_MB, LAMBDA_MAX_MEMORY_MB),
      ...(o.memoryClimbing !== undefined ? { memoryClimbing: o.memoryClimbing as boolean } : {}),
      ...optionalCount('memoryFailures'),
      ...optionalCount('invocations'),
    } as PastCase;
  });
}

function parseAlarmDetails(value: unknown): AlarmDetails {
  const o = requireObject(value, 'alarmDetails');
  return {
    alarmName: requireString(o.alarmName, 'alarmDetails.alarmName'),
    metricName: requireString(o.metricName, 'alarmDetails.metricName'),
    // Absent when the alarm's threshold is unknown (contributor events carry none).
    ...(o.threshold !== undefined ? { threshold: requireNumber(o.threshold, 'alarmDetails.threshold') } : {}),
    evaluationPeriods: requireNumber(o.evaluationPeriods, 'alarmDetails.evaluationPeriods', 1, Number.MAX_SAFE_INTEGER),
  };
}

function parseFunctionConfig(value: unknown): FunctionConfigSummary {
  const o = requireObject(value, 'functionConfig');
  const memorySize = requireNumber(o.memorySize, 'functionConfig.memorySize', LAMBDA_MIN_MEMORY_MB, LAMBDA_MAX_MEMORY_MB);
  const timeout = requireNumber(o.timeout, 'functionConfig.timeout', 1, MAX_TIMEOUT_SECONDS);
  const runtime = o.runtime === undefined ? undefined : requireString(o.runtime, 'functionConfig.runtime');
  const architecture = o.architecture === undefined ? undefined : requireString(o.architecture, 'functionConfig.architecture');
  return {
    memorySize,
    timeout,
    ...(runtime !== undefined ? { runtime } : {}),
    ...(architecture !== undefined ? { architecture } : {}),
  };
}

function parseMetricSeries(value: unknown): Record<string, TimedValue[]> {
  const o = requireObject(value, 'metricSeries');
  const out: Record<string, TimedValue[]> = {};
  for (const [name, series] of Object.entries(o)) {
    out[name] = parseSeries(series, `metricSeries.${name}`);
  }
  return out;
}

function parseSeries(value: unknown, field: string): TimedValue[] {
  if (value === undefined || value === null) return [];
  const arr = requireArray(value, field);
  const out: TimedValue[] = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const p = requireObject(arr[i], `${field}[${i}]`);
    out[i] = {
      timestamp: requireTimestamp(p.timestamp, `${field}[${i}].timestamp`),
      value: requireNumber(p.value, `${field}[${i}].value`),
    };
  }
  return out;
}

function parseLogs(value: unknown): LogRecord[] {
  if (value === undefined || value === null) return [];
  const arr = requireArray(value, 'logs');
  // Valid records are kept as they are (extra fields such as CloudWatch's logStreamName are
  // harmless); only records whose timestamp needs converting are copied. A request can hold tens
  // of thousands of records, and copying them cost more than diagnosing them.
  let out: LogRecord[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const r = arr[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw invalid(`logs[${i}]`, 'must be an object', r);
    const rec = r as Record<string, unknown>;
    if (typeof rec.message !== 'string') throw invalid(`logs[${i}].message`, 'must be a string', rec.message);
    const timestamp = requireTimestamp(rec.timestamp, `logs[${i}].timestamp`);
    if (timestamp !== rec.timestamp && out === undefined) out = arr.slice(0, i) as LogRecord[];
    if (out !== undefined) out.push(timestamp === rec.timestamp ? (rec as unknown as LogRecord) : { timestamp, message: rec.message });
  }
  return out ?? (arr as LogRecord[]);
}

function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be an object', value);
  return value as Record<string, unknown>;
}

function requireArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array', value);
  return value;
}

function requireString(value: unknown, field: string, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw invalid(field, allowEmpty ? 'must be a string' : 'must be a non-empty string', value);
  }
  return value;
}

function requireNumber(value: unknown, field: string, min?: number, max?: number): number {
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (min === undefined || value >= min) && (max === undefined || value <= max);
  if (!ok) {
    const range = min !== undefined && max !== undefined && max !== Number.MAX_SAFE_INTEGER ? ` between ${min} and ${max}`
      : min !== undefined ? ` of at least ${min}` : '';
    throw invalid(field, `must be a number${range}`, value);
  }
  return value as number;
}

function requireTimestamp(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string' && (looksIso(value) || (value !== '' && !Number.isNaN(Date.parse(value))))) return value;
  throw invalid(field, 'must be an ISO-8601 timestamp or epoch milliseconds', value);
}

/** `2026-11-20T10:48:01.023Z` and the like, checked by position: far cheaper than Date.parse. */
function looksIso(value: string): boolean {
  return value.length >= 20 && value.length <= 35
    && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45 && value.charCodeAt(10) === 84
    && value.charCodeAt(13) === 58 && value.charCodeAt(16) === 58
    && isDigits(value, 0, 4) && isDigits(value, 5, 7) && isDigits(value, 8, 10) && isDigits(value, 11, 13) && isDigits(value, 14, 16);
}

function isDigits(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function invalid(field: string, requirement: string, value: unknown): RequestValidationError {
  return new RequestValidationError(field, `${field} ${requirement}, got ${describe(value)}`);
}

/** Show the offending value briefly; long strings are cut so a huge log never ends up in a message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 60)}...` : value;
    return JSON.stringify(s);
  }
  return String(value);
}
