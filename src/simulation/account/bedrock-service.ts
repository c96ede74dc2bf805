/**
 * The simulated Amazon Bedrock: Converse (the model answers with the tool the caller offered),
 * knowledge base Retrieve, and InvokeAgent (a streamed completion), each scripted by the
 * scenario: an answer, an error, a slow answer, or an invalid answer.
 */
import * as agentRuntime from '@aws-sdk/client-bedrock-agent-runtime';
import * as runtime from '@aws-sdk/client-bedrock-runtime';
import { VirtualScheduler } from '../scheduler';

/** How one kind of Bedrock call behaves. */
export interface BedrockBehaviour {
  /** `answer` (default), `error`, `slow` (answer after `latencyMs`), `invalid` (an answer that is not the diagnosis format). */
  readonly mode?: 'answer' | 'error' | 'slow' | 'invalid';
  /** The diagnosis the model / agent answers (seed's diagnosis format). */
  readonly answer?: Record<string, unknown>;
  /** Exception name for `error`, e.g. `ThrottlingException`, `ServiceUnavailableException`. @default 'ServiceUnavailableException' */
  readonly errorName?: string;
  /** Virtual latency of the call, ms. @default 1200 (30000 for `slow`) */
  readonly latencyMs?: number;
}

/** Scripted Bedrock behaviour of a scenario. */
export interface BedrockScript {
  readonly converse?: BedrockBehaviour;
  readonly agent?: BedrockBehaviour;
  /** Passages the knowledge base returns. */
  readonly passages?: Array<{ readonly title: string; readonly text: string; readonly score?: number; readonly uri?: string }>;
  /** Retrieve failing with this exception name. */
  readonly retrieveError?: string;
}

export class BedrockService {
  constructor(private readonly scheduler: VirtualScheduler, private readonly script: BedrockScript = {}) {}

  public async converse(input: {
    modelId?: string;
    toolConfig?: { tools?: Array<{ toolSpec?: { name?: string } }> };
    messages?: unknown[];
  }): Promise<Record<string, unknown>> {
    const b = this.script.converse ?? { mode: 'error', errorName: 'AccessDeniedException' };
    await this.delay(b);
    if (b.mode === 'error') throw runtimeError(b.errorName ?? 'ServiceUnavailableException', input.modelId);
    const toolName = input.toolConfig?.tools?.find((t) => t.toolSpec?.name)?.toolSpec?.name;
    const answer = b.mode === 'invalid' ? { verdict: 'memory', note: 'raise it a lot' } : (b.answer ?? {});
    const inputTokens = Math.ceil(JSON.stringify(input.messages ?? []).length / 4);
    const content = toolName
      ? [{ toolUse: { toolUseId: `tooluse_${inputTokens.toString(36)}`, name: toolName, input: answer } }]
      : [{ text: JSON.stringify(answer) }];
    return {
      output: { message: { role: 'assistant', content } },
      stopReason: toolName ? 'tool_use' : 'end_turn',
      usage: { inputTokens, outputTokens: 180, totalTokens: inputTokens + 180 },
      metrics: { latencyMs: b.latencyMs ?? 1200 },
    };
  }

  public async retrieve(input: { knowledgeBaseId?: string; retrievalQuery?: { text?: string } }): Promise<Record<string, unknown>> {
    await this.scheduler.sleep(300);
    if (this.script.retrieveError) throw agentError(this.script.retrieveError, input.knowledgeBaseId);
    return {
      retrievalResults: (this.script.passages ?? []).map((p, i) => ({
        content: { text: p.text, type: 'TEXT' },
        location: { type: 'S3', s3Location: { uri: p.uri ?? `s3://runbooks/${p.title.toLowerCase().replace(/\W+/g, '-')}.md` } },
        score: p.score ?? 0.8 - i * 0.05,
        metadata: { title: p.title },
      })),
    };
  }

  public async invokeAgent(input: { agentId?: string; sessionId?: string }): Promise<Record<string, unknown>> {
    const b = this.script.agent ?? { mode: 'error', errorName: 'AccessDeniedException' };
    await this.delay(b);
    if (b.mode === 'error') throw agentError(b.errorName ?? 'DependencyFailedException', input.agentId);
    const text = b.mode === 'invalid' ? 'I think it is probably memory. Increase it.' : JSON.stringify(b.answer ?? {});
    const bytes = new TextEncoder().encode(text);
    async function* completion() {
      // Agents stream the answer in chunks.
      for (let i = 0; i < bytes.length; i += 64) yield { chunk: { bytes: bytes.slice(i, i + 64) } };
    }
    return { completion: completion(), contentType: 'application/json', sessionId: input.sessionId ?? 'session' };
  }

  private async delay(b: BedrockBehaviour): Promise<void> {
    await this.scheduler.sleep(b.latencyMs ?? (b.mode === 'slow' ? 30000 : 1200));
  }
}

type ExceptionClass = new (opts: { message: string; $metadata: Record<string, unknown> }) => Error;

function runtimeError(name: string, modelId: string | undefined): Error {
  const Cls = (runtime as unknown as Record<string, ExceptionClass>)[name] ?? runtime.ServiceUnavailableException;
  return new Cls({ message: `${name}: simulated failure of ${modelId ?? 'the model'}`, $metadata: { httpStatusCode: name === 'ThrottlingException' ? 429 : 503 } });
}

function agentError(name: string, id: string | undefined): Error {
  const Cls = (agentRuntime as unknown as Record<string, ExceptionClass>)[name] ?? agentRuntime.DependencyFailedException;
  return new Cls({ message: `${name}: simulated failure of ${id ?? 'the agent'}`, $metadata: { httpStatusCode: 503 } });
}
