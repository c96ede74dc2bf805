// Internal helpers shared by the sub-constructs that run the workflow's handlers: one role and one
// log group per handler (retention, optional KMS key), chunked policies on the target functions,
// and cdk-nag suppressions written as metadata (cdk-nag is not a runtime dependency).
// Not exported from src/index.ts.
import { ArnFormat, CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
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
  /** For rules with per-finding ids: the findings this reason covers (e.g. `Resource::*`). */
  readonly findings?: string[];
}

/**
 * Record why a cdk-nag rule does not apply, in both forms cdk-nag understands: a CDK validation
 * acknowledgement on the construct (read by cdk-nag 3) and the `cdk_nag` CloudFormation metadata
 * (cdk-nag 2 and compliance tooling). Neither needs cdk-nag at runtime.
 *
 * Rules that report one finding per resource (AwsSolutions-IAM5) are acknowledged per finding,
 * `AwsSolutions-IAM5[Resource::*]`; pass those ids in `findings`.
 */
export function suppressNag(construct: IConstruct, suppressions: NagSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`cannot suppress cdk-nag findings on ${construct.node.path}: it has no CloudFormation resource`);
  }
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: NagMetadataEntry[] } | undefined)?.rules_to_suppress ?? [];
  const merged: NagMetadataEntry[] = existing.map(e => ({ ...e }));
  for (const s of suppressions) {
    const same = merged.find(e => e.id === s.id && e.reason === s.reason);
    if (!same) {
      merged.push({ id: s.id, reason: s.reason, ...(s.findings ? { applies_to: [...s.findings] } : {}) });
    } else if (s.findings) {
      same.applies_to = [...new Set([...(same.applies_to ?? []), ...s.findings])];
    }
    const ids = s.findings ? s.findings.map(f => `${s.id}[${f}]`) : [s.id];
    if (ids.length > 0) Validations.of(resource).acknowledge(...ids.map(id => ({ id, reason: s.reason })));
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: merged });
}

/**
 * The AwsSolutions-IAM5 finding ids to acknowledge for these resources, written as cdk-nag
 * flattens CloudFormation references (`<LogicalId.Arn>`). Exact by design: only a wildcard that
 * names one resource is acknowledged — the `:*` that addresses the streams of one named log group,
 * or a `*` region in an ARN whose account and resource are named (one foundation model in every
 * region). A bare `*`, a `*` account or a wildcard in a resource name is never acknowledged, so
 * cdk-nag still reports it.
 */
export function wildcardResourceFindings(scope: IConstruct, resources: string[]): string[] {
  return resources
    .map(r => flattenReference(Stack.of(scope).resolve(r)))
    .filter(r => r.includes('*') && namesOneResource(r))
    .map(r => `Resource::${r}`);
}

/**
 * The AwsSolutions-IAM5 finding ids of these resources, wildcards or not: for statements whose
 * wildcard is deliberate and bounded another way (a tag condition), acknowledged one by one.
 */
export function deliberateWildcardFindings(scope: IConstruct, resources: string[]): string[] {
  return resources
    .map(r => flattenReference(Stack.of(scope).resolve(r)))
    .filter(r => r.includes('*'))
    .map(r => `Resource::${r}`);
}

/** True when a wildcard ARN still names one resource (see {@link wildcardResourceFindings}). */
export function namesOneResource(flatArn: string): boolean {
  // Flattened references (<AWS::Region>, <Fn.Arn>) are named values: stand them in by a name.
  const arn = flatArn.replace(/<[^>]*>/g, 'named');
  const m = /^arn:[^:*]+:([^:*]+):([^:]*):([^:]*):(.+)$/.exec(arn);
  if (!m) return false;
  const [, service, region, account, resource] = m;
  if (account.includes('*') || (region.includes('*') && region !== '*')) return false;
  if (service === 'logs') return /^log-group:[^*:]+:\*$/.test(resource) && region !== '*';
  return !resource.includes('*');
}

