/**
 * The shape of a diagnosis rule: one pure function over the parsed evidence with a three-way
 * answer (after cdk-nag's compliant / non-compliant / not-applicable).
 */
import { USE_RATIO } from '../calibration';
import { formatShare } from '../format';
import { wasCutShort } from '../logs';
import { InvocationFacts, LogEvidence } from '../logs/types';
import { MetricSummary } from '../metrics/summary';
import { DiagnosisRequest, EvidencePoint, IncidentCategory } from '../model';
import { PolicySettings } from '../policy';
import { SizingBasis } from '../sizing';

/** `memory`: evidence of a memory issue; `not-memory`: evidence of another cause; `not-applicable`: the rule has nothing to say. */
export type RuleAnswer = 'memory' | 'not-memory' | 'not-applicable';

/** Everything a rule may read. Built once per request by the engine. */
export interface RuleContext {
  readonly request: DiagnosisRequest;
  readonly logs: LogEvidence;
  readonly metrics: MetricSummary;
  readonly policy: PolicySettings;
  /** Configured memory (functionConfig, else the latest REPORT), MB. */
  readonly memorySizeMb?: number;
  /** Invocations seen in the logs (at least the number of REPORTs). */
  readonly invocationCount: number;
}

/** A rule's answer. */
export interface RuleVerdict {
  readonly ruleId: string;
  readonly answer: RuleAnswer;
  /** Strength of the evidence, 0..1 (0 for not-applicable). */
  readonly weight: number;
  /** The incident kind this evidence points to. */
  readonly category?: IncidentCategory;
  readonly evidence?: EvidencePoint;
  /** For memory answers: how the size should be worked out. */
  readonly sizing?: SizingBasis;
  /**
   * For memory answers: why memory must not be raised automatically even though the evidence is
   * memory (for example, memory was already raised once and the need kept climbing: a leak). The
   * engine then asks a person to review and gives this reason.
   */
  readonly holdRaise?: string;
}

/** One rule. */
export interface DiagnosisRule {
  /** Kebab-case, equal to the file name without `.rule.ts`. */
  readonly id: string;
  /** One line: what the rule checks. */
  readonly description: string;
  evaluate(context: RuleContext): RuleVerdict;
}

/** The answer of a rule that has nothing to say. */
export function notApplicable(ruleId: string): RuleVerdict {
  return { ruleId, answer: 'not-applicable', weight: 0 };
}

/** Clamp to 0..1 and round to 3 decimals so results are stable across platforms. */
export function clampWeight(w: number): number {
  return Math.round(Math.min(1, Math.max(0, w)) * 1000) / 1000;
}

/** A share (0..1) scaled so that `full` or more counts as 1. */
export function saturate(share: number, full: number): number {
  return full <= 0 ? 1 : Math.min(1, Math.max(0, share / full));
}

/** `12 of 40 invocations (30 %)`; a real share is never shown as 0 % or 100 % (see format.ts). */
export function shareText(count: number, total: number): string {
  return formatShare(count, total);
}

/** Memory use of one invocation as a fraction of its size, when both figures are known. */
export function usedRatio(inv: { readonly maxMemoryUsedMb?: number; readonly memorySizeMb?: number }): number | undefined {
  return inv.maxMemoryUsedMb !== undefined && inv.memorySizeMb !== undefined && inv.memorySizeMb > 0
    ? inv.maxMemoryUsedMb / inv.memorySizeMb : undefined;
}

/** Use ratio of the previous invocation at or above which memory was already near the limit (calibration.ts). */
export const APPROACH_RATIO = USE_RATIO.approach;

/**
 * How many of the invocations picked by `isTarget` followed a completed invocation that was
 * already near the memory limit (in log order). Memory climbing to the limit before a kill is a
 * leak or a growing working set, not a one-off oversized input. A previous invocation that was
 * itself cut short does not count: its figure is the limit, not a measured climb.
 */
export function countApproached(invocations: readonly InvocationFacts[], isTarget: (inv: InvocationFacts) => boolean): number {
  let approached = 0;
  let previousRatio: number | undefined;
  for (const inv of invocations) {
    if (isTarget(inv) && previousRatio !== undefined && previousRatio >= APPROACH_RATIO) approached++;
    const ratio = usedRatio(inv);
    if (ratio !== undefined) previousRatio = wasCutShort(inv) ? undefined : ratio;
  }
  return approached;
}

/** How much of a function's recent work ran short of memory: high-use completed invocations, and kills. */
export interface MemorySigns {
  /** Completed invocations with both memory figures. */
  readonly completed: number;
  /** Of those, at or above USE_RATIO.high. */
  readonly highUse: number;
  /** Out-of-memory ends of any kind (platform, killed at the limit, language errors). */
  readonly kills: number;
  /** True when either is enough to call it memory short (the memory-pressure rule's share, or a kill). */
  readonly short: boolean;
}

/** The memory signs of a context (the shares memory-pressure uses, and the kills the OOM rules count). */
export function memorySigns(ctx: RuleContext, minReports: number, minShare: number): MemorySigns {
  let completed = 0;
  let highUse = 0;
  for (const inv of ctx.logs.invocations) {
    const ratio = usedRatio(inv);
    if (ratio === undefined || wasCutShort(inv)) continue;
    completed++;
    if (ratio >= USE_RATIO.high) highUse++;
  }
  const kills = ctx.logs.counts.platformOom + ctx.logs.counts.killed + ctx.logs.counts.languageOom;
  const short = kills > 0 || (completed >= minReports && highUse / completed >= minShare);
  return { completed, highUse, kills, short };
}

/** What a corroborating rule's evidence says about the memory, and what follows from it. */
export interface MemoryCorroboration {
  readonly clause: string;
  readonly category: IncidentCategory;
  readonly sizing: SizingBasis;
}

/**
 * What a corroborating rule (a signal seen next to memory evidence) says about the memory: the
 * clause its evidence ends with, and the category and sizing basis that follow from kills or high use.
 */
export function memoryCorroboration(signs: MemorySigns): MemoryCorroboration {
  return signs.kills > 0
    ? { clause: `${signs.kills} invocation${signs.kills === 1 ? '' : 's'} ran out of memory`, category: 'OUT_OF_MEMORY', sizing: 'unknown-need' }
    : {
      clause: `Max Memory Used was at or above 90 % of Memory Size in ${formatShare(signs.highUse, signs.completed, 'completed invocations')}`,
      category: 'MEMORY_PRESSURE',
      sizing: 'known-peak',
    };
}
