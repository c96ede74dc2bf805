/**
 * `parseLogs`: one pass over the log events of a request, dispatching each event to the parser
 * of its shape (JSON record, platform text line, platform error line, application line) and
 * merging what they say per invocation.
 *
 * Lines that name no request id belong to the invocation opened by the last `START` /
 * `platform.start` (a log stream is one execution environment, which runs one invocation at a
 * time); lines before any `START` are counted without an invocation.
 */
import { USE_RATIO } from '../calibration';
import { LogRecord } from '../model';
import { classifyApplicationText, parseApplicationLine, readLevel } from './application-errors';
import { parseJsonRecord } from './json-record';
import { hasEventBreak, hasInnerNewline, isLambdaReport, needsReassembly, reassemblePastedLogs } from './pasted';
import { parsePlatformErrorLine } from './platform-errors';
import { parseTextPlatformLine, readReportFigures } from './text-report';
import {
  InvocationFacts, LineFacts, LOG_SIGNALS, LogEvidence, LogSignal, MemoryUsageStats, ReportFigures, SignalCounts,
} from './types';

export * from './types';
export { detectLanguageOom } from './language-oom';
export { parseApplicationLine, classifyApplicationText, readLevel } from './application-errors';
export type { LogLevel } from './application-errors';
export { parseJsonRecord } from './json-record';
export { parsePlatformErrorLine } from './platform-errors';
export { parseTextPlatformLine } from './text-report';
export { reassemblePastedLogs } from './pasted';
export type { ReassembledLogs } from './pasted';

/** Max Memory Used / Memory Size at or above which an invocation counts as high use (see calibration.ts). */
export const HIGH_USE_RATIO = USE_RATIO.high;
/** Max Memory Used / Memory Size at or above which an invocation is at the limit (see calibration.ts). */
export const AT_LIMIT_RATIO = USE_RATIO.atLimit;

const EXAMPLE_LENGTH = 200;
const START_PREFIX = 'START RequestId: ';
const END_PREFIX = 'END RequestId: ';
const REPORT_PREFIX = 'REPORT RequestId: ';

type MutableFacts = { -readonly [K in keyof InvocationFacts]: InvocationFacts[K] };

/** Parse one log event (already trimmed) into what it says, or `undefined` when it says nothing. */
export function parseLogLine(message: string): LineFacts | undefined {
  if (message.charCodeAt(0) === 123 /* { */) {
    const facts = parseJsonRecord(message);
    if (facts) return facts;
  }
  const platform = parseTextPlatformLine(message);
  if (platform) return platform;
  // A line with an application log level was written by the application: platform error
  // patterns are not applied to it, so a multi-line application message cannot pose as the
  // platform.
  const { level, requestId } = readLevel(message);
  if (level !== undefined) return classifyApplicationText(message, level, requestId);
  return parsePlatformErrorLine(message) ?? parseApplicationLine(message);
}

/**
 * Turn the log events of a diagnosis request into per-invocation facts and counts. Linear in the
 * number of events; never throws on odd input (unknown lines are skipped). Log text as people
 * paste it (console timestamps, tables, re-wrapped REPORT lines) is read back into Lambda's own
 * layout first (see pasted.ts).
 */
export function parseLogs(input: LogRecord[]): LogEvidence {
  // Records in Lambda's own layout (all a collected request holds) are checked in the same pass
  // that reads them; the first record that is not sends the whole request through
  // reassemblePastedLogs first (which returns the records unchanged when none needs it).
  const direct = readEvidence(input, input.length, 0, true);
  if (direct !== undefined) return direct;
  const { records, pastedPlatformLines } = reassemblePastedLogs(input);
  return readEvidence(records, input.length, pastedPlatformLines, false)!;
}

/**
 * The evidence of `logs`. With `checkLayout`, returns undefined as soon as a record is not in
 * Lambda's own layout (`needsReassembly`), checked without reading a line twice where the fast
 * paths below already know what it starts with.
 */
