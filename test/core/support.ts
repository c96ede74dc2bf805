/**
 * Builders of real-format Lambda log streams for the core tests. They write exactly what Lambda
 * prints (START / END / REPORT lines with tabs, JSON platform records), so the tests exercise the
 * real parsers; nothing here stands in for product code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildRuleContext, DEFAULT_POLICY, DiagnosisRequest, LogRecord, parseDiagnosisRequest, PolicySettings, RuleContext, TimedValue } from '../../src/core';

/** One invocation of a function, as the platform reports it. */
export interface InvocationSpec {
  readonly id: string;
  readonly durationMs?: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  readonly status?: 'success' | 'error' | 'timeout';
  readonly errorType?: string;
  /** Lines the function or runtime printed between START and END. */
  readonly lines?: readonly string[];
}

let clock = Date.parse('2026-11-20T10:00:00.000Z');

function ts(): string {
  clock += 250;
  return new Date(clock).toISOString();
}

/** A request id in Lambda's format, derived from a number so tests are deterministic. */
export function rid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0000${hex.slice(0, 4)}-1111-4222-8333-${hex}`;
}

/** The text REPORT line exactly as Lambda writes it (trailing tab included). */
export function reportLine(inv: InvocationSpec): string {
  const d = inv.durationMs ?? 500;
  let line = `REPORT RequestId: ${inv.id}\tDuration: ${d.toFixed(2)} ms\tBilled Duration: ${Math.ceil(d)} ms\t`
    + `Memory Size: ${inv.memorySizeMb} MB\tMax Memory Used: ${inv.maxMemoryUsedMb} MB\t`;
  if (inv.initDurationMs !== undefined) line += `Init Duration: ${inv.initDurationMs.toFixed(2)} ms\t`;
  if (inv.status && inv.status !== 'success') line += `Status: ${inv.status}\t`;
  if (inv.errorType) line += `Error Type: ${inv.errorType}\t`;
  return line;
}

/** START, the given lines, END and REPORT of one invocation in the text format. */
export function textInvocation(inv: InvocationSpec): LogRecord[] {
  return [
    { timestamp: ts(), message: `START RequestId: ${inv.id} Version: $LATEST\n` },
    ...(inv.lines ?? []).map(message => ({ timestamp: ts(), message })),
    { timestamp: ts(), message: `END RequestId: ${inv.id}\n` },
    { timestamp: ts(), message: `${reportLine(inv)}\n` },
  ];
}

/** platform.start, the given lines, platform.runtimeDone and platform.report in the JSON format. */
export function jsonInvocation(inv: InvocationSpec): LogRecord[] {
  const time = ts();
  const status = inv.status ?? 'success';
  const metrics: Record<string, number> = {
    durationMs: inv.durationMs ?? 500,
    billedDurationMs: Math.ceil(inv.durationMs ?? 500),
    memorySizeMB: inv.memorySizeMb,
    maxMemoryUsedMB: inv.maxMemoryUsedMb,
  };
  if (inv.initDurationMs !== undefined) metrics.initDurationMs = inv.initDurationMs;
  const errorType = inv.errorType ? { errorType: inv.errorType } : {};
  return [
    { timestamp: time, message: JSON.stringify({ time, type: 'platform.start', record: { requestId: inv.id, version: '$LATEST' } }) },
    ...(inv.lines ?? []).map(message => ({ timestamp: ts(), message })),
    { timestamp: ts(), message: JSON.stringify({ time, type: 'platform.runtimeDone', record: { requestId: inv.id, status, ...errorType } }) },
    { timestamp: ts(), message: JSON.stringify({ time, type: 'platform.report', record: { requestId: inv.id, metrics, status, ...errorType } }) },
  ];
}

/** `count` healthy invocations using `usedMb` of `sizeMb`. */
export function healthy(count: number, sizeMb: number, usedMb: number, firstId = 1000): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push(...textInvocation({ id: rid(firstId + i), memorySizeMb: sizeMb, maxMemoryUsedMb: usedMb - (i % 5), durationMs: 400 + (i % 7) * 10 }));
  }
  return out;
}

/** A flat series of `n` one-minute points. */
export function series(values: readonly number[], start = '2026-11-20T10:00:00.000Z'): TimedValue[] {
  const t0 = Date.parse(start);
  return values.map((value, i) => ({ timestamp: new Date(t0 + i * 60000).toISOString(), value }));
}

/** A request around the given logs, with an Errors alarm. */
export function request(logs: LogRecord[], overrides: Partial<DiagnosisRequest> = {}, memorySize = 1024): DiagnosisRequest {
  return {
    functionName: 'orders-api',
    alarmDetails: { alarmName: 'orders-api-errors', metricName: 'Errors', threshold: 1, evaluationPeriods: 2 },
    metrics: series([0, 0, 0, 2, 3]),
    logs,
    functionConfig: { memorySize, timeout: 30, runtime: 'nodejs22.x', architecture: 'arm64' },
    ...overrides,
  };
}

/** The rule context the engine would build for these logs. */
export function contextFor(
  logs: LogRecord[],
  overrides: Partial<DiagnosisRequest> = {},
  memorySize = 1024,
  policy: PolicySettings = DEFAULT_POLICY,
): RuleContext {
  return buildRuleContext(request(logs, overrides, memorySize), policy);
}

/** One of the four original samples (samples/), copied into test/core/fixtures. */
export function fixture(name: string): DiagnosisRequest {
  return parseDiagnosisRequest(JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')));
}
