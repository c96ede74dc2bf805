/**
 * The rule engine: parse the logs, summarise the metrics, run every rule, and combine the
 * verdicts into the seed's diagnosis result. Deterministic (same input, same output), pure, and
 * linear in the size of the request.
 *
 * Combination: the weights of the rules answering `memory` are combined as independent evidence
 * (1 - product of (1 - weight)), and likewise for `not-memory`. The larger side wins (a tie is
 * not a memory issue); the other side lowers the confidence. Words in application logs only ever
 * reach the engine as typed signals, so a log line cannot instruct it.
 */
import { LogEvidence, parseLogs } from './logs';
import { citeRunbooks } from '../knowledge/catalogue';
import { MetricSummary, summarizeMetrics } from './metrics/summary';
import { DiagnosisRequest, DiagnosisResult, EvidencePoint, IncidentCategory, RecommendedAction } from './model';
import { PolicySettings, resolvePolicy } from './policy';
import { RULES } from './rules';
import { DiagnosisRule, RuleContext, RuleVerdict } from './rules/types';
import { recommendMemorySize, SizingBasis, SizingResult } from './sizing';

/** Rules whose memory answer rests on the platform's own figures or error types, not on application text. */
const PLATFORM_MEASURED_RULES: ReadonlySet<string> = new Set(['platform-oom', 'killed-at-limit', 'memory-pressure', 'function-timeout']);
/** Confidence ceiling of a memory diagnosis that rests on no platform evidence at all. */
const NO_PLATFORM_EVIDENCE_CAP = 0.65;
/** Confidence of "we cannot tell" results. */
const INSUFFICIENT_DATA_CONFIDENCE = 0.2;
const UNKNOWN_CONFIDENCE = 0.3;
/** A losing memory side at least this strong still asks for a person. */
const SUSPECTED_MEMORY_SCORE = 0.5;
const MAX_CONFIDENCE = 0.99;
/** Incomplete data costs this share of the confidence. */
const INCOMPLETE_FACTOR = 0.9;

/** The intermediate results of a diagnosis, for tests, the CLI's verbose output and the benchmark. */
export interface DiagnosisTrace {
  readonly context: RuleContext;
  readonly verdicts: RuleVerdict[];
  /** Combined weight of the memory verdicts, 0..1. */
  readonly memoryScore: number;
  /** Combined weight of the not-memory verdicts, 0..1. */
  readonly notMemoryScore: number;
  readonly sizing?: SizingResult;
  readonly result: DiagnosisResult;
}

/**
 * Diagnose a request: is the alarm a memory issue, how sure is that, and what to do.
 *
 * @param request a validated request (see `parseDiagnosisRequest`)
 * @param policy overrides of the default policy (maximum memory, steps, minimum confidence)
 * @throws PolicyError when the policy overrides make no sense
 */
export function diagnose(request: DiagnosisRequest, policy: Partial<PolicySettings> = {}): DiagnosisResult {
  return diagnoseWithTrace(request, policy).result;
}

/** {@link diagnose}, returning the intermediate results as well. */
export function diagnoseWithTrace(
  request: DiagnosisRequest,
  policy: Partial<PolicySettings> = {},
  rules: readonly DiagnosisRule[] = RULES,
): DiagnosisTrace {
  const context = buildRuleContext(request, resolvePolicy(policy));
  const verdicts = rules.map(rule => rule.evaluate(context));
  const trace = combine(context, verdicts);
  // The shipped runbooks are cited even without Bedrock, so an operator always gets a next read.
  const knowledgeReferences = citeRunbooks(trace.result, request.functionConfig?.runtime);
  return { ...trace, result: ordered({ ...trace.result, knowledgeReferences }) };
}

/** Parse logs and metrics of `request` into what the rules read. */
export function buildRuleContext(request: DiagnosisRequest, policy: PolicySettings): RuleContext {
  const logs: LogEvidence = parseLogs(request.logs);
  const metrics: MetricSummary = summarizeMetrics(request);
  return {
    request,
    logs,
    metrics,
    policy,
    memorySizeMb: request.functionConfig?.memorySize ?? logs.memory.memorySizeMb,
    invocationCount: Math.max(logs.invocations.length, logs.memory.reportCount),
  };
}

