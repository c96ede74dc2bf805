/**
 * Cost and safety limits of the Bedrock paths (model, knowledge base, agent). The diagnose
 * handler reads these; the construct may override them through environment variables.
 *
 * Pure: no AWS SDK import.
 */

/** The limits one diagnosis and one day of diagnoses must stay within. */
export interface BedrockLimits {
  /** Most input tokens one model call may send (prompt + evidence + passages). */
  readonly maxInputTokensPerCall: number;
  /** Most output tokens one model call may ask for (`maxTokens` of Converse). */
  readonly maxOutputTokensPerCall: number;
  /** Most model or agent calls in one diagnosis, retries included. */
  readonly maxModelCallsPerDiagnosis: number;
  /** Most action-group calls the agent may make in one diagnosis (bounded by the agent's trace). */
  readonly maxAgentActionCallsPerDiagnosis: number;
  /** Knowledge-base passages retrieved per diagnosis (`numberOfResults` of Retrieve). */
  readonly maxRetrievedPassages: number;
  /** Characters kept of each retrieved passage before it goes into a prompt. */
  readonly maxPassageChars: number;
  /** Log lines of the target function given to a model or returned to the agent. */
  readonly maxLogLines: number;
  /** Characters of log text given to a model or returned to the agent. */
  readonly maxLogChars: number;
  /** Wall-clock budget for one model call, ms; past it the rules decide. */
  readonly modelTimeoutMs: number;
  /** Wall-clock budget for one agent invocation, ms; past it the rules decide. */
  readonly agentTimeoutMs: number;
  /** Model or agent calls per UTC day across all functions; past it the rules decide. */
  readonly dailyModelCallBudget: number;
}

/**
 * Defaults sized for Claude Haiku / Nova Lite class models: a diagnosis prompt with evidence and
 * three passages is about 4,000 to 8,000 tokens, an answer in the seed's format under 800.
 * At roughly USD 1 per million input tokens and 5 per million output tokens, one diagnosis at the
 * limits costs under 2.5 cents, and a full day's budget of 200 calls under 5 USD.
 */
export const DEFAULT_BEDROCK_LIMITS: BedrockLimits = {
  maxInputTokensPerCall: 12_000,
  maxOutputTokensPerCall: 1_024,
  maxModelCallsPerDiagnosis: 2,
  maxAgentActionCallsPerDiagnosis: 6,
  maxRetrievedPassages: 3,
  maxPassageChars: 2_000,
  maxLogLines: 200,
  maxLogChars: 20_000,
  modelTimeoutMs: 20_000,
  agentTimeoutMs: 45_000,
  dailyModelCallBudget: 200,
};

/** Hard ceilings no override may pass: the language model can never widen its own budget. */
export const BEDROCK_LIMIT_CEILINGS: BedrockLimits = {
  maxInputTokensPerCall: 50_000,
  maxOutputTokensPerCall: 4_096,
  maxModelCallsPerDiagnosis: 4,
  maxAgentActionCallsPerDiagnosis: 12,
  maxRetrievedPassages: 10,
  maxPassageChars: 8_000,
  maxLogLines: 1_000,
  maxLogChars: 100_000,
  // Leaves room in the diagnose handler's own timeout to fall back to the rules.
  modelTimeoutMs: 60_000,
  agentTimeoutMs: 120_000,
  dailyModelCallBudget: 10_000,
};

/** Environment variable names the construct sets and the diagnose handler reads. */
export const LIMIT_ENV: Readonly<Record<keyof BedrockLimits, string>> = {
  maxInputTokensPerCall: 'BEDROCK_MAX_INPUT_TOKENS',
  maxOutputTokensPerCall: 'BEDROCK_MAX_OUTPUT_TOKENS',
  maxModelCallsPerDiagnosis: 'BEDROCK_MAX_CALLS_PER_DIAGNOSIS',
  maxAgentActionCallsPerDiagnosis: 'BEDROCK_MAX_AGENT_ACTIONS',
  maxRetrievedPassages: 'BEDROCK_MAX_PASSAGES',
  maxPassageChars: 'BEDROCK_MAX_PASSAGE_CHARS',
  maxLogLines: 'BEDROCK_MAX_LOG_LINES',
  maxLogChars: 'BEDROCK_MAX_LOG_CHARS',
  modelTimeoutMs: 'BEDROCK_MODEL_TIMEOUT_MS',
  agentTimeoutMs: 'BEDROCK_AGENT_TIMEOUT_MS',
  dailyModelCallBudget: 'BEDROCK_DAILY_CALL_BUDGET',
};

