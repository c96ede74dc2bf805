/**
 * A managed runtime (or the operating system on its behalf) printed its own out-of-memory error:
 * Node.js heap limit, Python MemoryError, Java OutOfMemoryError (also wrapped in another
 * exception, and Metaspace), .NET OutOfMemoryException, Ruby NoMemoryError, Go `runtime: out of
 * memory`, Rust `memory allocation of N bytes failed`, ENOMEM from spawn / fork. Application text,
 * so it weighs less than platform evidence; more when the platform's own figures for the same
 * invocations show memory at the limit, much less when they show it far below. How often it
 * happened does not change how sure it is.
 */
import { LANGUAGE_OOM, USE_RATIO } from '../calibration';
import { detectLanguageOom } from '../logs';
import { clampWeight, DiagnosisRule, notApplicable, shareText, usedRatio } from './types';
import { LanguageOomRuntime } from '../logs/types';

const RUNTIME_NAMES: Record<LanguageOomRuntime, string> = {
  nodejs: 'Node.js (JavaScript heap / array buffer allocation)',
  python: 'Python (MemoryError)',
  java: 'Java (java.lang.OutOfMemoryError)',
  dotnet: '.NET (System.OutOfMemoryException)',
  ruby: 'Ruby (NoMemoryError)',
  go: 'Go (runtime: out of memory)',
  rust: 'Rust (memory allocation failed)',
  os: 'the operating system (ENOMEM: cannot allocate memory for a new process or mapping)',
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
      if (ratio >= USE_RATIO.high || inv.killed || inv.platformOom) high++;
      else if (ratio < USE_RATIO.contradicted && !inv.exitError && inv.status !== 'error' && inv.status !== 'timeout') low++;
    }
    // Lines that named no invocation: the runtime is read again from the first such line.
    const example = ctx.logs.examples.languageOom;
    const fromExample = runtimes.size === 0 && example !== undefined ? detectLanguageOom(example) : undefined;
    if (fromExample) runtimes.add(fromExample);
    let weight: number = LANGUAGE_OOM.base + (high > 0 ? LANGUAGE_OOM.corroboratedBonus : 0);
    let note = '';
    if (measured > 0 && low === measured) {
      weight = LANGUAGE_OOM.contradicted;
      note = '; but the platform reported those invocations as completed well below the memory limit';
    } else if (high > 0) {
      note = `; the platform measured Max Memory Used at or above ${Math.round(USE_RATIO.high * 100)} % of Memory Size on ${high} of them`;
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