/** Combine rule verdicts into a diagnosis result. */
export function combine(context: RuleContext, verdicts: readonly RuleVerdict[]): DiagnosisTrace {
  const { request, logs, policy } = context;
  const memory = verdicts.filter(v => v.answer === 'memory' && v.weight > 0);
  const notMemory = verdicts.filter(v => v.answer === 'not-memory' && v.weight > 0);
  const memoryScore = noisyOr(memory);
  const notMemoryScore = noisyOr(notMemory);
  const noLogs = logs.eventCount === 0;
  const incomplete = request.incomplete === true || noLogs;
  const evidencePoints: EvidencePoint[] = verdicts.flatMap(v => (v.evidence && v.answer !== 'not-applicable' ? [v.evidence] : []));
  evidencePoints.push(...contextPoints(context));

  const base = {
    functionName: request.functionName,
    decidedBy: 'rules' as const,
    incomplete,
  };
  const currentMb = context.memorySizeMb;
  const noChange = { recommendedMemoryIncrease: 0, recommendedMemorySize: currentMb ?? 0 };

  // Nothing to go on either way.
  if (memory.length === 0 && notMemory.length === 0) {
    const noPlatformData = logs.memory.reportCount === 0;
    const category: IncidentCategory = noPlatformData ? 'INSUFFICIENT_DATA' : 'UNKNOWN';
    const confidence = finalConfidence(noPlatformData ? INSUFFICIENT_DATA_CONFIDENCE : UNKNOWN_CONFIDENCE, request);
    const reasoning = noPlatformData
      ? `Cannot tell whether this is a memory issue: ${noLogs ? 'no log events were collected' : 'the logs hold no REPORT lines and no error signal'}, so there are no platform memory figures. A person should review the function.`
      : `No rule found evidence for or against a memory issue in ${context.invocationCount} invocations; raising memory is not indicated.`;
    const result: DiagnosisResult = {
      ...base,
      ...noChange,
      isMemoryIssue: false,
      confidence,
      category,
      evidencePoints,
      reasoning,
      recommendedAction: noPlatformData ? 'HUMAN_REVIEW' : 'NO_ACTION',
    };
    return { context, verdicts: [...verdicts], memoryScore, notMemoryScore, result: ordered(result) };
  }

  const isMemoryIssue = memoryScore > notMemoryScore;
  // The losing side lowers the confidence. Memory evidence measured by the platform (REPORT
  // figures, OOM kills) is a fact about the invocations it covers; other causes found in the
  // logs can explain other failures but not those, so they weigh half as much against it.
  const measured = memory.some(v => PLATFORM_MEASURED_RULES.has(v.ruleId));
  let confidence = isMemoryIssue
    ? memoryScore * (1 - notMemoryScore * (measured ? 0.25 : 0.5))
    : notMemoryScore * (1 - memoryScore / 2);
  const hasPlatformEvidence = logs.memory.reportCount > 0 || logs.counts.platformOom > 0 || logs.counts.killed > 0;
  if (isMemoryIssue && !hasPlatformEvidence) confidence = Math.min(confidence, NO_PLATFORM_EVIDENCE_CAP);
  confidence = finalConfidence(confidence, request);

  const category = isMemoryIssue ? strongest(memory).category ?? 'OUT_OF_MEMORY' : notMemoryCategory(notMemory);
  const forText = describe(memory);
  const againstText = describe(notMemory);
  const head = `${isMemoryIssue ? 'Memory issue' : 'Not a memory issue'} (${category}), confidence ${confidence.toFixed(2)}.`;
  const evidenceText = `${forText ? ` Evidence of a memory issue: ${forText}.` : ''}${againstText ? ` Evidence of another cause: ${againstText}.` : ''}`;

  if (!isMemoryIssue) {
    const suspected = memoryScore >= SUSPECTED_MEMORY_SCORE;
    const action: RecommendedAction = suspected ? 'HUMAN_REVIEW' : 'NO_ACTION';
    const tail = suspected
      ? ' The memory evidence is too strong to dismiss: a person should review before anything changes.'
      : ' Raising memory would not help; no change is recommended.';
    const result: DiagnosisResult = {
      ...base,
      ...noChange,
      isMemoryIssue,
      confidence,
      category,
      evidencePoints,
      reasoning: `${head}${evidenceText}${tail}`,
      recommendedAction: action,
    };
    return { context, verdicts: [...verdicts], memoryScore, notMemoryScore, result: ordered(result) };
  }

  if (currentMb === undefined) {
    const result: DiagnosisResult = {
      ...base,
      ...noChange,
      isMemoryIssue,
      confidence,
      category,
      evidencePoints,
      reasoning: `${head}${evidenceText} The current memory size is unknown (no functionConfig and no REPORT line), so no size can be recommended: a person should review.`,
      recommendedAction: 'HUMAN_REVIEW',
    };
    return { context, verdicts: [...verdicts], memoryScore, notMemoryScore, result: ordered(result) };
  }

  const sizing = recommendMemorySize(sizingInput(context, memory, currentMb), policy);
  // The logs were measured at a smaller size than the function has now: memory was raised after
  // the evidence (by a person or an earlier repair), so raising it again on the same evidence
  // would double the step.
  const measuredAt = logs.memory.memorySizeMb;
  const alreadyRaised = measuredAt !== undefined && measuredAt < currentMb;
  let action: RecommendedAction;
  let tail: string;
  if (alreadyRaised && !sizing.atCeiling) {
    action = 'HUMAN_REVIEW';
    tail = ` The evidence was measured at ${measuredAt} MB but the function now has ${currentMb} MB: memory was raised after it. Wait for new evidence at the current size, or review.`;
  } else if (sizing.atCeiling) {
    action = 'CANNOT_INCREASE';
    tail = ` Memory cannot be increased: ${sizing.explanation}. Reduce the function's memory use or split its work.`;
  } else if (confidence >= policy.minConfidence) {
    action = 'INCREASE_MEMORY';
    tail = ` Sizing: ${sizing.explanation}.`;
  } else {
    action = 'HUMAN_REVIEW';
    tail = ` Confidence ${confidence.toFixed(2)} is below the policy minimum of ${policy.minConfidence}: a person should review. If confirmed, ${sizing.explanation}.`;
  }
  const increase = action === 'INCREASE_MEMORY' ? sizing.increaseMb : 0;
  const result: DiagnosisResult = {
    ...base,
    isMemoryIssue,
    confidence,
    category,
    evidencePoints,
    reasoning: `${head}${evidenceText}${tail}`,
    recommendedAction: action,
    recommendedMemoryIncrease: increase,
    recommendedMemorySize: currentMb + increase,
  };
  return { context, verdicts: [...verdicts], memoryScore, notMemoryScore, sizing, result: ordered(result) };
}

