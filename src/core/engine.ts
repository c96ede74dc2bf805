/**
 * The rule engine: parse the logs, summarise the metrics, run every rule, and combine the
 * verdicts into the seed's diagnosis result. Deterministic (same input, same output), pure, and
 * linear in the size of the request.
 *
 * Combination (every number and why: calibration.ts): the weights of the rules answering `memory`
 * are combined as independent evidence (1 - product of (1 - weight)), and likewise for
 * `not-memory`. The larger side wins (a tie is not a memory issue); the other side lowers the
 * confidence. Words in application logs only ever reach the engine as typed signals, so a log
 * line cannot instruct it.
 */
import { COMBINATION, MB_PER_VCPU, URGENCY, USE_RATIO } from './calibration';
import { formatPercent, formatShare } from './format';
import { describeRaise, earlierRaises, HISTORY, leakEscalation } from './history';
import { LogEvidence, parseLogs } from './logs';
import { InvocationFacts } from './logs/types';
import { citeRunbooks } from '../knowledge/catalogue';
import { MetricSummary, summarizeMetrics } from './metrics/summary';
import { DiagnosisRequest, DiagnosisResult, EvidencePoint, IncidentCategory, RecommendedAction } from './model';
import { PolicySettings, resolvePolicy } from './policy';
import { RULES } from './rules';
import { DiagnosisRule, RuleContext, RuleVerdict, usedRatio } from './rules/types';
import { recommendMemorySize, SizingBasis, SizingResult } from './sizing';

/** Rules whose memory answer rests on the platform's own figures or error types, not on application text. */
const PLATFORM_MEASURED_RULES: ReadonlySet<string> = new Set(['platform-oom', 'killed-at-limit', 'memory-pressure', 'memory-climbing', 'stream-lag', 'concurrency-spike', 'function-timeout']);

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
    const confidence = finalConfidence(noPlatformData ? COMBINATION.insufficientData : COMBINATION.unknown, request);
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
    ? memoryScore * (1 - notMemoryScore * (measured ? COMBINATION.measuredMemoryDiscount : COMBINATION.unmeasuredMemoryDiscount))
    : notMemoryScore * (1 - memoryScore * COMBINATION.notMemoryDiscount);
  const hasPlatformEvidence = logs.memory.reportCount > 0 || logs.counts.platformOom > 0 || logs.counts.killed > 0;
  if (isMemoryIssue && !hasPlatformEvidence) confidence = Math.min(confidence, COMBINATION.noPlatformEvidenceCap);
  // Platform lines read back from pasted text: memory is likely, but a copy is not the platform's record.
  const pasted = logs.pastedPlatformLines > 0;
  if (isMemoryIssue && pasted) confidence = Math.min(confidence, COMBINATION.pastedEvidenceCap);
  confidence = finalConfidence(confidence, request);

  const category = isMemoryIssue ? strongest(memory).category ?? 'OUT_OF_MEMORY' : notMemoryCategory(notMemory);
  const forText = describe(memory);
  const againstText = describe(notMemory);
  const head = `${isMemoryIssue ? 'Memory issue' : 'Not a memory issue'} (${category}), confidence ${confidence.toFixed(2)}.`;
  const evidenceText = `${forText ? ` Evidence of a memory issue: ${forText}.` : ''}${againstText ? ` Evidence of another cause: ${againstText}.` : ''}`;

  if (!isMemoryIssue && category === 'CPU_BOUND' && currentMb !== undefined) {
    const { action, tail, increaseMb } = cpuDecision(currentMb, confidence, policy);
    const result: DiagnosisResult = {
      ...base,
      isMemoryIssue,
      confidence,
      category,
      evidencePoints,
      reasoning: `${head}${evidenceText}${tail}`,
      recommendedAction: action,
      recommendedMemoryIncrease: increaseMb,
      recommendedMemorySize: currentMb + increaseMb,
    };
    return { context, verdicts: [...verdicts], memoryScore, notMemoryScore, result: ordered(result) };
  }

  if (!isMemoryIssue) {
    const suspected = memoryScore >= COMBINATION.suspectedMemoryScore;
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
  const hold = memory.find(v => v.holdRaise !== undefined)?.holdRaise;
  const climbing = memory.some(v => v.evidence?.type === 'MEMORY_CLIMBING');
  // The case history: a leak gets one stopgap raise, then it is escalated (issue 11 item 2).
  const escalation = leakEscalation(request.history, evidenceTime(context), climbing);
  const stopgap = climbing
    ? ' This raise is a stopgap: the memory need is climbing (a leak or an unbounded cache) and will reach the new size too. Raise once at most, then fix the growth in the code (rb-memory-leak).'
    : '';
  let action: RecommendedAction;
  let tail: string;
  if (alreadyRaised && !sizing.atCeiling) {
    action = 'HUMAN_REVIEW';
    tail = ` The evidence was measured at ${measuredAt} MB but the function now has ${currentMb} MB: memory was raised after it. Wait for new evidence at the current size, or review.`;
  } else if (sizing.atCeiling) {
    action = 'CANNOT_INCREASE';
    tail = ` Memory cannot be increased: ${sizing.explanation}. Reduce the function's memory use or split its work.`;
  } else if (hold !== undefined) {
    action = 'HUMAN_REVIEW';
    tail = ` No further raise: ${hold}.`;
  } else if (escalation !== undefined) {
    action = 'HUMAN_REVIEW';
    tail = ` No further raise: ${escalation}. Were it raised again, ${sizing.explanation}.`;
  } else if (confidence >= policy.minConfidence) {
    action = 'INCREASE_MEMORY';
    tail = ` Sizing: ${sizing.explanation}.${stopgap}`;
  } else if (pasted) {
    action = 'HUMAN_REVIEW';
    tail = ` Memory is likely the cause, but ${logs.pastedPlatformLines} platform line(s) of the evidence were read back from pasted text (console timestamps, table columns or re-wrapped lines), not from the function's own log records:`
      + ` a person should confirm them in CloudWatch Logs before memory changes. If confirmed, ${sizing.explanation}.${stopgap}`;
  } else {
    action = 'HUMAN_REVIEW';
    tail = ` Confidence ${confidence.toFixed(2)} is below the policy minimum of ${policy.minConfidence}: a person should review. If confirmed, ${sizing.explanation}.${stopgap}`;
  }
  tail = ` ${urgency(context, climbing)}${tail}`;
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
  const c = request.incomplete === true ? confidence * COMBINATION.incompleteFactor : confidence;
  // Rules never know everything: 0.99 at most.
  return Math.round(Math.min(COMBINATION.maxConfidence, Math.max(0, c)) * 100) / 100;
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
  if (logs.pastedPlatformLines > 0) {
    points.push({
      type: 'PASTED_TEXT',
      description: `${logs.pastedPlatformLines} platform line(s) were read back from pasted text (console timestamps, table columns or re-wrapped lines)`,
    });
  }
  const raises = earlierRaises(request.history, evidenceTime(context));
  if (raises.length > 0) {
    points.push({
      type: 'REPAIR_HISTORY',
      description: `memory of this function was raised ${raises.length === 1 ? 'once' : `${raises.length} times`} in the last `
        + `${Math.round(HISTORY.leakWindowHours / 24)} days: ${raises.slice(0, 3).map(describeRaise).join('; ')}`,
    });
  }
  for (const reason of request.incompleteReasons ?? []) {
    points.push({ type: 'INCOMPLETE_DATA', description: reason.length > 200 ? `${reason.slice(0, 200)}...` : reason });
  }
  return points;
}

