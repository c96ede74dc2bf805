/**
 * The memory need is climbing: in warm execution environments, Max Memory Used rises invocation
 * after invocation instead of levelling off after warm-up (a leak, or a cache without bounds).
 * An environment is the run of invocations between two cold starts (`Init Duration` on the
 * REPORT); it ends at a kill, and a change of Memory Size starts a new one.
 *
 * A climb is a rise that goes on over time inside an environment. A step in the need (every
 * invocation from some minute on needs more, for example larger inputs or a new code path) is
 * not one: each environment jumps once and stays flat at the new level. When two flat levels
 * explain an environment's figures better than a line does, only the invocations after the step
 * are measured, so a step that stays flat is no climb and a climb that starts after a step still is.
 *
 * A climb is a forecast, not a failure: alone it stays below the acting threshold. Next to kills
 * it explains them, and raising memory is a stopgap that buys time until the climb reaches the new
 * limit. When the logs show that memory was already raised once in the window and the need kept
 * climbing at the new size, the rule holds any further raise: the fix is in the code
 * (runbooks/rb-memory-leak.md).
 */
import { MEMORY_CLIMBING } from '../calibration';
import { clampWeight, DiagnosisRule, notApplicable, usedRatio } from './types';
import { InvocationFacts } from '../logs/types';

/** One execution environment's completed invocations (Max Memory Used in log order) at one Memory Size. */
interface Environment {
  readonly memorySizeMb: number;
  readonly used: number[];
}

/** The climb measured in one environment. */
interface Climb {
  readonly memorySizeMb: number;
  readonly invocations: number;
  readonly fromMb: number;
  readonly toMb: number;
  readonly mbPerInvocation: number;
}

export const memoryClimbingRule: DiagnosisRule = {
  id: 'memory-climbing',
  description: 'Max Memory Used climbs invocation after invocation in warm execution environments',
  evaluate(ctx) {
    const environments = splitEnvironments(ctx.logs.invocations).filter(e => e.used.length >= MEMORY_CLIMBING.minInvocations);
    if (environments.length === 0) return notApplicable(this.id);
    const climbs = environments.map(measureClimb).filter((c): c is Climb => c !== undefined);
    if (climbs.length === 0 || climbs.length * 2 < environments.length) return notApplicable(this.id);

    const rate = medianOf(climbs.map(c => c.mbPerInvocation));
    const longest = climbs.reduce((a, b) => (b.invocations > a.invocations ? b : a));
    const sizes = [...new Set(climbs.map(c => c.memorySizeMb))].sort((a, b) => a - b);
    // Memory was raised within the window and the need climbed on at the larger size.
    const raisedAndClimbing = sizes.length > 1;
    const largest = sizes[sizes.length - 1];
    return {
      ruleId: this.id,
      answer: 'memory',
      weight: clampWeight(MEMORY_CLIMBING.weight),
      category: 'MEMORY_PRESSURE',
      // The figures are completed invocations: the peak is measured. Kills, if any, have their
      // own rules, which ask for unknown-need sizing.
      sizing: 'known-peak',
      evidence: {
        type: 'MEMORY_CLIMBING',
        description: `memory need climbing: Max Memory Used rose by about ${rate.toFixed(1)} MB per warm invocation `
          + `(${longest.fromMb} MB to ${longest.toMb} MB over ${longest.invocations} invocations of one execution environment) `
          + `in ${climbs.length} of ${environments.length} environments: a leak or an unbounded cache`
          + (raisedAndClimbing ? `, still climbing after memory was raised from ${sizes[0]} MB to ${largest} MB` : ''),
      },
      ...(raisedAndClimbing ? {
        holdRaise: `memory was already raised from ${sizes[0]} MB to ${largest} MB in this window and the need kept climbing at the new size: `
          + 'another raise would only postpone the next failure. Treat it as a leak (rb-memory-leak): find the growth in the code',
      } : {}),
    };
  },
};

