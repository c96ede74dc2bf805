/**
 * The Amazon Bedrock calls of the diagnosis: knowledge-base `Retrieve`, `Converse` with a forced
 * tool (the answer is structured data, not prose), and `InvokeAgent`. Each call has a wall-clock
 * budget; callers treat any error as "the rules decide".
 */
import { BedrockAgentRuntimeClient, InvokeAgentCommand, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { client, registerClient } from './clients';
import { delay } from './clock';
import { DependencyTimeoutError, toNamedError } from './errors';
import { DIAGNOSIS_TOOL_NAME, DIAGNOSIS_TOOL_SCHEMA, Passage, SYSTEM_PROMPT } from './model-diagnosis';

// Few SDK retries for Bedrock: the handler has a time budget and falls back to the rules.
registerClient('bedrock', (o) => new BedrockRuntimeClient({ region: o.region, maxAttempts: 2 }));
registerClient('bedrockAgent', (o) => new BedrockAgentRuntimeClient({ region: o.region, maxAttempts: 2 }));

/** Token use and latency of one call. */
export interface CallUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly latencyMs: number;
}

async function withTimeout<T>(what: string, timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const budget = delay(timeoutMs);
  const timeout = budget.promise.then((): never => {
    controller.abort();
    throw new DependencyTimeoutError(`${what} took longer than ${timeoutMs} ms`);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } catch (err) {
    throw toNamedError(err, what);
  } finally {
    budget.cancel();
  }
}

/** Retrieve runbook passages for `query` from the knowledge base. */
export async function retrievePassages(knowledgeBaseId: string, query: string, count: number, timeoutMs: number): Promise<Passage[]> {
  return withTimeout(`bedrock:Retrieve from ${knowledgeBaseId}`, timeoutMs, async (abortSignal) => {
    const out = await client('bedrockAgent').send(new RetrieveCommand({
      knowledgeBaseId,
      retrievalQuery: { text: query.slice(0, 1000) },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: count } },
    }), { abortSignal });
    return (out.retrievalResults ?? []).flatMap((r, i) => {
      const text = r.content?.text;
      if (!text) return [];
      const meta = (r.metadata ?? {}) as Record<string, unknown>;
      const uri = r.location?.s3Location?.uri;
      const id = typeof meta.entryId === 'string' ? meta.entryId : uri ?? `passage-${i + 1}`;
      const title = typeof meta.title === 'string' ? meta.title : id;
      return [{ id, title, text, score: r.score ?? 0 }];
    });
  });
}

/** Ask the model with the diagnosis tool forced; returns the tool input (unvalidated). */
export async function converseDiagnosis(
  modelId: string, userPrompt: string, maxTokens: number, timeoutMs: number,
): Promise<{ answer: unknown; usage: CallUsage }> {
  const started = Date.now();
  return withTimeout(`bedrock:Converse with ${modelId}`, timeoutMs, async (abortSignal) => {
    const out = await client('bedrock').send(new ConverseCommand({
      modelId,
      system: [{ text: SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: userPrompt }] }],
      inferenceConfig: { maxTokens, temperature: 0 },
      toolConfig: {
        tools: [{
          toolSpec: {
            name: DIAGNOSIS_TOOL_NAME,
            description: 'Submit the diagnosis in the required format.',
            inputSchema: { json: DIAGNOSIS_TOOL_SCHEMA as never },
          },
        }],
        toolChoice: { tool: { name: DIAGNOSIS_TOOL_NAME } },
      },
    }), { abortSignal });
    const usage: CallUsage = {
      inputTokens: out.usage?.inputTokens,
      outputTokens: out.usage?.outputTokens,
      latencyMs: out.metrics?.latencyMs ?? Date.now() - started,
    };
    const toolUse = out.output?.message?.content?.find((c) => c.toolUse?.name === DIAGNOSIS_TOOL_NAME)?.toolUse;
    return { answer: toolUse?.input, usage };
  });
}

/** Ask the agent; returns its final text. */
export async function invokeAgentDiagnosis(
  agentId: string, agentAliasId: string, sessionId: string, inputText: string, timeoutMs: number,
): Promise<{ text: string; usage: CallUsage }> {
  const started = Date.now();
  return withTimeout(`bedrock:InvokeAgent ${agentId}/${agentAliasId}`, timeoutMs, async (abortSignal) => {
    const out = await client('bedrockAgent').send(new InvokeAgentCommand({
      agentId, agentAliasId, sessionId, inputText, enableTrace: false, endSession: true,
    }), { abortSignal });
    const decoder = new TextDecoder();
    let text = '';
    if (out.completion) {
      for await (const event of out.completion) {
        if (event.chunk?.bytes) text += decoder.decode(event.chunk.bytes, { stream: true });
      }
    }
    return { text, usage: { latencyMs: Date.now() - started } };
  });
}
