/**
 * Writes CloudWatch Logs events the way AWS Lambda prints them, for the labelled corpus and the
 * benchmark: platform lines in the text format (START / END / REPORT with tabs, INIT_START,
 * INIT_REPORT, `Status:` / `Error Type:`, XRAY) or the JSON format (`platform.start`,
 * `platform.runtimeDone`, `platform.report`, `platform.initStart`, `platform.initReport`), and
 * application lines in each runtime's own shape. Deterministic: all randomness comes from `Rng`.
 */
import { LogRecord, TimedValue } from '../../src/core/model';

/* eslint-disable no-bitwise */ // a seeded PRNG is bit arithmetic by nature

/** mulberry32: small, fast, and good enough to vary durations and ids reproducibly. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** Float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[this.int(0, 3)]}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** FNV-1a of a name: a stable per-file seed, so adding a scenario never changes the others. */
export function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/* eslint-enable no-bitwise */

export type Runtime =
  | 'nodejs18.x' | 'nodejs20.x' | 'nodejs22.x'
  | 'python3.9' | 'python3.10' | 'python3.11' | 'python3.12' | 'python3.13'
  | 'java11' | 'java17' | 'java21'
  | 'dotnet8'
  | 'ruby3.2' | 'ruby3.3'
  | 'provided.al2023' | 'provided.al2';

/** The language behind a runtime; `provided.*` functions here are written in Go or Rust. */
export type Language = 'node' | 'python' | 'java' | 'dotnet' | 'ruby' | 'go' | 'rust';

export type LogFormat = 'text' | 'json';

export interface FunctionSpec {
  readonly name: string;
  readonly runtime: Runtime;
  /** Needed for `provided.*`: which language the bootstrap was written in. */
  readonly language?: Language;
  readonly architecture: 'x86_64' | 'arm64';
  readonly memorySize: number;
  readonly timeout: number;
  readonly format: LogFormat;
}

export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** How an invocation ends, as the platform reports it. */
export type Outcome =
  /** Success, or an error the function's code returned (the runtime reports it; no platform status). */
  | { readonly kind: 'ok' }
  /** The sandbox was killed for exceeding its memory (`signal: killed`, `Runtime.OutOfMemory`). */
  | { readonly kind: 'oom-kill'; readonly reportStatus?: boolean }
  /** The runtime process exited (`Runtime.ExitError`), e.g. `signal: aborted`, `exit status 2`. */
  | { readonly kind: 'exit'; readonly reason: string }
  /** The function ran past its timeout. */
  | { readonly kind: 'timeout' }
  /** Older runtimes' wording for a process that died mid-request (text format only). */
  | { readonly kind: 'process-exited' };

export interface InvocationSpec {
  readonly usedMb: number;
  readonly durationMs: number;
  /** Cold start: adds INIT_START / Init Duration (text) or platform.initStart / initReport (JSON). */
  readonly initMs?: number;
  readonly outcome?: Outcome;
  /** Active tracing: XRAY line (text) or `tracing` (JSON). */
  readonly xray?: boolean;
  /** Application lines between START and the end of the invocation. */
  readonly body?: (inv: Invocation) => void;
  /** Idle time before this invocation, ms. @default 300..3000 */
  readonly gapMs?: number;
}

/** The invocation being written: lets the body add application lines. */
export interface Invocation {
  readonly requestId: string;
  readonly log: LambdaLog;
}

const RUNTIME_VERSION: Record<Runtime, string> = {
  'nodejs18.x': 'nodejs:18.v51',
  'nodejs20.x': 'nodejs:20.v44',
  'nodejs22.x': 'nodejs:22.v31',
  'python3.9': 'python:3.9.v73',
  'python3.10': 'python:3.10.v69',
  'python3.11': 'python:3.11.v58',
  'python3.12': 'python:3.12.v52',
  'python3.13': 'python:3.13.v30',
  'java11': 'java:11.v62',
  'java17': 'java:17.v45',
  'java21': 'java:21.v39',
  'dotnet8': 'dotnet:8.v38',
  'ruby3.2': 'ruby:3.2.v54',
  'ruby3.3': 'ruby:3.3.v33',
  'provided.al2023': 'provided:al2023.v97',
  'provided.al2': 'provided:al2.v115',
};

