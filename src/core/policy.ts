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

/** Merge overrides onto the defaults, rejecting values that make no sense. */
export function resolvePolicy(overrides: Partial<PolicySettings> = {}): PolicySettings {
  const p: PolicySettings = { ...DEFAULT_POLICY, ...stripUndefined(overrides) };
  const problems: string[] = [];
  if (!(p.maxMemoryMb >= LAMBDA_MIN_MEMORY_MB)) problems.push(`maxMemoryMb must be at least ${LAMBDA_MIN_MEMORY_MB}, got ${p.maxMemoryMb}`);
  if (!(p.maxStepMb > 0)) problems.push(`maxStepMb must be positive, got ${p.maxStepMb}`);
  if (!(p.minStepMb > 0 && p.minStepMb <= p.maxStepMb)) problems.push(`minStepMb must be positive and at most maxStepMb, got ${p.minStepMb}`);
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
