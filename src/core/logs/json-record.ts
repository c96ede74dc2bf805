/**
 * The JSON log format (function `LoggingConfig.LogFormat: JSON`):
 *
 *     {"time":"...","type":"platform.start","record":{"requestId":"...","version":"$LATEST"}}
 *     {"time":"...","type":"platform.report","record":{"requestId":"...","metrics":{"durationMs":990.8,
 *       "billedDurationMs":991,"memorySizeMB":256,"maxMemoryUsedMB":256,"initDurationMs":210.5},
 *       "status":"error","errorType":"Runtime.OutOfMemory"}}
 *     {"time":"...","type":"platform.runtimeDone","record":{"requestId":"...","status":"timeout"}}
 *     {"time":"...","type":"platform.initReport","record":{"phase":"init","status":"error",
 *       "errorType":"Runtime.ImportModuleError"}}
 *
 * and application records written by the runtimes' JSON loggers:
 *
 *     {"timestamp":"...","level":"ERROR","requestId":"...","errorType":"MemoryError",
 *       "errorMessage":"...","stackTrace":["..."]}
 */
import { classifyApplicationText, normalizeLevel } from './application-errors';
import { parsePlatformErrorLine } from './platform-errors';
import { statusSignals } from './text-report';
import { InvocationStatus, LineFacts, LogSignal } from './types';

/**
 * Parse a JSON log record. Returns `undefined` when the message is not a JSON object (it is then
 * read as text) or carries nothing of interest.
 */
export function parseJsonRecord(message: string): LineFacts | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const type = value.type;
  if (typeof type === 'string' && type.startsWith('platform.') && isObject(value.record)) {
    return parsePlatformRecord(type, value.record);
  }
  return parseApplicationRecord(value);
}

function parsePlatformRecord(type: string, record: Record<string, unknown>): LineFacts | undefined {
  const requestId = str(record.requestId);
  const status = asStatus(record.status);
  const errorType = str(record.errorType);
  switch (type) {
    case 'platform.start':
      return { kind: 'start', requestId, signals: [], json: true };
    case 'platform.report': {
      const metrics = isObject(record.metrics) ? record.metrics : {};
      return {
        kind: 'report',
        requestId,
        json: true,
        report: {
          durationMs: num(metrics.durationMs),
          billedDurationMs: num(metrics.billedDurationMs),
          memorySizeMb: num(metrics.memorySizeMB),
          maxMemoryUsedMb: num(metrics.maxMemoryUsedMB),
          initDurationMs: num(metrics.initDurationMs),
          status,
          errorType,
        },
        signals: statusSignals(status, errorType),
      };
    }
    case 'platform.runtimeDone':
      return { kind: 'other', requestId, signals: statusSignals(status, errorType), json: true };
    case 'platform.initReport':
    case 'platform.initRuntimeDone': {
      if (status !== 'error' && status !== 'timeout') return { kind: 'other', signals: [], json: true };
      const oom = errorType === 'Runtime.OutOfMemory';
      const signals: LogSignal[] = [oom ? 'platformOom' : 'initFailure'];
      return { kind: 'other', signals, json: true, initErrorType: oom ? undefined : (errorType ?? `init ${status}`) };
    }
    default:
      return { kind: 'other', signals: [], json: true };
  }
}

function parseApplicationRecord(o: Record<string, unknown>): LineFacts | undefined {
  const invokeError = parseInvokeError(o);
  if (invokeError) return invokeError;
  const level = normalizeLevel(str(o.level) ?? str(o.log_level) ?? str(o.levelname));
  // requestId: the runtimes' JSON format; function_request_id: Powertools for AWS Lambda.
  const requestId = str(o.requestId) ?? str(o.AWSRequestId) ?? str(o.awsRequestId) ?? str(o.function_request_id);
  // Rebuild the text the way the text format shows it: error type first, then message and
  // stack, one per line, so the same start-anchored patterns apply.
  const parts: string[] = [];
  const errorType = str(o.errorType);
  const errorMessage = str(o.errorMessage);
  if (errorType) parts.push(errorMessage ? `${errorType}: ${errorMessage}` : errorType);
  else if (errorMessage) parts.push(errorMessage);
  if (typeof o.message === 'string') parts.push(o.message);
  else if (isObject(o.message)) parts.push(JSON.stringify(o.message));
  if (Array.isArray(o.stackTrace)) {
    for (const line of o.stackTrace) if (typeof line === 'string') parts.push(line);
  }
  // The Java runtime nests the cause of a wrapped exception: `"cause": {"errorType": ...}`.
  for (let cause = o.cause, depth = 0; isObject(cause) && depth < 4; cause = cause.cause, depth++) {
    const type = str(cause.errorType);
    const msg = str(cause.errorMessage);
    if (type || msg) parts.push(`Caused by: ${[type, msg].filter(Boolean).join(': ')}`);
  }
  // Powertools' logger.exception(): `exception_name` and the formatted traceback in `exception`.
  const exceptionName = str(o.exception_name);
  if (exceptionName) parts.push(exceptionName);
  if (typeof o.exception === 'string') parts.push(o.exception);
  const facts = classifyApplicationText(parts.join('\n'), level, requestId);
  if (!facts) return { kind: 'other', requestId, signals: [], json: true };
  return { ...facts, json: true };
}

/**
 * The error an Invoke returns when the runtime died, as the Lambda console's test result shows it
 * and people paste it: `{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: <id> Error:
 * Runtime exited with error: signal: killed"}`. No log level, a `Runtime.*` error type (the
 * platform's own), and the platform's exit line as the message.
 */
function parseInvokeError(o: Record<string, unknown>): LineFacts | undefined {
  const errorType = str(o.errorType);
  const errorMessage = str(o.errorMessage);
  if (errorType === undefined || errorMessage === undefined || !errorType.startsWith('Runtime.')) return undefined;
  if (o.level !== undefined || o.log_level !== undefined || o.levelname !== undefined) return undefined;
  const line = parsePlatformErrorLine(errorMessage);
  const signals = [...new Set([...(line?.signals ?? []), ...statusSignals('error', errorType)])];
  if (signals.length === 0) return undefined;
  return { kind: 'other', requestId: line?.requestId, signals, json: true };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function asStatus(v: unknown): InvocationStatus | undefined {
  return v === 'success' || v === 'error' || v === 'timeout' ? v : undefined;
}
