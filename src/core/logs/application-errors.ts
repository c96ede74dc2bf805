/**
 * Lines the function's own code (or its runtime on its behalf) writes: log-level tagged lines,
 * unhandled exceptions, stack traces, and the error names of calls to other services.
 *
 *     [ERROR] KeyError: 'customer_id'\nTraceback (most recent call last): ...      (Python)
 *     [ERROR]\t2026-...Z\t<id>\tfailed to save order                                (Python logger)
 *     2026-...Z\t<id>\tERROR\tInvoke Error \t{"errorType":"Error",...}             (Node.js)
 *     AccessDeniedException: User ... is not authorized to perform: dynamodb:PutItem
 *     ETIMEDOUT, ECONNRESET, ReadTimeoutError, Connect timeout on endpoint URL, socket hang up
 *     TooManyRequestsException, Rate exceeded
 *
 * Log text is data: INFO / DEBUG / TRACE lines yield no signal at all, whatever they say, and
 * WARN lines only the not-memory signals (permission, downstream, throttling).
 */
import { detectLanguageOom } from './language-oom';
import { findInitErrorType } from './platform-errors';
import { LanguageOomRuntime, LineFacts, LogSignal } from './types';

/** A log level as written by the runtimes' loggers, upper case; `undefined` when the line has none. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

// `[ERROR] ...`, `[ERROR]\t<time>\t<id>\t...` (Python); `[FATAL] ...` (Ruby)
const BRACKET_LEVEL = /^\[(TRACE|DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\](?:\t[^\t\n]*\t([\w-]+)\t)?/;
// `<time>\t<id>\tERROR\t...` (Node.js), `<time>\t<id>\tfail\t...` (.NET)
const TAB_LEVEL = /^\d{4}-\d\d-\d\dT[\d:.]+Z?\t([\w-]+)\t([A-Za-z]{4,8})\t/;

// Unhandled errors as the runtimes print them when the line has no level: Python tracebacks,
// Java / .NET / Node.js stack frames, Go panics, the Ruby runtime's `Critical exception from
// handler` / `Error raised from handler method`.
const STACK_TRACE = /(?:^|\n)(?:Traceback \(most recent call last\):|Exception in thread |Unhandled exception\. |panic: |Critical exception from handler|Error raised from handler method|[ \t]+at [\w$.<>]+[ (])/;
const PERMISSION = /AccessDenied|is not authorized to perform|UnauthorizedOperation|UnrecognizedClientException|AuthorizationError/;
const DOWNSTREAM = new RegExp([
  'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'ESOCKETTIMEDOUT', 'EAI_AGAIN', 'socket hang up', // Node.js
  'ReadTimeout', 'ConnectTimeout', 'TimeoutError', 'Connect timeout on endpoint URL', 'Read timeout on endpoint URL', // Python, SDKs
  'Unable to execute HTTP request', 'TimeoutException', 'connect timed out', 'Read timed out', 'Connection timed out', // Java, .NET
  'TaskCanceledException', 'context deadline exceeded', 'i/o timeout', // .NET, Go
  'Net::OpenTimeout', 'Net::ReadTimeout', // Ruby
  'error sending request', 'operation timed out', // Rust (reqwest, hyper)
].join('|'));
const THROTTLING = /TooManyRequestsException|Rate exceeded|ThrottlingException|ThrottledException|ProvisionedThroughputExceededException|RequestLimitExceeded|SlowDown\b/;

const RUBY_LEVELS: Record<string, LogLevel | undefined> = { D: 'DEBUG', I: 'INFO', W: 'WARN', E: 'ERROR', F: 'FATAL' };

/** The level of a text log line and the request id it names, when it has them. */
export function readLevel(message: string): { level?: LogLevel; requestId?: string } {
  const c = message.charCodeAt(0);
  // Ruby's Logger: `E, [2026-11-20T12:00:00.123456 #8] ERROR -- : message`
  if (message.charCodeAt(1) === 44 /* , */ && message.startsWith(' [', 2)) {
    const level = RUBY_LEVELS[message[0]];
    if (level) return { level };
  }
  if (c === 91 /* [ */) {
    const m = BRACKET_LEVEL.exec(message);
    if (m) return { level: normalizeLevel(m[1]), requestId: m[2] };
  } else if (c >= 48 && c <= 57 /* digit */) {
    const m = TAB_LEVEL.exec(message);
    if (m) return { level: normalizeLevel(m[2]), requestId: m[1] };
  }
  return {};
}

/** Map logger spellings (`WARNING`, `CRITICAL`, `warn`) onto one set of levels. */
export function normalizeLevel(level: string | undefined): LogLevel | undefined {
  switch (level?.toUpperCase()) {
    case 'TRACE': case 'TRCE': return 'TRACE';
    case 'DEBUG': case 'DBUG': return 'DEBUG';
    case 'INFO': return 'INFO';
    case 'WARN': case 'WARNING': return 'WARN';
    case 'ERROR': case 'FAIL': return 'ERROR';
    case 'FATAL': case 'CRITICAL': case 'CRIT': return 'FATAL';
    default: return undefined;
  }
}

/** Parse an application text line. Returns `undefined` when it carries no signal. */
export function parseApplicationLine(message: string): LineFacts | undefined {
  const { level, requestId } = readLevel(message);
  return classifyApplicationText(message, level, requestId);
}

/**
 * The signals in an application message of a known (or unknown) level. Shared by the text and
 * JSON log formats.
 */
export function classifyApplicationText(text: string, level: LogLevel | undefined, requestId?: string): LineFacts | undefined {
  if (level === 'INFO' || level === 'DEBUG' || level === 'TRACE') return undefined;
  const signals: LogSignal[] = [];
  let languageOomRuntime: LanguageOomRuntime | undefined;
  if (level !== 'WARN') {
    languageOomRuntime = detectLanguageOom(text);
    if (languageOomRuntime) signals.push('languageOom');
  }
  if (PERMISSION.test(text)) signals.push('permissionError');
  if (DOWNSTREAM.test(text)) signals.push('downstreamTimeout');
  if (THROTTLING.test(text)) signals.push('throttling');
  let initErrorType: string | undefined;
  if (level !== 'WARN') {
    initErrorType = findInitErrorType(text);
    if (initErrorType) signals.push('initFailure');
  }
  if (level === 'ERROR' || level === 'FATAL' || (level === undefined && STACK_TRACE.test(text))) signals.push('appError');
  if (signals.length === 0) return undefined;
  return { kind: 'other', requestId, signals, languageOomRuntime, initErrorType };
}
