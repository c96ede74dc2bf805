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

const NO_SIGNALS: readonly LogSignal[] = Object.freeze([]);

/**
 * Parse a platform text line. Returns `undefined` when the message is not one of the platform's
 * text lines (START / END / REPORT / INIT_REPORT).
 */
export function parseTextPlatformLine(message: string): LineFacts | undefined {
  if (message.startsWith('REPORT ')) return parseReport(message);
  if (message.startsWith('START ')) return { kind: 'start', requestId: requestIdAfter(message, 'START RequestId: '), signals: NO_SIGNALS };
  if (message.startsWith('END ')) return { kind: 'other', requestId: requestIdAfter(message, 'END RequestId: '), signals: NO_SIGNALS };
  if (message.startsWith('INIT_REPORT ')) return parseInitReport(message);
  return undefined;
}

function parseReport(message: string): LineFacts {
  const figures = parseReportFigures(message);
  return {
    kind: 'report',
    requestId: requestIdAfter(message, 'REPORT RequestId: '),
    report: figures,
    signals: statusSignals(figures.status, figures.errorType),
  };
}

/** The figures of a text REPORT line. */
export function parseReportFigures(message: string): ReportFigures {
  const figures: { -readonly [K in keyof ReportFigures]: ReportFigures[K] } = {};
  readReportFigures(message, figures);
  return figures;
}

/**
 * Read a text REPORT line's figures into `into` (each figure the line gives replaces the one
 * there; the others stay) and return the signals of the line's status and error type. Allocates
 * nothing for a REPORT without a status: large requests hold one per invocation, and what is
 * allocated while a request is being read costs garbage collection of the request itself.
 */
export function readReportFigures(message: string, into: { -readonly [K in keyof ReportFigures]: ReportFigures[K] }): readonly LogSignal[] {
  // One forward pass over the tab-separated fields, reading numbers in place (no splitting, no
  // intermediate strings): this runs once per invocation and dominates large requests.
  let durationMs: number | undefined;
  let billedDurationMs: number | undefined;
  let memorySizeMb: number | undefined;
  let maxMemoryUsedMb: number | undefined;
  let initDurationMs: number | undefined;
  let status: InvocationStatus | undefined;
  let errorType: string | undefined;
  const n = message.length;
  // The next line break, searched again only once the fields have passed it (most REPORTs have none).
  let newline = message.indexOf('\n');
  let i = message.indexOf('\t');
  while (i >= 0 && i < n) {
    const at = i + 1;
    // The field's first letter picks the one name it can be, so each field costs one prefix check.
    switch (message.charCodeAt(at)) {
      case 68 /* D */:
        if (message.startsWith('Duration: ', at)) durationMs = numberAt(message, at + 10);
        break;
      case 66 /* B */:
        if (message.startsWith('Billed Duration: ', at)) billedDurationMs = numberAt(message, at + 17);
        break;
      case 77 /* M */:
        if (message.startsWith('Memory Size: ', at)) memorySizeMb = numberAt(message, at + 13);
        else if (message.startsWith('Max Memory Used: ', at)) maxMemoryUsedMb = numberAt(message, at + 17);
        break;
      case 73 /* I */:
        if (message.startsWith('Init Duration: ', at)) initDurationMs = numberAt(message, at + 15);
        break;
      case 83 /* S */:
        if (message.startsWith('Status: ', at)) status = asStatus(textAt(message, at + 8));
        break;
      case 69 /* E */:
        if (message.startsWith('Error Type: ', at)) errorType = textAt(message, at + 12);
        break;
      default:
    }
    if (newline >= 0 && newline < at) newline = message.indexOf('\n', at);
    const tab = message.indexOf('\t', at);
    i = tab < 0 || (newline >= 0 && newline < tab) ? newline : tab;
  }
  if (durationMs !== undefined) into.durationMs = durationMs;
  if (billedDurationMs !== undefined) into.billedDurationMs = billedDurationMs;
  if (memorySizeMb !== undefined) into.memorySizeMb = memorySizeMb;
  if (maxMemoryUsedMb !== undefined) into.maxMemoryUsedMb = maxMemoryUsedMb;
  if (initDurationMs !== undefined) into.initDurationMs = initDurationMs;
  if (status !== undefined) into.status = status;
  if (errorType !== undefined) into.errorType = errorType;
  return statusSignals(status, errorType);
}

function parseInitReport(message: string): LineFacts {
  const status = fieldText(message, '\tStatus: ');
  const errorType = fieldText(message, '\tError Type: ');
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
export function statusSignals(status: InvocationStatus | undefined, errorType: string | undefined): readonly LogSignal[] {
  if (status === undefined && errorType === undefined) return NO_SIGNALS;
  const signals: LogSignal[] = [];
  if (errorType === 'Runtime.OutOfMemory') signals.push('platformOom');
  else if (errorType === 'Runtime.ExitError') signals.push('exitError');
  else if (errorType !== undefined && INIT_ERROR_TYPES.has(errorType)) signals.push('initFailure');
  if (status === 'timeout' || errorType === 'Sandbox.Timedout') signals.push('timeout');
  return signals;
}

/**
 * Index of the next tab or newline at or after `from` (fields of REPORT / INIT_REPORT lines), or -1.
 * Two native searches: a loop over the characters costs several times more on REPORT lines.
 */
function nextSeparator(message: string, from: number): number {
  const tab = message.indexOf('\t', from);
  const newline = message.indexOf('\n', from);
  if (tab < 0) return newline;
  return newline < 0 || tab < newline ? tab : newline;
}

/** The decimal number starting at `from` (`990.80`), or undefined when there is none. */
function numberAt(message: string, from: number): number | undefined {
  let value = 0;
  let digits = 0;
  let scale = 0;
  for (let i = from; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      if (scale > 0) scale *= 10;
    } else if (c === 46 /* . */ && scale === 0) {
      scale = 1;
    } else {
      break;
    }
  }
  if (digits === 0) return undefined;
  return scale > 1 ? value / scale : value;
}

/** The text from `from` up to the next tab or line end, trimmed; undefined when empty. */
function textAt(message: string, from: number): string | undefined {
  const end = nextSeparator(message, from);
  const text = message.slice(from, end < 0 ? message.length : end).trim();
  return text === '' ? undefined : text;
}

/** The text that follows `label` up to the next tab or line end, or undefined. */
function fieldText(message: string, label: string): string | undefined {
  const at = message.indexOf(label);
  return at < 0 ? undefined : textAt(message, at + label.length);
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
