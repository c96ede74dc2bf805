/**
 * The Lambda platform's text log lines: `START`, `END`, `REPORT` (with the optional `Init
 * Duration`, `Status`, `Error Type` and X-Ray fields) and `INIT_REPORT`.
 *
 * Fields are tab separated `Name: value` pairs, so they are read by splitting, not by one big
 * regular expression: the order of the optional fields and new fields added by AWS do not matter.
 */
import { InvocationStatus, LineFacts, LogSignal, ReportFigures } from './types';

/** Error types that mean the init phase itself failed (not an out-of-memory kill). */
export const INIT_ERROR_TYPES: ReadonlySet<string> = new Set([
  'Runtime.ImportModuleError',
  'Runtime.HandlerNotFound',
  'Runtime.UserCodeSyntaxError',
  'Runtime.MalformedHandlerName',
  'Runtime.InvalidEntrypoint',
  'Runtime.InvalidWorkingDirectory',
  'Runtime.BadFunctionCode',
]);

/**
 * Parse a platform text line. Returns `undefined` when the message is not one of the platform's
 * text lines (START / END / REPORT / INIT_REPORT).
 */
export function parseTextPlatformLine(message: string): LineFacts | undefined {
  if (message.startsWith('REPORT ')) return parseReport(message);
  if (message.startsWith('START ')) return { kind: 'start', requestId: requestIdAfter(message, 'START RequestId: '), signals: [] };
  if (message.startsWith('END ')) return { kind: 'other', requestId: requestIdAfter(message, 'END RequestId: '), signals: [] };
  if (message.startsWith('INIT_REPORT ')) return parseInitReport(message);
  return undefined;
}

function parseReport(message: string): LineFacts {
  const fields = splitFields(message);
  const requestId = fields.get('REPORT RequestId');
  const status = asStatus(fields.get('Status'));
  const errorType = fields.get('Error Type');
  const figures: ReportFigures = {
    durationMs: asNumber(fields.get('Duration')),
    billedDurationMs: asNumber(fields.get('Billed Duration')),
    memorySizeMb: asNumber(fields.get('Memory Size')),
    maxMemoryUsedMb: asNumber(fields.get('Max Memory Used')),
    initDurationMs: asNumber(fields.get('Init Duration')),
    status,
    errorType,
  };
  return { kind: 'report', requestId, report: figures, signals: statusSignals(status, errorType) };
}

function parseInitReport(message: string): LineFacts {
  const fields = splitFields(message);
  const status = fields.get('Status');
  const errorType = fields.get('Error Type');
  const signals: LogSignal[] = [];
  if (status === 'error' || status === 'timeout') {
    // An init that ran out of memory is a memory problem, not an init-code problem.
    if (errorType === 'Runtime.OutOfMemory') signals.push('platformOom');
    else signals.push('initFailure');
  }
  return { kind: 'other', signals, initErrorType: signals.includes('initFailure') ? (errorType ?? `init ${status}`) : undefined };
}

/**
 * The signals a platform status and error type carry (shared with the JSON format, whose
 * `platform.report` has the same status and errorType).
 */
export function statusSignals(status: InvocationStatus | undefined, errorType: string | undefined): LogSignal[] {
  const signals: LogSignal[] = [];
  if (errorType === 'Runtime.OutOfMemory') signals.push('platformOom');
  else if (errorType === 'Runtime.ExitError') signals.push('exitError');
  else if (errorType !== undefined && INIT_ERROR_TYPES.has(errorType)) signals.push('initFailure');
  if (status === 'timeout' || errorType === 'Sandbox.Timedout') signals.push('timeout');
  return signals;
}

/** Split `A: 1 ms\tB: 2 MB\t\nXRAY TraceId: ...` into a map of field name to value (units kept). */
function splitFields(message: string): Map<string, string> {
  const out = new Map<string, string>();
  let start = 0;
  const n = message.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? message.charCodeAt(i) : 9;
    if (c === 9 /* \t */ || c === 10 /* \n */ || c === 13 /* \r */) {
      if (i > start) {
        const part = message.slice(start, i);
        const colon = part.indexOf(': ');
        if (colon > 0) out.set(part.slice(0, colon).trim(), part.slice(colon + 2).trim());
      }
      start = i + 1;
    }
  }
  return out;
}

/** `"990.80 ms"` -> 990.8, `"256 MB"` -> 256; anything else -> undefined. */
function asNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  const n = Number(space < 0 ? value : value.slice(0, space));
  return Number.isFinite(n) ? n : undefined;
}

function asStatus(value: string | undefined): InvocationStatus | undefined {
  return value === 'success' || value === 'error' || value === 'timeout' ? value : undefined;
}

function requestIdAfter(message: string, prefix: string): string | undefined {
  if (!message.startsWith(prefix)) return undefined;
  let end = prefix.length;
  while (end < message.length) {
    const c = message.charCodeAt(end);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    end++;
  }
  return end > prefix.length ? message.slice(prefix.length, end) : undefined;
}
