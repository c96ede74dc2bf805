/**
 * Diagnosis quality on the labelled corpus, then diagnosis cost against input-parsing cost on one
 * request with 20,000 log lines.
 *
 * Quality (issue 11): precision and recall of acting, sizing within the labelled band, and the
 * reliability table of the confidence (src/core/calibration.ts explains how it is computed).
 *
 * Cost (issue 2): diagnosing a request adds no more than the cost of reading and JSON-parsing it.
 * Both paths run in the same process on the same file: (a) read + JSON.parse, (b) read +
 * JSON.parse + parseDiagnosisRequest + diagnose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Benchmark, medianMs } from './harness';
import { diagnose, parseDiagnosisRequest } from '../src/core';
import { DiagnosisRequest, TimedValue } from '../src/core/model';
import { evaluateCorpus, formatFigures, loadCorpus } from '../test/corpus/evaluate';
import { FunctionSpec, iso, LambdaLog, languageOom, Rng } from '../test/corpus/lambda-logs';

export const LOG_LINES = 20_000;

/**
 * A request with exactly `lines` log events in a realistic mix for a busy Node.js function:
 * START / END / REPORT per invocation, application INFO lines, handled errors with stack traces,
 * a few downstream timeouts, function timeouts, and occasional heap out-of-memory crashes.
 */
export function buildLargeRequest(lines = LOG_LINES, seed = 20_000): DiagnosisRequest {
  const rng = new Rng(seed);
  const fn: FunctionSpec = { name: 'bench-orders', runtime: 'nodejs20.x', architecture: 'arm64', memorySize: 1024, timeout: 30, format: 'text' };
  const start = Date.UTC(2026, 10, 20, 8, 0, 0);
  const log = new LambdaLog(rng, fn, start);
  let n = 0;
  while (log.records.length < lines) {
    const roll = rng.next();
    const cold = n++ % 200 === 0;
    const base = {
      usedMb: rng.between(380, 900),
      durationMs: rng.between(40, 900),
      gapMs: rng.int(5, 60),
      ...(cold ? { initMs: rng.between(150, 400) } : {}),
    };
    if (roll < 0.9) {
      log.invoke({ ...base, body: (inv) => inv.log.app(inv.requestId, 'INFO', `fetched order ord-${rng.int(100000, 999999)} with ${rng.int(1, 40)} items`) });
    } else if (roll < 0.96) {
      log.invoke({
        ...base,
        body: (inv) => inv.log.appError(inv.requestId, 'TypeError', "Cannot read properties of undefined (reading 'sku')", [
          '    at toLine (file:///var/task/index.mjs:88:19)',
          '    at Array.map (<anonymous>)',
          '    at handler (file:///var/task/index.mjs:41:27)',
        ]),
      });
    } else if (roll < 0.985) {
      log.invoke({ ...base, body: (inv) => inv.log.appError(inv.requestId, 'TimeoutError', 'Connection timed out after 5000 ms', []) });
    } else if (roll < 0.995) {
      log.invoke({ ...base, usedMb: rng.between(300, 500), outcome: { kind: 'timeout' } });
    } else {
      log.invoke({ ...base, usedMb: 1024, durationMs: rng.between(3000, 9000), outcome: { kind: 'exit', reason: 'signal: aborted (core dumped)' }, body: (inv) => languageOom(inv) });
    }
  }
  const logs = log.records.slice(0, lines);
  const end = Date.parse(logs[logs.length - 1].timestamp);
  const perMinute = (value: () => number): TimedValue[] =>
    Array.from({ length: 60 }, (_, i) => ({ timestamp: iso(end - (59 - i) * 60_000), value: Math.round(value() * 100) / 100 }));
  return {
    functionName: fn.name,
    functionConfig: { memorySize: fn.memorySize, timeout: fn.timeout, runtime: fn.runtime, architecture: fn.architecture },
    alarmDetails: { alarmName: 'bench-orders-errors-alarm', metricName: 'Errors', threshold: 1, evaluationPeriods: 2 },
    alarmTime: iso(end - 10 * 60_000),
    metrics: perMinute(() => rng.int(2, 12)),
    metricSeries: {
      Invocations: perMinute(() => rng.int(300, 420)),
      Errors: perMinute(() => rng.int(2, 12)),
      Duration: perMinute(() => rng.between(350, 600)),
      Throttles: perMinute(() => 0),
      ConcurrentExecutions: perMinute(() => rng.int(5, 12)),
    },
    logs,
  };
}

export const diagnoseBenchmark: Benchmark = {
  name: `diagnose: one request with ${LOG_LINES.toLocaleString('en-US')} log lines`,
  run(print) {
    for (const line of formatFigures(evaluateCorpus(loadCorpus()))) print(line);
    print('');
    const dir = mkdtempSync(path.join(tmpdir(), 'lambda-remediation-bench-'));
    try {
      const file = path.join(dir, 'request.json');
      writeFileSync(file, JSON.stringify(buildLargeRequest()));
      const sizeMb = readFileSync(file).length / 1024 / 1024;

      const readAndParse = () => JSON.parse(readFileSync(file, 'utf8'));
      const readParseDiagnose = () => diagnose(parseDiagnosisRequest(JSON.parse(readFileSync(file, 'utf8'))));
      const result = readParseDiagnose();

      const runs = Number(process.env.BENCH_RUNS ?? 21);
      // The breakdown of (b): validation alone, and the engine alone, on already parsed input.
      const parsed = readAndParse();
      const request = parseDiagnosisRequest(parsed);
      const t = medianMs({
        parse: readAndParse,
        diagnose: readParseDiagnose,
        validate: () => parseDiagnosisRequest(parsed),
        engine: () => diagnose(request),
      }, { warmup: 5, runs });
      const added = t.diagnose - t.parse;
      print(`input: ${LOG_LINES} log lines, ${sizeMb.toFixed(1)} MB of JSON (engine says ${result.recommendedAction}, ${result.category})`);
      print(`median of ${runs} runs after 5 warm-up runs, same process, same file:`);
      print(`  (a) read + JSON.parse                                   ${t.parse.toFixed(1).padStart(8)} ms per request`);
      print(`  (b) read + JSON.parse + parseDiagnosisRequest + diagnose ${t.diagnose.toFixed(1).padStart(7)} ms per request`);
      print(`      of which parseDiagnosisRequest ${t.validate.toFixed(1)} ms, diagnose ${t.engine.toFixed(1)} ms (measured alone on parsed input)`);
      const ratio = t.diagnose / t.parse;
      // Issue 12: the whole diagnosis costs at most 1.5 x reading and parsing its request.
      print(`  ratio (b) / (a): ${ratio.toFixed(2)} (target: <= 1.50, ${ratio <= 1.5 ? 'met' : 'NOT met'}); diagnosis adds ${added.toFixed(1)} ms = ${(added / t.parse).toFixed(2)} x the parse cost`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
