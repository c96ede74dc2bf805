/**
 * Diagnose: the rule engine always; Amazon Bedrock (knowledge base + Converse with a forced tool
 * answer, or an agent) when configured and within the daily call budget. Any Bedrock problem
 * falls back to the rules, and the result says which source decided. The policy then turns the
 * diagnosis into the workflow's next action. Writes the seed's diagnosis record. Output at
 * `$.diagnosis`.
 */
import { randomUUID } from 'crypto';
import { parseDiagnosisRequest, RequestValidationError } from '../core/request';
import { bedrockLimitsFromEnv, BedrockLimitsError } from '../knowledge/limits';
import { now } from '../runtime/clock';
import { decide, recordedResult, runDiagnosis } from '../runtime/diagnosis-engine';
import { effectivePolicy, envOptional, envString } from '../runtime/env';
import { ConfigurationError, InvalidInputError } from '../runtime/errors';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { DiagnoseOutput, ENV, HANDLERS, HandlerInputs } from '../workflow/contract';
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
    let request;
    try {
      request = parseDiagnosisRequest(stored);
    } catch (err) {
      if (err instanceof RequestValidationError) throw new InvalidInputError(`stored evidence of ${fn} is invalid: ${err.message}`);
      throw err;
    }
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
    // The rules' own result bounds the decision: a model answer may lower it, never raise it.
    const decision = capForIntake(decide(engine.result, current, policy, engine.rules), state.alarm, current);
    const result = recordedResult(engine.result, decision, current, policy);
    const diagnosisId = randomUUID();
    const endTime = now().toISOString();
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
      notes: engine.notes,
    });
    if (engine.model) {
      metrics.addMetric('ModelLatency', MetricUnit.Milliseconds, engine.model.latencyMs);
      if (engine.model.inputTokens !== undefined) metrics.addMetric('ModelInputTokens', MetricUnit.Count, engine.model.inputTokens);
      if (engine.model.outputTokens !== undefined) metrics.addMetric('ModelOutputTokens', MetricUnit.Count, engine.model.outputTokens);
      if (engine.model.status !== 'ok') metrics.addMetric('ModelFallback', MetricUnit.Count, 1);
    }
    metrics.addMetric(`Decision${decision.action}`, MetricUnit.Count, 1);
    logger.info('diagnosis finished', {
      functionName: fn,
      action: decision.action,
      decidedBy: result.decidedBy,
      confidence: result.confidence,
      category: result.category,
      modelStatus: engine.model?.status,
      notes: engine.notes,
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
    };
  });
}
