/**
 * Diagnose: the rule engine always; Amazon Bedrock (knowledge base + Converse with a forced tool
 * answer, or an agent) when configured and within the daily call budget. Any Bedrock problem
 * falls back to the rules, and the result says which source decided. The policy then turns the
 * diagnosis into the workflow's next action. Writes the seed's diagnosis record. Output at
 * `$.diagnosis`.
 */
import { randomUUID } from 'crypto';
import { memoryFailureCounts } from '../core/engine';
import { compareWithBaseline, EvidenceSnapshot, HISTORY, snapshotOf } from '../core/history';
import type { DiagnosisRequest, DiagnosisResult, PastCase } from '../core/model';
import { parseDiagnosisRequest, RequestValidationError } from '../core/request';
import { bedrockLimitsFromEnv, BedrockLimitsError } from '../knowledge/limits';
import { caseHistoryFromEnv, executionNameOf } from '../runtime/case-history';
import { now } from '../runtime/clock';
import { AnalyzedResult, runAnalyzers } from '../runtime/custom-analyzers';
import { decide, recordedResult, runDiagnosis } from '../runtime/diagnosis-engine';
import { effectivePolicy, envNumber, envOptional, envString } from '../runtime/env';
import { ConfigurationError, InvalidInputError } from '../runtime/errors';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { DEFAULT_WORKFLOW_POLICY, DiagnoseOutput, DiagnosisSignals, ENV, FollowUpResult, HANDLERS, HandlerInputs } from '../workflow/contract';
import { capForIntake } from '../workflow/intake-cap';

export async function handler(input: HandlerInputs['diagnose'], context?: HandlerContext): Promise<DiagnoseOutput> {
  return runHandler('diagnose', HANDLERS.diagnose.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['diagnose']>(input, 'diagnose input');
    requireFields(state, ['executionId', 'alarm.functionName', 'alarm.alarmEvent', 'collection.evidenceKey', 'collection.functionConfig.memorySize'], 'diagnose input');
    const startTime = now().toISOString();
    const fn = state.alarm.functionName!;
    const store = new Store(envString(ENV.TABLE_NAME));
    const stored = await store.getEvidence(state.collection.evidenceKey);
    if (!stored) throw new InvalidInputError(`evidence ${state.collection.evidenceKey.pk} of ${fn} is gone`);
    let parsed;
    try {
      parsed = parseDiagnosisRequest(stored);
    } catch (err) {
      if (err instanceof RequestValidationError) throw new InvalidInputError(`stored evidence of ${fn} is invalid: ${err.message}`);
      throw err;
    }
    const history = await readHistory(fn, parsed.alarmTime ?? startTime);
    const request: DiagnosisRequest = history.cases.length > 0 ? { ...parsed, history: history.cases } : parsed;
    const policy = effectivePolicy(fn);
    let limits;
    try {
      limits = bedrockLimitsFromEnv(process.env);
    } catch (err) {
      if (err instanceof BedrockLimitsError) throw new ConfigurationError(err.message);
      throw err;
    }
    const engine = await runDiagnosis(request, policy, {
      modelId: envOptional(ENV.BEDROCK_MODEL_ID),
      knowledgeBaseId: envOptional(ENV.KNOWLEDGE_BASE_ID),
      agentId: envOptional(ENV.AGENT_ID),
      agentAliasId: envOptional(ENV.AGENT_ALIAS_ID),
      limits,
      sessionId: state.executionId.replace(/[^0-9a-zA-Z._:-]/g, '-').slice(-100),
      reserveCall: async () => {
        const ok = await store.reserveModelCall(utcDay(now().toISOString()), limits.dailyModelCallBudget);
        return ok ? { allowed: true } : { allowed: false, reason: `daily budget of ${limits.dailyModelCallBudget} model calls used` };
      },
    });
    const current = state.collection.functionConfig.memorySize;
    // The user's analyzers come after the model, merged the same way into what it left.
    const analyzerFunctions = analyzersFromEnv();
    let analyzed: AnalyzedResult | undefined;
    if (analyzerFunctions.length > 0) {
      analyzed = await runAnalyzers(request, engine.result, current, policy.core, {
        functions: analyzerFunctions,
        timeoutMs: envNumber(ENV.ANALYZER_TIMEOUT_MS, DEFAULT_WORKFLOW_POLICY.analyzerTimeoutMs),
      });
    }
    const diagnosed = analyzed?.result ?? engine.result;
    // The rules' own result bounds the decision: a model's or analyzer's answer may lower it, never raise it.
    const capped = capForIntake(decide(diagnosed, current, policy, engine.rules), state.alarm, current);
    const result = recordedResult(diagnosed, capped, current, policy);
    const diagnosisId = randomUUID();
    const endTime = now().toISOString();
    const signals = signalsOf(request, engine.rules);
    const followUp = state.alarm.followUp
      ? compareFollowUp(state.alarm.followUp, history.cases, { at: endTime, action: capped.action, category: result.category, ...signals })
      : undefined;
    // A follow-up says first what changed since the case it follows (the notification's reason).
    const decision = followUp && !['REPAIR', 'REQUEST_APPROVAL'].includes(capped.action)
      ? { ...capped, reason: `follow-up ${followUp.round}: ${followUp.summary}. ${capped.reason}`.slice(0, 1600) }
      : capped;
    await store.putDiagnosisRecord({
      diagnosisId,
      functionName: fn,
      alarmId: state.alarm.alarmEvent!.alarmId,
      startTime,
      endTime,
      isMemoryIssue: result.isMemoryIssue,
      confidence: result.confidence,
      reasoning: result.reasoning,
      recommendedAction: result.recommendedAction,
      recommendedMemoryIncrease: result.recommendedMemoryIncrease,
      evidencePoints: result.evidencePoints,
      knowledgeReferences: result.knowledgeReferences ?? [],
    }, {
      executionId: state.executionId,
      category: result.category,
      decidedBy: result.decidedBy,
      action: decision.action,
      actionReason: decision.reason,
      targetMemoryMb: decision.targetMemoryMb,
      incomplete: request.incomplete ?? false,
      rulesResult: {
        isMemoryIssue: engine.rules.isMemoryIssue,
        confidence: engine.rules.confidence,
        recommendedAction: engine.rules.recommendedAction,
      },
      ...(engine.model ? { model: engine.model } : {}),
      ...(analyzed ? { analyzers: analyzed.analyzers } : {}),
      notes: [...engine.notes, ...history.notes, ...(analyzed?.notes ?? [])],
      // The figures the case history reads back (TableCaseHistory).
      memorySizeMb: current,
      ...signals,
      ...(followUp ? { followUp } : {}),
    });
    if (engine.model) {
      metrics.addMetric('ModelLatency', MetricUnit.Milliseconds, engine.model.latencyMs);
      if (engine.model.inputTokens !== undefined) metrics.addMetric('ModelInputTokens', MetricUnit.Count, engine.model.inputTokens);
      if (engine.model.outputTokens !== undefined) metrics.addMetric('ModelOutputTokens', MetricUnit.Count, engine.model.outputTokens);
      if (engine.model.status !== 'ok') metrics.addMetric('ModelFallback', MetricUnit.Count, 1);
    }
    for (const a of analyzed?.analyzers ?? []) {
      metrics.addMetric(a.status === 'ok' ? 'AnalyzerAnswered' : 'AnalyzerFallback', MetricUnit.Count, 1);
    }
    metrics.addMetric(`Decision${decision.action}`, MetricUnit.Count, 1);
    logger.info('diagnosis finished', {
      functionName: fn,
      action: decision.action,
      decidedBy: result.decidedBy,
      confidence: result.confidence,
      category: result.category,
      modelStatus: engine.model?.status,
      analyzers: analyzed?.analyzers,
      notes: [...engine.notes, ...(analyzed?.notes ?? [])],
    });
    return {
      diagnosisId,
      action: decision.action,
      reason: decision.reason,
      decidedBy: result.decidedBy,
      originalMemoryMb: current,
      targetMemoryMb: decision.targetMemoryMb,
      dryRun: policy.dryRun,
      result,
      ...(engine.model ? { model: engine.model } : {}),
      ...(analyzed ? { analyzers: analyzed.analyzers } : {}),
      signals,
      history: { source: history.source, cases: history.cases.length },
      ...(followUp ? { followUp } : {}),
    };
  }, input);
}

