/**
 * The spokes of a hub scenario: each spoke account and region is a simulated account of its own
 * (its functions, metrics, logs and alarms, on the hub's virtual clock), deployed from the
 * synthesized `RemediationSpoke` stack. What crosses accounts follows the AWS pages below, and
 * every cross-account permission is decided by the IAM evaluator on the synthesized templates:
 *
 * - Alarm events: the spoke's rule on its default bus matches the alarm's state change and sends
 *   it to the hub's bus, an event bus target in another account and region. EventBridge assumes the
 *   rule's role (its trust policy must admit `events.amazonaws.com`) and calls PutEvents with it;
 *   "with a resource-based policy, you can allow PutEvents ... calls from another account", and
 *   "IAM conditions in the policy [can] grant permissions to an organization"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html). The
 *   request carries `aws:PrincipalOrgID`, the only condition key a bus policy condition supports
 *   for organizations (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Condition.html).
 *   The role's identity policy and the bus policy must both allow it (cross-account evaluation).
 *   The event keeps its `account` and `region`: it is the spoke's event, on the hub's bus.
 * - Calls of the hub's handlers: a client built with the credentials of an STS AssumeRole
 *   (sts-service.ts) in the spoke's region is served by the spoke, and authorized there as the
 *   assumed role (its policies from the spoke's template). A client with the handler's own
 *   credentials is served by the hub account in its region; no account answers a region it does
 *   not have.
 *
 * Not modelled: EventBridge's own retries and dead-letter queues for cross-account delivery,
 * cross-region delivery delay, the event bus's `events:source` / `events:detail-type` condition
 * keys, SCPs and RCPs of the organization.
 */
import { SimulatedAccount, WorkloadChange } from './account/account';
import { AlarmTransition } from './account/cloudwatch-service';
import { AccessGate, authorizeCrossAccount, IamAuthorizer } from './account/iam';
import { StsService } from './account/sts-service';
import { busNameOf } from './event-bus';
import { matchesPattern } from './event-pattern';
import { SeededRandom } from './random';
import { Scenario, ScenarioSpoke } from './scenario';
import { spokeStackName, synthesizeSpokeTemplate } from './stack';
import { CfnTemplate, TemplateResolver, TemplateRule } from './template';

const MINUTE = 60_000;

/** One spoke as the run sees it. */
export interface SpokeRun {
  readonly account: string;
  readonly region: string;
  readonly organizationId?: string;
  readonly spec: ScenarioSpoke;
  readonly sim: SimulatedAccount;
  readonly resolver: TemplateResolver;
  readonly authorizer: IamAuthorizer;
  readonly gate?: AccessGate;
  readonly rules: TemplateRule[];
  /** Alarm events its rule delivered to the hub's bus. */
  forwarded: number;
  /** Alarm events IAM refused on the way (the rule's role, or the hub's bus policy), with why. */
  readonly refused: Array<{ at: string; alarmName: string; reason: string }>;
  readonly transitions: AlarmTransition[];
}

/** What the world needs of the hub. */
export interface HubSide {
  readonly sim: SimulatedAccount;
  readonly resolver: TemplateResolver;
  readonly authorizer?: IamAuthorizer;
  readonly organizationId?: string;
}

