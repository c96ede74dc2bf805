/**
 * What the log parsers extract: facts per invocation and counts. The rules read only these facts,
 * never raw log text, so words in application logs can only ever become one of the typed signals
 * below (log text is data, it cannot instruct the engine).
 */

/** Final status of an invocation as the Lambda platform reports it. */
export type InvocationStatus = 'success' | 'error' | 'timeout';

/** The managed runtime family whose own out-of-memory error was seen. */
export type LanguageOomRuntime = 'nodejs' | 'python' | 'java' | 'dotnet' | 'ruby' | 'go' | 'rust'
  /** The operating system refused memory to the process (`spawn ENOMEM`, `[Errno 12] Cannot allocate memory`). */
  | 'os';

/** The kinds of signal a log line can carry. */
export type LogSignal =
  /** `Runtime.OutOfMemory` reported by the platform (REPORT `Error Type:`, platform.report errorType). */
  | 'platformOom'
  /** `Runtime exited with error: signal: killed`. */
  | 'killed'
  /**
   * `Runtime exited with error: exit status 137` (128 + SIGKILL, as a wrapper script reports its
   * child): a kill of unknown cause, memory evidence only next to Max Memory Used near the limit.
   * Always comes with `exitError`.
   */
  | 'exitStatus137'
  /** `Runtime.ExitError`, `Process exited before completing request`, non-zero exit status. */
  | 'exitError'
  /** `Task timed out after N seconds`, or a platform status `timeout`. */
  | 'timeout'
  /** A managed runtime's own out-of-memory error (Node.js heap, Python MemoryError, ...). */
  | 'languageOom'
  /** An ordinary application error (unhandled exception, ERROR-level line, stack trace). */
  | 'appError'
  /** AccessDenied / not authorized. */
  | 'permissionError'
  /** A call to another service that timed out or lost its connection. */
  | 'downstreamTimeout'
  /** Throttling by another service (TooManyRequestsException, Rate exceeded). */
  | 'throttling'
  /** The init phase failed (INIT_REPORT Status: error|timeout, ImportModuleError, HandlerNotFound). */
  | 'initFailure';

/** Everything known about one invocation (one request id): its REPORT figures and its signals. */
export interface InvocationFacts extends ReportFigures {
  readonly requestId: string;
  /** True when a REPORT line / platform.report record was seen for it. */
  readonly hasReport: boolean;
  /** The configured timeout when a `Task timed out after N seconds` line gave it. */
  readonly timeoutSeconds?: number;
  readonly languageOomRuntime?: LanguageOomRuntime;
  readonly platformOom: boolean;
  readonly killed: boolean;
  readonly exitStatus137: boolean;
  readonly exitError: boolean;
  readonly timeout: boolean;
  readonly languageOom: boolean;
  readonly appError: boolean;
  readonly permissionError: boolean;
  readonly downstreamTimeout: boolean;
  readonly throttling: boolean;
  readonly initFailure: boolean;
}

/** How many invocations (plus lines that named no invocation) carried each signal. */
export type SignalCounts = Record<LogSignal, number>;

/** Memory use across the invocations that have a REPORT. */
export interface MemoryUsageStats {
  /** Memory Size of the most recent REPORT. */
  readonly memorySizeMb?: number;
  /** Highest Max Memory Used. */
  readonly peakUsedMb?: number;
  /** Median Max Memory Used. */
  readonly medianUsedMb?: number;
  /** Median of Max Memory Used / Memory Size. */
  readonly medianUsedRatio?: number;
  /** Highest Max Memory Used / Memory Size (can be a little above 1 at a kill). */
  readonly peakUsedRatio?: number;
  /** REPORTs with Max Memory Used >= 90 % of Memory Size. */
  readonly highUseCount: number;
  /** REPORTs with Max Memory Used >= 98 % of Memory Size (at the limit). */
  readonly atLimitCount: number;
  /** REPORTs with memory figures. */
  readonly reportCount: number;
  /**
   * Highest Max Memory Used among invocations that completed without a kill or an OOM: a
   * measured need rather than a cut-off.
   */
  readonly peakHealthyUsedMb?: number;
}

/** Init-phase outcome. */
export interface InitStats {
  /** Init phases that ended with Status: error|timeout or an import / handler error. */
  readonly failures: number;
  /** Error types seen at init, e.g. `Runtime.ImportModuleError`. */
  readonly errorTypes: string[];
}

/** The evidence extracted from the logs of one request. */
export interface LogEvidence {
  /** Every invocation seen, in order of first appearance. */
  readonly invocations: InvocationFacts[];
  /** Per signal: invocations carrying it plus lines that could not be tied to an invocation. */
  readonly counts: SignalCounts;
  /** Number of log events read. */
  readonly eventCount: number;
  /** Events in the JSON log format (`{"time":..., "type": "platform.report", ...}` or JSON app logs). */
  readonly jsonEventCount: number;
  /**
   * Platform lines (START / END / REPORT / INIT_REPORT, kill lines, platform.* records) read back
   * from a pasted layout (console timestamps, tables, re-wrapped whitespace): a person's copy of
   * the platform's evidence, not its own records.
   */
  readonly pastedPlatformLines: number;
  readonly memory: MemoryUsageStats;
  readonly init: InitStats;
  /**
   * First log text per signal (cut to 200 characters), for a person or a model prompt to look at
   * as data. Raw log text: the engine never copies it into a diagnosis result.
   */
  readonly examples: Partial<Record<LogSignal, string>>;
}

/** Every signal, in a fixed order. */
export const LOG_SIGNALS: readonly LogSignal[] = [
  'platformOom', 'killed', 'exitStatus137', 'exitError', 'timeout', 'languageOom', 'appError',
  'permissionError', 'downstreamTimeout', 'throttling', 'initFailure',
];

/** Figures of a REPORT line or a platform.report record. */
export interface ReportFigures {
  readonly durationMs?: number;
  readonly billedDurationMs?: number;
  readonly memorySizeMb?: number;
  readonly maxMemoryUsedMb?: number;
  readonly initDurationMs?: number;
  readonly status?: InvocationStatus;
  /** Platform error type, e.g. `Runtime.OutOfMemory`, `Runtime.ExitError`. */
  readonly errorType?: string;
}

/** What one log event says; produced by the per-shape parsers, merged by `parseLogs`. */
export interface LineFacts {
  /** The invocation the line names, when it names one. */
  readonly requestId?: string;
  /** `start` opens an invocation, `report` closes it; other lines belong to the open one. */
  readonly kind: 'start' | 'report' | 'other';
  readonly report?: ReportFigures;
  readonly signals: readonly LogSignal[];
  readonly timeoutSeconds?: number;
  readonly languageOomRuntime?: LanguageOomRuntime;
  /** Error type of a failed init phase. */
  readonly initErrorType?: string;
  /** True for lines in the JSON log format. */
  readonly json?: boolean;
}
