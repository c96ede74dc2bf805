import { createHash } from 'crypto';
import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { AgentActionsFunction } from './agent-actions-function';
import { AGENT_ACTION_GROUP_NAME, AGENT_ACTIONS_ENV, AGENT_FUNCTIONS, AGENT_INSTRUCTION } from './agent-contract';
import { agentAliasArn, isInferenceProfile, modelInvokeArns } from './bedrock-arns';
import { acknowledge, acknowledgeWildcardResource } from './nag';
import { IRemediationKnowledgeBase } from './remediation-knowledge-base';

/**
 * A Bedrock agent (and alias) the diagnosis can call with `InvokeAgent`.
 */
export interface IRemediationAgent extends IConstruct {
  /** The agent id. */
  readonly agentId: string;
  /** The alias id `InvokeAgent` is called with. */
  readonly agentAliasId: string;
  /** The alias ARN. */
  readonly agentAliasArn: string;

  /**
   * Allow `bedrock:InvokeAgent` on this agent's alias (and nothing else).
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

/**
 * The identifiers of an existing agent and alias.
 */
export interface RemediationAgentAttributes {
  /** The agent id, e.g. `ABCDEFGHIJ`. */
  readonly agentId: string;
  /** The alias id, e.g. `KLMNOPQRST`. */
  readonly agentAliasId: string;
}

/**
 * Properties of a `RemediationAgent`.
 */
export interface RemediationAgentProps {
  /**
   * The functions the agent may read metrics, logs and configuration of. The action handler
   * refuses every other function, and its role can read only these.
   */
  readonly targets: lambda.IFunction[];

  /**
   * The model the agent reasons with: a foundation-model id (`amazon.nova-pro-v1:0`), a
   * cross-Region inference profile id (`us.anthropic.claude-3-5-haiku-20241022-v1:0`), or an ARN.
   * It must support Bedrock Agents and be enabled in the account's model access.
   */
  readonly foundationModel: string;

  /**
   * Knowledge base the agent consults for runbooks and past cases.
   *
   * @default - no knowledge base
   */
  readonly knowledgeBase?: IRemediationKnowledgeBase;

  /**
   * Team-specific guidance appended to the built-in instructions (which fix the answer format
   * and the rule that tool output is data). It can add context; it cannot remove those rules.
   *
   * @default - the built-in instructions only
   */
  readonly additionalInstructions?: string;

  /**
   * Name of the agent.
   *
   * @default - a name generated from the construct path
   */
  readonly agentName?: string;

  /**
   * Name of the alias the diagnosis invokes.
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * How long an idle agent session is kept. One diagnosis is one session.
   *
   * @default Duration.minutes(10)
   */
  readonly idleSessionTtl?: Duration;

  /**
   * Retention of the action handler's logs.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Bedrock's limit on agent instructions, characters. */
const MAX_INSTRUCTION_CHARS = 4000;

/**
 * An opt-in Amazon Bedrock agent that diagnoses a memory alarm by reading the target function's
 * metrics, logs and configuration itself, and answers in the diagnosis format of the workflow.
 *
 * What it creates: the action-group handler (a Lambda function bundled with this library), with
 * a role that can only call `lambda:GetFunctionConfiguration` on the targets,
 * `logs:FilterLogEvents` on the targets' `/aws/lambda/<name>` log groups and
 * `cloudwatch:GetMetricData` (which has no resource-level permissions; the handler refuses
 * functions that are not targets); the agent with one action group
 * (`getMetrics`, `getRecentLogs`, `getFunctionConfiguration`), instructions, and the knowledge
 * base if given; the agent's service role (invoke the chosen model, retrieve from the knowledge
 * base); and an alias that moves to a new agent version whenever the configuration changes.
 *
 * The agent proposes; the workflow's policy decides. Its answer goes through the same
 * validation, fallback to rules and guardrails as the plain model path.
 *
 * Use `RemediationAgent.fromAgentAttributes` to use an agent you already have.
 */
export class RemediationAgent extends Construct implements IRemediationAgent {
  /**
   * Use an existing agent and alias.
   */
  public static fromAgentAttributes(scope: Construct, id: string, attrs: RemediationAgentAttributes): IRemediationAgent {
    for (const [what, value] of [['agent id', attrs.agentId], ['agent alias id', attrs.agentAliasId]]) {
      if (!Token.isUnresolved(value) && !/^[0-9a-zA-Z]{10}$/.test(value)) throw new Error(`${what} '${value}' must be 10 letters or digits`);
    }
    return new ImportedAgent(scope, id, attrs);
  }

