/**
 * How the rule engine's confidence is computed: every weight and threshold, in one place, each
 * with the reason for its value. Rules and the engine read their numbers from here and nowhere
 * else. Pure: no AWS SDK import.
 *
 * The model, in four steps:
 * 1. Each rule weighs its own evidence: a weight 0..1 read as "how sure this evidence alone makes
 *    an on-call engineer that its answer (memory / not memory) is right". Weights are built from
 *    a base (what the evidence is) plus bonuses (what corroborates it), never from how often it
 *    happened when the evidence is the platform's own statement: frequency sets urgency, not doubt.
 * 2. Weights on the same side combine as independent evidence (noisy OR): 1 - product of (1 - w).
 * 3. The stronger side wins (a tie is not a memory issue); the losing side discounts the winner:
 *    confidence = win x (1 - lose x discount) (see `COMBINATION`).
 * 4. Caps and factors: no platform evidence, or pasted text only (see `COMBINATION`); incomplete
 *    data; never above 0.99; rounded to two decimals.
 *
 * Checked against the labelled corpus (test/corpus): `npm run bench -- diagnose` prints the
 * reliability table (predicted confidence against observed correctness), and the corpus test
 * fails when the engine is over-confident where it acts. Reading the table: the confidence is the
 * number the policy compares with `minConfidence`, so the caps below are decisions ("a copy or
 * application text alone never changes a function"), not probabilities. The bins under 0.7 are
 * therefore under-confident by design: their verdicts are usually right, the evidence is just not
 * the kind to act on without a person. What must not happen is the other gap: a bin at or above
 * 0.7 that is right less often than it claims.
 */

/**
 * Lambda gives CPU in proportion to memory: "At 1,769 MB, a function has the equivalent of one
 * vCPU (one vCPU-second of credits per second)."
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const MB_PER_VCPU = 1769;

/** Thresholds on Max Memory Used / Memory Size (one invocation's REPORT). */
export const USE_RATIO = {
  /** At or above: high use. GC runtimes slow down well before they fail; 90 % is where they thrash. */
  high: 0.9,
  /** At or above: at the limit. Max Memory Used is sampled, so a kill can read 1-2 % under the size. */
  atLimit: 0.98,
  /** At or above on the completed invocation before a failure: memory was already climbing to it. */
  approach: 0.85,
  /** Below: a timeout is not memory-bound (the runtime had a quarter of its memory to spare). */
  low: 0.75,
  /** Below: a process exit is a crash of the code, not an out-of-memory kill. */
  crash: 0.8,
  /** Below on every REPORT: memory to spare (the low-memory-use rule). */
  spare: 0.8,
  /** Below: the platform's figure contradicts a runtime's own out-of-memory message. */
  contradicted: 0.5,
} as const;

/** How rule verdicts are combined into one confidence (engine.ts). */
export const COMBINATION = {
  /**
   * Discount of a winning memory side by the losing not-memory side when the memory evidence was
   * measured by the platform (REPORT figures, OOM kills): a fact about the invocations it covers,
   * which other causes (found on other invocations) cannot explain away; they weigh a quarter.
   */
  measuredMemoryDiscount: 0.25,
  /** The same for memory evidence that is application text only: other causes weigh half. */
  unmeasuredMemoryDiscount: 0.5,
  /** Discount of a winning not-memory side by the losing memory side. */
  notMemoryDiscount: 0.5,
  /**
   * Ceiling of a memory diagnosis with no platform evidence at all (application text only): below
   * the default minimum confidence (0.7), so text alone never changes a function.
   */
  noPlatformEvidenceCap: 0.65,
  /**
   * Ceiling when the evidence is text a person pasted (console copies, Logs Insights tables,
   * re-wrapped REPORT lines): it says memory is likely, but it is a copy, not the platform's own
   * records, so it asks for review instead of acting (issue 11 item 8).
   */
  pastedEvidenceCap: 0.6,
  /** Confidence of "no evidence either way and no platform memory figures". */
  insufficientData: 0.2,
  /** Confidence of "no evidence either way" with platform memory figures. */
  unknown: 0.3,
  /** A losing memory side at least this strong still asks for a person. */
  suspectedMemoryScore: 0.5,
  /** Rules never know everything. */
  maxConfidence: 0.99,
  /** Incomplete data costs a tenth of the confidence: what was not collected could disagree. */
  incompleteFactor: 0.9,
} as const;

/**
 * platform-oom: `Runtime.OutOfMemory` in a REPORT / platform.report. Lambda itself states that the
 * invocation ran out of memory: true however rare (issue 11 item 5). Memory climbing to the limit
 * before the kill, or typical use near the limit, only make the undersizing more evident.
 */
