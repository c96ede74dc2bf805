/**
 * How much memory to recommend (DESIGN.md "Sizing"):
 *
 * - unknown true need (process killed, `Runtime.OutOfMemory`, language OOM): current size times
 *   `policy.oomStepFactor`;
 * - known peak (memory pressure without a kill): peak times (1 + `policy.headroomFraction`);
 * - never less than current + `policy.minStepMb`, never more than current + `policy.maxStepMb`;
 * - whole MB, clamped to `policy.maxMemoryMb` and 10,240 MB; at the ceiling no increase, and the
 *   explanation says why.
 */
import { LAMBDA_MAX_MEMORY_MB, PolicySettings } from './policy';

/** What the recommendation is based on. */
export type SizingBasis =
  /** The function was cut off (killed / OOM) or used all of its memory: its real need may be above what was measured. */
  | 'unknown-need'
  /** The function completed near its limit: the measured peak is its need. */
  | 'known-peak';

/** Input of {@link recommendMemorySize}. */
export interface SizingInput {
  /** Configured memory now, MB. */
  readonly currentMb: number;
  readonly basis: SizingBasis;
  /** Highest measured Max Memory Used, MB (required for `known-peak`). */
  readonly peakMb?: number;
}

/** Which limit shaped the recommendation. */
export type SizingLimit = 'none' | 'min-step' | 'max-step' | 'policy-maximum' | 'lambda-maximum';

/** The recommended size and why. */
export interface SizingResult {
  readonly currentMb: number;
  /** The recommended new size, MB (equal to `currentMb` when no increase is possible). */
  readonly recommendedMb: number;
  /** `recommendedMb - currentMb`. */
  readonly increaseMb: number;
  /** The size the basis alone asked for, before steps and ceilings, MB. */
  readonly desiredMb: number;
  /** The highest size allowed: min(policy maximum, 10,240 MB). */
  readonly ceilingMb: number;
  /** True when the function is already at (or above) the ceiling: no increase is possible. */
  readonly atCeiling: boolean;
  readonly limitedBy: SizingLimit;
  /** One sentence for the diagnosis reasoning. */
  readonly explanation: string;
}

/** Thrown when sizing input makes no sense (no current size, known peak without a peak). */
export class SizingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SizingError';
  }
}

/** Recommend a memory size under `policy` (already resolved with `resolvePolicy`). */
export function recommendMemorySize(input: SizingInput, policy: PolicySettings): SizingResult {
  const currentMb = input.currentMb;
  if (!(Number.isFinite(currentMb) && currentMb > 0)) throw new SizingError(`current memory size must be a positive number, got ${currentMb}`);
  const ceilingMb = Math.min(Math.floor(policy.maxMemoryMb), LAMBDA_MAX_MEMORY_MB);
  const ceilingName = ceilingMb < LAMBDA_MAX_MEMORY_MB ? `the policy maximum of ${ceilingMb} MB` : `the Lambda maximum of ${LAMBDA_MAX_MEMORY_MB} MB`;

  let desiredMb: number;
  let basisText: string;
  if (input.basis === 'known-peak') {
    const peak = input.peakMb;
    if (peak === undefined || !(Number.isFinite(peak) && peak > 0)) throw new SizingError(`known-peak sizing needs a positive peak, got ${peak}`);
    desiredMb = Math.ceil(peak * (1 + policy.headroomFraction));
    basisText = `peak ${peak} MB plus ${Math.round(policy.headroomFraction * 100)} % headroom is ${desiredMb} MB`;
  } else {
    desiredMb = Math.ceil(currentMb * policy.oomStepFactor);
    basisText = `the true need is unknown (the function was cut off or used all of its memory), so ${currentMb} MB x ${policy.oomStepFactor} is ${desiredMb} MB`;
  }

  if (currentMb >= ceilingMb) {
    return {
      currentMb,
      recommendedMb: currentMb,
      increaseMb: 0,
      desiredMb,
      ceilingMb,
      atCeiling: true,
      limitedBy: ceilingMb < LAMBDA_MAX_MEMORY_MB ? 'policy-maximum' : 'lambda-maximum',
      explanation: `no increase is possible: the function already has ${currentMb} MB, at ${ceilingName}; ${basisText}`,
    };
  }

  let target = desiredMb;
  let limitedBy: SizingLimit = 'none';
  if (target < currentMb + policy.minStepMb) {
    target = currentMb + Math.ceil(policy.minStepMb);
    limitedBy = 'min-step';
  }
  if (target > currentMb + policy.maxStepMb) {
    target = currentMb + Math.floor(policy.maxStepMb);
    limitedBy = 'max-step';
  }
  if (target > ceilingMb) {
    target = ceilingMb;
    limitedBy = ceilingMb < LAMBDA_MAX_MEMORY_MB ? 'policy-maximum' : 'lambda-maximum';
  }
  target = Math.ceil(target);
  const limitText = {
    'none': '',
    'min-step': `; raised to the smallest step of +${policy.minStepMb} MB`,
    'max-step': `; held to the largest single step of +${policy.maxStepMb} MB`,
    'policy-maximum': `; clamped to ${ceilingName}`,
    'lambda-maximum': `; clamped to ${ceilingName}`,
  }[limitedBy];
  return {
    currentMb,
    recommendedMb: target,
    increaseMb: target - currentMb,
    desiredMb,
    ceilingMb,
    atCeiling: false,
    limitedBy,
    explanation: `${basisText}${limitText}: recommend ${target} MB (+${target - currentMb} MB from ${currentMb} MB)`,
  };
}
