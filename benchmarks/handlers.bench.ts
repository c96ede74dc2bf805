/**
 * Handler bundles: size on disk (raw and gzipped, what Lambda downloads) and cold module-load
 * time (a fresh `node -e require(bundle)` per run, minus an empty `node -e` baseline), per
 * handler. Run `npx projen bundle` first; missing bundles are reported, not failed.
 *
 * Which SDK clients to bundle (`externals: []` in .projenrc.ts, i.e. all bundled): keep bundling.
 * - The handlers are tested against the exact SDK version in package-lock.json; the Node.js
 *   runtime's built-in SDK lags npm by weeks and changes under a deployed function (Bedrock's
 *   Converse tool-choice and agent-runtime shapes have moved recently).
 * - Each handler bundles only the clients it calls: `src/runtime/clients.ts` holds type-only
 *   imports and every SDK-facing module registers its own client factory, so normalize carries
 *   DynamoDB only and the Bedrock clients live in the diagnose bundle alone.
 * - The cost is measured below: a few hundred KB gzipped and tens of ms of module load per cold
 *   start, small against the workflow's seconds-to-minutes steps. The bundles are minified
 *   (names kept, see .projenrc.ts), which halved their size.
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, statSync } from 'fs';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { gzipSync } from 'zlib';
import { HANDLERS, HANDLER_ORDER } from '../src/workflow/contract';
import { Benchmark, median } from './harness';

/** Cold loads measured per bundle. */
const RUNS = 5;

function coldLoadMs(script: string): number {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    execFileSync(process.execPath, ['-e', script], { stdio: 'ignore' });
    samples.push(performance.now() - start);
  }
  return median(samples);
}

/** Print one line per handler bundle. */
export function measureHandlerBundles(print: (line: string) => void, root = join(__dirname, '..')): void {
  const baseline = coldLoadMs('0');
  print(`node startup baseline: ${baseline.toFixed(0)} ms (subtracted below); median of ${RUNS} fresh processes each`);
  print(`${'handler'.padEnd(16)} ${'bundle'.padStart(10)} ${'gzipped'.padStart(10)} ${'cold load'.padStart(10)}`);
  for (const id of HANDLER_ORDER) {
    const file = join(root, HANDLERS[id].asset, 'index.js');
    if (!existsSync(file)) {
      print(`${id.padEnd(16)} not bundled: run 'npx projen bundle' (${HANDLERS[id].asset})`);
      continue;
    }
    const bytes = statSync(file).size;
    const gz = gzipSync(readFileSync(file)).length;
    // Powertools and the SDK read these at load; set them as Lambda would so the load path is real.
    const load = coldLoadMs(`process.env.AWS_REGION='us-east-1';process.env.TABLE_NAME='t';require(${JSON.stringify(file)})`);
    print(`${id.padEnd(16)} ${(bytes / 1024).toFixed(0).padStart(7)} KB ${(gz / 1024).toFixed(0).padStart(7)} KB ${(load - baseline).toFixed(0).padStart(7)} ms`);
  }
}

/** Entry for benchmarks/run.ts. */
export const handlersBenchmark: Benchmark = {
  name: 'handler bundles: size and cold module load',
  run: (print) => measureHandlerBundles(print),
};

if (require.main === module) {
  measureHandlerBundles((line) => process.stdout.write(`${line}\n`));
}
