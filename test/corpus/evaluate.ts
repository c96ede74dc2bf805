/**
 * The labelled corpus against the diagnosis core, as figures: precision and recall of acting
 * (INCREASE_MEMORY), sizing within the labelled band, category agreement on clear cases, and a
 * reliability table of the engine's confidence (predicted confidence bins against how often the
 * engine was right in each bin). Shared by the corpus test, which asserts on it, and the
 * benchmark (`npm run bench -- diagnose`), which prints it.
 *
 * "Right" is the verdict the confidence is about: the memory verdict (isMemoryIssue) agrees with
 * the label and, for clear labels, so does the category. The acting decision is judged
 * separately by precision and recall.
 */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type { IncidentLabel } from './generate';
import { diagnose, parseDiagnosisRequest } from '../../src/core';
import { DiagnosisResult } from '../../src/core/model';
import { resolvePolicy } from '../../src/core/policy';

export const INCIDENTS_DIR = path.join(__dirname, 'incidents');

/** One labelled incident and what the engine made of it. */
export interface CorpusCase {
  readonly file: string;
  readonly request: Record<string, any>;
  readonly label: IncidentLabel;
  readonly result?: DiagnosisResult;
  readonly error?: string;
}

/** One row of the reliability table: cases whose confidence fell in [from, to). */
export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean predicted confidence of the cases in the bin. */
  readonly meanConfidence: number;
  /** Share of the cases in the bin whose verdict was right. */
  readonly accuracy: number;
}

export interface CorpusFigures {
  readonly cases: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  readonly precision: number;
  readonly recall: number;
  /** Acted incidents that should act, and how many of their sizes are within the labelled band. */
  readonly sized: number;
  readonly sizedInBand: number;
  /** Clear labels, and how many the engine agrees with (category and memory verdict). */
  readonly clear: number;
  readonly clearAgreed: number;
  readonly reliability: readonly ReliabilityBin[];
  /** Expected calibration error: the case-weighted mean |accuracy - confidence| over the bins. */
  readonly calibrationError: number;
  /** Mean squared difference between confidence and rightness (0 or 1). */
  readonly brierScore: number;
}

/** Edges of the confidence bins: below review, the review band, and the acting range in tenths. */
export const BIN_EDGES: readonly number[] = [0, 0.5, 0.7, 0.8, 0.9, 1.0001];

/** Read every incident file and diagnose it under its label's policy. */
export function loadCorpus(dir = INCIDENTS_DIR): CorpusCase[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const { label, ...request } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    try {
      const result = diagnose(parseDiagnosisRequest(request), resolvePolicy(label.policy ?? {}));
      return { file, request, label, result };
    } catch (e) {
      return { file, request, label, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  });
}

export const acted = (c: CorpusCase): boolean => c.result?.recommendedAction === 'INCREASE_MEMORY';

/** Whether the verdict the confidence speaks for is right. */
export function verdictRight(c: CorpusCase): boolean {
  if (!c.result) return false;
  if (c.result.isMemoryIssue !== c.label.isMemoryIssue) return false;
  return !c.label.clear || c.result.category === c.label.category;
}

export function evaluateCorpus(cases: readonly CorpusCase[]): CorpusFigures {
  const tp = cases.filter((c) => c.label.shouldAct && acted(c)).length;
  const fp = cases.filter((c) => !c.label.shouldAct && acted(c)).length;
  const fn = cases.filter((c) => c.label.shouldAct && !acted(c)).length;
  const tn = cases.filter((c) => !c.label.shouldAct && !acted(c)).length;
  const sized = cases.filter((c) => c.label.shouldAct && acted(c));
  const inBand = sized.filter((c) => c.result!.recommendedMemorySize >= c.label.minSize && c.result!.recommendedMemorySize <= c.label.maxSize);
  const clear = cases.filter((c) => c.label.clear);
  const scored = cases.filter((c) => c.result !== undefined);
  const reliability: ReliabilityBin[] = [];
  for (let i = 0; i < BIN_EDGES.length - 1; i++) {
    const from = BIN_EDGES[i];
    const to = BIN_EDGES[i + 1];
    const inBin = scored.filter((c) => c.result!.confidence >= from && c.result!.confidence < to);
    reliability.push({
      from,
      to: Math.min(1, to),
      count: inBin.length,
      meanConfidence: mean(inBin.map((c) => c.result!.confidence)),
      accuracy: mean(inBin.map((c) => (verdictRight(c) ? 1 : 0))),
    });
  }
  const calibrationError = scored.length === 0 ? 0
    : reliability.reduce((sum, b) => sum + (b.count / scored.length) * Math.abs(b.accuracy - b.meanConfidence), 0);
  const brierScore = mean(scored.map((c) => (c.result!.confidence - (verdictRight(c) ? 1 : 0)) ** 2));
  return {
    cases: cases.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp / Math.max(1, tp + fp),
    recall: tp / Math.max(1, tp + fn),
    sized: sized.length,
    sizedInBand: inBand.length,
    clear: clear.length,
    clearAgreed: clear.filter((c) => verdictRight(c)).length,
    reliability,
    calibrationError,
    brierScore,
  };
}

/** The figures as printed lines: acting, sizing, categories, then the reliability table. */
export function formatFigures(f: CorpusFigures): string[] {
  const bins = f.reliability.map((b) => {
    const range = `${b.from.toFixed(1)}-${b.to.toFixed(1)}`.padEnd(9);
    return b.count === 0
      ? `  ${range} ${String(0).padStart(5)}          -           -        -`
      : `  ${range} ${String(b.count).padStart(5)}   ${b.meanConfidence.toFixed(2).padStart(8)}   ${b.accuracy.toFixed(2).padStart(9)}   ${signed(b.accuracy - b.meanConfidence)}`;
  });
  return [
    `labelled corpus: ${f.cases} incidents`,
    `acting (INCREASE_MEMORY): precision ${f.precision.toFixed(3)}, recall ${f.recall.toFixed(3)}`
      + ` (${f.truePositives} acted rightly, ${f.falsePositives} wrongly, ${f.falseNegatives} missed, ${f.trueNegatives} rightly left alone)`,
    `sizing in the labelled band: ${f.sizedInBand} of ${f.sized} acted incidents`,
    `category and memory verdict on clear labels: ${f.clearAgreed} of ${f.clear}`,
    'reliability of the confidence (verdict right = memory verdict, and category for clear labels):',
    '  bin        cases   mean conf   observed   gap',
    ...bins,
    `  expected calibration error ${f.calibrationError.toFixed(3)}, Brier score ${f.brierScore.toFixed(3)}`,
  ];
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}