export function languageOf(fn: FunctionSpec): Language {
  if (fn.language) return fn.language;
  if (fn.runtime.startsWith('nodejs')) return 'node';
  if (fn.runtime.startsWith('python')) return 'python';
  if (fn.runtime.startsWith('java')) return 'java';
  if (fn.runtime.startsWith('dotnet')) return 'dotnet';
  if (fn.runtime.startsWith('ruby')) return 'ruby';
  return 'go';
}

/** The log events of one function, written in order with a running clock. */
export class LambdaLog {
  readonly records: LogRecord[] = [];
  readonly lang: Language;
  /** Current time, ms since the epoch. */
  now: number;
  constructor(readonly rng: Rng, public fn: FunctionSpec, startMs: number) {
    this.now = startMs;
    this.lang = languageOf(fn);
  }

  /** Memory was changed (UpdateFunctionConfiguration): later REPORTs show the new Memory Size. */
  resize(memorySize: number): void {
    this.fn = { ...this.fn, memorySize };
  }

  /** Add one log event at the current time (plus `afterMs`). */
  emit(message: string, afterMs = 0): void {
    this.now += afterMs;
    this.records.push({ timestamp: iso(this.now), message });
  }

  /** Add several events, a few ms apart (stderr lines of one crash arrive as separate events). */
  emitLines(lines: readonly string[]): void {
    for (const line of lines) this.emit(line, this.rng.int(0, 2));
  }

  /** Write one whole invocation; returns its request id. */
  invoke(spec: InvocationSpec): string {
    const rng = this.rng;
    const id = rng.uuid();
    this.now += spec.gapMs ?? rng.int(300, 3000);
    const outcome = spec.outcome ?? { kind: 'ok' };
    if (spec.initMs !== undefined) this.initPhase(spec.initMs);
    const startedAt = this.now;
    this.start(id);
    const inv: Invocation = { requestId: id, log: this };
    spec.body?.(inv);
    const durationMs = outcome.kind === 'timeout' ? this.fn.timeout * 1000 : spec.durationMs;
    this.now = Math.max(this.now + 1, startedAt + durationMs);
    this.finish(id, outcome, { ...spec, durationMs });
    return id;
  }

  /** A failed init (text INIT_REPORT / JSON platform.initReport with status error). */
  initFailure(durationMs: number, errorType: string, phase: 'init' | 'invoke' = 'init'): void {
    if (this.fn.format === 'text') {
      this.emit(`INIT_REPORT Init Duration: ${ms(durationMs)} ms\tPhase: ${phase}\tStatus: error\tError Type: ${errorType}`, durationMs);
    } else {
      this.emitJson('platform.initReport', {
        initializationType: 'on-demand',
        phase,
        status: 'error',
        errorType,
        metrics: { durationMs: round2(durationMs) },
      }, durationMs);
    }
  }

  initStart(): void {
    const arn = `arn:aws:lambda:us-east-1::runtime:${this.rng.hex(64)}`;
    if (this.fn.format === 'text') {
      this.emit(`INIT_START Runtime Version: ${RUNTIME_VERSION[this.fn.runtime]}\tRuntime Version ARN: ${arn}`);
    } else {
      this.emitJson('platform.initStart', {
        initializationType: 'on-demand',
        phase: 'init',
        runtimeVersion: RUNTIME_VERSION[this.fn.runtime],
        runtimeVersionArn: arn,
        functionName: this.fn.name,
        functionVersion: '$LATEST',
      });
    }
  }

  start(id: string): void {
    if (this.fn.format === 'text') this.emit(`START RequestId: ${id} Version: $LATEST`);
    else this.emitJson('platform.start', { requestId: id, version: '$LATEST' });
  }

  /** An application log line, in the runtime's own format. */
  app(id: string, level: Level, message: string): void {
    this.emit(this.appLine(id, level, message), this.rng.int(1, 40));
  }

