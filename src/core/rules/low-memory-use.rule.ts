/**
 * The platform's own figures show memory to spare: every REPORT's Max Memory Used well below
 * Memory Size. Weighs against a memory diagnosis whatever the application logs say.
 */
import { clampWeight, DiagnosisRule, notApplicable, saturate } from './types';

const MIN_REPORTS = 3;
/** Peak use below this share of Memory Size counts as memory to spare. */
const SPARE_RATIO = 0.8;

export const lowMemoryUseRule: DiagnosisRule = {
  id: 'low-memory-use',
  description: 'Max Memory Used stayed well below Memory Size on every invocation',
  evaluate(ctx) {
    const m = ctx.logs.memory;
    if (m.reportCount < MIN_REPORTS || m.peakUsedRatio === undefined || m.peakUsedRatio >= SPARE_RATIO) {
      return notApplicable(this.id);
    }
    // 0.3 just under the threshold, up to 0.6 for a function using a small fraction of its memory.
    const weight = clampWeight(0.3 + 0.3 * saturate((SPARE_RATIO - m.peakUsedRatio) / SPARE_RATIO, 0.5));
    return {
      ruleId: this.id,
      answer: 'not-memory',
      weight,
      category: 'UNKNOWN',
      evidence: {
        type: 'LOW_MEMORY_USE',
        description: `Max Memory Used peaked at ${m.peakUsedMb} MB of ${m.memorySizeMb} MB (${Math.round(m.peakUsedRatio * 100)} %) over ${m.reportCount} invocations`,
      },
    };
  },
};