  public readonly agentId: string;
  public readonly agentArn: string;
  public readonly agentAliasId: string;
  public readonly agentAliasArn: string;
  /** The action-group handler. */
  public readonly actionFunction: lambda.Function;
  /** The role the agent assumes. */
  public readonly role: iam.IRole;
  /** The underlying agent resource. */
  public readonly agent: bedrock.CfnAgent;
  /** The underlying alias resource. */
  public readonly alias: bedrock.CfnAgentAlias;

  public constructor(scope: Construct, id: string, props: RemediationAgentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.targets.length === 0) throw new Error('targets must name at least one function the agent may read');
    if (!Token.isUnresolved(props.foundationModel) && props.foundationModel.trim() === '') throw new Error('foundationModel must not be empty');
    const instruction = props.additionalInstructions ? `${AGENT_INSTRUCTION}\n${props.additionalInstructions}` : AGENT_INSTRUCTION;
    if (instruction.length > MAX_INSTRUCTION_CHARS) {
      throw new Error(`agent instructions have ${instruction.length} characters, more than Bedrock's ${MAX_INSTRUCTION_CHARS}: shorten additionalInstructions`);
    }
    const idleSeconds = (props.idleSessionTtl ?? Duration.minutes(10)).toSeconds();
    if (idleSeconds < 60 || idleSeconds > 3600) throw new Error(`idleSessionTtl must be 60 to 3600 seconds, got ${idleSeconds}`);

    // Aliases and versions are read through their function: configuration, logs and metrics are
    // the function's, and an unqualified ARN is what GetFunctionConfiguration authorises.
    const targets = props.targets.map(baseFunction);

