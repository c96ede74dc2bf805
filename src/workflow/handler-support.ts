// Internal helpers shared by the sub-constructs that run the workflow's handlers: one role and one
// log group per handler (retention, optional KMS key), chunked policies on the target functions,
// and cdk-nag suppressions written as metadata (cdk-nag is not a runtime dependency).
// Not exported from src/index.ts.
import { ArnFormat, CfnResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { HandlerSpec, ENV, METRICS_NAMESPACE } from './contract';

/** A cdk-nag suppression: the rule and why it does not apply. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
}

/** Add cdk-nag suppressions to a construct's CloudFormation resource (its default child if needed). */
export function suppressNag(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`cannot suppress cdk-nag findings on ${construct.node.path}: it has no CloudFormation resource`);
  }
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: NagSuppression[] } | undefined)?.rules_to_suppress ?? [];
  const merged = [...existing];
  for (const s of suppressions) {
    if (!merged.some(e => e.id === s.id)) merged.push(s);
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: merged });
}

/** Settings common to every handler. */
export interface HandlerSettings {
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** What the generated `*-function.ts` classes look like. */
export type HandlerClass = new (scope: Construct, id: string, props?: lambda.FunctionOptions) => lambda.Function;

/** A handler: the function, its role and its log group. */
export interface Handler {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * Create one handler with its own role (no AWS managed policy: logs rights on its own log group
 * only), an explicit log group with retention and optional KMS encryption, and X-Ray tracing.
 */
export function createHandler(
  scope: Construct,
  id: string,
  cls: HandlerClass,
  spec: HandlerSpec,
  settings: HandlerSettings,
  environment: Record<string, string>,
): Handler {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: settings.logRetention,
    encryptionKey: settings.encryptionKey,
  });
  allowLogsToUseKey(scope, settings.encryptionKey);
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `lambda-auto-remediation ${spec.id} handler`,
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  const fn = new cls(scope, id, {
    description: `lambda-auto-remediation: ${spec.description}`.slice(0, 256),
    role,
    logGroup,
    timeout: Duration.seconds(spec.timeoutSeconds),
    memorySize: spec.memorySizeMb,
    tracing: lambda.Tracing.ACTIVE,
    environmentEncryption: settings.encryptionKey,
    environment: {
      [ENV.POWERTOOLS_SERVICE_NAME]: 'lambda-auto-remediation',
      [ENV.POWERTOOLS_METRICS_NAMESPACE]: METRICS_NAMESPACE,
      ...environment,
    },
  });
  suppressNag(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource-level permission; every other action names its resources.',
  }]);
  suppressNag(fn, [{
    id: 'AwsSolutions-L1',
    reason: 'The handler bundle is built by projen for nodejs22.x and tested on it; the runtime moves with the library, not with the newest Lambda runtime.',
  }]);
  return { fn, role, logGroup };
}

/** Let CloudWatch Logs use a customer key defined in this app (imported keys need their own policy). */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey | undefined): void {
  if (!key) return;
  const stack = Stack.of(scope);
  const marker = `lar-logs-key-policy-${key.node.addr}`;
  if (stack.node.tryFindChild(marker)) return;
  new Construct(stack, marker);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsLambdaAutoRemediation',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
}

/** ARN of a log group by name, as IAM expects it for log-event reads. */
export function logGroupArnOf(scope: IConstruct, logGroupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Customer managed policies granting a fixed set of actions on the target functions' resources,
 * opened as they fill.
 *
 * All inline policies of a role share a 10,240-character limit, which 200 function ARNs exceed; a
 * managed policy holds 6,144 and a role takes 10 of them (adjustable quota). Each part stays under
 * ~5,500 characters, counting 130 characters for an ARN whose name is only known at deploy time.
 * One statement per part: the actions apply to exactly the listed resources, never `*`.
 */
export class TargetPolicies {
  private static readonly PART_BUDGET = 5500;
  private readonly parts: { resources: string[]; room: number }[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly id: string,
    private readonly role: iam.IRole,
    private readonly actions: string[],
  ) {}

  /** Number of managed policies created so far. */
  public get policyCount(): number {
    return this.parts.length;
  }

  /** Grant the actions on these resources (the resources of one target function). */
  public add(resources: string[]): void {
    const cost = resources.reduce((sum, arn) => sum + estimateLength(arn) + 3, 0);
    let part = this.parts[this.parts.length - 1];
    if (!part || part.room < cost) {
      const list: string[] = [];
      const index = this.parts.length + 1;
      new iam.ManagedPolicy(this.scope, `${this.id}${index}`, {
        description: `lambda-auto-remediation: rights on the target functions (part ${index})`,
        roles: [this.role],
        document: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            sid: 'TargetFunctionsOnly',
            actions: this.actions,
            // A part always holds at least one target, so the list is never empty.
            resources: Lazy.list({ produce: () => list }),
          })],
        }),
      });
      part = { resources: list, room: TargetPolicies.PART_BUDGET };
      this.parts.push(part);
    }
    part.resources.push(...resources);
    part.room -= cost;
  }
}

/** Resolved length of an ARN, assuming the longest name where a token stands. */
function estimateLength(arn: string): number {
  if (!Token.isUnresolved(arn)) return arn.length;
  // arn:aws:lambda:ap-southeast-2:123456789012:function:<64> or the logs equivalent
  return 130;
}
