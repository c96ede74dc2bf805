/**
 * The CI time: how long `.ci/run` took on a fresh clone, against the target of 8 minutes on this
 * kind of machine (2 cores). A benchmark cannot rerun CI (several minutes); `.ci/run` records its
 * wall time and each step's time when it passes, in `.ci/last-run.json` of the clone it ran in and
 * in the run log `${XDG_CACHE_HOME:-~/.cache}/lambda-auto-remediation/ci-runs.jsonl` shared by
 * the clones of this machine. This prints this checkout's record, else the latest of the log.
 */
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { Benchmark } from './harness';

/** What `.ci/run` records. */
export interface CiRunRecord {
  /** Whether every step passed (runs before this field was recorded only when they did). @default true */
  readonly passed?: boolean;
  readonly seconds: number;
  /** CPU seconds of every process of the run (user + system). */
  readonly cpuSeconds?: number;
  /** CPU seconds of each of the two pipelines that run side by side (`test`, `build`). */
  readonly pipelineCpuSeconds?: Record<string, number>;
  readonly finishedAt: string;
  readonly commit: string;
  readonly cores?: number;
  readonly load?: number;
  readonly steps: Record<string, number>;
}

export const CI_TARGET_SECONDS = 8 * 60;

/** Where `.ci/run` records its runs. */
export function ciRecordFiles(root = join(__dirname, '..'), env: NodeJS.ProcessEnv = process.env): { local: string; log: string } {
  return {
    local: join(root, '.ci', 'last-run.json'),
    log: join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lambda-auto-remediation', 'ci-runs.jsonl'),
  };
}

/** This checkout's last CI run, else the latest run recorded on this machine. */
export function lastCiRun(files = ciRecordFiles()): { record: CiRunRecord; source: string } | undefined {
  if (existsSync(files.local)) return { record: JSON.parse(readFileSync(files.local, 'utf8')) as CiRunRecord, source: files.local };
  if (!existsSync(files.log)) return undefined;
  const lines = readFileSync(files.log, 'utf8').trim().split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  return { record: JSON.parse(lines[lines.length - 1]) as CiRunRecord, source: `${files.log} (latest of ${lines.length})` };
}

function minSec(s: number): string {
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The lines the benchmark prints for a record. */
export function describeCiRun(run: { record: CiRunRecord; source: string } | undefined): string[] {
  if (!run) return ['no CI run recorded on this machine: run .ci/run in a fresh clone (git clone . /tmp/ci-check && /tmp/ci-check/.ci/run)'];
  const r = run.record;
  const met = r.seconds < CI_TARGET_SECONDS;
  const cpu: string[] = [];
  const pipelines = Object.entries(r.pipelineCpuSeconds ?? {});
  if (r.cpuSeconds !== undefined && pipelines.length > 0) {
    // Wall time depends on what else the machine runs; CPU time much less. With a core for each
    // pipeline, the run would take its sequential part plus the longer pipeline.
    const sequential = Math.max(0, r.cpuSeconds - pipelines.reduce((sum, [, v]) => sum + v, 0));
    const idle = sequential + Math.max(...pipelines.map(([, v]) => v));
    cpu.push(`  CPU ${minSec(r.cpuSeconds)}: ${pipelines.map(([k, v]) => `${k} pipeline ${minSec(v)}`).join(', ')}, the rest ${minSec(sequential)}`);
    cpu.push(`  with a core for each pipeline and nothing else running: about ${minSec(idle)} (${idle < CI_TARGET_SECONDS ? 'under' : 'over'} the target)`);
  }
  return [
    `.ci/run: ${minSec(r.seconds)}${r.passed === false ? ', a FAILED run' : ''} (target under ${CI_TARGET_SECONDS / 60} min: ${met ? 'met' : 'NOT met'})`,
    `  commit ${r.commit.slice(0, 12)}, finished ${r.finishedAt}${r.cores ? `, ${r.cores} cores` : ''}${r.load !== undefined ? `, load ${r.load.toFixed(1)} at the end` : ''}`,
    ...cpu,
    ...Object.entries(r.steps).map(([step, s]) => `  ${minSec(s).padStart(12)}  ${step}`),
    `  (recorded in ${run.source})`,
  ];
}

export const ciBenchmark: Benchmark = {
  name: 'ci',
  run(print) {
    describeCiRun(lastCiRun()).forEach(print);
  },
};
