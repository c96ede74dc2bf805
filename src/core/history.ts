/**
 * Reading a function's case history (issue 11, items 2 and 3): the earlier memory raises that
 * limit a leak to one stopgap, and the comparison a follow-up makes with the case it follows.
 * Pure: no AWS SDK import. The history itself comes from the knowledge base's `cases/`
 * documents or the records table (`src/runtime/case-history.ts`).
 */
import { formatShare } from './format';
import { PastCase } from './model';

/** How far back the history counts, and how much of it is read. */
export const HISTORY = {
  /**
   * Raises within this many hours count as "already raised": "Repeated memory increases on the
   * same function in a few days are the typical sign of a leak that nobody fixed"
   * (runbooks/rb-memory-leak.md).
   */
  leakWindowHours: 7 * 24,
  /**
   * Earlier raises in the window after which a further raise is held even without a visible
   * climb: the third raise in a few days is the creep towards 10,240 MB the runbook warns of.
   */
  maxRaisesWithoutTrend: 2,
  /** Most cases read and handed to the diagnosis (newest first). */
  maxCases: 20,
} as const;

/** Outcomes whose raise did not stay: they do not count as an earlier raise. */
const RAISE_UNDONE: ReadonlySet<string> = new Set(['ROLLED_BACK', 'REPAIRED_DRY_RUN']);

/** The earlier raises of memory that stayed, newest first, within the window before `at`. */
export function earlierRaises(history: readonly PastCase[] | undefined, at: string | undefined): PastCase[] {
  const atMs = at ? Date.parse(at) : NaN;
  const fromMs = Number.isFinite(atMs) ? atMs - HISTORY.leakWindowHours * 3600_000 : -Infinity;
  return [...(history ?? [])]
    .filter((c) => c.newMemory > c.originalMemory && !RAISE_UNDONE.has(c.outcome))
    .filter((c) => {
      const t = Date.parse(c.at);
      return !Number.isFinite(t) || (t >= fromMs && (!Number.isFinite(atMs) || t <= atMs));
    })
    .sort((a, b) => b.at.localeCompare(a.at));
}

/** One raise in words: "512 MB -> 768 MB at 2026-11-28T12:37:02Z (REPAIRED, the need was climbing)". */
export function describeRaise(c: PastCase): string {
  return `${c.originalMemory} MB -> ${c.newMemory} MB at ${c.at} (${c.outcome}${c.memoryClimbing ? ', the need was climbing' : ''})`;
}

/**
 * Why no further raise should follow, when the history says so: the function was already raised
 * for a climbing need (then or now), or raised `maxRaisesWithoutTrend` times in the window. One
 * stopgap raise at most, then escalate as a leak (runbooks/rb-memory-leak.md).
 */
export function leakEscalation(history: readonly PastCase[] | undefined, at: string | undefined, climbingNow: boolean): string | undefined {
  const raises = earlierRaises(history, at);
  if (raises.length === 0) return undefined;
  const last = raises[0];
  const days = Math.round(HISTORY.leakWindowHours / 24);
  if (climbingNow || raises.some((r) => r.memoryClimbing)) {
    const trend = climbingNow ? 'the need is still climbing at the new size' : 'that raise was for a climbing need and memory fails again';
    return `memory was already raised once for this (${describeRaise(last)}) and ${trend}: a leak (or an unbounded cache) that more memory only postpones. `
      + 'One stopgap raise at most: escalated as a leak for the owning team to fix the growth in the code (rb-memory-leak)';
  }
  if (raises.length >= HISTORY.maxRaisesWithoutTrend) {
    return `memory was already raised ${raises.length} times in the last ${days} days (${raises.map(describeRaise).join('; ')}) and it fails again: `
      + 'repeated raises are the sign of a leak nobody fixed; escalated instead of a further raise (rb-memory-leak)';
  }
  return undefined;
}

/** What a follow-up compares: the figures of one diagnosis. */
export interface EvidenceSnapshot {
  /** When it was taken (ISO-8601). */
  readonly at: string;
  /** The action (workflow decision or outcome) it led to. */
  readonly action: string;
  readonly category?: string;
  readonly memoryFailures?: number;
  readonly invocations?: number;
}

/** How far a failure share must rise before a follow-up calls it a change: both at once. */
export const FOLLOW_UP_CHANGE = {
  /** Percentage points. */
  minRise: 0.05,
  /** Times the earlier share. */
  minFactor: 1.5,
} as const;

/** The snapshot of a past case. */
export function snapshotOf(c: PastCase): EvidenceSnapshot {
  return {
    at: c.at,
    action: c.outcome,
    ...(c.category ? { category: c.category } : {}),
    ...(c.memoryFailures !== undefined ? { memoryFailures: c.memoryFailures } : {}),
    ...(c.invocations !== undefined ? { invocations: c.invocations } : {}),
  };
}

/**
 * Whether the evidence changed since the case a follow-up follows, and how, in one sentence:
 * a different incident category, or a memory-failure share that rose by at least
 * `FOLLOW_UP_CHANGE` (a falling or steady share is no news while the alarm stays in ALARM).
 */
export function compareWithBaseline(baseline: EvidenceSnapshot | undefined, now: EvidenceSnapshot): { changed: boolean; summary: string } {
  if (!baseline) return { changed: true, summary: 'no earlier case of this function was found to compare with' };
  const share = (s: EvidenceSnapshot) => (s.invocations && s.invocations > 0 && s.memoryFailures !== undefined
    ? s.memoryFailures / s.invocations : undefined);
  const describe = (s: EvidenceSnapshot) => (s.invocations !== undefined && s.memoryFailures !== undefined && s.invocations > 0
    ? `memory failures in ${formatShare(s.memoryFailures, s.invocations)}` : 'no memory failure figures');
  const then = share(baseline);
  const current = share(now);
  const since = `since ${baseline.at} (${baseline.action}${baseline.category ? `, ${baseline.category}` : ''})`;
  if (baseline.category && now.category && baseline.category !== now.category) {
    return { changed: true, summary: `the diagnosis changed from ${baseline.category} to ${now.category} ${since}; ${describe(now)} now` };
  }
  if (current !== undefined && current > 0 && (then === undefined || then === 0
    || (current - then >= FOLLOW_UP_CHANGE.minRise && current >= then * FOLLOW_UP_CHANGE.minFactor))) {
    return { changed: true, summary: `the memory failure rate rose ${since}: ${describe(baseline)} then, ${describe(now)} now` };
  }
  return { changed: false, summary: `the evidence is as it was ${since}: ${describe(baseline)} then, ${describe(now)} now` };
}
