/**
 * The workload of a simulated Lambda function: how much memory and time each invocation needs,
 * and how the configured memory changes that. Pure and deterministic for a given seed.
 *
 * The model follows what Lambda documents and what users measure:
 * - CPU is allocated in proportion to memory; 1,769 MB is one full vCPU, and up to six vCPUs at
 *   10,240 MB, which only helps work that runs on several threads (`parallelism`).
 * - An invocation that needs more memory than configured is killed by the sandbox (REPORT with
 *   Max Memory Used at Memory Size, `Runtime exited with error: signal: killed`), or reports
 *   `Runtime.OutOfMemory`, or dies with the language runtime's own out-of-memory error first.
 * - Garbage-collected runtimes slow down as the heap approaches the limit (GC pressure).
 */
import { SeededRandom } from '../random';

/** Memory that buys one full vCPU, MB. */
export const MB_PER_VCPU = 1769;
/** The most vCPUs a function can get (at 10,240 MB). */
export const MAX_VCPUS = 6;

/** How an invocation that needs more memory than configured dies. */
export type OomBehaviour =
  /** The sandbox kills the process: `Runtime exited with error: signal: killed`, `Runtime.ExitError`. */
  | 'killed'
  /** The platform reports `Runtime.OutOfMemory` (REPORT `Status: error`, `Error Type: Runtime.OutOfMemory`). */
  | 'runtime-oom'
  /** The language runtime fails first: Node.js heap limit, Python `MemoryError`, Java `OutOfMemoryError`... */
  | 'language';

/** What one invocation of the function does, before memory is taken into account. */
export interface WorkloadSpec {
  /** Invocations per minute (before throttling). */
  readonly invocationsPerMinute: number;
  /** Memory one invocation needs, MB (including the runtime's own footprint). */
  readonly memoryNeedMb: number;
  /** Relative spread of the memory need between invocations (0.1 = +-10 % standard deviation). @default 0.08 */
  readonly memoryNeedSpread?: number;
  /** CPU time one invocation needs at one full vCPU, ms. */
  readonly cpuMsAt1Vcpu: number;
  /** Time spent waiting on I/O, independent of memory, ms. @default 20 */
  readonly ioMs?: number;
  /** How many threads can use extra vCPUs above 1,769 MB. @default 1 */
  readonly parallelism?: number;
  /** How much slower an invocation gets as the heap approaches the limit (0 = none). @default 1.5 for GC runtimes */
  readonly gcPressure?: number;
  /** How an out-of-memory invocation dies. @default 'killed' */
  readonly oomBehaviour?: OomBehaviour;
  /** Fraction of invocations that fail with an application error (not memory). @default 0 */
  readonly codeErrorRate?: number;
  /** Fraction of invocations whose downstream call times out. @default 0 */
  readonly downstreamTimeoutRate?: number;
  /** How long the client waits for the downstream call before giving up, ms. @default 5000 */
  readonly downstreamTimeoutMs?: number;
  /** Reserved concurrency: invocations beyond it are throttled. @default - unlimited */
  readonly concurrencyLimit?: number;
  /** Fraction of invocations that start cold (REPORT `Init Duration`). @default 0.02 */
  readonly coldStartRate?: number;
  /**
   * Memory the code keeps per invocation in a warm execution environment (a leak, or a cache
   * without a bound), MB: an environment's need grows by it with every invocation it serves, until
   * the environment is killed (the next invocation starts cold) or replaced (a cold start, a
   * configuration change). Modelled as one execution environment serving the function at a time,
   * as its one log stream shows it. @default 0
   */
  readonly leakMbPerInvocation?: number;
  /** Application log lines the function code prints (secrets, prompt injections, misleading text). */
  readonly logLines?: LogLineSpec[];
  /**
   * The function consumes a stream (a Kinesis or DynamoDB stream event source mapping) instead of
   * being invoked `invocationsPerMinute` times: each invocation is one batch, and how many batches
   * a minute it gets through depends on how long each takes (see `StreamSource`).
   */
  readonly stream?: StreamSourceSpec;
}

