/**
 * One diagnosis, as the diagnose handler and the operator CLI run it: the rule engine always,
 * Bedrock (knowledge base + Converse, or an agent) when configured and within budget, any Bedrock
 * failure falling back to the rules; then the policy turns the result into an action.
 */
import { converseDiagnosis, invokeAgentDiagnosis, retrievePassages } from './bedrock';
import type { EffectivePolicy } from './env';
import { buildUserPrompt, combineWithModel, extractJsonObject, Passage, validateModelAnswer } from './model-diagnosis';
import { diagnose } from '../core/engine';
import type { DiagnosisRequest, DiagnosisResult, DiagnosisSource } from '../core/model';
import { citeRunbooks } from '../knowledge/catalogue';
import { BedrockLimits } from '../knowledge/limits';
import type { DecisionAction, ModelUsage } from '../workflow/contract';

/** Which Bedrock path to use; all unset = rules only. */
export interface BedrockSettings {
  readonly modelId?: string;
  readonly knowledgeBaseId?: string;
  readonly agentId?: string;
  readonly agentAliasId?: string;
  readonly limits: BedrockLimits;
  /** Session id for the agent (the execution id). */
  readonly sessionId: string;
  /**
   * Count one model call against the daily budget; resolves to whether it is allowed. Absent =
   * no daily budget (the CLI).
   */
  readonly reserveCall?: () => Promise<{ allowed: boolean; reason?: string }>;
}

/** The diagnosis and how it was reached. */
export interface EngineResult {
  readonly result: DiagnosisResult;
  readonly rules: DiagnosisResult;
  readonly model?: ModelUsage;
  /** Notes for the record: passages retrieved, fallbacks taken. */
  readonly notes: string[];
}