export const PLATFORM_OOM = {
  base: 0.9,
  /**
   * Once, not per sign: median use at or above `typicalRatio` (the function lives near its limit),
   * or memory climbing near the limit before at least half of the kills.
   */
  corroboratedBonus: 0.05,
  typicalRatio: 0.8,
} as const;

/**
 * killed-at-limit: `signal: killed` or a runtime exit with Max Memory Used at the limit. The kill
 * is the platform's, the figure ties it to memory: as certain as platform-oom for the
 * invocations it covers, a little less because the figure is sampled.
 */
export const KILLED_AT_LIMIT = {
  base: 0.85,
  /** Once: typical use near the limit, or memory climbing before the kills (as platform-oom). */
  corroboratedBonus: 0.05,
  typicalRatio: 0.8,
  /**
   * `signal: killed` with no REPORT for that invocation: SIGKILL is what the sandbox sends at the
   * memory limit, but nothing shows the limit: memory likely, a person should confirm.
   */
  unmeasured: 0.55,
  /**
   * `exit status 137` (128 + SIGKILL, as a wrapper reports its child) with no memory figure: a
   * kill of unknown cause. Weak memory evidence: it needs a REPORT near the limit (issue 11 item 8).
   */
  unconfirmedExit137: 0.35,
  /** An exit well below the limit: a crash of the code. */
  crashBase: 0.5,
  crashShareGain: 0.2,
  crashShareFull: 0.2,
} as const;

/**
 * language-oom: a managed runtime's own out-of-memory error (application text). Whether the
 * platform's figure for the same invocation corroborates it matters; how often it happened does not.
 */
export const LANGUAGE_OOM = {
  /** The text alone: a runtime's own error type, anchored where runtimes print it. */
  base: 0.6,
  /** The platform's REPORT for the same invocation shows high use, a kill or Runtime.OutOfMemory. */
  corroboratedBonus: 0.25,
  /** Every measured invocation completed far below the limit: the text is contradicted. */
  contradicted: 0.3,
} as const;

/**
 * memory-pressure: high use on many completed invocations (no kill). Here the share is the
 * evidence itself (pressure is "often near the limit"), so it moves the weight.
 */
export const MEMORY_PRESSURE = {
  /** Fewest completed REPORTs for a share to mean anything. */
  minReports: 3,
  /** Smallest share of high-use completed invocations that counts as pressure. */
  minShare: 0.25,
  base: 0.5,
  shareGain: 0.3,
  /** Share above `minShare` at which the gain is full. */
  shareFull: 0.5,
  /** Duration rising on top (GC time): the pressure is already costing. */
  risingBonus: 0.15,
  /** Second-half mean REPORT duration over first-half mean above which duration is rising. */
  risingDuration: 1.2,
  /**
   * A completed invocation at the limit when there are too few REPORTs (or too small a share) for
   * pressure: memory is likely short, not yet shown to fail (a single pasted REPORT at 100 %).
   */
  atLimitOnly: 0.5,
} as const;

/**
 * memory-climbing: Max Memory Used rising invocation after invocation in warm execution
 * environments (a leak or an unbounded cache). A forecast, not a failure: on its own it stays
 * below the acting threshold; next to kills it explains them and limits the repair to one
 * stopgap raise.
 */
export const MEMORY_CLIMBING = {
  weight: 0.55,
  /** Fewest completed invocations of one environment for a trend. */
  minInvocations: 8,
  /** Fitted rise over the environment, as a share of Memory Size, that counts as climbing. */
  minRise: 0.15,
  /** Slope of the second half at least this share of the whole: still climbing, not a warm-up plateau. */
  lateSlopeShare: 0.5,
  /** At least this share of steps must not fall by more than `stepTolerance` of Memory Size. */
  risingSteps: 0.6,
  stepTolerance: 0.01,
} as const;

/**
 * function-timeout: `Task timed out`. Near the limit it is memory (GC thrashing, heap errors
 * surfacing as timeouts); with memory to spare it is not.
 */
export const FUNCTION_TIMEOUT = {
  nearLimitBase: 0.55,
  nearLimitShareGain: 0.3,
  nearLimitShareFull: 0.2,
  /** Every timeout was near the limit. */
  allNearLimitBonus: 0.05,
  /** Timeouts with measured low use. */
  lowUseBase: 0.6,
  /** Timeouts with no memory figure. */
  unmeasuredBase: 0.45,
  shareGain: 0.25,
  shareFull: 0.2,
} as const;

/**
 * cpu-starved: at a small memory size the function times out or runs close to its timeout with
 * memory to spare, its completed invocations also take much of the timeout (the work itself is
 * slow, not one call hanging) and nothing shows a wait on another service: its duration is
 * compute at a small share of a vCPU (MB_PER_VCPU).
 */