/** The seed's field order first, so printed results read the same everywhere. */
function ordered(r: DiagnosisResult): DiagnosisResult {
  return {
    functionName: r.functionName,
    isMemoryIssue: r.isMemoryIssue,
    confidence: r.confidence,
    reasoning: r.reasoning,
    recommendedAction: r.recommendedAction,
    recommendedMemoryIncrease: r.recommendedMemoryIncrease,
    recommendedMemorySize: r.recommendedMemorySize,
    evidencePoints: r.evidencePoints,
    category: r.category,
    decidedBy: r.decidedBy,
    ...(r.knowledgeReferences ? { knowledgeReferences: r.knowledgeReferences } : {}),
    incomplete: r.incomplete,
  };
}

function sizingInput(context: RuleContext, memory: readonly RuleVerdict[], currentMb: number) {
  const m = context.logs.memory;
  const peakMb = m.peakHealthyUsedMb ?? m.peakUsedMb;
  const unknownNeed = memory.some(v => v.sizing === 'unknown-need') || peakMb === undefined;
  const basis: SizingBasis = unknownNeed ? 'unknown-need' : 'known-peak';
  return { currentMb, basis, peakMb };
}

/** Independent evidence: 1 - product of (1 - weight). */
function noisyOr(verdicts: readonly RuleVerdict[]): number {
  let miss = 1;
  for (const v of verdicts) miss *= 1 - Math.min(1, Math.max(0, v.weight));
  return 1 - miss;
}

function strongest(verdicts: readonly RuleVerdict[]): RuleVerdict {
  let best = verdicts[0];
  for (const v of verdicts) if (v.weight > best.weight) best = v;
  return best;
}

/** The strongest not-memory verdict that names a specific cause. */
function notMemoryCategory(verdicts: readonly RuleVerdict[]): IncidentCategory {
  const specific = verdicts.filter(v => v.category !== undefined && v.category !== 'UNKNOWN');
  return specific.length > 0 ? strongest(specific).category! : 'UNKNOWN';
}

function describe(verdicts: readonly RuleVerdict[]): string {
  return [...verdicts].sort((a, b) => b.weight - a.weight)
    .map(v => v.evidence?.description).filter((d): d is string => d !== undefined).join('; ');
}

function finalConfidence(confidence: number, request: DiagnosisRequest): number {
  const c = request.incomplete === true ? confidence * INCOMPLETE_FACTOR : confidence;
  // Rules never know everything: 0.99 at most.
  return Math.round(Math.min(MAX_CONFIDENCE, Math.max(0, c)) * 100) / 100;
}

/** Evidence points that describe the data rather than a rule's finding. */
function contextPoints(context: RuleContext): EvidencePoint[] {
  const points: EvidencePoint[] = [];
  const { logs, metrics, request } = context;
  if (logs.eventCount === 0) {
    points.push({ type: 'INSUFFICIENT_DATA', description: 'no log events were collected for the alarm window' });
  } else if (logs.memory.reportCount === 0) {
    points.push({ type: 'INSUFFICIENT_DATA', description: `${logs.eventCount} log events but no REPORT line or platform.report record` });
  }
  const parts: string[] = [];
  if (metrics.errorRateAfter !== undefined) {
    parts.push(`error rate ${pct(metrics.errorRateBefore)} before the alarm, ${pct(metrics.errorRateAfter)} after`);
  }
  const duration = metrics.series.Duration;
  if (duration && duration.direction !== 'flat') {
    parts.push(`Duration ${duration.direction} (${duration.trend >= 0 ? '+' : ''}${Math.round(duration.trend * 100)} % over the window)`);
  }
  if (parts.length > 0) points.push({ type: 'METRICS', description: parts.join('; ') });
  for (const reason of request.incompleteReasons ?? []) {
    points.push({ type: 'INCOMPLETE_DATA', description: reason.length > 200 ? `${reason.slice(0, 200)}...` : reason });
  }
  return points;
}

function pct(rate: number | undefined): string {
  return rate === undefined ? 'unknown' : `${(rate * 100).toFixed(1)} %`;
}
