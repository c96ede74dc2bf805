/**
 * ARNs of Bedrock resources the constructs grant rights on. Internal helpers (not exported from
 * the package index).
 */
import { Stack } from 'aws-cdk-lib';

/** Geographic prefixes of Bedrock cross-Region (system) inference profile ids. */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|us-gov|jp|au|ca|global)\./;

/**
 * The resource ARNs `bedrock:InvokeModel` must allow for a model identifier: a foundation-model id
 * (`amazon.nova-lite-v1:0`), a system inference profile id (`us.anthropic...`; the profile plus
 * the underlying model in every Region the profile routes to), or a full ARN as given.
 */
export function modelInvokeArns(stack: Stack, modelId: string): string[] {
  if (modelId.startsWith('arn:')) return [modelId];
  const prefix = modelId.match(INFERENCE_PROFILE_PREFIX);
  if (prefix) {
    const baseModel = modelId.slice(prefix[0].length);
    return [
      stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: modelId }),
      `arn:${stack.partition}:bedrock:*::foundation-model/${baseModel}`,
    ];
  }
  return [foundationModelArn(stack, modelId)];
}

/** Whether a model identifier is a system inference profile id or an inference-profile ARN. */
export function isInferenceProfile(modelId: string): boolean {
  return INFERENCE_PROFILE_PREFIX.test(modelId) || /:(application-)?inference-profile\//.test(modelId);
}

/** The ARN of a foundation model in the stack's Region. */
export function foundationModelArn(stack: Stack, modelId: string): string {
  if (modelId.startsWith('arn:')) return modelId;
  return `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${modelId}`;
}

/** The ARN of a knowledge base in the stack's account and Region. */
export function knowledgeBaseArn(stack: Stack, knowledgeBaseId: string): string {
  return stack.formatArn({ service: 'bedrock', resource: 'knowledge-base', resourceName: knowledgeBaseId });
}

/** The ARN of an agent alias in the stack's account and Region. */
export function agentAliasArn(stack: Stack, agentId: string, agentAliasId: string): string {
  return stack.formatArn({ service: 'bedrock', resource: 'agent-alias', resourceName: `${agentId}/${agentAliasId}` });
}