/** Completed invocations grouped into execution environments, in log order. */
function splitEnvironments(invocations: readonly InvocationFacts[]): Environment[] {
  const out: Environment[] = [];
  let current: { memorySizeMb: number; used: number[] } | undefined;
  for (const inv of invocations) {
    if (usedRatio(inv) === undefined) continue;
    const size = inv.memorySizeMb!;
    if (current === undefined || inv.initDurationMs !== undefined || size !== current.memorySizeMb) {
      current = { memorySizeMb: size, used: [] };
      out.push(current);
    }
    if (inv.platformOom || inv.killed) {
      // The environment died here; its figure is the limit, not a measured need.
      current = undefined;
      continue;
    }
    if (!(inv.timeout || inv.exitError || inv.languageOom)) current.used.push(inv.maxMemoryUsedMb!);
  }
  return out;
}

/**
 * The climb of one environment, or undefined when it levels off: after a step in the need (see
 * {@link levelShift}) only the invocations from the step on count; the fitted rise must be a
 * large share of Memory Size, the second half must still rise at half the overall rate (not a
 * warm-up plateau), and most steps must not fall.
 */
function measureClimb(env: Environment): Climb | undefined {
  const shift = levelShift(env.used);
  const y = shift === undefined ? env.used : env.used.slice(shift);
  if (y.length < MEMORY_CLIMBING.minInvocations) return undefined;
  const slope = fitSlope(y);
  const rise = slope * (y.length - 1);
  if (rise < MEMORY_CLIMBING.minRise * env.memorySizeMb) return undefined;
  const half = Math.floor(y.length / 2);
  if (fitSlope(y.slice(half)) < MEMORY_CLIMBING.lateSlopeShare * slope) return undefined;
  let steady = 0;
  const tolerance = MEMORY_CLIMBING.stepTolerance * env.memorySizeMb;
  for (let i = 1; i < y.length; i++) if (y[i] >= y[i - 1] - tolerance) steady++;
  if (steady / (y.length - 1) < MEMORY_CLIMBING.risingSteps) return undefined;
  return { memorySizeMb: env.memorySizeMb, invocations: y.length, fromMb: y[0], toMb: y[y.length - 1], mbPerInvocation: slope };
}

/**
 * Where the figures shift from one flat level to another: the index of the first invocation at
 * the new level when two flat levels (split at the best point) leave less squared error than the
 * least-squares line, otherwise undefined. A steady climb fits a line better than any two levels
 * (a ramp split in two still spans half its rise on each side); a jump followed by a plateau fits
 * two levels better.
 */
function levelShift(y: readonly number[]): number | undefined {
  const n = y.length;
  if (n < 4) return undefined;
  const sum = [0];
  const sumSq = [0];
  for (const v of y) {
    sum.push(sum[sum.length - 1] + v);
    sumSq.push(sumSq[sumSq.length - 1] + v * v);
  }
  // Squared error of y[a..b) around its mean.
  const sse = (a: number, b: number) => sumSq[b] - sumSq[a] - (sum[b] - sum[a]) ** 2 / (b - a);
  let bestAt = -1;
  let bestSse = Infinity;
  for (let k = 2; k <= n - 2; k++) {
    const e = sse(0, k) + sse(k, n);
    if (e < bestSse) {
      bestSse = e;
      bestAt = k;
    }
  }
  const slope = fitSlope(y);
  const mx = (n - 1) / 2;
  const my = sum[n] / n;
  let lineSse = 0;
  for (let i = 0; i < n; i++) lineSse += (y[i] - (my + slope * (i - mx))) ** 2;
  return bestSse < lineSse ? bestAt : undefined;
}

/** Least-squares slope of `y` against its index. */
function fitSlope(y: readonly number[]): number {
  const n = y.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const v of y) my += v;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (y[i] - my);
    sxx += (i - mx) * (i - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
