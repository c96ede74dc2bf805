import { Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { InvalidWorkflowError } from './construct-errors';
import { ENV, HANDLERS } from './contract';
import { buildRemediationDefinition } from './definition';
import { allowLogsToUseKey, createHandler, functionNameOf, policyWildcardFindings, suppressNag } from './handler-support';
import { NormalizeFunction } from './normalize-function';
import { RequestApprovalFunction } from './request-approval-function';
import { PolicyConfigBuilder } from './settings';
import { DiagnosisService } from '../diagnosis/diagnosis-service';
import { RemediationMonitoring } from '../monitoring/remediation-monitoring';
import { Approval, FunctionOptions, RemediationPolicy } from '../policy';
import { RepairExecutor } from '../repair/repair-executor';
import { RemediationStore } from '../store/remediation-store';
import { VerificationService } from '../verification/verification-service';

/** Properties of {@link RemediationWorkflow}. */
export interface RemediationWorkflowProps {
  /** Locks and records. */
  readonly store: RemediationStore;
  /** Collect and diagnose. */
  readonly diagnosis: DiagnosisService;
  /** Repair and roll back. */
  readonly repair: RepairExecutor;
  /** Verify, notify, record, release. */
  readonly verification: VerificationService;

  /**
   * The alarms whose state changes start the workflow: every alarm whose name starts with the
   * monitoring's prefix, plus its existing alarms.
   *
   * @default - only `alarmNamePrefix` and `alarms` select the alarms
   */
  readonly monitoring?: RemediationMonitoring;

  /**
   * Alarm-name prefix to route when there is no `monitoring`.
   *
   * @default - none
   */
  readonly alarmNamePrefix?: string;

  /**
   * Further alarms to route, by name.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The guardrails.
   *
   * @default - the documented defaults of `RemediationPolicy`
   */
  readonly policy?: RemediationPolicy;

  /**
   * Which repairs wait for a person.
   *
   * @default - `Approval.allFunctions()` if `policy.requireApproval`, else `Approval.none()`
   */
  readonly approval?: Approval;

  /**
   * How long an approval request waits for an answer; no answer means no action.
   *
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;

  /**
   * The functions under management.
   *
   * @default - none at first; add them with `addFunction`
   */
  readonly functions?: lambda.IFunction[];

  /**
   * Customer managed key for the dead-letter queue, the state machine's log group and the handlers.
   *
   * @default - AWS managed keys (SQS-managed encryption for the queue)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the state machine's and the handlers' log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The EventBridge rule on alarm state changes (retry policy, encrypted dead-letter queue) and the
 * Step Functions standard state machine that runs one remediation per alarm: normalize and lock,
 * collect, diagnose, decide, approval, repair, wait, verify, roll back, notify, release.
 * The states are defined in `definition.ts`, readable top to bottom.
 */
export class RemediationWorkflow extends Construct {
  /** The remediation state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The rule that starts it. */
  public readonly rule: events.Rule;
  /** Events the rule could not deliver. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The state machine's execution log. */
  public readonly logGroup: logs.ILogGroup;
  /** Normalizes the event and takes the lock. */
  public readonly normalizeFunction: lambda.IFunction;
  /** Sends the approval request. */
  public readonly requestApprovalFunction: lambda.IFunction;

  private readonly managedNames: string[] = [];
  private readonly policyConfig: PolicyConfigBuilder;

  constructor(scope: Construct, id: string, props: RemediationWorkflowProps) {
    super(scope, id);
    this.policyConfig = new PolicyConfigBuilder(props.policy, props.approval);
    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    if (approvalTimeout.toSeconds() < 60 || approvalTimeout.toSeconds() > 7 * 24 * 3600) {
      throw new InvalidWorkflowError(`approvalTimeout must be between 1 minute and 7 days, got ${approvalTimeout.toSeconds()} seconds`);
    }
    const verification = this.policyConfig.resolved.verificationWindowSeconds;
    // Long enough for an approval, a verification extended once, and the handlers themselves.
    const executionTimeout = Duration.seconds(approvalTimeout.toSeconds() + 2 * verification + 3600);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const settings = { encryptionKey: props.encryptionKey, logRetention: retention };
    const table = props.store.table;
    const alarmNamePrefix = props.monitoring?.alarmNamePrefix ?? props.alarmNamePrefix;

    const normalize = createHandler(this, 'Normalize', NormalizeFunction, HANDLERS.normalize, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.MANAGED_FUNCTIONS]: Lazy.string({ produce: () => this.managedFunctionsValue() }),
      [ENV.POLICY]: this.policyConfig.toJson(this),
      // The lock must outlive the longest execution, or a second run could start mid-repair.
      [ENV.LOCK_TTL_SECONDS]: String(executionTimeout.toSeconds() + 3600),
      ...(alarmNamePrefix && !props.monitoring?.existingAlarms.length && !props.alarms?.length
        ? { [ENV.ALARM_NAME_PREFIX]: alarmNamePrefix } : {}),
    });
    table.grant(normalize.role, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem');
    this.normalizeFunction = normalize.fn;

    const approval = createHandler(this, 'RequestApproval', RequestApprovalFunction, HANDLERS.requestApproval, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.TOPIC_ARN]: props.verification.topic.topicArn,
    });
    table.grant(approval.role, 'dynamodb:PutItem');
    props.verification.grantNotify(approval.role);
    this.requestApprovalFunction = approval.fn;
    if (props.encryptionKey) {
      props.encryptionKey.grantEncryptDecrypt(normalize.role);
      props.encryptionKey.grantEncryptDecrypt(approval.role);
    }

    this.logGroup = new logs.LogGroup(this, 'ExecutionLog', {
      retention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogsToUseKey(this, props.encryptionKey);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Lambda auto-remediation: alarm -> diagnose -> repair memory -> verify -> notify',
      definitionBody: sfn.DefinitionBody.fromChainable(buildRemediationDefinition(new Construct(this, 'States'), {
        normalize: normalize.fn,
        collect: props.diagnosis.collectFunction,
        diagnose: props.diagnosis.diagnoseFunction,
        requestApproval: approval.fn,
        repair: props.repair.repairFunction,
        verify: props.verification.verifyFunction,
        rollback: props.repair.rollbackFunction,
        finalize: props.verification.finalizeFunction,
      }, { approvalTimeout })),
      timeout: executionTimeout,
      tracingEnabled: true,
      // Every event type, without execution data: the .waitForTaskToken input carries the approval
      // task token, which would let anyone who reads this log approve. "When set to false, data
      // is excluded" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html).
      // Inputs and outputs stay in the execution history, readable with states:GetExecutionHistory.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const machinePolicy = this.stateMachine.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    suppressNag(machinePolicy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'CDK grants lambda:InvokeFunction on each of the eight handlers and their versions (<handler arn>:*); log delivery and X-Ray actions take no resource-level permission.',
      findings: policyWildcardFindings(machinePolicy),
    }]);

    const dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: props.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    suppressNag(dlq, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the alarm rule.' }]);
    if (props.encryptionKey) {
      // EventBridge writes undeliverable events to the queue with this key.
      props.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
    }
    this.deadLetterQueue = dlq;

    const existing = [...(props.monitoring?.existingAlarms ?? []), ...(props.alarms ?? [])];
    const nameMatchers: unknown[] = [];
    if (alarmNamePrefix) nameMatchers.push({ prefix: alarmNamePrefix });
    for (const alarm of existing) nameMatchers.push(alarm.alarmName);
    if (nameMatchers.length === 0) {
      throw new InvalidWorkflowError('the workflow routes no alarm: give monitoring, alarmNamePrefix or alarms');
    }
    this.rule = new events.Rule(this, 'AlarmRule', {
      description: 'Routes alarm state changes of the managed Lambda functions to the remediation workflow',
      eventPattern: {
        source: ['aws.cloudwatch'],
        // Metrics Insights alarms over many functions emit one contributor event per function.
        detailType: ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
        // Only transitions into ALARM start a run; OK and INSUFFICIENT_DATA would only end IGNORED.
        detail: { alarmName: nameMatchers, state: { value: ['ALARM'] } },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine, {
        deadLetterQueue: dlq,
        retryAttempts: 8,
        maxEventAge: Duration.hours(2),
      })],
    });

    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** Put one more function under management. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    this.managedNames.push(functionNameOf(fn));
  }

  /**
   * Let an operator (or an approval front end) answer approval requests:
   * `states:SendTaskSuccess` / `states:SendTaskFailure`.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /** Executions started (one per routed alarm state change). */
  public metricStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  /** Executions that ended in success (any outcome but FAILED). */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Executions that failed. */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /**
   * The function names for normalize, or `*` when the list would crowd Lambda's 4 KB environment
   * limit (the rule and the repair rights already confine the workflow to the managed functions).
   */
  private managedFunctionsValue(): string {
    const estimated = this.managedNames.reduce((sum, n) => sum + (Token.isUnresolved(n) ? 64 : n.length) + 1, 0);
    if (this.managedNames.length === 0 || estimated > 1500) return '*';
    return this.managedNames.join(',');
  }
}