/** A limit that is not a positive whole number or passes its ceiling. */
export class BedrockLimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BedrockLimitsError';
  }
}

/** Merge overrides onto the defaults; every value must be a positive integer within its ceiling. */
export function resolveBedrockLimits(overrides: Partial<BedrockLimits> = {}): BedrockLimits {
  const merged: Record<string, number> = { ...DEFAULT_BEDROCK_LIMITS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_BEDROCK_LIMITS)) {
      problems.push(`unknown limit '${key}'`);
      continue;
    }
    const ceiling = BEDROCK_LIMIT_CEILINGS[key as keyof BedrockLimits];
    if (!Number.isInteger(value) || value <= 0 || value > ceiling) {
      problems.push(`${key} must be a whole number from 1 to ${ceiling}, got ${value}`);
      continue;
    }
    merged[key] = value;
  }
  if (problems.length > 0) throw new BedrockLimitsError(`invalid bedrock limits: ${problems.join('; ')}`);
  return merged as unknown as BedrockLimits;
}

/** Read the limits from environment variables (unset variables keep their defaults). */
export function bedrockLimitsFromEnv(env: Record<string, string | undefined>): BedrockLimits {
  const overrides: Partial<Record<keyof BedrockLimits, number>> = {};
  for (const [key, name] of Object.entries(LIMIT_ENV) as Array<[keyof BedrockLimits, string]>) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    overrides[key] = Number(raw);
  }
  return resolveBedrockLimits(overrides);
}

/** The environment variables that carry these limits to the diagnose handler. */
export function bedrockLimitsToEnv(limits: BedrockLimits): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, name] of Object.entries(LIMIT_ENV) as Array<[keyof BedrockLimits, string]>) env[name] = String(limits[key]);
  return env;
}

/** Whether one more model call fits today's budget. */
export interface BudgetDecision {
  readonly allowed: boolean;
  /** Calls left today after this one (0 when refused). */
  readonly remaining: number;
  /** Why the call is refused; absent when allowed. */
  readonly reason?: string;
}

/**
 * Decide whether another model / agent call fits: within the per-diagnosis call limit and the
 * per-day budget. A refusal is not an error: the rules decide alone and the result says why.
 *
 * @param callsToday calls already made today (UTC), across all functions
 * @param callsThisDiagnosis calls already made for this diagnosis
 */
export function checkModelCallBudget(callsToday: number, callsThisDiagnosis: number, limits: BedrockLimits = DEFAULT_BEDROCK_LIMITS): BudgetDecision {
  if (callsThisDiagnosis >= limits.maxModelCallsPerDiagnosis) {
    return { allowed: false, remaining: 0, reason: `per-diagnosis limit of ${limits.maxModelCallsPerDiagnosis} model calls reached` };
  }
  if (callsToday >= limits.dailyModelCallBudget) {
    return { allowed: false, remaining: 0, reason: `daily budget of ${limits.dailyModelCallBudget} model calls used (${callsToday} today)` };
  }
  return { allowed: true, remaining: limits.dailyModelCallBudget - callsToday - 1 };
}

/** The UTC day a call counts against, `YYYY-MM-DD`: the key of the daily budget counter. */
export function budgetDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * A rough token estimate (about 4 characters per token for English and log text), used to keep a
 * prompt under `maxInputTokensPerCall` before it is sent. Deliberately pessimistic for JSON.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/** Cut text to at most `maxChars`, marking the cut so a model knows the data is partial. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = `\n[truncated ${text.length - maxChars} characters]`;
  return text.slice(0, Math.max(0, maxChars - marker.length)) + marker;
}