function readEvidence(logs: readonly LogRecord[], eventCount: number, pastedPlatformLines: number, checkLayout: boolean): LogEvidence | undefined {
  const byId = new Map<string, MutableFacts>();
  const invocations: MutableFacts[] = [];
  const counts = zeroCounts();
  const examples: Partial<Record<LogSignal, string>> = {};
  const initErrorTypes = new Set<string>();
  let initFailures = 0;
  let jsonEventCount = 0;
  let current: MutableFacts | undefined;
  // Most lines name the open invocation (or none), so the id index is built lazily, only when a
  // line names another one.
  let indexed = 0;

  /** A new invocation (every START is one: an async retry reuses its request id but is a new attempt). */
  const open = (requestId: string): MutableFacts => {
    const inv = newFacts(requestId);
    invocations.push(inv);
    return inv;
  };
  const invocation = (requestId: string): MutableFacts => {
    if (current !== undefined && current.requestId === requestId) return current;
    for (; indexed < invocations.length; indexed++) byId.set(invocations[indexed].requestId, invocations[indexed]);
    return byId.get(requestId) ?? open(requestId);
  };
  const invocationNamed = (requestId: string | undefined): MutableFacts | undefined =>
    (requestId !== undefined && requestId !== 'undefined' ? invocation(requestId) : undefined);
  const markSignal = (inv: MutableFacts | undefined, signal: LogSignal, message: string): void => {
    if (inv === undefined) {
      counts[signal]++;
    } else if (!inv[signal]) {
      inv[signal] = true;
      counts[signal]++;
    }
    if (examples[signal] === undefined) {
      const text = trimEnd(message);
      examples[signal] = text.length > EXAMPLE_LENGTH ? `${text.slice(0, EXAMPLE_LENGTH)}...` : text;
    }
  };

  for (const record of logs) {
    const raw = record.message;
    const c0 = raw.charCodeAt(0);
    // Fast paths for the lines that make up most of a large request. Each gives exactly what the
    // general path below would, without building intermediate objects.
    if (c0 === 83 /* S */ && raw.startsWith(START_PREFIX)) {
      if (checkLayout && hasInnerNewline(raw)) return undefined;
      const id = readToken(raw, START_PREFIX.length);
      if (id !== undefined) current = open(id);
      continue;
    }
    if (c0 === 69 /* E */ && raw.startsWith(END_PREFIX)) {
      if (checkLayout && hasInnerNewline(raw)) return undefined;
      continue; // names the invocation, says nothing
    }
    if (c0 === 82 /* R */ && raw.startsWith(REPORT_PREFIX)) {
      if (checkLayout && (!isLambdaReport(raw) || hasEventBreak(raw))) return undefined;
      const inv = current !== undefined && isTokenAt(raw, REPORT_PREFIX.length, current.requestId)
        ? current : invocationNamed(readToken(raw, REPORT_PREFIX.length));
      if (inv !== undefined) {
        inv.hasReport = true;
        for (const signal of readReportFigures(raw, inv)) markSignal(inv, signal, raw);
        if (inv === current) current = undefined;
      }
      continue;
    }
    if (checkLayout && needsReassembly(raw)) return undefined;
    if (isQuietApplicationLine(raw, c0)) continue;

    const message = trimEnd(raw);
    if (message === '') continue;
    const facts = parseLogLine(message);
    if (!facts) continue;
    if (facts.json) jsonEventCount++;

    const named = facts.kind === 'start' && facts.requestId !== undefined ? open(facts.requestId) : invocationNamed(facts.requestId);
    if (facts.kind === 'start') current = named;
    const inv = named ?? current;

    if (facts.report && inv) applyReport(inv, facts.report);
    for (const signal of facts.signals) markSignal(inv, signal, message);
    if (inv && facts.timeoutSeconds !== undefined) inv.timeoutSeconds = facts.timeoutSeconds;
    if (inv && facts.languageOomRuntime) inv.languageOomRuntime = facts.languageOomRuntime;
    if (facts.initErrorType !== undefined) {
      initFailures++;
      initErrorTypes.add(facts.initErrorType);
    }
    if (facts.kind === 'report' && inv === current) current = undefined;
  }

  return {
    invocations,
    counts,
    eventCount,
    jsonEventCount,
    pastedPlatformLines,
    memory: memoryStats(invocations),
    init: { failures: initFailures, errorTypes: [...initErrorTypes] },
    examples,
  };
}

function applyReport(inv: MutableFacts, r: ReportFigures): void {
  inv.hasReport = true;
  inv.durationMs = r.durationMs ?? inv.durationMs;
  inv.billedDurationMs = r.billedDurationMs ?? inv.billedDurationMs;
  inv.memorySizeMb = r.memorySizeMb ?? inv.memorySizeMb;
  inv.maxMemoryUsedMb = r.maxMemoryUsedMb ?? inv.maxMemoryUsedMb;
  inv.initDurationMs = r.initDurationMs ?? inv.initDurationMs;
  inv.status = r.status ?? inv.status;
  inv.errorType = r.errorType ?? inv.errorType;
}

/** The request id at `from`: up to the next space, tab or line end. */
function readToken(message: string, from: number): string | undefined {
  let end = from;
  while (end < message.length && !isSeparator(message.charCodeAt(end))) end++;
  return end > from ? message.slice(from, end) : undefined;
}

/**
 * Whether `token` stands at `from` in `message` as a whole token. Compared as a slice: on request
 * ids, slicing and comparing costs a third of `startsWith(token, from)`.
 */
