/**
 * AWS STS of a simulated world of several accounts: `AssumeRole` of a role of another account
 * (a hub handler assuming a spoke's access role), and the temporary credentials it returns, by
 * which the world knows later who makes a call (the router in hub-spoke.ts).
 *
 * Follows https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: the role's
 * trust policy must name the caller (its account or its ARN), and "if the trusted principal is in
 * another account, the principal's identity-based policy must also allow sts:AssumeRole on the
 * role" (cross-account evaluation:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 * Both are decided by the IAM evaluator (iam.ts `authorizeCrossAccount`) on the synthesized
 * templates: the caller's role policies from the hub's template, the trust policy from the spoke's.
 * The answer for a role that does not exist is AccessDenied, as STS gives it.
 *
 * Not modelled: session policies, session tags, `sts:ExternalId`, MFA, `DurationSeconds` other
 * than the default 3,600 s, regional STS endpoints, role chaining limits.
 */
import { currentCaller } from './caller';
import { authorizeCrossAccount, IamAuthorizer, IamDecision } from './iam';
import { accessDeniedError } from './iam-requests';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

/** A role a caller may assume: its account's authorizer knows its trust policy. */
export interface AssumableRoles {
  readonly account: string;
  readonly authorizer: IamAuthorizer;
}

/** One AssumeRole the service answered, for the report. */
export interface AssumeRoleRecord {
  readonly at: string;
  readonly caller: string;
  readonly roleArn: string;
  readonly allowed: boolean;
  readonly reason?: string;
}

/** Who holds a set of temporary credentials. */
export interface StsSession {
  readonly roleArn: string;
  readonly account: string;
}

export interface StsServiceOptions {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  /** The account of the handlers (the hub) and its authorizer: the caller's role policies. */
  readonly home: AssumableRoles;
  /** The accounts whose roles may be assumed. */
  readonly accounts: AssumableRoles[];
  /** Organization of each account (`aws:PrincipalOrgID` of a caller from it). */
  readonly organizationOf?: (account: string) => string | undefined;
  /** Authorize with the evaluator; without it every AssumeRole of an existing role is allowed (iam off). */
  readonly evaluate?: boolean;
}

/** Lifetime of the credentials (AssumeRole's default `DurationSeconds`). */
const SESSION_MS = 3600_000;

export class StsService {
  public readonly records: AssumeRoleRecord[] = [];
  private readonly sessions = new Map<string, StsSession>();

  constructor(private readonly options: StsServiceOptions) {}

  /** Who the credentials with this access key id belong to. */
  public sessionOf(accessKeyId: string | undefined): StsSession | undefined {
    return accessKeyId ? this.sessions.get(accessKeyId) : undefined;
  }

  public async assumeRole(input: unknown): Promise<unknown> {
    const { RoleArn, RoleSessionName } = (input ?? {}) as { RoleArn?: string; RoleSessionName?: string };
    if (!RoleArn || !RoleSessionName) throw named('ValidationError', 'RoleArn and RoleSessionName are required');
    const caller = currentCaller();
    const callerRole = caller ? this.options.home.authorizer.roleOfFunction(caller.functionArn) : undefined;
    const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(RoleArn)?.[1];
    const owner = this.options.accounts.find((a) => a.account === account);
    const who = callerRole ?? caller?.functionName ?? 'operator';
    const decision: IamDecision = await this.decide(callerRole, RoleArn, owner);
    const reason = decision.allowed ? {} : { reason: decision.explanation };
    this.records.push({ at: this.options.clock.nowIso(), caller: who, roleArn: RoleArn, allowed: decision.allowed, ...reason });
    if (!decision.allowed) {
      throw accessDeniedError('STS', `User: ${who} is not authorized to perform: sts:AssumeRole on resource: ${RoleArn} ${decision.explanation ?? ''}`.trim());
    }
    const accessKeyId = `ASIA${this.options.random.uuid().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    this.sessions.set(accessKeyId, { roleArn: RoleArn, account: account! });
    const roleName = RoleArn.split('/').pop();
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: this.options.random.uuid(),
        SessionToken: this.options.random.uuid(),
        Expiration: new Date(this.options.clock.now() + SESSION_MS),
      },
      AssumedRoleUser: {
        AssumedRoleId: `AROA${accessKeyId.slice(4)}:${RoleSessionName}`,
        Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${RoleSessionName}`,
      },
    };
  }

  private async decide(callerRole: string | undefined, roleArn: string, owner: AssumableRoles | undefined): Promise<IamDecision> {
    const trust = owner?.authorizer.trustPolicyOf(roleArn);
    if (!owner || trust === undefined) return { allowed: false, result: 'ImplicitlyDenied', explanation: `because no role ${roleArn} exists` };
    if (this.options.evaluate === false) return { allowed: true, result: 'Allowed' };
    if (!callerRole) return { allowed: false, result: 'Error', explanation: 'because the caller has no execution role in the template' };
    const home = this.options.home;
    const org = this.options.organizationOf?.(home.account);
    return authorizeCrossAccount({
      principalArn: callerRole,
      principalAccount: home.account,
      identityPolicies: home.authorizer.identityPoliciesOf(callerRole) ?? [],
      action: 'sts:AssumeRole',
      resource: roleArn,
      resourceAccount: owner.account,
      resourcePolicy: trust,
      ...(org ? { context: { 'aws:PrincipalOrgID': org } } : {}),
    });
  }
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