export class SpokeWorld {
  /** Synthesize and build every spoke of the scenario. */
  public static create(
    scenario: Scenario, hub: HubSide, start: number, evaluate: boolean,
    change?: (template: CfnTemplate, spoke: { account: string; region: string }) => CfnTemplate,
  ): SpokeWorld {
    const spokes: SpokeRun[] = (scenario.spokes ?? []).map((spec, i) => {
      const synthesized = synthesizeSpokeTemplate(scenario, spec);
      const template = change ? change(synthesized, { account: spec.account, region: spec.region }) : synthesized;
      const resolver = new TemplateResolver(template, spokeStackName(spec), { account: spec.account, region: spec.region });
      const authorizer = IamAuthorizer.fromTemplate(resolver);
      const tags = new Map(resolver.functions().map((f) => [f.functionName, f.tags]));
      const changes: WorkloadChange[] = spec.functions.flatMap((f) => (f.incidents ?? []).map((inc) => ({
        functionName: f.functionName, at: start + inc.atMinute * MINUTE, workload: inc.workload,
      })));
      const sim = new SimulatedAccount({
        start,
        seed: (scenario.seed ?? 42) + 1000 * (i + 1),
        account: spec.account,
        region: spec.region,
        world: { clock: hub.sim.clock, scheduler: hub.sim.scheduler },
        functions: spec.functions.map((f) => ({
          functionName: f.functionName,
          runtime: f.runtime,
          memorySizeMb: f.memorySizeMb,
          timeoutSeconds: f.timeoutSeconds,
          architecture: f.architecture,
          environment: f.environment,
          logFormat: f.logFormat,
          workload: f.workload,
          tags: tags.get(f.functionName),
        })),
        changes,
        authorize: (req) => authorizer.authorize(req),
      });
      let gate: AccessGate | undefined;
      if (evaluate) {
        gate = new AccessGate(authorizer, {
          now: () => sim.clock.nowIso(),
          beginIo: () => sim.scheduler.beginIo(),
          functionTags: (name) => sim.lambda.all().find((f) => f.spec.functionName === name)?.spec.tags,
        });
        sim.useAuthorization(gate);
      }
      return {
        account: spec.account,
        region: spec.region,
        organizationId: spec.organizationId,
        spec,
        sim,
        resolver,
        authorizer,
        gate,
        rules: resolver.rules(),
        forwarded: 0,
        refused: [],
        transitions: [],
      };
    });
    return new SpokeWorld(spokes, hub, scenario, evaluate);
  }

  public readonly sts: StsService;

  private constructor(public readonly spokes: SpokeRun[], private readonly hub: HubSide, scenario: Scenario, private readonly evaluate: boolean) {
    const org = new Map<string, string | undefined>([
      [hub.sim.accountId, hub.organizationId],
      ...spokes.map((s) => [s.account, s.organizationId] as [string, string | undefined]),
    ]);
    this.sts = new StsService({
      clock: hub.sim.clock,
      random: new SeededRandom((scenario.seed ?? 42) + 0x575),
      home: { account: hub.sim.accountId, authorizer: hub.authorizer ?? spokes[0].authorizer },
      accounts: spokes.map((s) => ({ account: s.account, authorizer: s.authorizer })),
      organizationOf: (a) => org.get(a),
      evaluate: evaluate && !!hub.authorizer,
    });
  }

  /**
   * Which account serves a call of `client`: the account of the credentials it holds (an assumed
   * spoke role, else the hub's own) in the region it was built for.
   */
  public readonly router = async (client: object): Promise<{ account: SimulatedAccount; assumedRole?: string }> => {
    const config = (client as { config: { region: () => Promise<string>; credentials: () => Promise<{ accessKeyId?: string }> } }).config;
    const region = await config.region();
    const credentials = await config.credentials();
    const session = this.sts.sessionOf(credentials?.accessKeyId);
    const account = session?.account ?? this.hub.sim.accountId;
    const as = session ? { assumedRole: session.roleArn } : {};
    if (account === this.hub.sim.accountId && region === this.hub.sim.region) return { account: this.hub.sim, ...as };
    const spoke = this.spokes.find((s) => s.account === account && s.region === region);
    if (!spoke) {
      const e = new Error(`the simulated world has no account ${account} in ${region} (the credentials are ${session ? `of ${session.roleArn}` : 'the handler\'s own'})`);
      e.name = session ? 'UnrecognizedClientException' : 'AccessDeniedException';
      throw e;
    }
    return { account: spoke.sim, ...(session ? { assumedRole: session.roleArn } : {}) };
  };

  /** Deploy each spoke's alarms through the Put APIs' checks (a rejection fails the deploy). */
  public async deploy(): Promise<string[]> {
    const notes: string[] = [];
    for (const s of this.spokes) {
      const alarms = s.resolver.alarms();
      notes.push(...alarms.skipped.map((n) => `spoke ${s.account}/${s.region}: ${n}`));
      await s.sim.deployAlarms(alarms);
    }
    return notes;
  }