  appLine(id: string, level: Level, message: string): string {
    const t = iso(this.now);
    if (this.fn.format === 'json') {
      switch (this.lang) {
        case 'go':
          return JSON.stringify({ time: t, level, msg: message, requestId: id });
        case 'rust':
          return JSON.stringify({ timestamp: t, level, fields: { message }, target: 'handler', span: { requestId: id, name: 'Lambda runtime invoke' } });
        case 'dotnet':
          return JSON.stringify({ timestamp: t, level: DOTNET_JSON_LEVEL[level], requestId: id, traceId: `Root=1-${this.rng.hex(8)}-${this.rng.hex(24)}`, message });
        default:
          return JSON.stringify({ timestamp: t, level, requestId: id, message });
      }
    }
    switch (this.lang) {
      case 'node':
        return `${t}\t${id}\t${level}\t${message}`;
      case 'python':
        return `[${level === 'WARN' ? 'WARNING' : level}]\t${t}\t${id}\t${message}`;
      case 'java':
        return `${t.replace('T', ' ').slice(0, 19)} ${id} ${level.padEnd(5)} Handler - ${message}`;
      case 'dotnet':
        return `${t}\t${id}\t${DOTNET_TEXT_LEVEL[level]}\t${message}`;
      case 'ruby':
        return `${level[0]}, [${t.slice(0, 23)}000 #8] ${level.padStart(5)} -- : ${message}`;
      case 'go':
        return `${t.slice(0, 19).replace('T', ' ').replace(/-/g, '/')} ${message}`;
      case 'rust':
        return `${t}  ${level.padStart(5)} handler: ${message}`;
    }
  }

  /** An error the function returned, as that runtime's client logs it (text) or as JSON. */
  appError(id: string, errorType: string, errorMessage: string, stack: readonly string[]): void {
    const t = iso(this.now);
    if (this.fn.format === 'json') {
      const rec = this.lang === 'python'
        ? { timestamp: t, log_level: 'ERROR', errorMessage, errorType, requestId: id, stackTrace: stack }
        : { timestamp: t, level: 'ERROR', requestId: id, message: 'Invoke Error', errorType, errorMessage, stackTrace: stack };
      this.emit(JSON.stringify(rec), this.rng.int(1, 20));
      return;
    }
    switch (this.lang) {
      case 'node':
        this.emit(`${t}\t${id}\tERROR\tInvoke Error \t${JSON.stringify({ errorType, errorMessage, stack: [`${errorType}: ${errorMessage}`, ...stack] })}`, this.rng.int(1, 20));
        return;
      case 'python':
        this.emit(`[ERROR] ${errorType}${errorMessage ? `: ${errorMessage}` : ''}\nTraceback (most recent call last):\n${stack.join('\n')}`, this.rng.int(1, 20));
        return;
      case 'java':
        this.emit(`${errorType}: ${errorMessage}\n${stack.map((s) => `\tat ${s}`).join('\n')}`, this.rng.int(1, 20));
        this.emit(JSON.stringify({ errorMessage, errorType, stackTrace: stack }), 1);
        return;
      case 'dotnet':
        this.emit(`${t}\t${id}\tfail\t${errorType}: ${errorMessage}\n${stack.map((s) => `   at ${s}`).join('\n')}`, this.rng.int(1, 20));
        return;
      case 'ruby':
        // The Ruby runtime client prints the error as pretty JSON after a fixed prefix, in one event.
        this.emit(`Critical exception from handler ${JSON.stringify({ errorMessage, errorType: `Function<${errorType}>`, stackTrace: stack }, null, 2)}`,
          this.rng.int(1, 20));
        return;
      case 'go':
      case 'rust':
        this.emit(JSON.stringify({ errorMessage, errorType }), this.rng.int(1, 20));
        return;
    }
  }

  emitJson(type: string, record: Record<string, unknown>, afterMs = 0): void {
    this.now += afterMs;
    this.records.push({ timestamp: iso(this.now), message: JSON.stringify({ time: iso(this.now), type, record }) });
  }

  private initPhase(initMs: number): void {
    this.initStart();
    if (this.fn.format === 'json') {
      this.emitJson('platform.initRuntimeDone', { initializationType: 'on-demand', phase: 'init', status: 'success' }, initMs);
      this.emitJson('platform.initReport', { initializationType: 'on-demand', phase: 'init', status: 'success', metrics: { durationMs: round2(initMs) } });
    } else {
      this.now += initMs;
    }
  }

