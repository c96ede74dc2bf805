import { ArnFormat, Aws, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_HUB_BUS_NAME, DEFAULT_SPOKE_ALARM_PREFIX, DEFAULT_SPOKE_ROLE_PREFIX, DEFAULT_SPOKE_TAG_KEY, spokeRoleName } from './hub-contract';
import { MonitoredFunctionOptions, MonitoringOptions } from '../monitoring/monitoring-options';
import { logGroupNameOf, RemediationMonitoring } from '../monitoring/remediation-monitoring';
import { InvalidRemediationPolicyError } from '../workflow/construct-errors';
import { deliberateWildcardFindings, suppressNag } from '../workflow/handler-support';
import { alarmRulePattern } from '../workflow/routing';
import { TargetAccess, targetResourcesOf, TargetRegistry } from '../workflow/target-access';

/** Properties of {@link RemediationSpoke}. */
export interface RemediationSpokeProps {
  /**
   * The hub's AWS account id: the only account whose principals may assume the spoke's access
   * role, and the owner of the event bus the alarms are forwarded to. In a StackSet template,
   * pass a `CfnParameter`'s `valueAsString`.
   */
  readonly hubAccount: string;

  /** The hub's region (where its event bus is). */
  readonly hubRegion: string;

  /**
   * Name of the hub's event bus.
   *
   * @default 'lambda-auto-remediation-hub' (the hub's default)
   */
  readonly hubEventBusName?: string;

  /**
   * The functions of this account and region to watch and let the hub repair. Functions defined
   * in the app are tagged `LambdaAutoRemediation=<alarmNamePrefix>` (the hub only acts on tagged
   * functions); imported ones must carry that tag.
   *
   * @default - none; then `monitoring.fleet` must select functions by tag
   */
  readonly functions?: lambda.IFunction[];

  /**
   * Which alarms, with which thresholds. `alarmNamePrefix` here is ignored: the spoke's own
   * `alarmNamePrefix` names every alarm, as the hub expects. With `fleet`, the fleet's tag is the
   * management tag (give the hub the same `spokeTagKey` / `spokeTagValue`).
   *
   * @default - errors, duration and memory-utilisation alarms with their documented defaults
   */
  readonly monitoring?: MonitoringOptions;

  /**
   * The start of every alarm name in the spoke; the hub routes and reads alarms by it. Must
   * equal the hub's `spokeAlarmNamePrefix`.
   *
   * @default RemediationSpoke.DEFAULT_ALARM_NAME_PREFIX
   */
  readonly alarmNamePrefix?: string;

  /**
   * Name prefix of the access role; the role is named `<prefix>-<region>` (IAM role names are
   * global to an account, and a StackSet deploys the same template to several regions). Must
   * equal the hub's `spokeRoleNamePrefix`.
   *
   * @default RemediationSpoke.DEFAULT_ROLE_NAME_PREFIX
   */
  readonly roleNamePrefix?: string;
}

/**
 * The part of lambda-auto-remediation that lives in each account and region a hub manages: the
 * alarms on that account's functions, an EventBridge rule forwarding their state changes to the
 * hub's event bus, and the access role the hub assumes to read the functions' telemetry
 * (CloudWatch metrics and alarms, their log groups) and change their memory — on exactly these
 * functions, as the single-stack grants do (by name, or by the management tag past IAM's quotas
 * or in fleet mode).
 *
 * Put it in a stack of its own. It contains no Lambda function and no asset, so the synthesized
 * template can be deployed with plain CloudFormation or a CloudFormation StackSet across an AWS
 * Organization (with the hub's account and region as parameters and `fleet` monitoring, since
 * the functions differ from account to account).
 *
 * @example
 * new RemediationSpoke(spokeStack, 'Spoke', {
 *   hubAccount: '111122223333',
 *   hubRegion: 'eu-west-1',
 *   functions: [ordersFn],
 * });
 */
export class RemediationSpoke extends Construct {
  /** Default alarm name prefix of a spoke (and of the hub's `spokeAlarmNamePrefix`). */
  public static readonly DEFAULT_ALARM_NAME_PREFIX = DEFAULT_SPOKE_ALARM_PREFIX;
  /** Default name prefix of the spoke's access role (and of the hub's `spokeRoleNamePrefix`). */
  public static readonly DEFAULT_ROLE_NAME_PREFIX = DEFAULT_SPOKE_ROLE_PREFIX;

  /**
   * The access role's name in `region`: `<roleNamePrefix>-<region>`.
   *
   * @param region the spoke's region
   * @param roleNamePrefix the prefix the spoke was given (default {@link RemediationSpoke.DEFAULT_ROLE_NAME_PREFIX})
   */
  public static roleNameFor(region: string, roleNamePrefix?: string): string {
    return spokeRoleName(roleNamePrefix ?? DEFAULT_SPOKE_ROLE_PREFIX, region);
  }

  /** Alarms on the spoke's functions. */
  public readonly monitoring: RemediationMonitoring;
  /** The role the hub assumes (named `<roleNamePrefix>-<region>`). */
  public readonly accessRole: iam.IRole;
  /** The rule that forwards the alarms' state changes to the hub's event bus. */
  public readonly forwardRule: events.IRule;
  /** The management tag the hub checks before it acts on a function. */
  public readonly tagKey: string;
  /** Value of the management tag. */
  public readonly tagValue: string;