/**
 * A stream the function consumes. Each shard gives one batch at a time to the function
 * (`ParallelizationFactor`, "the number of batches to process concurrently from each shard. The
 * default value is 1", https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html;
 * not modelled above 1), oldest records first; a failed batch is retried, its records not
 * consumed. Lambda emits `IteratorAge` when the function has finished a batch: how old the batch's
 * last record was then (https://docs.aws.amazon.com/lambda/latest/dg/events-dynamodb-metrics.html).
 * Not modelled: batching windows, bisecting failed batches, record age limits, per-shard skew
 * (records are spread evenly).
 */
export interface StreamSourceSpec {
  /** Records written to the stream per minute, over all shards. */
  readonly recordsPerMinute: number;
  /** Shards: batches processed at the same time. @default 1 */
  readonly shards?: number;
  /** Records per batch at most (the event source mapping's BatchSize). @default 100 */
  readonly batchSize?: number;
}

/** An application log line the function prints every `every` invocations. */
export interface LogLineSpec {
  /** The text the code logs (one log event; may hold newlines). */
  readonly text: string;
  /** Printed by every `every`-th invocation of the function (1 = each invocation). */
  readonly every: number;
  /** The log level the code logs it at. @default 'ERROR' */
  readonly level?: 'ERROR' | 'WARN' | 'INFO';
  /**
   * A substring of `text` that is a credential: the run fails when it reaches any place it must
   * not (`expect.secretsNotIn`, and every sink by default).
   */
  readonly secret?: string;
}

/** The function configuration the workload runs under. */
export interface ExecutionEnvironment {
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly runtime: string;
}

/**
 * The execution environment a leaking workload carries from minute to minute: how many
 * invocations it has served warm, at which memory size, and whether the next invocation starts
 * cold (after a kill: Lambda replaces an environment whose runtime exited).
 */
export interface EnvironmentState {
  warmInvocations: number;
  memorySizeMb?: number;
  needsColdStart: boolean;
}

/** A fresh environment state (the next invocation starts cold). */
export function newEnvironmentState(): EnvironmentState {
  return { warmInvocations: 0, needsColdStart: true };
}

/** What happened to one invocation. */
export type InvocationOutcome =
  | 'success'
  | 'oom-killed'
  | 'runtime-oom'
  | 'language-oom'
  | 'timeout'
  | 'downstream-timeout'
  | 'code-error'
  | 'throttled';

/** One simulated invocation. */
export interface Invocation {
  readonly requestId: string;
  /** Start, epoch ms. */
  readonly start: number;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  readonly outcome: InvocationOutcome;
  /** The memory the invocation needed, MB (what a perfect observer would see). */
  readonly memoryNeedMb: number;
}

/** The runtime family of a Lambda runtime identifier, e.g. `nodejs22.x` -> `node`. */
export type RuntimeFamily = 'node' | 'python' | 'java' | 'dotnet' | 'ruby' | 'provided';

export function runtimeFamily(runtime: string): RuntimeFamily {
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  if (runtime.startsWith('java')) return 'java';
  if (runtime.startsWith('dotnet')) return 'dotnet';
  if (runtime.startsWith('ruby')) return 'ruby';
  return 'provided';
}

/** vCPUs the function gets at this memory size (fractional below 1,769 MB). */
export function vcpusFor(memorySizeMb: number): number {
  return Math.min(memorySizeMb / MB_PER_VCPU, MAX_VCPUS);
}

/**
 * The fraction of configured memory at which a language runtime gives up with its own
 * out-of-memory error: Lambda's Node.js runtime sizes the V8 old space below the sandbox limit,
 * the JVM's default heap is a fraction of it; Python and others use all of it.
 */
export function languageHeapFraction(family: RuntimeFamily): number {
  switch (family) {
    case 'node': return 0.9;
    case 'java': return 0.85;
    case 'dotnet': return 0.9;
    default: return 1;
  }
}

/**
 * Expected duration of one invocation (no timeouts, no randomness), ms: I/O time plus CPU time
 * scaled by the vCPU share, slowed by GC pressure when memory use nears the limit.
 */
export function expectedDurationMs(spec: WorkloadSpec, env: ExecutionEnvironment, memoryNeedMb = spec.memoryNeedMb): number {
  const usableVcpus = Math.min(vcpusFor(env.memorySizeMb), Math.max(1, spec.parallelism ?? 1));
  const cpuMs = spec.cpuMsAt1Vcpu / usableVcpus;
  return ((spec.ioMs ?? 20) + cpuMs) * gcSlowdown(spec, env, memoryNeedMb);
}