  private finish(id: string, outcome: Outcome, spec: InvocationSpec & { durationMs: number }): void {
    const rng = this.rng;
    const fn = this.fn;
    const billed = Math.ceil(spec.durationMs);
    let status: 'success' | 'error' | 'timeout' = 'success';
    let errorType: string | undefined;
    let withStatus = true;
    if (outcome.kind === 'oom-kill') {
      status = 'error';
      errorType = 'Runtime.OutOfMemory';
      withStatus = outcome.reportStatus ?? true;
    } else if (outcome.kind === 'exit') {
      status = 'error';
      errorType = 'Runtime.ExitError';
    } else if (outcome.kind === 'timeout') {
      status = 'timeout';
    }
    const traceRoot = `1-${rng.hex(8)}-${rng.hex(24)}`;
    const segment = rng.hex(16);

    if (fn.format === 'text') {
      if (outcome.kind === 'oom-kill') {
        this.emit(`RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`);
      } else if (outcome.kind === 'exit') {
        this.emit(`RequestId: ${id} Error: Runtime exited with error: ${outcome.reason}\nRuntime.ExitError`);
      } else if (outcome.kind === 'timeout') {
        this.emit(`${iso(this.now)} ${id} Task timed out after ${fn.timeout.toFixed(2)} seconds`);
      } else if (outcome.kind === 'process-exited') {
        this.emit(`RequestId: ${id} Process exited before completing request`);
      }
      this.emit(`END RequestId: ${id}`);
      let report = `REPORT RequestId: ${id}\tDuration: ${ms(spec.durationMs)} ms\tBilled Duration: ${billed} ms\t`
        + `Memory Size: ${fn.memorySize} MB\tMax Memory Used: ${Math.round(spec.usedMb)} MB\t`;
      if (spec.initMs !== undefined) report += `Init Duration: ${ms(spec.initMs)} ms\t`;
      if (status !== 'success' && withStatus) report += `Status: ${status}\t${errorType ? `Error Type: ${errorType}\t` : ''}`;
      if (spec.xray) report += `\nXRAY TraceId: ${traceRoot}\tSegmentId: ${segment}\tSampled: true\t`;
      this.emit(report);
      return;
    }

    const spans = [{ name: 'responseLatency', start: iso(this.now - spec.durationMs), durationMs: round2(spec.durationMs * 0.98) }];
    this.emitJson('platform.runtimeDone', {
      requestId: id,
      status,
      ...(errorType ? { errorType } : {}),
      metrics: { durationMs: round2(spec.durationMs), producedBytes: status === 'success' ? rng.int(40, 4000) : 0 },
      ...(status === 'success' ? { spans } : {}),
    });
    const metrics: Record<string, number> = {
      durationMs: round2(spec.durationMs),
      billedDurationMs: billed,
      memorySizeMB: fn.memorySize,
      maxMemoryUsedMB: Math.round(spec.usedMb),
    };
    if (spec.initMs !== undefined) metrics.initDurationMs = round2(spec.initMs);
    this.emitJson('platform.report', {
      requestId: id,
      metrics,
      ...(spec.xray ? { tracing: { spanId: segment, type: 'X-Amzn-Trace-Id', value: `Root=${traceRoot};Parent=${rng.hex(16)};Sampled=1` } } : {}),
      status,
      ...(errorType ? { errorType } : {}),
    });
  }
}

const DOTNET_TEXT_LEVEL: Record<Level, string> = { DEBUG: 'dbug', INFO: 'info', WARN: 'warn', ERROR: 'fail' };
const DOTNET_JSON_LEVEL: Record<Level, string> = { DEBUG: 'Debug', INFO: 'Information', WARN: 'Warning', ERROR: 'Error' };