function pct(rate: number | undefined): string {
  return rate === undefined ? 'unknown' : formatPercent(rate);
}

/**
 * What to do about a CPU-starved function (category CPU_BOUND): raise memory for the CPU it buys
 * when the policy allows it (`raiseMemoryForCpu`), else ask a person and say what the raise would
 * give. The raise is one out-of-memory step (policy.oomStepFactor, within the step limits) and
 * never above one vCPU (1,769 MB): beyond it only multi-threaded code gains.
 */
function cpuDecision(currentMb: number, confidence: number, policy: PolicySettings): { action: RecommendedAction; tail: string; increaseMb: number } {
  const sizing = recommendMemorySize({ currentMb, basis: 'unknown-need' }, { ...policy, maxMemoryMb: Math.min(policy.maxMemoryMb, MB_PER_VCPU) });
  const speedup = sizing.recommendedMb / currentMb;
  const gain = `${currentMb} MB -> ${sizing.recommendedMb} MB would give it ${formatPercent(sizing.recommendedMb / MB_PER_VCPU)} of a vCPU instead of `
    + `${formatPercent(currentMb / MB_PER_VCPU)}, so compute-bound work would run up to ${speedup.toFixed(1)}x faster`;
  if (sizing.atCeiling || sizing.increaseMb <= 0) {
    return { action: 'HUMAN_REVIEW', increaseMb: 0, tail: ` Memory (and with it CPU) cannot be raised further under the policy: ${sizing.explanation}. A person should look at the work the function does.` };
  }
  if (!policy.raiseMemoryForCpu) {
    return {
      action: 'HUMAN_REVIEW',
      increaseMb: 0,
      tail: ' Raising memory would help here, not because memory is short but because Lambda gives CPU in proportion to memory (1,769 MB = one vCPU):'
        + ` ${gain}. The policy leaves CPU sizing to a person (raiseMemoryForCpu is off): decide the size, ideally with a power-tuning run (rb-cpu-bound-low-memory),`
        + ' or turn on raiseMemoryForCpu to let the product raise memory for CPU-starved functions.',
    };
  }
  if (confidence < policy.minConfidence) {
    return {
      action: 'HUMAN_REVIEW',
      increaseMb: 0,
      tail: ` Confidence ${confidence.toFixed(2)} is below the policy minimum of ${policy.minConfidence}: a person should review. If confirmed, ${gain}.`,
    };
  }
  return { action: 'INCREASE_MEMORY', increaseMb: sizing.increaseMb, tail: ` More memory buys CPU (policy raiseMemoryForCpu is on): ${gain}.` };
}

