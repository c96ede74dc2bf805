/**
 * Guardrails that every decision passes through. The language model proposes; these decide.
 * Pure: no AWS SDK import.
 */

/** Lambda's hard limits for memory, MB. */
export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10240;

/** The policy values the pure core needs (the construct's `RemediationPolicy` maps onto these). */
export interface PolicySettings {
  /** Never size above this (clamped to 10,240 MB). */
  readonly maxMemoryMb: number;
  /** Largest single increase, MB. */
  readonly maxStepMb: number;
  /** Smallest increase worth making, MB ("never below +1 step"). */
  readonly minStepMb: number;
  /** Factor applied when the true need is unknown (process killed / language OOM). */
  readonly oomStepFactor: number;
  /** Headroom over a known peak, as a fraction (0.25 = peak + 25 %). */
  readonly headroomFraction: number;
  /** Minimum confidence (0..1) to act without a person. */
  readonly minConfidence: number;
  /**
   * Raise memory for a CPU-starved function (category CPU_BOUND): Lambda gives CPU in proportion
   * to memory (1,769 MB = one vCPU), so more memory makes CPU-bound work faster, at a cost the
   * alarm does not know. Off: such a function is reported for a person to decide.
   */
  readonly raiseMemoryForCpu: boolean;
}

export const DEFAULT_POLICY: PolicySettings = {
  maxMemoryMb: LAMBDA_MAX_MEMORY_MB,
  maxStepMb: 4096,
  minStepMb: 128,
  oomStepFactor: 1.5,
  headroomFraction: 0.25,
  minConfidence: 0.7,
  raiseMemoryForCpu: false,
};

/** Largest single step a policy may set: from Lambda's minimum straight to its maximum. */
export const MAX_STEP_LIMIT_MB = LAMBDA_MAX_MEMORY_MB - LAMBDA_MIN_MEMORY_MB;

/**
 * Merge overrides onto the defaults, rejecting values that make no sense.
 *
 * The smallest step defaults to 128 MB but never above the largest step: a policy with
 * `maxStepMb: 64` means "+64 MB at most", so the smallest step follows it down (Lambda accepts
 * any whole MB from 128 to 10,240, so 1 MB is the smallest meaningful step). Without that, every
 * run with a step below 128 MB failed here with "minStepMb must be at most maxStepMb".
 */
export function resolvePolicy(overrides: Partial<PolicySettings> = {}): PolicySettings {
  const given = stripUndefined(overrides);
  const maxStepMb = given.maxStepMb ?? DEFAULT_POLICY.maxStepMb;
  const minStepMb = given.minStepMb ?? Math.min(DEFAULT_POLICY.minStepMb, maxStepMb);
  const p: PolicySettings = { ...DEFAULT_POLICY, ...given, maxStepMb, minStepMb };
  const problems: string[] = [];
  if (!(p.maxMemoryMb >= LAMBDA_MIN_MEMORY_MB)) problems.push(`maxMemoryMb must be at least ${LAMBDA_MIN_MEMORY_MB}, got ${p.maxMemoryMb}`);
  if (!(Number.isInteger(p.maxStepMb) && p.maxStepMb >= 1 && p.maxStepMb <= MAX_STEP_LIMIT_MB)) {
    problems.push(`maxStepMb must be a whole number between 1 and ${MAX_STEP_LIMIT_MB}, got ${p.maxStepMb}`);
  }
  if (!(p.minStepMb >= 1 && p.minStepMb <= p.maxStepMb)) problems.push(`minStepMb must be at least 1 and at most maxStepMb, got ${p.minStepMb}`);
  if (!(p.oomStepFactor > 1 && p.oomStepFactor <= 4)) problems.push(`oomStepFactor must be above 1 and at most 4, got ${p.oomStepFactor}`);
  if (!(p.headroomFraction >= 0 && p.headroomFraction <= 2)) problems.push(`headroomFraction must be between 0 and 2, got ${p.headroomFraction}`);
  if (!(p.minConfidence >= 0 && p.minConfidence <= 1)) problems.push(`minConfidence must be between 0 and 1, got ${p.minConfidence}`);
  if (typeof p.raiseMemoryForCpu !== 'boolean') problems.push(`raiseMemoryForCpu must be true or false, got ${String(p.raiseMemoryForCpu)}`);
  if (problems.length > 0) throw new PolicyError(`invalid remediation policy: ${problems.join('; ')}`);
  return { ...p, maxMemoryMb: Math.min(Math.floor(p.maxMemoryMb), LAMBDA_MAX_MEMORY_MB) };
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