    // The action handler: its own role, its own log group, rights on the targets only.
    const logGroup = new logs.LogGroup(this, 'ActionLogs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    const handlerRole = new iam.Role(this, 'ActionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Remediation agent action group: read-only metrics, logs and configuration of the target functions',
    });
    logGroup.grantWrite(handlerRole);
    this.actionFunction = new AgentActionsFunction(this, 'ActionHandler', {
      description: 'lambda-auto-remediation agent action group: read-only telemetry of the target functions',
      role: handlerRole,
      logGroup,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: { [AGENT_ACTIONS_ENV.allowedFunctions]: targets.map((f) => f.functionName).join(',') },
    });
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTargetConfiguration',
      actions: ['lambda:GetFunctionConfiguration'],
      resources: targets.map((f) => f.functionArn),
    }));
    const logGroupArns = targets.map((f) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/lambda/${f.functionName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadTargetLogs', actions: ['logs:FilterLogEvents'], resources: logGroupArns }));
    handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadLambdaMetrics',
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));

    // The agent's service role.
    const role = new iam.Role(this, 'AgentRole', {
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'bedrock', resource: 'agent', resourceName: '*' }) },
        },
      }),
      description: 'Remediation agent: invoke its model and retrieve from its knowledge base',
    });
    this.role = role;
    const modelArns = modelInvokeArns(stack, props.foundationModel);
    const agentPolicy = new iam.Policy(this, 'AgentPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'InvokeModel', actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resources: modelArns }),
        ...(isInferenceProfile(props.foundationModel)
          ? [new iam.PolicyStatement({ sid: 'UseInferenceProfile', actions: ['bedrock:GetInferenceProfile'], resources: [modelArns[0]] })]
          : []),
        ...(props.knowledgeBase
          ? [new iam.PolicyStatement({ sid: 'RetrieveRunbooks', actions: ['bedrock:Retrieve'], resources: [props.knowledgeBase.knowledgeBaseArn] })]
          : []),
      ],
    });

    const functionSchema: bedrock.CfnAgent.FunctionSchemaProperty = {
      functions: AGENT_FUNCTIONS.map((f) => ({
        name: f.name,
        description: f.description,
        parameters: Object.fromEntries(Object.entries(f.parameters).map(([name, p]) => [
          name,
          { type: p.type, required: p.required, description: p.description },
        ])),
      })),
    };
    this.agent = new bedrock.CfnAgent(this, 'Resource', {
      agentName: props.agentName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' }),
      description: 'Diagnoses memory alarms of AWS Lambda functions for lambda-auto-remediation',
      agentResourceRoleArn: role.roleArn,
      foundationModel: props.foundationModel,
      instruction,
      idleSessionTtlInSeconds: idleSeconds,
      autoPrepare: true,
      skipResourceInUseCheckOnDelete: true,
      actionGroups: [{
        actionGroupName: AGENT_ACTION_GROUP_NAME,
        description: 'Read-only metrics, recent logs and configuration of the function under diagnosis',
        actionGroupExecutor: { lambda: this.actionFunction.functionArn },
        actionGroupState: 'ENABLED',
        functionSchema,
      }],
      knowledgeBases: props.knowledgeBase
        ? [{
          knowledgeBaseId: props.knowledgeBase.knowledgeBaseId,
          description: 'Runbooks for AWS Lambda memory, timeout, throttling and init incidents, and past repairs of these functions. Consult it before answering.',
          knowledgeBaseState: 'ENABLED',
        }]
        : undefined,
    });
    this.agent.node.addDependency(agentPolicy);
    this.agentId = this.agent.attrAgentId;
    this.agentArn = this.agent.attrAgentArn;

    this.actionFunction.addPermission('InvokedByAgent', {
      principal: new iam.ServicePrincipal('bedrock.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.agentArn,
      sourceAccount: stack.account,
    });

    // An alias points at the version made when it is created; a new description makes
    // CloudFormation update the alias, which makes Bedrock create a version of the changed agent.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ instruction, functionSchema, model: props.foundationModel, kb: props.knowledgeBase?.node.path ?? null, idleSeconds }))
      .digest('hex')
      .slice(0, 12);
    this.alias = new bedrock.CfnAgentAlias(this, 'Alias', {
      agentId: this.agentId,
      agentAliasName: props.aliasName ?? 'live',
      description: `lambda-auto-remediation agent configuration ${fingerprint}`,
    });
    this.agentAliasId = this.alias.attrAgentAliasId;
    this.agentAliasArn = this.alias.attrAgentAliasArn;

    this.acknowledgeNagFindings(handlerRole, logGroupArns, modelArns, agentPolicy);
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:InvokeAgent'], resourceArns: [this.agentAliasArn] });
  }

  private acknowledgeNagFindings(handlerRole: iam.Role, logGroupArns: string[], modelArns: string[], agentPolicy: iam.Policy): void {
    const handlerPolicy = handlerRole.node.findChild('DefaultPolicy');
    for (const arn of logGroupArns) {
      acknowledgeWildcardResource(handlerPolicy, arn,
        'FilterLogEvents is authorised on the log group ARN with its ":*" suffix; the log group is the target function\'s own /aws/lambda/<name>.');
    }
    acknowledge(handlerPolicy, 'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:GetMetricData supports no resource-level permissions; it is read-only and the handler refuses functions that are not targets.');
    acknowledge(this.actionFunction, 'AwsSolutions-L1',
      'The action handler is bundled and tested for nodejs22.x, a supported runtime; moving runtimes is a deliberate project-wide change.');
    for (const arn of modelArns.filter((a) => a.includes('*'))) {
      acknowledgeWildcardResource(agentPolicy, arn,
        'A cross-Region inference profile routes to the same foundation model in several Regions; the Region is the only wildcard.');
    }
  }
}

/** The function behind an alias or a version; the function itself otherwise. */
function baseFunction(target: lambda.IFunction): lambda.IFunction {
  if (target instanceof lambda.Alias) return target.version.lambda;
  if (target instanceof lambda.Version) return target.lambda;
  return target;
}

class ImportedAgent extends Construct implements IRemediationAgent {
  public readonly agentId: string;
  public readonly agentAliasId: string;
  public readonly agentAliasArn: string;

  public constructor(scope: Construct, id: string, attrs: RemediationAgentAttributes) {
    super(scope, id);
    this.agentId = attrs.agentId;
    this.agentAliasId = attrs.agentAliasId;
    this.agentAliasArn = agentAliasArn(Stack.of(scope), attrs.agentId, attrs.agentAliasId);
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:InvokeAgent'], resourceArns: [this.agentAliasArn] });
  }
}
