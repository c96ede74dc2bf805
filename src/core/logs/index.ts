/**
 * `parseLogs`: one pass over the log events of a request, dispatching each event to the parser
 * of its shape (JSON record, platform text line, platform error line, application line) and
 * merging what they say per invocation.
 *
 * Lines that name no request id belong to the invocation opened by the last `START` /
 * `platform.start` (a log stream is one execution environment, which runs one invocation at a
 * time); lines before any `START` are counted without an invocation.
 */
import { LogRecord } from '../model';
import { classifyApplicationText, parseApplicationLine, readLevel } from './application-errors';
import { parseJsonRecord } from './json-record';
import { parsePlatformErrorLine } from './platform-errors';
import { parseTextPlatformLine } from './text-report';
import {
  InvocationFacts, LineFacts, LOG_SIGNALS, LogEvidence, LogSignal, MemoryUsageStats, SignalCounts,
} from './types';

export * from './types';
export { detectLanguageOom } from './language-oom';
export { parseApplicationLine, classifyApplicationText, readLevel } from './application-errors';
export type { LogLevel } from './application-errors';
export { parseJsonRecord } from './json-record';
export { parsePlatformErrorLine } from './platform-errors';
export { parseTextPlatformLine } from './text-report';

/** Max Memory Used / Memory Size at or above which an invocation counts as high use. */
export const HIGH_USE_RATIO = 0.9;
/** Max Memory Used / Memory Size at or above which an invocation is at the limit. */
export const AT_LIMIT_RATIO = 0.98;

const EXAMPLE_LENGTH = 200;

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
 * number of events; never throws on odd input (unknown lines are skipped).
 */
export function parseLogs(logs: LogRecord[]): LogEvidence {
  const byId = new Map<string, MutableFacts>();
  const invocations: MutableFacts[] = [];
  const unattributed = zeroCounts();
  const examples: Partial<Record<LogSignal, string>> = {};
  const initErrorTypes = new Set<string>();
  let initFailures = 0;
  let jsonEventCount = 0;
  let current: MutableFacts | undefined;

  const invocation = (requestId: string): MutableFacts => {
    let inv = byId.get(requestId);
    if (!inv) {
      inv = newFacts(requestId);
      byId.set(requestId, inv);
      invocations.push(inv);
    }
    return inv;
  };

  for (const record of logs) {
    const message = trimEnd(record.message);
    if (message === '') continue;
    const facts = parseLogLine(message);
    if (!facts) continue;
    if (facts.json) jsonEventCount++;

    const named = facts.requestId && facts.requestId !== 'undefined' ? invocation(facts.requestId) : undefined;
    if (facts.kind === 'start') current = named;
    const inv = named ?? current;

    if (facts.report && inv) {
      const r = facts.report;
      inv.hasReport = true;
      inv.durationMs = r.durationMs ?? inv.durationMs;
      inv.billedDurationMs = r.billedDurationMs ?? inv.billedDurationMs;
      inv.memorySizeMb = r.memorySizeMb ?? inv.memorySizeMb;
      inv.maxMemoryUsedMb = r.maxMemoryUsedMb ?? inv.maxMemoryUsedMb;
      inv.initDurationMs = r.initDurationMs ?? inv.initDurationMs;
      inv.status = r.status ?? inv.status;
      inv.errorType = r.errorType ?? inv.errorType;
    }
    for (const signal of facts.signals) {
      if (inv) inv[signal] = true;
      else unattributed[signal]++;
      if (examples[signal] === undefined) examples[signal] = message.length > EXAMPLE_LENGTH ? `${message.slice(0, EXAMPLE_LENGTH)}...` : message;
    }
    if (inv && facts.timeoutSeconds !== undefined) inv.timeoutSeconds = facts.timeoutSeconds;
    if (inv && facts.languageOomRuntime) inv.languageOomRuntime = facts.languageOomRuntime;
    if (facts.initErrorType !== undefined) {
      initFailures++;
      initErrorTypes.add(facts.initErrorType);
    }
    if (facts.kind === 'report' && inv === current) current = undefined;
  }

  const counts = { ...unattributed };
  for (const inv of invocations) {
    for (const signal of LOG_SIGNALS) if (inv[signal]) counts[signal]++;
  }
  return {
    invocations,
    counts,
    eventCount: logs.length,
    jsonEventCount,
    memory: memoryStats(invocations),
    init: { failures: initFailures, errorTypes: [...initErrorTypes] },
    examples,
  };
}

/** Whether an invocation ended in a way that cut its memory use short (so its figure is a floor). */
export function wasCutShort(inv: InvocationFacts): boolean {
  return inv.platformOom || inv.killed || inv.languageOom || inv.exitError || inv.timeout;
}

function memoryStats(invocations: readonly InvocationFacts[]): MemoryUsageStats {
  const used: number[] = [];
  const ratios: number[] = [];
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
    used.push(inv.maxMemoryUsedMb);
    ratios.push(ratio);
    if (inv.maxMemoryUsedMb > peakUsedMb) peakUsedMb = inv.maxMemoryUsedMb;
    if (ratio > peakUsedRatio) peakUsedRatio = ratio;
    if (ratio >= HIGH_USE_RATIO) highUseCount++;
    if (ratio >= AT_LIMIT_RATIO) atLimitCount++;
    if (!wasCutShort(inv) && (peakHealthyUsedMb === undefined || inv.maxMemoryUsedMb > peakHealthyUsedMb)) {
      peakHealthyUsedMb = inv.maxMemoryUsedMb;
    }
  }
  if (used.length === 0) return { highUseCount: 0, atLimitCount: 0, reportCount: 0 };
  return {
    memorySizeMb,
    peakUsedMb,
    medianUsedMb: median(used),
    medianUsedRatio: median(ratios),
    peakUsedRatio,
    highUseCount,
    atLimitCount,
    reportCount: used.length,
    peakHealthyUsedMb,
  };
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function newFacts(requestId: string): MutableFacts {
  return {
    requestId,
    hasReport: false,
    platformOom: false,
    killed: false,
    exitError: false,
    timeout: false,
    languageOom: false,
    appError: false,
    permissionError: false,
    downstreamTimeout: false,
    throttling: false,
    initFailure: false,
  };
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
