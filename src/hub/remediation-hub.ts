import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_HUB_BUS_NAME, DEFAULT_SPOKE_ALARM_PREFIX, DEFAULT_SPOKE_ROLE_PREFIX, DEFAULT_SPOKE_TAG_KEY, HUB_ENV } from './hub-contract';
import { InvalidRemediationPolicyError } from '../workflow/construct-errors';
import { deliberateWildcardFindings, suppressNag } from '../workflow/handler-support';
import { RemediationWorkflow } from '../workflow/remediation-workflow';
import { alarmRulePattern } from '../workflow/routing';

/**
 * The central account and region of a multi-account, multi-region deployment: `AutoRemediation`
 * with this option runs the workflow, the records, the notifications and the dashboard for every
 * spoke (`RemediationSpoke`) that forwards its alarms here.
 */
export interface HubOptions {
  /**
   * The AWS Organizations id (`o-...`): every account of the organization may put events on the
   * hub's event bus (condition `aws:PrincipalOrgID`). Without `accounts`, the hub acts for every
   * account of the organization.
   *
   * @default - none: only the `accounts` may put events
   */
  readonly organizationId?: string;

  /**
   * The spoke accounts the hub acts for; each may put events on the hub's event bus. With
   * `organizationId` too, the whole organization may put events, but an alarm from an account not
   * listed here is rejected: recorded and notified as NOT_ADMITTED, nothing read or changed.
   *
   * @default - none: every account of `organizationId`
   */
  readonly accounts?: string[];

  /**
   * Name of the hub's event bus (spokes forward their alarms to it).
   *
   * @default 'lambda-auto-remediation-hub'
   */
  readonly eventBusName?: string;

  /**
   * The spokes' alarm name prefix (`RemediationSpoke`'s `alarmNamePrefix`).
   *
   * @default RemediationSpoke.DEFAULT_ALARM_NAME_PREFIX
   */
  readonly spokeAlarmNamePrefix?: string;

  /**
   * The spokes' access role name prefix (`RemediationSpoke`'s `roleNamePrefix`); the hub assumes
   * `arn:aws:iam::<account>:role/<prefix>-<region>`.
   *
   * @default RemediationSpoke.DEFAULT_ROLE_NAME_PREFIX
   */
  readonly spokeRoleNamePrefix?: string;

  /**
   * The tag key a spoke function carries when it is managed (the spoke's `monitoring.fleet.tagKey`
   * in fleet mode).
   *
   * @default 'LambdaAutoRemediation'
   */
  readonly spokeTagKey?: string;

  /**
   * The tag value a spoke function carries when it is managed.
   *
   * @default - the spoke alarm name prefix (the spoke's default)
   */
  readonly spokeTagValue?: string;
}

/** Properties of {@link RemediationHub}. */
export interface RemediationHubProps extends HubOptions {
  /** The workflow the forwarded alarms start. */
  readonly workflow: RemediationWorkflow;

  /**
   * The handlers that act in a spoke (normalize, collect, repair, rollback, verify): each may
   * assume the spokes' access roles and learns the hub's settings from its environment.
   */
  readonly spokeHandlers: lambda.IFunction[];
}

/**
 * The hub's own resources: the event bus the spokes forward their alarms to (its policy admits
 * the organization and/or the listed accounts), the rule that starts the workflow from it, and
 * the right of the handlers that act in a spoke to assume the spoke's access role (only that role,
 * in the admitted accounts). Created by `AutoRemediation` when `hub` is given.
 */
export class RemediationHub extends Construct {
  /** The bus the spokes forward their alarm events to. */
  public readonly eventBus: events.IEventBus;
  /** The rule that starts a run for each forwarded alarm event. */
  public readonly rule: events.IRule;

