import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { InvalidDiagnosisError } from '../workflow/construct-errors';

/** Options for {@link Diagnosis.bedrockModel}. */
export interface BedrockModelOptions {
  /**
   * An Amazon Bedrock knowledge base of runbooks and past incidents. Passages retrieved from it
   * are quoted in the prompt as data.
   *
   * @default - no knowledge base
   */
  readonly knowledgeBaseId?: string;
}

/**
 * How incidents are diagnosed. The deterministic rule engine always runs; a Bedrock model or agent
 * can refine its answer. Any Bedrock failure falls back to the rules, and the model can never
 * widen the policy.
 */
export class Diagnosis {
  /** The rule engine only: no Amazon Bedrock call, no Bedrock permission. */
  public static rulesOnly(): Diagnosis {
    return new Diagnosis('RULES');
  }

  /**
   * The rule engine plus an Amazon Bedrock model through the Converse API.
   *
   * @param modelId a foundation model id (`anthropic.claude-3-5-haiku-20241022-v1:0`), a
   * cross-region inference profile id (`us.anthropic.claude-3-5-haiku-20241022-v1:0`) or the ARN of either
   */
  public static bedrockModel(modelId: string, options: BedrockModelOptions = {}): Diagnosis {
    if (!Token.isUnresolved(modelId) && modelId.trim() === '') {
      throw new InvalidDiagnosisError('bedrock model id must not be empty, got \'\'');
    }
    return new Diagnosis('MODEL', modelId, options.knowledgeBaseId);
  }

  /**
   * The rule engine plus an Amazon Bedrock agent (InvokeAgent); the agent brings its own model,
   * knowledge bases and action groups.
   */
  public static bedrockAgent(agentId: string, agentAliasId: string): Diagnosis {
    for (const [name, value] of [['agent id', agentId], ['agent alias id', agentAliasId]]) {
      if (!Token.isUnresolved(value) && value.trim() === '') {
        throw new InvalidDiagnosisError(`bedrock ${name} must not be empty, got ''`);
      }
    }
    return new Diagnosis('AGENT', undefined, undefined, agentId, agentAliasId);
  }

  /** `RULES`, `MODEL` or `AGENT`. */
  public readonly mode: string;
  /** The Bedrock model or inference profile, when `mode` is `MODEL`. */
  public readonly modelId?: string;
  /** The knowledge base, when one is configured. */
  public readonly knowledgeBaseId?: string;
  /** The agent, when `mode` is `AGENT`. */
  public readonly agentId?: string;
  /** The agent alias, when `mode` is `AGENT`. */
  public readonly agentAliasId?: string;

  private constructor(mode: string, modelId?: string, knowledgeBaseId?: string, agentId?: string, agentAliasId?: string) {
    this.mode = mode;
    this.modelId = modelId;
    this.knowledgeBaseId = knowledgeBaseId;
    this.agentId = agentId;
    this.agentAliasId = agentAliasId;
  }

  /**
   * The IAM statements the diagnosis handler needs for this choice, on the named resources only.
   * Empty for `rulesOnly()`.
   */
  public policyStatements(scope: IConstruct): iam.PolicyStatement[] {
    const stack = Stack.of(scope);
    const statements: iam.PolicyStatement[] = [];
    if (this.mode === 'MODEL' && this.modelId) {
      statements.push(new iam.PolicyStatement({
        sid: 'InvokeConfiguredModel',
        actions: ['bedrock:InvokeModel'],
        resources: modelResourceArns(stack, this.modelId),
      }));
    }
    if (this.knowledgeBaseId) {
      statements.push(new iam.PolicyStatement({
        sid: 'RetrieveFromConfiguredKnowledgeBase',
        actions: ['bedrock:Retrieve'],
        resources: [stack.formatArn({
          service: 'bedrock',
          resource: 'knowledge-base',
          resourceName: this.knowledgeBaseId,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        })],
      }));
    }
    if (this.mode === 'AGENT' && this.agentId && this.agentAliasId) {
      statements.push(new iam.PolicyStatement({
        sid: 'InvokeConfiguredAgent',
        actions: ['bedrock:InvokeAgent'],
        resources: [stack.formatArn({
          service: 'bedrock',
          resource: 'agent-alias',
          resourceName: `${this.agentId}/${this.agentAliasId}`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        })],
      }));
    }
    return statements;
  }
}

/** Geography prefixes of Bedrock cross-region inference profile ids. */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/;

/**
 * Resources to grant `bedrock:InvokeModel` on. A cross-region inference profile routes to the
 * same foundation model in other regions, so the model ARN is granted in every region, and only
 * that model.
 */
function modelResourceArns(stack: Stack, modelId: string): string[] {
  if (Token.isUnresolved(modelId)) {
    return [modelId];
  }
  if (modelId.startsWith('arn:')) {
    const parsed = Arn.split(modelId, ArnFormat.SLASH_RESOURCE_NAME);
    if (parsed.resource === 'inference-profile' && parsed.resourceName) {
      const base = INFERENCE_PROFILE_PREFIX.exec(parsed.resourceName)?.[2];
      return base ? [modelId, `arn:${stack.partition}:bedrock:*::foundation-model/${base}`] : [modelId];
    }
    return [modelId];
  }
  const profile = INFERENCE_PROFILE_PREFIX.exec(modelId);
  if (profile) {
    return [
      stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: modelId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      `arn:${stack.partition}:bedrock:*::foundation-model/${profile[2]}`,
    ];
  }
  return [stack.formatArn({
    service: 'bedrock',
    account: '',
    resource: 'foundation-model',
    resourceName: modelId,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  })];
}
