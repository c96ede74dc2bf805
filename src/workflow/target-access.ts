// Internal: the rights of the handlers on the managed functions and their log groups, sized to
// IAM's quotas whatever the number of functions. Not exported from src/index.ts.
//
// IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
// "Managed policies attached to an IAM role: 10" (default), "Managed policy size: 6,144
// characters", "Role policy size: 10,240 characters" (all inline policies of a role together).
//
// Two modes, decided once per registry at synthesis, when every function is known:
// - EXACT: every grant names each function ARN and log group ARN, in customer managed policies of
//   at most PART_BUDGET characters, at most MAX_PARTS per role. The default.
// - TAG: when the exact lists would not fit one role, or in fleet mode, the Lambda rights are
//   granted on `function:*` with the condition `aws:ResourceTag/<key> = <value>` (Lambda supports
//   it on function resources: https://docs.aws.amazon.com/lambda/latest/dg/attribute-based-access-control.html),
//   and log reads on the Lambda log groups of this account and region (`/aws/lambda/*`) plus the
//   exact custom log groups. Functions defined in the app are tagged by AutoRemediation; imported
//   functions must carry the tag (a warning names them).
import { Annotations, ArnFormat, Aspects, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { deliberateWildcardFindings, suppressNag, wildcardResourceFindings } from './handler-support';

/** The tag that marks a managed function in TAG mode and in fleet mode. */
export interface ManagementTag {
  readonly key: string;
  readonly value: string;
}

/** How the rights name their resources. */
export type TargetAccessMode = 'EXACT' | 'TAG';

/** One managed target as the grants see it. */
export interface TargetResources {
  /** Function ARNs to grant on (unqualified, and the alias ARN when repairs go through an alias). */
  readonly functionArns: string[];
  /** The log group the function writes to. */
  readonly logGroupName: string;
  /** True when the function is imported (the construct cannot tag it). */
  readonly imported: boolean;
  /** The function's construct path, for messages. */
  readonly path: string;
}

/** The registry's construct id, where sub-constructs look for it. */
const REGISTRY_ID = 'TargetRegistry';

/** Most characters of one managed policy part (IAM allows 6,144; room for the statement frame). */
const PART_BUDGET = 5500;
/** Most managed policy parts per role (IAM allows 10; the rest is left for the user). */
const MAX_PARTS = 8;
/** Length assumed for an ARN whose name is only known at deploy time. */
const TOKEN_ARN_LENGTH = 130;

/**
 * The registry of one AutoRemediation (or of one sub-construct used on its own): the managed
 * targets, the roles that need rights on them, and the mode.
 */
export class TargetRegistry extends Construct {
  /** Create the registry AutoRemediation shares with its sub-constructs. */
  public static create(scope: Construct, tag: () => ManagementTag): TargetRegistry {
    return new TargetRegistry(scope, REGISTRY_ID, tag);
  }

  /** The registry of the nearest ancestor that has one, or a new one under `scope`. */
  public static of(scope: IConstruct, tag?: () => ManagementTag): TargetRegistry {
    for (const s of [...scope.node.scopes].reverse()) {
      const found = s.node.tryFindChild(REGISTRY_ID);
      if (found instanceof TargetRegistry) return found;
    }
    return new TargetRegistry(scope as Construct, REGISTRY_ID, tag ?? (() => ({ key: 'LambdaAutoRemediation', value: defaultTagValue(scope) })));
  }


  private readonly targets: TargetResources[] = [];
  private readonly accesses: TargetAccess[] = [];
  private forcedTag = false;
  private decided?: TargetAccessMode;

  constructor(scope: Construct, id: string, private readonly tagOf: () => ManagementTag) {
    super(scope, id);
  }

  /** The management tag. */
  public get tag(): ManagementTag {
    return this.tagOf();
  }

  /** Fleet mode: rights by tag whatever the count. */
  public forceTagMode(): void {
    if (this.decided === 'EXACT') throw new Error('the target access mode was already decided');
    this.forcedTag = true;
  }

  /**
   * Add one target (each sub-construct calls this through its TargetAccess). The same function
   * added again keeps one entry with every ARN any caller gave (e.g. its alias).
   */
  public addTarget(target: TargetResources): void {
    if (this.decided) throw new Error(`cannot add ${target.path} after synthesis decided the access mode`);
    const i = this.targets.findIndex((t) => t.path === target.path);
    if (i < 0) {
      this.targets.push(target);
    } else {
      this.targets[i] = { ...this.targets[i], functionArns: [...new Set([...this.targets[i].functionArns, ...target.functionArns])] };
    }
  }

  /** Register a role's grants. */
  public register(access: TargetAccess): void {
    this.accesses.push(access);
  }

  /** The targets, in the order they were added. */
  public get all(): readonly TargetResources[] {
    return this.targets;
  }

  /** EXACT or TAG: decided on first use at synthesis, then fixed. */
  public get mode(): TargetAccessMode {
    if (!this.decided) {
      this.decided = this.forcedTag || this.accesses.some((a) => !a.fitsExactly(this.targets)) ? 'TAG' : 'EXACT';
      if (this.decided === 'TAG') {
        const imported = this.targets.filter((t) => t.imported);
        if (imported.length > 0) {
          const { key, value } = this.tag;
          Annotations.of(this).addWarningV2('lambda-auto-remediation:untagged-imports',
            `${imported.length} imported function(s) are managed through their tag ${key}=${value} (the rights by name would exceed IAM's role quotas, or fleet mode is on): tag each of them, e.g. 'aws lambda tag-resource --resource <function arn> --tags ${key}=${value}'. First: ${imported.slice(0, 3).map((t) => t.path).join(', ')}`);
        }
      }
    }
    return this.decided;
  }
}

/** Which resources a TargetAccess grants on. */
export interface TargetAccessProps {
  /** The role that receives the rights. */
  readonly role: iam.IRole;
  /** Lambda actions on the target functions. */
  readonly functionActions?: string[];
  /** CloudWatch Logs actions on the target log groups (the `:*` ARN form). */
  readonly logActions?: string[];
}

/**
 * The rights of one role on the registry's targets. Materialized at synthesis (an aspect), when
 * the registry knows every target and the mode.
 */
export class TargetAccess extends Construct {
  private readonly registry: TargetRegistry;
  private materialized = false;

  constructor(scope: Construct, id: string, private readonly props: TargetAccessProps) {
    super(scope, id);
    this.registry = TargetRegistry.of(scope);
    this.registry.register(this);
    const self = this;
    Aspects.of(this).add({ visit: (node: IConstruct) => { if (node === self) self.materialize(); } } satisfies IAspect);
  }

  /** Add a target (also adds it to the registry). */
  public add(target: TargetResources): void {
    this.registry.addTarget(target);
  }

  /** True when the exact lists fit the role's quota. */
  public fitsExactly(targets: readonly TargetResources[]): boolean {
    return this.exactParts(targets).length <= MAX_PARTS;
  }

  /** The exact grants of each target: its function ARNs and its log group ARN, as this role needs them. */
  private exactResources(targets: readonly TargetResources[]): Array<{ functions: string[]; logGroups: string[] }> {
    return targets.map((t) => ({
      functions: this.props.functionActions?.length ? t.functionArns : [],
      logGroups: this.props.logActions?.length ? [logGroupArn(this, t.logGroupName)] : [],
    }));
  }

  /** The exact resources split into policy parts of at most PART_BUDGET characters. */
  private exactParts(targets: readonly TargetResources[]): Array<{ functions: string[]; logGroups: string[] }> {
    const parts: Array<{ functions: string[]; logGroups: string[]; room: number }> = [];
    for (const r of this.exactResources(targets)) {
      const cost = [...r.functions, ...r.logGroups].reduce((sum, arn) => sum + estimateLength(this, arn) + 3, 0);
      let part = parts[parts.length - 1];
      if (!part || part.room < cost) {
        part = { functions: [], logGroups: [], room: PART_BUDGET };
        parts.push(part);
      }
      part.functions.push(...r.functions);
      part.logGroups.push(...r.logGroups);
      part.room -= cost;
    }
    return parts;
  }

  private materialize(): void {
    if (this.materialized) return;
    this.materialized = true;
    const targets = this.registry.all;
    if (this.registry.mode === 'EXACT') {
      this.exactParts(targets).forEach((part, i) => {
        const statements: iam.PolicyStatement[] = [];
        if (part.functions.length) statements.push(new iam.PolicyStatement({ sid: 'TargetFunctionsOnly', actions: this.props.functionActions!, resources: part.functions }));
        if (part.logGroups.length) statements.push(new iam.PolicyStatement({ sid: 'TargetLogGroupsOnly', actions: this.props.logActions!, resources: part.logGroups }));
        const resources = [...part.functions, ...part.logGroups];
        this.policy(`Part${i + 1}`, statements, wildcardResourceFindings(this, resources),
          'Log-event reads name each target log group; the trailing :* is how IAM addresses the streams of exactly that log group, not a wildcard over groups.');
      });
      return;
    }
    // TAG mode: one condition-scoped statement for the functions, the Lambda log groups by prefix.
    const statements: iam.PolicyStatement[] = [];
    const resources: string[] = [];
    const { key, value } = this.registry.tag;
    if (this.props.functionActions?.length) {
      const anyFunction = Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
      statements.push(new iam.PolicyStatement({
        sid: 'TaggedFunctionsOnly',
        actions: this.props.functionActions,
        resources: [anyFunction],
        conditions: { StringEquals: { [`aws:ResourceTag/${key}`]: value } },
      }));
      resources.push(anyFunction);
    }
    if (this.props.logActions?.length) {
      // `/aws/lambda/<name>` keeps its literal prefix even when the name is a token.
      const custom = [...new Set(targets.map((t) => t.logGroupName).filter((n) => !n.startsWith('/aws/lambda/')))];
      const logResources = [logGroupArn(this, '/aws/lambda/*'), ...custom.map((n) => logGroupArn(this, n))];
      statements.push(new iam.PolicyStatement({ sid: 'LambdaLogGroups', actions: this.props.logActions, resources: logResources }));
      resources.push(...logResources);
    }
    this.policy('ByTag', statements, deliberateWildcardFindings(this, resources), `Lambda rights are limited by the condition aws:ResourceTag/${key} = ${value} (IAM quotas do not allow naming every function); log reads cover this account's and region's Lambda log groups (/aws/lambda/*) and name each custom log group.`);
  }

  /** One managed policy; `findings` are the cdk-nag IAM5 findings its reason acknowledges, exactly. */
  private policy(id: string, statements: iam.PolicyStatement[], findings: string[], reason: string): void {
    const policy = new iam.ManagedPolicy(this, id, {
      description: `lambda-auto-remediation: rights on the managed functions (${this.node.id} ${id})`,
      roles: [this.props.role],
      document: new iam.PolicyDocument({ statements }),
    });
    if (findings.length > 0) suppressNag(policy, [{ id: 'AwsSolutions-IAM5', reason, findings }]);
  }
}

/**
 * A function as the grants see it. The unqualified function ARN covers the configuration reads
 * and updates of `$LATEST`; an alias needs its own ARN. A function imported by a qualified ARN
 * (`...:function:name:alias`) is granted its unqualified ARN too, which the configuration calls
 * on `$LATEST` are authorized against
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
 */
export function targetResourcesOf(fn: lambda.IFunction, logGroupName: string, alias?: lambda.IAlias): TargetResources {
  const arns = [fn.functionArn];
  const qualified = !Token.isUnresolved(fn.functionArn) && /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+:.+$/.test(fn.functionArn);
  if (qualified) arns.unshift(fn.functionArn.replace(/:[^:]+$/, ''));
  if (alias) arns.push(alias.functionArn);
  return {
    functionArns: [...new Set(arns)],
    logGroupName,
    imported: !(fn instanceof lambda.Function),
    path: fn.node.path,
  };
}

/** ARN of a log group as IAM expects it for log-event reads and queries (the `:*` form). */
export function logGroupArn(scope: IConstruct, logGroupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Length of an ARN once deployed, at most: literal parts as they are, a pseudo parameter at its
 * longest (`aws-us-gov`, `ap-southeast-2`, an account id), anything else as a 130-character ARN.
 */
function estimateLength(scope: IConstruct, arn: string): number {
  if (!Token.isUnresolved(arn)) return arn.length;
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (!join || join[0] !== '') return TOKEN_ARN_LENGTH;
  let length = 0;
  for (const part of join[1]) {
    if (typeof part === 'string') length += part.length;
    else if (PSEUDO_LENGTH[(part as { Ref?: string })?.Ref ?? ''] !== undefined) length += PSEUDO_LENGTH[(part as { Ref: string }).Ref];
    else return TOKEN_ARN_LENGTH;
  }
  return length;
}

const PSEUDO_LENGTH: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 16 };

function defaultTagValue(scope: IConstruct): string {
  return `LambdaAutoRemediation-${scope.node.addr.slice(0, 12)}`;
}