  constructor(scope: Construct, id: string, props: RemediationHubProps) {
    super(scope, id);
    const accounts = props.accounts ?? [];
    if (!props.organizationId && accounts.length === 0) {
      throw new InvalidRemediationPolicyError('hub needs organizationId or accounts: nobody could put events on its bus');
    }
    for (const a of accounts) {
      if (!Token.isUnresolved(a) && !/^\d{12}$/.test(a)) throw new InvalidRemediationPolicyError(`hub accounts must be 12-digit account ids, got '${a}'`);
    }
    if (props.organizationId && !Token.isUnresolved(props.organizationId) && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      throw new InvalidRemediationPolicyError(`hub organizationId must look like o-xxxxxxxxxx, got '${props.organizationId}'`);
    }
    const alarmPrefix = props.spokeAlarmNamePrefix ?? DEFAULT_SPOKE_ALARM_PREFIX;
    const rolePrefix = props.spokeRoleNamePrefix ?? DEFAULT_SPOKE_ROLE_PREFIX;

    const bus = new events.EventBus(this, 'Bus', { eventBusName: props.eventBusName ?? DEFAULT_HUB_BUS_NAME });
    this.eventBus = bus;
    // Event bus permissions (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html):
    // another account's rule may put events here only as this policy allows; an organization is
    // admitted with the aws:PrincipalOrgID condition.
    if (accounts.length > 0) {
      bus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'SpokeAccountsPutEvents',
        principals: accounts.map((a) => new iam.AccountPrincipal(a)),
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
      }));
    }
    if (props.organizationId) {
      bus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'OrganizationPutEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }));
    }

    // Every account the bus admits: no `account` filter, so an alarm from an account the hub does
    // not act for still reaches normalize, which records why it is not acted on.
    const pattern = alarmRulePattern({
      account: Aws.ACCOUNT_ID,
      functionAlarmNamePrefix: `${alarmPrefix}-fn-`,
      memoryAlarmNamePrefix: `${alarmPrefix}-mem-`,
      fleetAlarmNamePrefix: `${alarmPrefix}-fleet-`,
      alarmNames: [],
    });
    this.rule = props.workflow.routeAlarmEvents('SpokeAlarmRule', bus, {
      source: pattern.source as string[],
      detailType: pattern['detail-type'] as string[],
      detail: pattern.detail as Record<string, unknown>,
    });

    // The spoke roles the handlers may assume: in the listed accounts, else in the organization.
    const spokeRoles = accounts.length > 0
      ? accounts.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${rolePrefix}-*`)
      : [`arn:${Aws.PARTITION}:iam::*:role/${rolePrefix}-*`];
    const assume = new iam.PolicyStatement({
      sid: 'AssumeSpokeAccessRoles',
      actions: ['sts:AssumeRole'],
      resources: spokeRoles,
      ...(accounts.length === 0 ? { conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId! } } } : {}),
    });
    const policy = new iam.Policy(this, 'AssumeSpokeRoles', { statements: [assume] });
    const home = Stack.of(this).account;
    const environment: Record<string, string> = {
      [HUB_ENV.HOME_ACCOUNT]: home,
      [HUB_ENV.ADMITTED_ACCOUNTS]: accounts.length > 0 ? accounts.join(',') : '*',
      [HUB_ENV.SPOKE_ROLE_PREFIX]: rolePrefix,
      [HUB_ENV.SPOKE_ALARM_PREFIX]: alarmPrefix,
      [HUB_ENV.SPOKE_TAG]: `${props.spokeTagKey ?? DEFAULT_SPOKE_TAG_KEY}=${props.spokeTagValue ?? alarmPrefix}`,
    };
    for (const fn of props.spokeHandlers) {
      if (fn.role) policy.attachToRole(fn.role);
      if (!(fn instanceof lambda.Function)) throw new InvalidRemediationPolicyError(`the hub needs the handlers this construct creates, got ${fn.node.path}`);
      for (const [k, v] of Object.entries(environment)) fn.addEnvironment(k, v);
    }
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The handlers assume the spokes\' access role, named <prefix>-<region> in each admitted account (one role per region the spoke stack is deployed to); nothing else.',
      findings: deliberateWildcardFindings(this, spokeRoles),
    }]);
  }
}