/** The language-level out-of-memory errors, as each runtime prints them. */
export function languageOom(inv: Invocation, opts: { heapMb?: number; bytes?: number } = {}): void {
  const log = inv.log;
  const rng = log.rng;
  const id = inv.requestId;
  switch (log.lang) {
    case 'node': {
      const heap = opts.heapMb ?? log.fn.memorySize * 0.9;
      const pid = `[${rng.int(8, 9)}:0x${rng.hex(7)}]`;
      let tMs = rng.int(20000, 90000);
      const gc = (kind: string) => {
        tMs += rng.int(150, 900);
        const before = heap - rng.between(0, 3);
        return `${pid} ${String(tMs).padStart(8)} ms: ${kind} ${before.toFixed(1)} (${(heap + 8).toFixed(1)}) -> ${(before - rng.between(0.2, 1.5)).toFixed(1)} (${(heap + 9).toFixed(1)}) MB, `
          + `pooled: 0 MB, ${rng.between(300, 900).toFixed(2)} / 0.00 ms  (average mu = ${rng.between(0.1, 0.3).toFixed(3)}, current mu = ${rng.between(0.01, 0.08).toFixed(3)}) allocation failure; scavenge might not succeed`;
      };
      log.emitLines([
        '<--- Last few GCs --->',
        gc('Mark-Compact'),
        gc('Mark-Compact (reduce)'),
        '<--- JS stacktrace --->',
        'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
        '----- Native stack trace -----',
        ` 1: 0x${rng.hex(6)} node::OOMErrorHandler(char const*, v8::OOMDetails const&) [/var/lang/bin/node]`,
        ` 2: 0x${rng.hex(6)} v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [/var/lang/bin/node]`,
        ` 3: 0x${rng.hex(6)} v8::internal::V8::FatalProcessOutOfMemory(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [/var/lang/bin/node]`,
        ` 4: 0x${rng.hex(7)} v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [/var/lang/bin/node]`,
      ]);
      return;
    }
    case 'python':
      if (opts.bytes) {
        const gib = (opts.bytes / 1024 ** 3).toFixed(2);
        log.appError(id, 'MemoryError', `Unable to allocate ${gib} GiB for an array with shape (${Math.round(opts.bytes / 8)},) and data type float64`, [
          '  File "/var/task/app.py", line 48, in handler\n    matrix = np.zeros((n_rows,), dtype=np.float64)',
        ]);
      } else {
        log.appError(id, 'MemoryError', '', [
          '  File "/var/task/app.py", line 31, in handler\n    rows = list(reader)',
          '  File "/var/lang/lib/python3.12/csv.py", line 111, in __next__\n    row = next(self.reader)',
        ]);
      }
      return;
    case 'java':
      log.appError(id, 'java.lang.OutOfMemoryError', 'Java heap space', [
        'java.base/java.util.Arrays.copyOf(Unknown Source)',
        'java.base/java.util.ArrayList.grow(Unknown Source)',
        'com.example.reports.ReportHandler.loadRows(ReportHandler.java:88)',
        'com.example.reports.ReportHandler.handleRequest(ReportHandler.java:41)',
      ]);
      return;
    case 'dotnet':
      log.appError(id, 'System.OutOfMemoryException', "Exception of type 'System.OutOfMemoryException' was thrown.", [
        'System.Collections.Generic.List`1.set_Capacity(Int32 value)',
        'Exports.Function.BuildArchive(IReadOnlyList`1 items) in /src/Exports/Function.cs:line 77',
        'Exports.Function.FunctionHandler(SQSEvent evnt, ILambdaContext context) in /src/Exports/Function.cs:line 35',
      ]);
      return;
    case 'ruby':
      log.emit(log.fn.format === 'text'
        ? `E, [${iso(log.now).slice(0, 23)}000 #8] ERROR -- : NoMemoryError: failed to allocate memory`
        : JSON.stringify({ timestamp: iso(log.now), level: 'ERROR', requestId: id, message: 'NoMemoryError: failed to allocate memory' }), 2);
      log.appError(id, 'NoMemoryError', 'failed to allocate memory', ["/var/task/lib/exporter.rb:42:in `*'", "/var/task/lib/exporter.rb:42:in `block in build'", "/var/task/handler.rb:12:in `handler'"]);
      return;
    case 'go':
      log.emitLines([
        'fatal error: runtime: out of memory',
        'runtime stack:',
        `runtime.throw({0x${rng.hex(6)}?, 0x${rng.hex(4)}?})`,
        '\t/usr/local/go/src/runtime/panic.go:1067 +0x48 fp=0x7ffd3c1a5e28 sp=0x7ffd3c1a5df8 pc=0x4388e8',
        'runtime.sysMapOS(0xc004000000, 0x4000000)',
        '\t/usr/local/go/src/runtime/mem_linux.go:167 +0x11b fp=0x7ffd3c1a5e70 sp=0x7ffd3c1a5e28 pc=0x41a2fb',
        'goroutine 1 gp=0xc0000061c0 m=0 mp=0x8d2f60 [running]:',
        'main.buildIndex(...)',
        '\t/build/cmd/indexer/main.go:74 +0x1a5',
      ]);
      return;
    case 'rust':
      log.emit(`memory allocation of ${opts.bytes ?? 1073741824} bytes failed`, 2);
      return;
  }
}
/** A metric series: one point per minute, `before` values until `alarmAt`, `after` values from it. */
export function series(
  endMs: number,
  points: number,
  alarmIndex: number,
  before: () => number,
  after: () => number,
): TimedValue[] {
  const out: TimedValue[] = [];
  for (let i = 0; i < points; i++) {
    const t = endMs - (points - 1 - i) * 60_000;
    const v = i < alarmIndex ? before() : after();
    out.push({ timestamp: iso(t), value: round2(Math.max(0, v)) });
  }
  return out;
}

export function iso(msSinceEpoch: number): string {
  return new Date(Math.round(msSinceEpoch)).toISOString();
}

function ms(v: number): string {
  return v.toFixed(2);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
