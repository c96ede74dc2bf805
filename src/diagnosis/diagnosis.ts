import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { InvalidDiagnosisError } from '../workflow/construct-errors';

/** Most custom analyzers one diagnosis asks (they run in parallel within the diagnose handler's time). */
const MAX_CUSTOM_ANALYZERS = 5;
/** Longest an analyzer may take: with the agent's 45 s budget the diagnose handler still ends within its 120 s. */
const MAX_ANALYZER_TIMEOUT_SECONDS = 30;

/** Options every diagnosis choice takes. */
export interface DiagnosisOptions {
  /**
   * Your own analyzers: Lambda functions asked for a second opinion after the rules (and Bedrock,
   * when configured), at most 5, invoked synchronously and in parallel. Each receives the
   * diagnosis request in the seed's format (`functionName`, `alarmDetails`, `metrics`, `logs`,
   * `functionConfig`, `metricSeries`, `alarmTime`, `incomplete`), with secrets in the log lines
   * masked and no environment variables, and answers in the seed's diagnosis result format
   * (`isMemoryIssue`, `confidence`, `reasoning`, `recommendedAction` = `INCREASE_MEMORY`,
   * `CANNOT_INCREASE`, `HUMAN_REVIEW` or `NO_ACTION`, `recommendedMemoryIncrease`,
   * `evidencePoints`, optional `category`). Answers are merged in this order the way a model's
   * is: an analyzer may add evidence and lower the action, the confidence and the size, never
   * raise them above the rules and the policy; disagreeing on `isMemoryIssue` sends the case to a
   * person. A timeout, an error or an invalid answer leaves the diagnosis as it was, and the
   * diagnosis record says so. The diagnose handler is granted `lambda:InvokeFunction` on exactly
   * these functions (same account; pass an alias or version to pin one).
   *
   * @default - no custom analyzer
   */
  readonly analyzers?: lambda.IFunction[];

  /**
   * How long one analyzer may take before its answer is ignored (1 to 30 seconds).
   *
   * @default Duration.seconds(10)
   */
  readonly analyzerTimeout?: Duration;
}

/** Options for {@link Diagnosis.bedrockModel}. */
export interface BedrockModelOptions extends DiagnosisOptions {
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
  /** The rule engine only: no Amazon Bedrock call, no Bedrock permission (custom analyzers optional). */
  public static rulesOnly(options: DiagnosisOptions = {}): Diagnosis {
    return new Diagnosis('RULES', options);
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
    return new Diagnosis('MODEL', options, modelId, options.knowledgeBaseId);
  }

  /**
   * The rule engine plus an Amazon Bedrock agent (InvokeAgent); the agent brings its own model,
   * knowledge bases and action groups.
   */
  public static bedrockAgent(agentId: string, agentAliasId: string, options: DiagnosisOptions = {}): Diagnosis {
    for (const [name, value] of [['agent id', agentId], ['agent alias id', agentAliasId]]) {
      if (!Token.isUnresolved(value) && value.trim() === '') {
        throw new InvalidDiagnosisError(`bedrock ${name} must not be empty, got ''`);
      }
    }
    return new Diagnosis('AGENT', options, undefined, undefined, agentId, agentAliasId);
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
  /** The custom analyzers, in the order their answers are merged (empty when none). */
  public readonly analyzers: lambda.IFunction[];
  /** How long one analyzer may take. */
  public readonly analyzerTimeout: Duration;

  private constructor(mode: string, options: DiagnosisOptions, modelId?: string, knowledgeBaseId?: string, agentId?: string, agentAliasId?: string) {
    const analyzers = [...(options.analyzers ?? [])];
    if (analyzers.length > MAX_CUSTOM_ANALYZERS) {
      throw new InvalidDiagnosisError(`at most ${MAX_CUSTOM_ANALYZERS} custom analyzers, got ${analyzers.length}`);
    }
    const twice = analyzers.find((fn, i) => analyzers.indexOf(fn) !== i);
    if (twice) throw new InvalidDiagnosisError(`custom analyzer ${twice.node.path} is listed twice`);
    const timeout = options.analyzerTimeout ?? Duration.seconds(10);
    if (!timeout.isUnresolved()) {
      const ms = timeout.toMilliseconds();
      if (ms < 1000 || ms > MAX_ANALYZER_TIMEOUT_SECONDS * 1000) {
        throw new InvalidDiagnosisError(`analyzerTimeout must be 1 to ${MAX_ANALYZER_TIMEOUT_SECONDS} seconds, got ${timeout.toHumanString()}`);
      }
    }
    this.analyzers = analyzers;
    this.analyzerTimeout = timeout;
    this.mode = mode;
    this.modelId = modelId;
    this.knowledgeBaseId = knowledgeBaseId;
    this.agentId = agentId;
    this.agentAliasId = agentAliasId;
  }

  /**
   * The IAM statements the diagnosis handler needs for this choice, on the named resources only.
   * Empty for `rulesOnly()` without analyzers.
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
    if (this.analyzers.length > 0) {
      // Exactly the analyzers' ARNs: an alias or version ARN authorizes only that qualifier.
      statements.push(new iam.PolicyStatement({
        sid: 'InvokeCustomAnalyzers',
        actions: ['lambda:InvokeFunction'],
        resources: this.analyzers.map((fn) => fn.functionArn),
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