function isTokenAt(message: string, from: number, token: string): boolean {
  const end = from + token.length;
  return (end === message.length || (end < message.length && isSeparator(message.charCodeAt(end)))) && message.slice(from, end) === token;
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * INFO / DEBUG / TRACE lines in the Python (`[INFO]\t...`), Node.js and .NET
 * (`<time>\t<id>\tINFO\t...`) formats: the general path gives them no signal, so skip them
 * without running any pattern.
 */
function isQuietApplicationLine(message: string, c0: number): boolean {
  if (c0 === 91 /* [ */) {
    return message.startsWith('[INFO]') || message.startsWith('[DEBUG]') || message.startsWith('[TRACE]');
  }
  if ((c0 === 73 /* I */ || c0 === 68 /* D */) && message.charCodeAt(1) === 44 /* , */ && message.startsWith(' [', 2)) {
    return true; // Ruby Logger INFO / DEBUG
  }
  if (c0 >= 48 && c0 <= 57 && message.charCodeAt(4) === 45 /* - */ && message.charCodeAt(10) === 84 /* T */) {
    const t1 = message.indexOf('\t');
    if (t1 < 0 || t1 > 40) return false;
    const t2 = message.indexOf('\t', t1 + 1);
    if (t2 < 0 || t2 - t1 > 80) return false;
    const at = t2 + 1;
    return message.startsWith('INFO\t', at) || message.startsWith('DEBUG\t', at) || message.startsWith('TRACE\t', at)
      || message.startsWith('info\t', at) || message.startsWith('dbug\t', at) || message.startsWith('trce\t', at);
  }
  return false;
}

/** Whether an invocation ended in a way that cut its memory use short (so its figure is a floor). */
export function wasCutShort(inv: InvocationFacts): boolean {
  return inv.platformOom || inv.killed || inv.exitStatus137 || inv.languageOom || inv.exitError || inv.timeout;
}

function memoryStats(invocations: readonly InvocationFacts[]): MemoryUsageStats {
  const used = new Float64Array(invocations.length);
  const ratios = new Float64Array(invocations.length);
  let n = 0;
  let highUseCount = 0;
  let atLimitCount = 0;
  let peakHealthyUsedMb: number | undefined;
  let memorySizeMb: number | undefined;
  let peakUsedMb = 0;
  let peakUsedRatio = 0;
  for (const inv of invocations) {
    if (inv.maxMemoryUsedMb === undefined || inv.memorySizeMb === undefined || inv.memorySizeMb <= 0) continue;
    memorySizeMb = inv.memorySizeMb;
    const ratio = inv.maxMemoryUsedMb / inv.memorySizeMb;
    used[n] = inv.maxMemoryUsedMb;
    ratios[n] = ratio;
    n++;
    if (inv.maxMemoryUsedMb > peakUsedMb) peakUsedMb = inv.maxMemoryUsedMb;
    if (ratio > peakUsedRatio) peakUsedRatio = ratio;
    if (ratio >= HIGH_USE_RATIO) highUseCount++;
    if (ratio >= AT_LIMIT_RATIO) atLimitCount++;
    if (!wasCutShort(inv) && (peakHealthyUsedMb === undefined || inv.maxMemoryUsedMb > peakHealthyUsedMb)) {
      peakHealthyUsedMb = inv.maxMemoryUsedMb;
    }
  }
  if (n === 0) return { highUseCount: 0, atLimitCount: 0, reportCount: 0 };
  return {
    memorySizeMb,
    peakUsedMb,
    medianUsedMb: median(used.subarray(0, n)),
    medianUsedRatio: median(ratios.subarray(0, n)),
    peakUsedRatio,
    highUseCount,
    atLimitCount,
    reportCount: n,
    peakHealthyUsedMb,
  };
}

/** Median by selection (linear on average); reorders `values`. */
function median(values: Float64Array): number {
  const mid = Math.floor(values.length / 2);
  const upper = select(values, mid);
  if (values.length % 2 === 1) return upper;
  // After selecting `mid`, everything left of it is <= it: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}

/** The k-th smallest value (Hoare's selection with a middle pivot). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[Math.floor((lo + hi) / 2)];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function newFacts(requestId: string): MutableFacts {
  return new InvocationRecord(requestId);
}

/**
 * The mutable record behind `InvocationFacts`. A class, not an object literal: V8 gives class
 * instances one stable shape, which made parsing large requests about twice as fast.
 */
class InvocationRecord implements MutableFacts {
  public hasReport = false;
  public durationMs: number | undefined = undefined;
  public billedDurationMs: number | undefined = undefined;
  public memorySizeMb: number | undefined = undefined;
  public maxMemoryUsedMb: number | undefined = undefined;
  public initDurationMs: number | undefined = undefined;
  public status: InvocationFacts['status'] = undefined;
  public errorType: string | undefined = undefined;
  public timeoutSeconds: number | undefined = undefined;
  public languageOomRuntime: InvocationFacts['languageOomRuntime'] = undefined;
  public platformOom = false;
  public killed = false;
  public exitStatus137 = false;
  public exitError = false;
  public timeout = false;
  public languageOom = false;
  public appError = false;
  public permissionError = false;
  public downstreamTimeout = false;
  public throttling = false;
  public initFailure = false;
  constructor(public readonly requestId: string) {}
}

function zeroCounts(): SignalCounts {
  const c = {} as Record<LogSignal, number>;
  for (const s of LOG_SIGNALS) c[s] = 0;
  return c;
}

/** Messages often end in a tab or newline; strip trailing whitespace without a regex. */
function trimEnd(message: string): string {
  let end = message.length;
  while (end > 0) {
    const c = message.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    end--;
  }
  return end === message.length ? message : message.slice(0, end);
}
