/**
 * Custom analyzers: the user's own Lambda functions asked for a second opinion after the rules
 * (and Bedrock, when configured). Each receives the diagnosis request in the seed's format, its
 * log text masked, and answers in the seed's diagnosis result format. Its answer is merged like a
 * model's (`combineWithModel`): it may add evidence and lower the action, confidence and size,
 * never raise them. A timeout, an error, a function error or an invalid answer leaves the
 * diagnosis as it was, and is recorded.
 *
 * Invoke (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): a synchronous
 * (`RequestResponse`) call answers HTTP 200 whatever the function did; `FunctionError` is
 * `Handled` or `Unhandled` when it failed (timeouts and out-of-memory are `Unhandled`), and the
 * payload is then the error object. Request and response payloads are at most 6 MB.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { client, registerClient } from './clients';
import { delay } from './clock';
import { DependencyTimeoutError, toNamedError } from './errors';
import { combineWithModel, validateModelAnswer } from './model-diagnosis';
import { maskSecrets } from '../core/logs/mask';
import type { DiagnosisRequest, DiagnosisResult } from '../core/model';
import type { PolicySettings } from '../core/policy';
import type { AnalyzerUsage } from '../workflow/contract';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/** Synchronous Invoke payload quota, bytes (API_Invoke.html: "the maximum payload size is 6 MB"). */
export const INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** The analyzers to ask and how long each may take. */
export interface AnalyzerSettings {
  /** Function ARNs (or names), in the order their answers are merged. */
  readonly functions: readonly string[];
  /** Wall-clock budget of one analyzer, ms. */
  readonly timeoutMs: number;
}

/** The diagnosis after the analyzers, with what each did. */
export interface AnalyzedResult {
  readonly result: DiagnosisResult;
  readonly analyzers: AnalyzerUsage[];
  readonly notes: string[];
}

/** The function answered with an error (`FunctionError` set). */
export class AnalyzerFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalyzerFunctionError';
  }
}

/**
 * What an analyzer receives: the seed's diagnosis request, its log messages masked again (the
 * collector masked them already; masking is idempotent and covers evidence stored by an older
 * version). The function configuration summary holds no environment variables.
 */
export function analyzerRequest(request: DiagnosisRequest): DiagnosisRequest {
  return {
    ...request,
    logs: request.logs.map((l) => ({ timestamp: l.timestamp, message: maskSecrets(l.message) })),
    ...(request.incompleteReasons ? { incompleteReasons: request.incompleteReasons.map(maskSecrets) } : {}),
  };
}

/** A short name for records and evidence types: the function name of an ARN. */
export function analyzerName(functionRef: string): string {
  const parts = functionRef.split(':');
  if (functionRef.startsWith('arn:')) return parts.slice(6).join(':');
  return functionRef;
}

/**
 * Ask every analyzer (in parallel, each within the budget), then merge the valid answers into
 * `current` in the configured order. Never throws for an analyzer's problem.
 */
export async function runAnalyzers(
  request: DiagnosisRequest,
  current: DiagnosisResult,
  currentMb: number,
  policy: PolicySettings,
  settings: AnalyzerSettings,
): Promise<AnalyzedResult> {
  const payload = JSON.stringify(analyzerRequest(request));
  const allowedRefs = new Set((current.knowledgeReferences ?? []).map((r) => r.id));
  const answers = await Promise.all(settings.functions.map(async (fn) => {
    const started = Date.now();
    try {
      if (Buffer.byteLength(payload) > INVOKE_PAYLOAD_LIMIT_BYTES) {
        throw new AnalyzerFunctionError(`request of ${Buffer.byteLength(payload)} bytes exceeds the ${INVOKE_PAYLOAD_LIMIT_BYTES}-byte invoke quota`);
      }
      const raw = await invokeAnalyzer(fn, payload, settings.timeoutMs);
      return { fn, answer: validateModelAnswer(raw, allowedRefs), latencyMs: Date.now() - started };
    } catch (err) {
      return { fn, error: err as Error, latencyMs: Date.now() - started };
    }
  }));

  let result = current;
  const usages: AnalyzerUsage[] = [];
  const notes: string[] = [];
  for (const a of answers) {
    const name = analyzerName(a.fn);
    if ('answer' in a && a.answer) {
      // Evidence types name the analyzer: `analyzer:<name>:<type>` once merged.
      const answer = { ...a.answer, evidencePoints: a.answer.evidencePoints.map((p) => ({ type: `${name}:${p.type}`.slice(0, 60), description: p.description })) };
      const before = result.recommendedAction;
      result = combineWithModel(result, answer, 'analyzer', currentMb, policy);
      usages.push({ functionName: name, status: 'ok', latencyMs: a.latencyMs, action: answer.recommendedAction });
      notes.push(`analyzer ${name} answered ${answer.recommendedAction}: ${before} -> ${result.recommendedAction}`);
      continue;
    }
    const e = a.error!;
    const status = e instanceof DependencyTimeoutError ? 'timeout' : `${e.name === 'InvalidModelAnswerError' ? 'invalid answer' : 'error'}: ${maskSecrets(e.message).slice(0, 300)}`;
    usages.push({ functionName: name, status, latencyMs: a.latencyMs });
    notes.push(`analyzer ${name} not used, the diagnosis stands: ${status}`);
  }
  return { result, analyzers: usages, notes };
}

/** Invoke one analyzer synchronously; its parsed answer, or a named error. */
export async function invokeAnalyzer(functionRef: string, payload: string, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const budget = delay(timeoutMs);
  const timeout = budget.promise.then((): never => {
    controller.abort();
    throw new DependencyTimeoutError(`analyzer ${analyzerName(functionRef)} took longer than ${timeoutMs} ms`);
  });
  const call = async () => {
    let out;
    try {
      out = await client('lambda').send(new InvokeCommand({
        FunctionName: functionRef,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(payload),
      }), { abortSignal: controller.signal });
    } catch (err) {
      throw toNamedError(err, `lambda:InvokeFunction ${analyzerName(functionRef)}`);
    }
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) {
      throw new AnalyzerFunctionError(`${out.FunctionError} function error: ${errorSummary(text)}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new AnalyzerFunctionError(`answer is not json: ${text.slice(0, 120)}`);
    }
  };
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    budget.cancel();
  }
}

/** `errorType: errorMessage` of a Lambda error payload, else the text. */
function errorSummary(text: string): string {
  try {
    const e = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (e && typeof e === 'object' && (e.errorType || e.errorMessage)) return `${String(e.errorType ?? 'Error')}: ${String(e.errorMessage ?? '')}`.slice(0, 300);
  } catch {
    // not json: the raw text
  }
  return text.slice(0, 300);
}