  private readonly targetRegistry: TargetRegistry;
  private readonly functionAccess: TargetAccess;
  private readonly managed: lambda.IFunction[] = [];

  constructor(scope: Construct, id: string, props: RemediationSpokeProps) {
    super(scope, id);
    if ((props.functions ?? []).length === 0 && !props.monitoring?.fleet) {
      throw new InvalidRemediationPolicyError('functions is empty and monitoring.fleet is not set: give the functions to manage, or a tag that selects them');
    }
    if (!Token.isUnresolved(props.hubAccount) && !/^\d{12}$/.test(props.hubAccount)) {
      throw new InvalidRemediationPolicyError(`hubAccount must be a 12-digit account id, got '${props.hubAccount}'`);
    }
    // A StackSet provisions "stacks across AWS accounts and Regions from a single CloudFormation
    // template ... customize individual stacks using parameters"
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html):
    // one template, no per-account synthesis and no asset staging, so nothing here may need an
    // asset, and everything account-specific comes from pseudo parameters or the props' tokens.
    const stack = Stack.of(this);
    const prefix = props.alarmNamePrefix ?? DEFAULT_SPOKE_ALARM_PREFIX;
    const fleet = props.monitoring?.fleet;
    this.tagKey = fleet?.tagKey ?? DEFAULT_SPOKE_TAG_KEY;
    this.tagValue = fleet?.tagValue ?? prefix;
    this.targetRegistry = TargetRegistry.create(this, () => ({ key: this.tagKey, value: this.tagValue }));
    this.monitoring = new RemediationMonitoring(this, 'Monitoring', { ...props.monitoring, alarmNamePrefix: prefix });
    if (fleet) this.targetRegistry.forceTagMode();

    const role = new iam.Role(this, 'AccessRole', {
      roleName: spokeRoleName(props.roleNamePrefix ?? DEFAULT_SPOKE_ROLE_PREFIX, stack.region),
      // The hub account's principals, each only as far as its own policies allow sts:AssumeRole
      // on this role (the hub grants that to its handlers only).
      assumedBy: new iam.AccountPrincipal(props.hubAccount),
      description: 'lambda-auto-remediation: the hub reads the managed functions\' telemetry and changes their memory',
    });
    this.accessRole = role;
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadSpokeAlarms',
      actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmContributors'],
      resources: [alarms],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadMetrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    suppressNag(role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'cloudwatch:GetMetricData takes no resource-level permission; alarm reads name this spoke\'s alarm-name prefix (prefix-*), not every alarm of the account.',
      findings: ['Resource::*', ...deliberateWildcardFindings(this, [alarms])],
    }]);
    // The rights of the hub's normalize, collect, repair, rollback and verify on the targets, in one role.
    this.functionAccess = new TargetAccess(this, 'TargetAccess', {
      role,
      functionActions: [
        'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion',
        'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:ListTags',
      ],
      logActions: ['logs:FilterLogEvents'],
    });

    // Cross-account and cross-Region event bus targets: the rule's role needs events:PutEvents on
    // the hub's bus; the hub's bus policy must admit this account
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html).
    const busName = props.hubEventBusName ?? DEFAULT_HUB_BUS_NAME;
    const hubBus = events.EventBus.fromEventBusArn(this, 'HubBus',
      `arn:${Aws.PARTITION}:events:${props.hubRegion}:${props.hubAccount}:event-bus/${busName}`);
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'lambda-auto-remediation: forwards the spoke\'s alarm events to the hub\'s event bus',
    });
    const pattern = alarmRulePattern({
      account: stack.account,
      functionAlarmNamePrefix: this.monitoring.functionAlarmNamePrefix,
      memoryAlarmNamePrefix: this.monitoring.memoryAlarmNamePrefix,
      fleetAlarmNamePrefix: this.monitoring.fleetAlarmNamePrefix,
      alarmNames: [],
    });
    this.forwardRule = new events.Rule(this, 'ForwardRule', {
      description: 'Forwards alarm state changes of the managed Lambda functions to the lambda-auto-remediation hub',
      eventPattern: {
        source: pattern.source as string[],
        account: pattern.account as string[],
        detailType: pattern['detail-type'] as string[],
        detail: pattern.detail as Record<string, unknown>,
      },
      targets: [new targets.EventBus(hubBus, { role: forwardRole })],
    });

    for (const fn of props.functions ?? []) this.addFunction(fn);
  }

  /** Every alarm that forwards to the hub. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.monitoring.alarms;
  }

  /** The managed functions, in the order they were added. */
  public get functions(): lambda.IFunction[] {
    return [...this.managed];
  }

  /** Watch one more function of this account and region, and let the hub repair it. */
  public addFunction(fn: lambda.IFunction, options: MonitoredFunctionOptions = {}): void {
    if (this.managed.includes(fn)) {
      throw new InvalidRemediationPolicyError(`function ${fn.node.path} is already managed by ${this.node.path}`);
    }
    this.managed.push(fn);
    // The hub acts only on a function that carries the management tag (it reads it through the access role).
    if (fn instanceof lambda.Function) Tags.of(fn).add(this.tagKey, this.tagValue);
    this.monitoring.addFunction(fn, options);
    this.functionAccess.add(targetResourcesOf(fn, logGroupNameOf(fn, options)));
  }
}
