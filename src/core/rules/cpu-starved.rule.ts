/**
 * CPU starvation at a small memory size. Lambda allocates CPU in proportion to memory: "At
 * 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of credits per second)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so a 128 MB function
 * computes on about 7 % of a vCPU. The evidence, in the words of the REPORT lines it reads:
 *
 * - `Memory Size` at most a quarter of a vCPU's worth (442 MB);
 * - `Task timed out after N seconds`, or `Duration` close to the timeout on many invocations;
 * - `Max Memory Used` far below `Memory Size` (under 75 %) on the completed invocations, and no
 *   out-of-memory signal at all;
 * - the invocations that complete also take much of the timeout (median at least half of it): the
 *   work itself is slow everywhere, not one call hanging while the others return quickly;
 * - no calls to other services timing out or throttled: nothing shows the time went to waiting.
 *
 * Then the duration is compute at a small share of a vCPU: not a memory shortage (answer
 * not-memory, category CPU_BOUND), but one that more memory relieves by buying CPU. Whether the
 * product raises memory for it is the policy's choice (`raiseMemoryForCpu`, off by default).
 */
import { CPU_STARVED, MB_PER_VCPU, USE_RATIO } from '../calibration';
import { formatDuration, formatPercent, formatShare } from '../format';
import { wasCutShort } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, RuleContext, usedRatio } from './types';

export const cpuStarvedRule: DiagnosisRule = {
  id: 'cpu-starved',
  description: 'a small memory size gives the function a small CPU share, and its duration is compute',
  evaluate(ctx) {
    const memoryMb = ctx.memorySizeMb;
    if (memoryMb === undefined) return notApplicable(this.id);
    const vcpuShare = memoryMb / MB_PER_VCPU;
    if (vcpuShare > CPU_STARVED.maxVcpuShare) return notApplicable(this.id);
    const { counts, invocations } = ctx.logs;
    // Memory first: any memory failure is its own incident; waits are not compute.
    if (counts.platformOom + counts.killed + counts.languageOom + counts.exitStatus137 > 0) return notApplicable(this.id);
    if (counts.downstreamTimeout + counts.throttling > 0) return notApplicable(this.id);

    const timeoutMs = timeoutOf(ctx) * 1000;
    if (!(timeoutMs > 0)) return notApplicable(this.id);
    let timeouts = 0;
    let reports = 0;
    let nearTimeout = 0;
    let peakRatio = 0;
    const completedMs: number[] = [];
    for (const inv of invocations) {
      if (inv.timeout) timeouts++;
      if (!inv.hasReport || inv.durationMs === undefined) continue;
      reports++;
      if (inv.durationMs >= CPU_STARVED.nearTimeout * timeoutMs) nearTimeout++;
      const ratio = usedRatio(inv);
      if (ratio !== undefined && ratio > peakRatio) peakRatio = ratio;
      if (!wasCutShort(inv)) completedMs.push(inv.durationMs);
    }
    timeouts = Math.max(timeouts, counts.timeout);
    const slow = timeouts > 0 || (reports > 0 && nearTimeout / reports >= CPU_STARVED.nearTimeoutShare);
    // With no completed invocation the logs cannot tell compute from a hang: leave it to function-timeout.
    if (!slow || completedMs.length === 0) return notApplicable(this.id);
    if (peakRatio >= USE_RATIO.low) return notApplicable(this.id);
    const medianMs = median(completedMs);
    if (medianMs < CPU_STARVED.workShare * timeoutMs) return notApplicable(this.id);

    const n = Math.max(1, ctx.invocationCount);
    const weight = clampWeight(CPU_STARVED.base + CPU_STARVED.smallShareGain * (1 - vcpuShare / CPU_STARVED.maxVcpuShare));
    const slowText = timeouts > 0
      ? `it timed out in ${formatShare(timeouts, n)}`
      : `${formatShare(nearTimeout, reports)} ran for at least ${formatPercent(CPU_STARVED.nearTimeout)} of the timeout`;
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight,
      category: 'CPU_BOUND',
      evidence: {
        type: 'CPU_STARVED',
        description: `at ${memoryMb} MB the function has about ${formatPercent(vcpuShare)} of a vCPU (Lambda: 1,769 MB = one vCPU): ${slowText}, `
          + `its completed invocations took a median ${formatDuration(medianMs)} of the ${formatDuration(timeoutMs)} timeout, `
          + `Max Memory Used stayed at or below ${formatPercent(peakRatio)} of Memory Size, and no call to another service timed out: `
          + 'its time is compute at a small CPU share',
      },
    };
  },
};

/** The configured timeout in seconds: functionConfig, else a `Task timed out after N seconds` line. */
function timeoutOf(ctx: RuleContext): number {
  const configured = ctx.request.functionConfig?.timeout;
  if (configured !== undefined) return configured;
  for (const inv of ctx.logs.invocations) if (inv.timeoutSeconds !== undefined) return inv.timeoutSeconds;
  return 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