  /** Run every spoke's workloads up to `t`; their alarm transitions, in order per spoke. */
  public runUntil(t: number): Array<{ spoke: SpokeRun; transition: AlarmTransition }> {
    const out: Array<{ spoke: SpokeRun; transition: AlarmTransition }> = [];
    for (const s of this.spokes) {
      const happened = s.sim.runUntil(t);
      s.transitions.push(...happened);
      out.push(...happened.map((transition) => ({ spoke: s, transition })));
    }
    return out;
  }

  /**
   * The spoke's default bus: every rule whose pattern matches sends the event to its event bus
   * target, if IAM lets the rule's role put it there; `deliver` puts it on the hub's bus.
   */
  public async forward(
    spoke: SpokeRun, event: Record<string, unknown>, deliver: (event: Record<string, unknown>, busName: string) => void,
  ): Promise<void> {
    const alarmName = String((event.detail as { alarmName?: unknown } | undefined)?.alarmName ?? '');
    for (const rule of spoke.rules.filter((r) => busNameOf(r.eventBusName) === 'default' && matchesPattern(r.eventPattern, event))) {
      for (const target of rule.targets.filter((x) => /:event-bus\//.test(x.arn))) {
        const refusal = await this.refusal(spoke, target.arn, target.roleArn);
        if (refusal) {
          spoke.refused.push({ at: spoke.sim.clock.nowIso(), alarmName, reason: refusal });
          continue;
        }
        const [, , , region, account] = target.arn.split(':');
        if (account !== this.hub.sim.accountId || region !== this.hub.sim.region) {
          spoke.refused.push({ at: spoke.sim.clock.nowIso(), alarmName, reason: `no simulated bus ${target.arn}` });
          continue;
        }
        spoke.forwarded++;
        deliver(event, target.arn);
      }
    }
  }

  /** Why the rule's role may not put events on the bus, or undefined when it may. */
  private async refusal(spoke: SpokeRun, busArn: string, roleArn: string | undefined): Promise<string | undefined> {
    if (!roleArn) return 'the rule\'s event bus target has no role';
    if (!this.evaluate) return undefined;
    const assume = await spoke.authorizer.authorizeAssumeRole({ principal: 'events.amazonaws.com', roleArn });
    if (!assume.allowed) return `events.amazonaws.com may not assume ${roleArn}: ${assume.explanation ?? assume.result}`;
    const busAccount = busArn.split(':')[4];
    const put = await authorizeCrossAccount({
      principalArn: roleArn,
      principalAccount: spoke.account,
      identityPolicies: spoke.authorizer.identityPoliciesOf(roleArn) ?? [],
      action: 'events:PutEvents',
      resource: busArn,
      resourceAccount: busAccount,
      resourcePolicy: busAccount === this.hub.sim.accountId ? busPolicy(this.hub.resolver, busArn) : undefined,
      ...(spoke.organizationId ? { context: { 'aws:PrincipalOrgID': spoke.organizationId } } : {}),
    });
    return put.allowed ? undefined : `events:PutEvents on ${busArn} denied: ${put.explanation ?? put.result}`;
  }
}

/**
 * The resource policy of an event bus of the template: its `AWS::Events::EventBusPolicy`
 * statements (and a `Policy` property on the bus itself), as one policy document.
 */
export function busPolicy(resolver: TemplateResolver, busArn: string): unknown {
  const name = busNameOf(busArn);
  const statements: unknown[] = [];
  for (const [id, r] of resolver.resourcesOfType('AWS::Events::EventBus')) {
    if (resolver.physicalName(id) !== name) continue;
    const p = resolver.resolve(r.Properties ?? {}) as { Policy?: { Statement?: unknown[] } | string };
    const doc = typeof p.Policy === 'string' ? JSON.parse(p.Policy) as { Statement?: unknown[] } : p.Policy;
    statements.push(...(doc?.Statement ?? []));
  }
  for (const [, r] of resolver.resourcesOfType('AWS::Events::EventBusPolicy')) {
    const p = resolver.resolve(r.Properties ?? {}) as { EventBusName?: string; Statement?: unknown };
    if (busNameOf(p.EventBusName) !== name) continue;
    if (p.Statement) statements.push(p.Statement);
  }
  return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}