/** Multiplier (>= 1) for garbage-collection work as memory use approaches the configured size. */
export function gcSlowdown(spec: WorkloadSpec, env: ExecutionEnvironment, memoryNeedMb: number): number {
  const family = runtimeFamily(env.runtime);
  const hasGc = family === 'node' || family === 'java' || family === 'dotnet' || family === 'python' || family === 'ruby';
  const pressure = spec.gcPressure ?? (hasGc ? 1.5 : 0);
  const ratio = memoryNeedMb / env.memorySizeMb;
  // Below 70 % the collector keeps up for free; above it, time grows quadratically to (1 + pressure).
  if (pressure <= 0 || ratio <= 0.7) return 1;
  const x = Math.min(1, (ratio - 0.7) / 0.3);
  return 1 + pressure * x * x;
}

/** Estimated concurrent executions for a minute of this workload. */
export function expectedConcurrency(spec: WorkloadSpec, env: ExecutionEnvironment): number {
  return Math.max(1, Math.ceil((spec.invocationsPerMinute * expectedDurationMs(spec, env)) / 60000));
}

/**
 * Generate the invocations of one minute starting at `minuteStart` (epoch ms), in start order.
 */
export function simulateMinute(
  spec: WorkloadSpec, env: ExecutionEnvironment, minuteStart: number, random: SeededRandom, environment: EnvironmentState = newEnvironmentState(),
): Invocation[] {
  const leak = spec.leakMbPerInvocation ?? 0;
  const count = Math.max(0, Math.round(spec.invocationsPerMinute));
  const concurrency = expectedConcurrency(spec, env);
  const throttledFraction = spec.concurrencyLimit !== undefined && concurrency > spec.concurrencyLimit
    ? 1 - spec.concurrencyLimit / concurrency
    : 0;
  const family = runtimeFamily(env.runtime);
  const timeoutMs = env.timeoutSeconds * 1000;
  const starts = Array.from({ length: count }, () => minuteStart + Math.floor(random.next() * 60000)).sort((a, b) => a - b);
  const out: Invocation[] = [];
  for (const start of starts) {
    const requestId = random.uuid();
    let need = Math.max(16, spec.memoryNeedMb * (1 + (spec.memoryNeedSpread ?? 0.08) * random.gaussian()));
    if (random.chance(throttledFraction)) {
      out.push({ requestId, start, memorySizeMb: env.memorySizeMb, memoryNeedMb: round2(need), durationMs: 0, billedDurationMs: 0, maxMemoryUsedMb: 0, outcome: 'throttled' });
      continue;
    }
    let initDurationMs = random.chance(spec.coldStartRate ?? 0.02) ? round2(random.between(150, 600)) : undefined;
    if (leak > 0) {
      // A configuration change replaces the environments; a kill leaves the next invocation cold.
      if (environment.memorySizeMb !== env.memorySizeMb) environment.needsColdStart = true;
      if (initDurationMs === undefined && environment.needsColdStart) initDurationMs = round2(random.between(150, 600));
      if (initDurationMs !== undefined) environment.warmInvocations = 0;
      environment.memorySizeMb = env.memorySizeMb;
      need += leak * environment.warmInvocations;
    }
    const base = { requestId, start, memorySizeMb: env.memorySizeMb, memoryNeedMb: round2(need) };
    const jitter = 1 + 0.05 * random.gaussian();
    let duration = Math.max(1, expectedDurationMs(spec, env, need) * jitter);
    let used = Math.min(need, env.memorySizeMb);
    let outcome: InvocationOutcome = 'success';

    const oomBehaviour = spec.oomBehaviour ?? 'killed';
    const heapLimit = env.memorySizeMb * languageHeapFraction(family);
    if (oomBehaviour === 'language' && need > heapLimit) {
      // The language runtime gives up when its heap is full, before the sandbox limit.
      outcome = 'language-oom';
      used = Math.round(heapLimit + random.between(0, env.memorySizeMb - heapLimit));
      duration = duration * random.between(0.4, 0.9);
    } else if (need > env.memorySizeMb) {
      outcome = oomBehaviour === 'runtime-oom' ? 'runtime-oom' : 'oom-killed';
      // At a kill Max Memory Used reads the limit, sometimes a megabyte or two above it.
      used = env.memorySizeMb + (random.chance(0.3) ? Math.ceil(random.between(0, 2)) : 0);
      duration = duration * random.between(0.3, 0.8);
    } else if (random.chance(spec.downstreamTimeoutRate ?? 0)) {
      outcome = 'downstream-timeout';
      duration = (spec.ioMs ?? 20) + (spec.downstreamTimeoutMs ?? 5000) + random.between(1, 30);
    } else if (random.chance(spec.codeErrorRate ?? 0)) {
      outcome = 'code-error';
      duration = duration * random.between(0.2, 0.6);
    }
    if (duration > timeoutMs) {
      outcome = 'timeout';
      duration = timeoutMs + random.between(0, 25);
    }
    if (leak > 0) {
      const died = outcome === 'oom-killed' || outcome === 'runtime-oom' || outcome === 'language-oom' || outcome === 'timeout';
      environment.needsColdStart = died;
      environment.warmInvocations = died ? 0 : environment.warmInvocations + 1;
    }
    const durationMs = round2(duration);
    out.push({
      ...base,
      durationMs,
      billedDurationMs: Math.ceil(durationMs),
      maxMemoryUsedMb: Math.max(1, Math.round(used)),
      initDurationMs,
      outcome,
    });
  }
  return out;
}