/** An invocation that failed for memory (killed or out of memory, or timed out / exited at the limit). */
function failedForMemory(inv: InvocationFacts): boolean {
  if (inv.platformOom || inv.killed || inv.languageOom) return true;
  const ratio = usedRatio(inv);
  if (ratio === undefined) return false;
  return (inv.timeout && ratio >= USE_RATIO.high) || (inv.exitStatus137 && ratio >= USE_RATIO.high) || (inv.exitError && ratio >= USE_RATIO.atLimit);
}

/**
 * How urgent a memory issue is, in one sentence: set by how many invocations fail for memory and
 * whether the most recent ones fail more, never by doubt about the cause (calibration.ts URGENCY).
 */
function urgency(context: RuleContext, climbing: boolean): string {
  const { invocations, counts } = context.logs;
  const n = invocations.length;
  let failed = 0;
  let killed = 0, platformOom = 0, languageOom = 0;
  for (const inv of invocations) {
    if (failedForMemory(inv)) failed++;
    if (inv.killed) killed++;
    if (inv.platformOom) platformOom++;
    if (inv.languageOom) languageOom++;
  }
  // Failure lines that named no invocation (a pasted excerpt) cannot be set against a count.
  const unattributed = Math.max(0, counts.killed - killed) + Math.max(0, counts.platformOom - platformOom)
    + Math.max(0, counts.languageOom - languageOom);
  if (failed === 0 && unattributed > 0) return `Urgency unknown: ${unattributed} memory failure line(s) that name no invocation, so there is no rate to judge.`;
  if (n === 0 || failed === 0) return 'Urgency low: no invocation in the logs failed for memory yet.';
  const recentCount = Math.max(1, Math.ceil(n * URGENCY.recentPart));
  let recentFailed = 0;
  for (let i = n - recentCount; i < n; i++) if (failedForMemory(invocations[i])) recentFailed++;
  const rate = failed / n;
  const recentRate = recentFailed / recentCount;
  const earlierRate = n > recentCount ? (failed - recentFailed) / (n - recentCount) : recentRate;
  const rising = n > recentCount && recentFailed >= 2 && recentRate >= URGENCY.risingFactor * earlierRate && recentRate > rate;
  const level = rate >= URGENCY.highShare || recentRate >= URGENCY.highShare ? 'high'
    : rate < URGENCY.lowShare && !rising ? 'low' : 'medium';
  return `Urgency ${level}: memory failures in ${formatShare(failed, n)}`
    + (rising ? `, rising to ${formatShare(recentFailed, recentCount, 'most recent invocations')}` : '')
    + (climbing ? '; the need is climbing, so they will keep coming' : level === 'low' ? '; rare, but each one fails its request' : '') + '.';
}

/**
 * When the evidence was taken: the later of the alarm time and the newest log line (an alarm that
 * stayed in ALARM for hours, as in a follow-up, changed state long before its evidence).
 */
function evidenceTime(context: RuleContext): string | undefined {
  const { request } = context;
  const times = [request.alarmTime, request.logs[request.logs.length - 1]?.timestamp]
    .filter((t): t is string => t !== undefined && Number.isFinite(Date.parse(t)));
  if (times.length === 0) return undefined;
  return new Date(Math.max(...times.map((t) => Date.parse(t)))).toISOString();
}

/**
 * The invocations of a request's logs that failed for memory, and how many invocations the logs
 * hold: the figures a case records and a follow-up compares (same reading as the urgency).
 */
export function memoryFailureCounts(request: DiagnosisRequest): { memoryFailures: number; invocations: number } {
  const logs = parseLogs(request.logs);
  let failed = 0;
  for (const inv of logs.invocations) if (failedForMemory(inv)) failed++;
  return { memoryFailures: failed, invocations: logs.invocations.length };
}
