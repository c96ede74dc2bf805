/**
 * The local closed loop (`lambda-remediation simulate`): wall time to simulate the default
 * scenario (one function killed for memory) and the alarm storm (200 alarm events for 20
 * functions), and the virtual time from the first failure to the repair and to the verified
 * recovery. Synthesis is timed apart from the run, since a user pays it once per stack.
 *
 * Run with `npm run bench -- simulate` (once listed in benchmarks/run.ts) or directly:
 * `ts-node --transpile-only benchmarks/simulate.bench.ts`.
 */
import { join } from 'path';
import { performance } from 'perf_hooks';
import { Benchmark } from './harness';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../src/simulation/runner';
import { loadScenarioFile } from '../src/simulation/scenario';
import { synthesizeScenarioStack } from '../src/simulation/stack';

const SCENARIOS = ['oom-recovered', 'alarm-storm'];

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

function minutes(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 60000).toFixed(1)} min`;
}

/** Figures of one scenario run. */
export function describeRun(result: ScenarioResult, synthMs: number): string[] {
  const repaired = result.functions.filter((f) => f.timeToRepairMs !== undefined);
  const toRepair = repaired.map((f) => f.timeToRepairMs!);
  const toVerified = result.functions.filter((f) => f.timeToVerifiedRecoveryMs !== undefined).map((f) => f.timeToVerifiedRecoveryMs!);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : undefined);
  const virtualMs = Date.parse(result.virtualEnd) - Date.parse(result.virtualStart);
  return [
    `${result.scenario}: ${result.passed ? 'expectations met' : 'EXPECTATIONS NOT MET'}`,
    `  wall time: synthesis ${seconds(synthMs)}, whole run ${seconds(result.wallTimeMs)} for ${minutes(virtualMs)} of virtual time`
      + ` (${result.alarmEvents} alarm events, ${result.executions.length} executions, ${result.apiCalls.length} AWS API calls)`,
    `  virtual time from first failure: to repair ${minutes(max(toRepair))}, to verified recovery ${minutes(max(toVerified))}`
      + (repaired.length > 1 ? ` (slowest of ${repaired.length} functions)` : ''),
  ];
}

export const simulateBenchmark: Benchmark = {
  name: 'simulate',
  async run(print) {
    const env = await SimulationEnvironment.start();
    try {
      for (const name of SCENARIOS) {
        const scenario = loadScenarioFile(join(__dirname, '..', 'scenarios', `${name}.json`));
        const t0 = performance.now();
        synthesizeScenarioStack(scenario);
        const synthMs = performance.now() - t0;
        const result = await runScenario(scenario, env);
        for (const line of describeRun(result, synthMs)) print(line);
      }
    } finally {
      await env.stop();
    }
  },
};

if (require.main === module) {
  simulateBenchmark.run((line) => process.stdout.write(`${line}\n`))?.catch?.((e: unknown) => {
    process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
