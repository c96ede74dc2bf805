/**
 * The platform's own figures show memory to spare: every REPORT's Max Memory Used well below
 * Memory Size. Weighs against a memory diagnosis whatever the application logs say.
 */
import { LOW_MEMORY_USE, USE_RATIO } from '../calibration';
import { formatPercent } from '../format';
import { clampWeight, DiagnosisRule, notApplicable, saturate } from './types';

/** Peak use below this share of Memory Size counts as memory to spare. */
const SPARE_RATIO = USE_RATIO.spare;

export const lowMemoryUseRule: DiagnosisRule = {
  id: 'low-memory-use',
  description: 'Max Memory Used stayed well below Memory Size on every invocation',
  evaluate(ctx) {
    const m = ctx.logs.memory;
    if (m.reportCount < LOW_MEMORY_USE.minReports || m.peakUsedRatio === undefined || m.peakUsedRatio >= SPARE_RATIO) {
      return notApplicable(this.id);
    }
    const weight = clampWeight(LOW_MEMORY_USE.base
      + LOW_MEMORY_USE.spareGain * saturate((SPARE_RATIO - m.peakUsedRatio) / SPARE_RATIO, LOW_MEMORY_USE.spareFull));
    // Kill lines with no REPORT have no figure: the peak is that of the invocations measured.
    const unmeasuredKills = ctx.logs.counts.killed + ctx.logs.counts.platformOom > 0;
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight,
      category: 'UNKNOWN',
      evidence: {
        type: 'LOW_MEMORY_USE',
        description: `Max Memory Used peaked at ${m.peakUsedMb} MB of ${m.memorySizeMb} MB (${formatPercent(m.peakUsedRatio)}) over ${m.reportCount} measured invocations`
          + (unmeasuredKills ? ' (the killed invocations have no REPORT, so no figure)' : ''),
      },
    };
  },
};