/** Run the rules and, when configured, Bedrock. Never throws for a Bedrock problem. */
export async function runDiagnosis(request: DiagnosisRequest, policy: EffectivePolicy, bedrock: BedrockSettings): Promise<EngineResult> {
  const rulesRaw = diagnose(request, policy.core);
  const rules: DiagnosisResult = {
    ...rulesRaw,
    knowledgeReferences: rulesRaw.knowledgeReferences && rulesRaw.knowledgeReferences.length > 0
      ? rulesRaw.knowledgeReferences
      : citeRunbooks(rulesRaw, request.functionConfig?.runtime),
  };
  const notes: string[] = [];
  const useAgent = !!(bedrock.agentId && bedrock.agentAliasId);
  const modelId = useAgent ? `agent:${bedrock.agentId}/${bedrock.agentAliasId}` : bedrock.modelId;
  if (!modelId) return { result: rules, rules, notes };

  const source: DiagnosisSource = useAgent ? 'agent' : 'model';
  const started = Date.now();
  const usage = (status: string, extra: Partial<ModelUsage> = {}): ModelUsage => ({ modelId, latencyMs: Date.now() - started, status, ...extra });

  if (bedrock.reserveCall) {
    const budget = await bedrock.reserveCall().catch((e: Error) => ({ allowed: false, reason: `budget check failed: ${e.message}` }));
    if (!budget.allowed) {
      notes.push(`model not asked: ${budget.reason}`);
      return { result: rules, rules, model: usage(`skipped: ${budget.reason}`), notes };
    }
  }

  let passages: Passage[] = [];
  if (bedrock.knowledgeBaseId && !useAgent) {
    try {
      const query = `AWS Lambda ${request.functionConfig?.runtime ?? ''} ${rules.category} ${rules.evidencePoints.map((p) => p.description).join(' ')}`;
      passages = await retrievePassages(bedrock.knowledgeBaseId, query, bedrock.limits.maxRetrievedPassages, bedrock.limits.modelTimeoutMs);
      notes.push(`retrieved ${passages.length} passages`);
    } catch (err) {
      notes.push(`knowledge base unavailable: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  const allowedRefs = new Set([...passages.map((p) => p.id), ...(rules.knowledgeReferences ?? []).map((r) => r.id)]);
  const prompt = buildUserPrompt(request, rules, passages, bedrock.limits);

  try {
    let answer: unknown;
    let extra: Partial<ModelUsage> = {};
    if (useAgent) {
      const out = await invokeAgentDiagnosis(bedrock.agentId!, bedrock.agentAliasId!, bedrock.sessionId, prompt, bedrock.limits.agentTimeoutMs);
      answer = extractJsonObject(out.text);
    } else {
      const out = await converseDiagnosis(bedrock.modelId!, prompt, bedrock.limits.maxOutputTokensPerCall, bedrock.limits.modelTimeoutMs);
      answer = out.answer;
      extra = { inputTokens: out.usage.inputTokens, outputTokens: out.usage.outputTokens, latencyMs: out.usage.latencyMs };
    }
    const valid = validateModelAnswer(answer, allowedRefs);
    const current = request.functionConfig?.memorySize ?? rules.recommendedMemorySize;
    const combined = combineWithModel(rules, valid, source, current, policy.core);
    return { result: combined, rules, model: usage('ok', extra), notes };
  } catch (err) {
    const e = err as Error;
    notes.push(`${source} answer not used, rules decided: ${e.name}: ${e.message}`);
    return { result: { ...rules, decidedBy: 'rules' }, rules, model: usage(`fallback: ${e.name}: ${e.message.slice(0, 200)}`), notes };
  }
}

/** The workflow's next step for a diagnosis under the policy. */
export interface Decision {
  readonly action: DecisionAction;
  readonly targetMemoryMb: number;
  readonly reason: string;
}

/**
 * Longest decision reason. The reason is what the notification says; its last sentence is the
 * decision (a leak escalation names the earlier repair there), so it must fit after the
 * evidence and urgency sentences (issue 11 item 2).
 */
const MAX_REASON_CHARS = 1200;

/** How far a decision goes: anything that changes nothing ranks lowest. */
const DECISION_RANK: Record<DecisionAction, number> = {
  NO_ACTION: 0, HUMAN_REVIEW: 0, CANNOT_INCREASE: 0, REQUEST_APPROVAL: 1, REPAIR: 2,
};

/**
 * Apply the policy: confidence threshold, ceiling, step, approval. With `bound` (the rules' own
 * result when a model took part) the decision is at most the one the rules alone would get: the
 * lower action, and the smaller size when both repair.
 */
export function decide(result: DiagnosisResult, currentMb: number, policy: EffectivePolicy, bound?: DiagnosisResult): Decision {
  const own = decideOne(result, currentMb, policy);
  if (!bound || bound === result) return own;
  const limit = decideOne(bound, currentMb, policy);
  if (DECISION_RANK[own.action] > DECISION_RANK[limit.action]) {
    return { ...limit, reason: `${limit.reason}; the ${result.decidedBy}'s answer cannot raise the action`.slice(0, MAX_REASON_CHARS) };
  }
  // Same action: the smaller size (actions that change nothing both name the current size).
  if (own.action === limit.action && limit.targetMemoryMb < own.targetMemoryMb) {
    return { ...own, targetMemoryMb: limit.targetMemoryMb };
  }
  return own;
}

function decideOne(result: DiagnosisResult, currentMb: number, policy: EffectivePolicy): Decision {
  const min = policy.core.minConfidence;
  switch (result.recommendedAction) {
    case 'INCREASE_MEMORY': {
      const target = Math.min(result.recommendedMemorySize, policy.core.maxMemoryMb, currentMb + policy.core.maxStepMb);
      if (target <= currentMb) {
        return { action: 'CANNOT_INCREASE', targetMemoryMb: currentMb, reason: `memory issue, but ${currentMb} MB is already at the policy maximum of ${policy.core.maxMemoryMb} MB` };
      }
      if (result.confidence < min) {
        return { action: 'HUMAN_REVIEW', targetMemoryMb: currentMb, reason: `confidence ${result.confidence.toFixed(2)} is below the policy minimum ${min}; proposed ${target} MB` };
      }
      const why = `${result.category} with confidence ${result.confidence.toFixed(2)} (decided by ${result.decidedBy}): ${currentMb} -> ${target} MB`;
      return policy.requireApproval
        ? { action: 'REQUEST_APPROVAL', targetMemoryMb: target, reason: `${why}; approval required` }
        : { action: 'REPAIR', targetMemoryMb: target, reason: why };
    }
    case 'CANNOT_INCREASE':
      return { action: 'CANNOT_INCREASE', targetMemoryMb: currentMb, reason: `memory issue, but no increase is possible: ${result.reasoning}`.slice(0, MAX_REASON_CHARS) };
    case 'HUMAN_REVIEW':
      return { action: 'HUMAN_REVIEW', targetMemoryMb: currentMb, reason: `a person should look: ${result.reasoning}`.slice(0, MAX_REASON_CHARS) };
    default:
      return { action: 'NO_ACTION', targetMemoryMb: currentMb, reason: `not a memory issue (${result.category}): ${result.reasoning}`.slice(0, MAX_REASON_CHARS) };
  }
}

/**
 * The result as it is recorded and notified: its size never above what the decision will apply
 * (the decision's target when it repairs, else the policy clamp), so the record, the approval
 * request and the notification name the size that can actually be set.
 */
export function recordedResult(result: DiagnosisResult, decision: Decision, currentMb: number, policy: EffectivePolicy): DiagnosisResult {
  const clamp = Math.min(policy.core.maxMemoryMb, currentMb + policy.core.maxStepMb);
  const size = decision.action === 'REPAIR' || decision.action === 'REQUEST_APPROVAL'
    ? decision.targetMemoryMb
    : Math.max(currentMb, Math.min(result.recommendedMemorySize, clamp));
  if (size === result.recommendedMemorySize) return result;
  return { ...result, recommendedMemorySize: size, recommendedMemoryIncrease: size - currentMb };
}