/** The analyzers' function ARNs from `ANALYZER_FUNCTIONS` (a JSON list); none when unset. */
function analyzersFromEnv(): string[] {
  const raw = envOptional(ENV.ANALYZER_FUNCTIONS);
  if (raw === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${ENV.ANALYZER_FUNCTIONS} must be a json list of function arns, got '${raw.slice(0, 200)}'`);
  }
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string' && f.length > 0)) {
    throw new ConfigurationError(`environment variable ${ENV.ANALYZER_FUNCTIONS} must be a json list of function arns, got '${raw.slice(0, 200)}'`);
  }
  return list as string[];
}

/**
 * The function's case history before `at` (the knowledge base's cases, else the records table).
 * Best effort: without it the leak rule sees no earlier raise and a follow-up compares with its
 * own input, so a read failure is noted, never fatal.
 */
async function readHistory(functionName: string, at: string): Promise<{ cases: PastCase[]; source: 'knowledge-base' | 'table' | 'unavailable'; notes: string[] }> {
  const source = caseHistoryFromEnv(envString(ENV.TABLE_NAME));
  const since = new Date(Date.parse(at) - HISTORY.leakWindowHours * 3600_000);
  try {
    const cases = await source.read(functionName, since);
    return { cases, source: source.kind, notes: cases.length > 0 ? [`case history (${source.kind}): ${cases.length} earlier case(s)`] : [] };
  } catch (err) {
    const e = err as Error;
    logger.warn('case history unavailable', { functionName, source: source.kind, error: e.message });
    metrics.addMetric('CaseHistoryUnavailable', MetricUnit.Count, 1);
    return { cases: [], source: 'unavailable', notes: [`case history (${source.kind}) unavailable: ${e.name}: ${e.message}`.slice(0, 300)] };
  }
}

/** The figures a case records: memory failures among the invocations, and whether the need climbs. */
function signalsOf(request: DiagnosisRequest, rules: DiagnosisResult): DiagnosisSignals {
  return { ...memoryFailureCounts(request), memoryClimbing: rules.evidencePoints.some((p) => p.type === 'MEMORY_CLIMBING') };
}

/**
 * A follow-up's comparison: against the case of the execution it follows in the history (its
 * diagnosis as recorded), else against the figures that execution handed over.
 */
function compareFollowUp(
  info: NonNullable<HandlerInputs['diagnose']['alarm']['followUp']>, history: readonly PastCase[], current: EvidenceSnapshot,
): FollowUpResult {
  const previous = history.find((c) => c.caseId === executionNameOf(info.previousExecutionId));
  const baseline: EvidenceSnapshot = previous ? snapshotOf(previous) : info.baseline;
  const { changed, summary } = compareWithBaseline(baseline, current);
  return { round: info.round, previousExecutionId: info.previousExecutionId, changed, summary, baselineFrom: previous ? 'history' : 'input' };
}