/** The AwsSolutions-IAM5 finding ids of a policy (or role) resource as it stands now. */
export function policyWildcardFindings(resource: CfnResource): string[] {
  const stack = Stack.of(resource);
  const documents: unknown[] = [];
  if (resource instanceof iam.CfnRole) {
    for (const p of (stack.resolve(resource.policies) ?? []) as { PolicyDocument?: unknown; policyDocument?: unknown }[]) {
      documents.push(stack.resolve(p.PolicyDocument ?? p.policyDocument));
    }
  } else if (resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy) {
    documents.push(stack.resolve(resource.policyDocument));
  }
  const findings = new Set<string>();
  for (const doc of documents as { Statement?: { Effect: string; Action: unknown; Resource: unknown }[] }[]) {
    for (const st of doc?.Statement ?? []) {
      if (st.Effect !== 'Allow') continue;
      for (const a of ([] as unknown[]).concat(st.Action)) {
        if (typeof a === 'string' && a.includes('*')) findings.add(`Action::${a}`);
      }
      for (const r of ([] as unknown[]).concat(st.Resource)) {
        const flat = flattenReference(r);
        if (flat.includes('*')) findings.add(`Resource::${flat}`);
      }
    }
  }
  return [...findings];
}

/** cdk-nag's flat rendering of a CloudFormation value (Fn::Join joined, Ref -> <X>, GetAtt -> <X.Y>). */
function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  const o = node as Record<string, any>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (o['Fn::Sub']) return flattenReference(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(res)}.${flattenReference(attr)}>`;
  }
  if (o['Fn::ImportValue']) return flattenReference(o['Fn::ImportValue']);
  if (o.Ref) return `<${flattenReference(o.Ref)}>`;
  return JSON.stringify(node);
}

/** One entry of the `cdk_nag` metadata (cdk-nag 2 format). */
interface NagMetadataEntry {
  readonly id: string;
  readonly reason: string;
  applies_to?: string[];
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
  spec: Pick<HandlerSpec, 'description' | 'timeoutSeconds' | 'memorySizeMb'> & { readonly id: string },
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
    findings: ['Resource::*'],
  }]);
  suppressNag(fn, [{
    id: 'AwsSolutions-L1',
    reason: 'The handler bundle is built by projen for nodejs22.x and tested on it; the runtime moves with the library, not with the newest Lambda runtime.',
  }]);
  return { fn, role, logGroup };
}

/** Keys that already carry the CloudWatch Logs statement (one statement per key, however many log groups). */
const KEYS_OPEN_TO_LOGS = new WeakSet<kms.IKey>();

/** Let CloudWatch Logs use a customer key defined in this app (imported keys need their own policy). */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey | undefined): void {
  if (!key || KEYS_OPEN_TO_LOGS.has(key)) return;
  KEYS_OPEN_TO_LOGS.add(key);
  const stack = Stack.of(scope);
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

/**
 * The function's name, as a literal when it can be known at synthesis time. An imported function
 * (`fromFunctionName`, `fromFunctionArn` with a partition token) exposes its name as a token
 * that splits its own ARN; the name is recovered from the ARN's literal tail, which keeps
 * alarm queries exact and templates small.
 */
export function functionNameOf(fn: lambda.IFunction): string {
  const name = fn.functionName;
  if (!Token.isUnresolved(name)) return name;
  const resolved = Stack.of(fn).resolve(name) as Record<string, any>;
  const select = resolved?.['Fn::Select'];
  const split = select?.[1]?.['Fn::Split'];
  const joined = split?.[1]?.['Fn::Join'];
  if (select?.[0] === 6 && split?.[0] === ':' && Array.isArray(joined?.[1])) {
    const tail = joined[1][joined[1].length - 1];
    const match = typeof tail === 'string' ? /:function:([A-Za-z0-9_-]{1,64})$/.exec(tail) : null;
    if (match) return match[1];
  }
  return name;
}


