/**
 * Runs the benchmarks (`npm run bench`). They print figures; nothing here asserts a timing.
 * To add one: write `benchmarks/<name>.bench.ts` exporting a `Benchmark` and list it below.
 * `npm run bench -- <word>` runs only the benchmarks whose name contains the word.
 */
import { ciBenchmark } from './ci.bench';
import { diagnoseBenchmark } from './diagnose.bench';
import { handlersBenchmark } from './handlers.bench';
import { Benchmark } from './harness';
import { simulateBenchmark } from './simulate.bench';
import { spokeBenchmark } from './spoke.bench';
import { synthBenchmark } from './synth.bench';

const BENCHMARKS: readonly Benchmark[] = [
  ciBenchmark,
  diagnoseBenchmark,
  handlersBenchmark,
  synthBenchmark,
  spokeBenchmark,
  simulateBenchmark,
];

async function main(filter?: string): Promise<void> {
  const selected = BENCHMARKS.filter((b) => !filter || b.name.includes(filter));
  if (selected.length === 0) throw new Error(`no benchmark matches '${filter}'`);
  for (const benchmark of selected) {
    process.stdout.write(`== ${benchmark.name}\n`);
    await benchmark.run((line) => process.stdout.write(`${line}\n`));
  }
}

main(process.argv[2]).catch((e: unknown) => {
  process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
