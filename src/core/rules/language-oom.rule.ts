/**
 * A managed runtime printed its own out-of-memory error (Node.js heap limit, Python MemoryError,
 * Java OutOfMemoryError, .NET OutOfMemoryException, Ruby NoMemoryError, Go `runtime: out of
 * memory`). Application text, so it weighs less than platform evidence, and less again when the
 * platform's own figures for the same invocations show memory use far below the limit.
 */
import { HIGH_USE_RATIO } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, saturate, shareText, usedRatio } from './types';
import { LanguageOomRuntime } from '../logs/types';

/** Below this use ratio the platform's figure contradicts the runtime's OOM message. */
const CONTRADICTED_RATIO = 0.5;

const RUNTIME_NAMES: Record<LanguageOomRuntime, string> = {
  nodejs: 'Node.js (JavaScript heap / array buffer allocation)',
  python: 'Python (MemoryError)',
  java: 'Java (java.lang.OutOfMemoryError)',
  dotnet: '.NET (System.OutOfMemoryException)',
  ruby: 'Ruby (NoMemoryError)',
  go: 'Go (runtime: out of memory)',
};

export const languageOomRule: DiagnosisRule = {
  id: 'language-oom',
  description: 'a managed runtime printed its own out-of-memory error',
  evaluate(ctx) {
    const count = ctx.logs.counts.languageOom;
    if (count === 0) return notApplicable(this.id);
    let measured = 0;
    let high = 0;
    let low = 0;
    const runtimes = new Set<LanguageOomRuntime>();
    for (const inv of ctx.logs.invocations) {
      if (!inv.languageOom) continue;
      if (inv.languageOomRuntime) runtimes.add(inv.languageOomRuntime);
      const ratio = usedRatio(inv);
      if (ratio === undefined) continue;
      measured++;
      if (ratio >= HIGH_USE_RATIO || inv.killed || inv.platformOom) high++;
      else if (ratio < CONTRADICTED_RATIO && !inv.exitError && inv.status !== 'error' && inv.status !== 'timeout') low++;
    }
    const share = count / Math.max(1, ctx.invocationCount);
    let weight = 0.5 + 0.35 * saturate(share, 0.2) + (high > 0 ? 0.1 : 0);
    let note = '';
    if (measured > 0 && low === measured) {
      weight = 0.3;
      note = '; but the platform reported those invocations as completed well below the memory limit';
    }
    const names = [...runtimes].map(r => RUNTIME_NAMES[r]).join(', ') || 'a managed runtime';
    return {
      ruleId: this.id,
      answer: 'memory',
      weight: clampWeight(weight),
      category: 'OUT_OF_MEMORY',
      sizing: 'unknown-need',
      evidence: {
        type: 'LANGUAGE_OUT_OF_MEMORY',
        description: `${names} reported running out of memory in ${shareText(count, ctx.invocationCount)}${note}`,
      },
    };
  },
};