export const CPU_STARVED = {
  /**
   * At most this share of a vCPU (442 MB): compute runs at least 4x slower than on one vCPU, the
   * largest speed-up a memory change can buy for single-threaded code. Above it a timeout is read
   * as the workload or the timeout setting (the corpus' 512 MB and 1,024 MB timeouts).
   */
  maxVcpuShare: 0.25,
  /** A REPORT duration at or above this share of the timeout is "close to the timeout". */
  nearTimeout: 0.8,
  /** Without timeouts, at least this share of REPORTs must be close to the timeout. */
  nearTimeoutShare: 0.25,
  /** Median duration of completed invocations at or above this share of the timeout: slow work everywhere. */
  workShare: 0.5,
  /**
   * It refines the function-timeout finding (same invocations, a more specific cause), so it
   * weighs above that rule's strongest not-memory answer (0.85)...
   */
  base: 0.86,
  /** ...and more the smaller the CPU share (128 MB: about 7 % of a vCPU). */
  smallShareGain: 0.08,
} as const;

/** low-memory-use: every REPORT well below the limit. */
export const LOW_MEMORY_USE = {
  minReports: 3,
  /** Just under the evidence threshold for a peak just under `USE_RATIO.spare`... */
  base: 0.3,
  /** ...up to 0.6 for a function using a small fraction of its memory. */
  spareGain: 0.3,
  spareFull: 0.5,
} as const;

/** code-error: application errors on invocations with no memory signal. */
export const CODE_ERROR = {
  base: 0.45,
  shareOfFailuresGain: 0.35,
  shareOfFailuresFull: 0.8,
  /** Code errors near the memory limit are less clearly unrelated to memory. */
  nearLimitPenalty: 0.3,
} as const;

/** downstream-timeout: calls to other services timed out or lost their connection. */
export const DOWNSTREAM_TIMEOUT = { base: 0.55, shareGain: 0.3, shareFull: 0.2 } as const;

/** permission-error: AccessDenied / not authorized. Fails fast whatever the memory size. */
export const PERMISSION_ERROR = { base: 0.6, shareGain: 0.3, shareFull: 0.2 } as const;

/** throttling: the Throttles metric or throttled calls to other services. */
export const THROTTLING = {
  base: 0.45,
  metricBonus: 0.15,
  metricRateGain: 0.25,
  metricRateFull: 0.1,
  logBonus: 0.1,
  logShareGain: 0.2,
  logShareFull: 0.2,
} as const;

/**
 * stream-lag: a stream consumer falling behind (`IteratorAge`, the age of the last record of a
 * batch when the function finished it: https://docs.aws.amazon.com/lambda/latest/dg/events-dynamodb-metrics.html)
 * while its invocations run near their memory limit. The lag is what the pressure costs a
 * consumer (slower batches, fewer records a minute), not proof of it: it corroborates memory
 * evidence and never stands alone, since a slow downstream or too little parallelism make a
 * consumer fall behind just as well.
 */
export const STREAM_LAG = {
  /** Corroborating weight next to memory pressure or kills. */
  withMemory: 0.35,
  /** Below a minute behind, a rising age is ordinary batching noise. */
  minAgeMs: 60_000,
} as const;

/**
 * concurrency-spike: `ConcurrentExecutions` (the function's active invocations, Maximum per minute:
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html) at least twice what it
 * was before the alarm, while invocations run near their memory limit. Each execution environment
 * has its own memory, so concurrency does not use a function's memory; a surge often brings other
 * payloads, though, and pressure appearing with it points at the size per invocation. Weak: it
 * corroborates memory evidence, never stands alone.
 */
export const CONCURRENCY_SPIKE = {
  withMemory: 0.2,
  /** After-alarm maximum over before-alarm mean that counts as a spike. */
  spikeRatio: 2,
  /** A mean below one concurrent invocation is idle, not a base to compare with. */
  minBaseline: 1,
} as const;

/** init-failure: the init phase failed (import error, missing handler, init error or timeout). */
export const INIT_FAILURE = {
  base: 0.7,
  /** A SIGKILL next to a failed init may be an out-of-memory kill during init. */
  withKillBase: 0.45,
  perFailure: 0.05,
  maxCountedFailures: 4,
} as const;

/** How urgent a memory issue is: set by how often and how recently it fails, never by doubt. */
export const URGENCY = {
  /** Share of failing invocations at or above which the issue is urgent. */
  highShare: 0.2,
  /** Share below which (and not rising) it is not urgent. */
  lowShare: 0.05,
  /** The most recent part of the invocations compared with the whole. */
  recentPart: 0.25,
  /** Failure rate of the recent part at least this multiple of the earlier rate: rising. */
  risingFactor: 2,
} as const;