/** Is this outcome an error as Lambda's Errors metric counts it? */
export function isError(outcome: InvocationOutcome): boolean {
  return outcome !== 'success' && outcome !== 'throttled';
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** One minute of a stream consumer: its batches, the IteratorAge of each finished batch, the backlog left. */
export interface StreamMinute {
  readonly invocations: Invocation[];
  /** Per finished batch: when it started and how old its last record was when it finished, ms. */
  readonly iteratorAges: ReadonlyArray<{ readonly at: number; readonly ageMs: number }>;
  /** Records still waiting at the end of the minute. */
  readonly backlogAfter: number;
}

/**
 * A minute of a function consuming `spec.stream`: as many batches as the shards get through at the
 * expected duration (one batch per shard at a time), at most what the backlog and the minute's
 * arrivals fill. Each batch takes the oldest records; a batch that fails is retried, so its records
 * stay. A batch's last record is `waiting / rate` old when the batch starts (the records written
 * after it are still waiting) and its age is read when the batch ends.
 * @param backlog records waiting at the start of the minute
 * @param environment the consumer's execution environment (a leaking consumer's need grows per batch)
 */
export function streamMinute(
  spec: WorkloadSpec, env: ExecutionEnvironment, minuteStart: number, random: SeededRandom, backlog: number,
  environment: EnvironmentState = newEnvironmentState(),
): StreamMinute {
  const s = spec.stream!;
  const shards = Math.max(1, Math.round(s.shards ?? 1));
  const batchSize = Math.max(1, Math.round(s.batchSize ?? 100));
  const perMs = Math.max(0, s.recordsPerMinute) / 60_000;
  const capacity = shards * Math.floor(60_000 / Math.max(1, expectedDurationMs(spec, env)));
  const needed = Math.ceil((backlog + Math.max(0, s.recordsPerMinute)) / batchSize);
  const invocations = simulateMinute({ ...spec, invocationsPerMinute: Math.min(capacity, needed) }, env, minuteStart, random, environment);
  const iteratorAges: Array<{ at: number; ageMs: number }> = [];
  let consumed = 0;
  for (const inv of invocations) {
    if (inv.outcome === 'throttled') continue;
    const available = backlog + perMs * (inv.start - minuteStart) - consumed;
    const batch = Math.min(batchSize, Math.floor(available));
    if (batch <= 0) continue;
    const newer = available - batch;
    iteratorAges.push({ at: inv.start, ageMs: Math.round(inv.durationMs + (perMs > 0 ? newer / perMs : 0)) });
    if (inv.outcome === 'success') consumed += batch;
  }
  return { invocations, iteratorAges, backlogAfter: Math.max(0, backlog + Math.max(0, s.recordsPerMinute) - consumed) };
}
