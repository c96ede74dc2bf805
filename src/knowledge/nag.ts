/**
 * cdk-nag acknowledgements written through aws-cdk-lib's `Validations` API, so the library needs no
 * runtime dependency on cdk-nag (cdk-nag v3 reads these acknowledgements). Internal: not exported
 * from the package index.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** The AWS managed policy of the aws-cdk-lib singleton provider functions, as cdk-nag names it. */
export const BASIC_EXECUTION_POLICY_FINDING = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Acknowledge one cdk-nag finding (a rule id, or `Rule[finding]` for one finding) with its reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag writes a value in a finding id: the resolved CloudFormation value flattened, with
 * `{Ref: X}` as `<X>` and `{Fn::GetAtt: [X, A]}` as `<X.A>`.
 */
export function nagValue(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/** Acknowledge the wildcard-resource finding (AwsSolutions-IAM5) of one resource ARN. */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${nagValue(scope, arn)}]`, reason);
}

/**
 * Acknowledge every wildcard finding (AwsSolutions-IAM5) of a role's default policy as it is now.
 * Only for roles aws-cdk-lib creates and grants itself (the singleton providers).
 */
export function acknowledgeGeneratedWildcards(role: iam.IRole | undefined, reason: string): void {
  const policy = role?.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) return;
  const doc = Stack.of(policy).resolve(policy.document.toJSON()) as { Statement?: Array<Record<string, unknown>> } | undefined;
  for (const statement of doc?.Statement ?? []) {
    for (const action of asArray(statement.Action)) {
      if (typeof action === 'string' && action.includes('*')) acknowledge(policy, `AwsSolutions-IAM5[Action::${action}]`, reason);
    }
    for (const resource of asArray(statement.Resource)) {
      const flat = flatten(resource);
      if (flat.includes('*')) acknowledge(policy, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
    }
  }
}

function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}
