import { Annotations, ArnFormat, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CleanupFunction } from './cleanup-function';
import { InvalidWorkflowError } from './construct-errors';
import { CLEANUP_STATUSES, ENV, HANDLERS } from './contract';
import { acknowledgeCoordinatorWildcards, createCoordinator, CoordinatorResources } from './coordinator-resources';
import { buildRemediationDefinition, RemediationHandlers } from './definition';
import { allowLogsToUseKey, createHandler, deliberateWildcardFindings, functionNameOf, policyWildcardFindings, suppressNag } from './handler-support';
import { NormalizeFunction } from './normalize-function';
import { RequestApprovalFunction } from './request-approval-function';
import { alarmRulePattern, EVENT_PATTERN_MAX_CHARS } from './routing';
import { PolicyConfigBuilder } from './settings';
import { MANAGED_FROM_TABLE } from './setup-contract';
import { Workflow } from './workflow-kind';
import { DiagnosisService } from '../diagnosis/diagnosis-service';
import { logGroupNameOf, RemediationMonitoring } from '../monitoring/remediation-monitoring';
import { FunctionOptions } from '../policy';
import { RemediationServiceProps } from '../remediation-service-props';
import { RepairExecutor } from '../repair/repair-executor';
import { RemediationStore } from '../store/remediation-store';
import { VerificationService } from '../verification/verification-service';

/** Properties of {@link RemediationWorkflow}. */
export interface RemediationWorkflowProps extends RemediationServiceProps {
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
   * How long an approval request waits for an answer; no answer means no action.
   *
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;

  /**
   * How a remediation runs: the Step Functions state machine, or one Lambda coordinator.
   *
   * @default Workflow.stepFunctions()
   */
  readonly workflow?: Workflow;
}

/**
 * The EventBridge rule on alarm state changes (retry policy, encrypted dead-letter queue) and the
 * Step Functions standard state machine that runs one remediation per alarm: normalize and lock,
 * collect, diagnose, decide, approval, repair, wait, verify, roll back, notify, release.
 * The states are defined in `definition.ts`, readable top to bottom.
 */
export class RemediationWorkflow extends Construct {
  /** The remediation state machine (none with `Workflow.lambdaCoordinator()`). */
  public readonly stateMachine?: sfn.StateMachine;
  /** The Lambda coordinator (only with `Workflow.lambdaCoordinator()`). */
  public readonly coordinatorFunction?: lambda.IFunction;
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
  /**
   * Releases the lock of an execution that failed, timed out or was aborted, and says so
   * (started by the execution's `Step Functions Execution Status Change` event).
   */
  public readonly cleanupFunction: lambda.IFunction;
  /**
   * Routes the state machine's FAILED, TIMED_OUT and ABORTED status changes to the cleanup (none
   * with the coordinator: its failed events reach the cleanup as its on-failure destination).
   */
  public readonly cleanupRule?: events.Rule;
  /**
   * Alarms on the workflow itself, to the notification topic: executions failed, timed out,
   * aborted, and events waiting in the dead-letter queue. Named outside the routed prefixes, so
   * they never start the workflow.
   */
  public readonly workflowAlarms: cloudwatch.IAlarm[];

  private readonly managedNames: string[] = [];
  private readonly policyConfig: PolicyConfigBuilder;
  private readonly logGroupFunctions: Record<string, string> = {};
  private managedByTag?: { key: string; value: string };
  private readonly normalizeRole: iam.IRole;
  private readonly coordinator?: CoordinatorResources;
  /** What the alarm rule starts (the state machine or the coordinator), with its dead-letter queue and retries. */
  private startTarget!: events.IRuleTarget;

  constructor(scope: Construct, id: string, props: RemediationWorkflowProps) {
    super(scope, id);
    this.policyConfig = PolicyConfigBuilder.of(this, props.policy, props.approval, props.repairStrategy, props.environments);
    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    if (approvalTimeout.toSeconds() < 60 || approvalTimeout.toSeconds() > 7 * 24 * 3600) {
      throw new InvalidWorkflowError(`approvalTimeout must be between 1 minute and 7 days, got ${approvalTimeout.toSeconds()} seconds`);
    }
    // A canary bakes for its own time instead of the verification window.
    const verification = Math.max(this.policyConfig.resolved.verificationWindowSeconds, this.policyConfig.longestBakeSeconds);
    // Long enough for an approval, a verification extended once, and the handlers themselves.
    const executionTimeout = Duration.seconds(approvalTimeout.toSeconds() + 2 * verification + 3600);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const settings = { encryptionKey: props.encryptionKey, logRetention: retention };
    const table = props.store.table;
    const alarmNamePrefix = props.monitoring?.alarmNamePrefix ?? props.alarmNamePrefix;

    const stack = Stack.of(this);
    const coordinatorMode = props.workflow?.isLambdaCoordinator ?? false;
    if (coordinatorMode) {
      // Checked at synthesis, after every addFunction: approval may also come per function.
      this.node.addValidation({
        validate: () => this.policyConfig.needsApprovalStep
          ? ['approval needs the Step Functions workflow: Workflow.lambdaCoordinator() has no approval step (a task token exists only in a state machine); use Workflow.stepFunctions() or remove approval']
          : [],
      });
      this.node.addValidation({
        validate: () => this.policyConfig.usesProgressive
          ? ['repairStrategy RepairStrategy.progressive(...) needs the Step Functions workflow: Workflow.lambdaCoordinator() has no canary promotion step; use Workflow.stepFunctions() or RepairStrategy.raiseMemory()']
          : [],
      });
    }
    const normalize = createHandler(this, 'Normalize', NormalizeFunction, HANDLERS.normalize, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.MANAGED_FUNCTIONS]: Lazy.string({ produce: () => this.managedFunctionsValue() }),
      [ENV.POLICY]: this.policyConfig.toJson(this),
      // The lock must outlive the longest execution, or a second run could start mid-repair.
      [ENV.LOCK_TTL_SECONDS]: String(executionTimeout.toSeconds() + 3600),
      ...(alarmNamePrefix && !props.monitoring?.existingAlarms.length && !props.alarms?.length
        ? { [ENV.ALARM_NAME_PREFIX]: alarmNamePrefix } : {}),
      ...(props.monitoring ? { [ENV.LOG_ALARM_NAME_PREFIX]: props.monitoring.memoryAlarmNamePrefix } : {}),
      // Pairs, not an object: a log group defined in the app has a token for a name.
      // In table mode normalize reads them from the settings item instead, so that hundreds of
      // custom log groups do not pass Lambda's 4 KB of environment variables.
      [ENV.LOG_GROUP_FUNCTIONS]: Lazy.string({
        produce: () => stack.toJsonString(this.managedFunctionsValue() === MANAGED_FROM_TABLE ? [] : Object.entries(this.logGroupFunctions)),
      }),
    });
    table.grant(normalize.role, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem');
    this.normalizeFunction = normalize.fn;
    this.normalizeRole = normalize.role;

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

    const handlers = {
      normalize: normalize.fn,
      collect: props.diagnosis.collectFunction,
      diagnose: props.diagnosis.diagnoseFunction,
      requestApproval: approval.fn,
      repair: props.repair.repairFunction,
      verify: props.verification.verifyFunction,
      rollback: props.repair.rollbackFunction,
      finalize: props.verification.finalizeFunction,
    };
    // The start target: the state machine, or the coordinator (coordinator-resources.ts).
    let startTarget: events.IRuleTarget;
    const keepTarget = (t: events.IRuleTarget) => { this.startTarget = t; return t; };
    if (coordinatorMode) {
      this.coordinator = createCoordinator(this, {
        handlers,
        table,
        settings,
        deadLetterQueue: dlq,
        lockTtlSeconds: executionTimeout.toSeconds() + 3600,
        encryptionKey: props.encryptionKey,
      });
      this.coordinatorFunction = this.coordinator.fn;
      this.logGroup = this.coordinator.logGroup;
      startTarget = keepTarget(new targets.LambdaFunction(this.coordinator.fn, {
        deadLetterQueue: dlq, retryAttempts: 8, maxEventAge: Duration.hours(2),
      }));
    } else {
      this.logGroup = new logs.LogGroup(this, 'ExecutionLog', {
        retention,
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      allowLogsToUseKey(this, props.encryptionKey);
      this.stateMachine = this.createStateMachine(handlers, approvalTimeout, executionTimeout);
      startTarget = keepTarget(new targets.SfnStateMachine(this.stateMachine, {
        deadLetterQueue: dlq, retryAttempts: 8, maxEventAge: Duration.hours(2),
      }));
    }
    // Normalize and finalize start further runs (log alarm fan-out, re-examination). In separate
    // policies the functions do not depend on: function -> its default policy -> state machine ->
    // function would be a CloudFormation cycle.
    const startSelf = (policyId: string, role: iam.IRole | undefined) => {
      if (!role) return;
      new iam.Policy(this, policyId, {
        roles: [role],
        statements: [this.startStatement()],
      });
    };
    startSelf('NormalizeStartsExecutions', normalize.role);
    startSelf('FinalizeStartsExecutions', props.verification.finalizeFunction.role);
    const finalizeRole = props.verification.finalizeFunction.role;
    // Finalize reads the lock (and the intake and re-examination records) before releasing it.
    if (finalizeRole) table.grant(finalizeRole, 'dynamodb:GetItem');

    const existing = [...(props.monitoring?.existingAlarms ?? []), ...(props.alarms ?? [])];
    if (!alarmNamePrefix && existing.length === 0) {
      throw new InvalidWorkflowError('the workflow routes no alarm: give monitoring, alarmNamePrefix or alarms');
    }
    const monitoring = props.monitoring;
    const pattern = alarmRulePattern({
      account: stack.account,
      functionAlarmNamePrefix: monitoring?.functionAlarmNamePrefix,
      memoryAlarmNamePrefix: monitoring?.memoryAlarmNamePrefix,
      fleetAlarmNamePrefix: monitoring?.fleetAlarmNamePrefix,
      otherAlarmPrefix: monitoring ? undefined : props.alarmNamePrefix,
      alarmNames: existing.map(a => a.alarmName),
    });
    const patternChars = JSON.stringify(stack.resolve(pattern)).length;
    if (patternChars > EVENT_PATTERN_MAX_CHARS) {
      throw new InvalidWorkflowError(
        `the alarm rule's event pattern would be ${patternChars} characters, over EventBridge's ${EVENT_PATTERN_MAX_CHARS}: route fewer existing alarms by name (${existing.length} given) or give them a common name prefix`);
    }
    this.rule = new events.Rule(this, 'AlarmRule', {
      description: 'Routes alarm state changes of the managed Lambda functions to the remediation workflow',
      eventPattern: {
        source: pattern.source as string[],
        account: pattern.account as string[],
        detailType: pattern['detail-type'] as string[],
        detail: pattern.detail as Record<string, unknown>,
      },
      targets: [startTarget],
    });

    // Reads of the alarms normalize may be asked about: this stack's (by prefix) and the existing ones.
    const alarmArn = (name: string) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const readableAlarms = [
      ...(alarmNamePrefix ? [alarmArn(monitoring ? `${alarmNamePrefix}-*` : `${alarmNamePrefix}*`)] : []),
      ...existing.map(a => a.alarmArn),
    ];
    normalize.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadRoutedAlarms',
      actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmContributors'],
      resources: readableAlarms,
    }));
    normalize.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadAlarmValue',
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));
    suppressNag(normalize.role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'cloudwatch:GetMetricData takes no resource-level permission; alarm reads name this stack\'s alarm-name prefix (prefix-*), not every alarm of the account.',
      findings: ['Resource::*', ...deliberateWildcardFindings(this, readableAlarms)],
    }]);

    this.cleanupFunction = this.createCleanup(props, table, settings, dlq);
    if (this.coordinator) {
      // Lambda gives up on a coordinator event after two retries: the cleanup releases the lock and says so.
      this.coordinator.fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new destinations.LambdaDestination(this.cleanupFunction),
      });
      acknowledgeCoordinatorWildcards(this.coordinator);
    } else {
      this.cleanupRule = new events.Rule(this, 'CleanupRule', {
        description: 'Releases the lock of a remediation execution that failed, timed out or was aborted',
        // https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html: detail.status is one of
        // RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED; detail.stateMachineArn names the machine.
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { status: [...CLEANUP_STATUSES], stateMachineArn: [this.stateMachine!.stateMachineArn] },
        },
        targets: [new targets.LambdaFunction(this.cleanupFunction, {
          deadLetterQueue: dlq,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        })],
      });
    }
    this.workflowAlarms = this.createWorkflowAlarms(props, dlq, pattern);

    const fleet = props.monitoring?.fleet;
    if (fleet) this.selectFunctionsByTag(fleet.tagKey ?? RemediationMonitoring.DEFAULT_FLEET_TAG_KEY, fleet.tagValue);
    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** The state machine of `definition.ts`. */
  private createStateMachine(handlers: RemediationHandlers, approvalTimeout: Duration, executionTimeout: Duration): sfn.StateMachine {
    const machine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Lambda auto-remediation: alarm -> diagnose -> repair memory -> verify -> notify',
      definitionBody: sfn.DefinitionBody.fromChainable(buildRemediationDefinition(new Construct(this, 'States'), handlers, {
        approvalTimeout,
        progressive: this.policyConfig.usesProgressive,
      })),
      timeout: executionTimeout,
      tracingEnabled: true,
      // Every event type, without execution data: the .waitForTaskToken input carries the approval
      // task token, which would let anyone who reads this log approve. "When set to false, data
      // is excluded" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html).
      // Inputs and outputs stay in the execution history, readable with states:GetExecutionHistory.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const machinePolicy = machine.role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    suppressNag(machinePolicy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'CDK grants lambda:InvokeFunction on each of the eight handlers and their versions (<handler arn>:*); log delivery and X-Ray actions take no resource-level permission.',
      findings: policyWildcardFindings(machinePolicy),
    }]);
    return machine;
  }

  /** The right to start a further run: an execution of the state machine, or an invocation of the coordinator. */
  private startStatement(): iam.PolicyStatement {
    if (this.coordinator) return new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.coordinator.fn.functionArn] });
    return new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine!.stateMachineArn] });
  }

  /** Put one more function under management. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    const name = functionNameOf(fn);
    this.managedNames.push(name);
    // A custom log group (given, or the function's LoggingConfig.LogGroup): the memory alarm's
    // contributor names the group, normalize maps it back.
    const logGroup = logGroupNameOf(fn, options);
    if (!logGroup.startsWith('/aws/lambda/')) this.logGroupFunctions[logGroup] = name;
  }

  /**
   * Decide membership by tag instead of by name: a function is managed when it carries the tag
   * `key` with exactly `value` (normalize reads it with `lambda:ListTags`). For fleets too large
   * to list by name.
   */
  public selectFunctionsByTag(key: string, value: string): void {
    if (this.managedByTag) {
      throw new InvalidWorkflowError(`functions are already selected by the tag ${this.managedByTag.key}=${this.managedByTag.value}`);
    }
    if (Token.isUnresolved(key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || key.includes('=')) {
      throw new InvalidWorkflowError(`tag key must be 1 to 128 letters, digits, spaces or _.:/+-@ (no '='), known at synthesis time, got '${key}'`);
    }
    this.managedByTag = { key, value };
    const statement = new iam.PolicyStatement({
      sid: 'ReadFunctionTags',
      actions: ['lambda:ListTags'],
      resources: [Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
    this.normalizeRole.addToPrincipalPolicy(statement);
    suppressNag(this.normalizeRole.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'In tag mode normalize reads the tags of the function an alarm names (lambda:ListTags, read-only) to decide whether it is managed; the functions are not known by name.',
      findings: deliberateWildcardFindings(this, statement.resources),
    }]);
  }

  /**
   * Let an operator (or an approval front end) answer approval requests:
   * `states:SendTaskSuccess` / `states:SendTaskFailure`.
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    if (!this.stateMachine) throw new InvalidWorkflowError('grantApprove needs the Step Functions workflow: Workflow.lambdaCoordinator() has no approval step');
    return this.stateMachine.grantTaskResponse(grantee);
  }

  /**
   * Start runs from the alarm events that match `eventPattern` on another event bus (a hub's bus,
   * where spokes forward their alarms), with the same target settings as the alarm rule.
   *
   * @param ruleId construct id of the new rule
   * @param eventBus the bus the events arrive on
   * @param eventPattern which events start a run
   */
  public routeAlarmEvents(ruleId: string, eventBus: events.IEventBus, eventPattern: events.EventPattern): events.Rule {
    return new events.Rule(this, ruleId, {
      description: 'Routes alarm state changes forwarded from other accounts and regions to the remediation workflow',
      eventBus,
      eventPattern,
      targets: [this.startTarget],
    });
  }

  /** Executions started (one per routed alarm state change). */
  public metricStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.coordinator) return this.coordinator.fn.metricInvocations(props);
    return this.stateMachine!.metricStarted(props);
  }

  /** Executions that ended in success (any outcome but FAILED). */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.coordinator) return this.coordinator.fn.metricInvocations(props);
    return this.stateMachine!.metricSucceeded(props);
  }

  /** Executions that failed. */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.coordinator) return this.coordinator.fn.metricErrors(props);
    return this.stateMachine!.metricFailed(props);
  }

  /**
   * Which functions normalize accepts: their names when the list fits Lambda's 4 KB environment
   * next to the policy, `tag:<key>=<value>` in fleet mode, else `table` (the list is in the
   * settings item the deploy-time setup writes).
   */
  private managedFunctionsValue(): string {
    if (this.managedByTag) return `tag:${this.managedByTag.key}=${this.managedByTag.value}`;
    // Lambda allows 4 KB of environment variables in all: the names and the custom log groups go
    // to the settings item when together they would take more than 1,500 characters.
    const size = (n: string) => (Token.isUnresolved(n) ? 64 : n.length);
    const estimated = this.managedNames.reduce((sum, n) => sum + size(n) + 1, 0)
      + Object.entries(this.logGroupFunctions).reduce((sum, [group, fn]) => sum + size(group) + size(fn) + 8, 0);
    if (this.managedNames.length > 0 && estimated <= 1500) return this.managedNames.join(',');
    return MANAGED_FROM_TABLE;
  }

  /** The cleanup handler: releases what an ended execution still holds (see cleanup.lambda.ts). */
  private createCleanup(props: RemediationWorkflowProps, table: RemediationStore['table'], settings: {
    encryptionKey?: kms.IKey; logRetention: logs.RetentionDays;
  }, dlq: sqs.IQueue): lambda.IFunction {
    const cleanup = createHandler(this, 'Cleanup', CleanupFunction, HANDLERS.cleanup, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.TOPIC_ARN]: props.verification.topic.topicArn,
      [ENV.EVENT_BUS_NAME]: props.verification.eventBus.eventBusName,
    });
    table.grant(cleanup.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
    props.verification.grantNotify(cleanup.role);
    props.verification.eventBus.grantPutEventsTo(cleanup.role);
    if (this.coordinator) {
      // The coordinator names the cleanup as its on-failure destination: a separate policy avoids the cycle.
      new iam.Policy(this, 'CleanupStartsRuns', { roles: [cleanup.role], statements: [this.startStatement()] });
    } else {
      // Not referenced by the state machine, so its own default policy may name it (no cycle).
      cleanup.role.addToPrincipalPolicy(this.startStatement());
    }
    props.encryptionKey?.grantEncryptDecrypt(cleanup.role);
    // EventBridge invokes it asynchronously: Lambda retries a failed attempt twice, then the event
    // goes to the dead-letter queue, whose alarm pages.
    cleanup.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(dlq) });
    return cleanup.fn;
  }

  /**
   * Alarms on the workflow itself, each to the notification topic. Names start with this
   * construct's unique name, outside every routed prefix (checked), so they never start the workflow.
   */
  private createWorkflowAlarms(props: RemediationWorkflowProps, dlq: sqs.IQueue, pattern: Record<string, unknown>): cloudwatch.IAlarm[] {
    const base = Names.uniqueResourceName(this, { maxLength: 200, separator: '-' });
    const period = Duration.minutes(5);
    const sm = this.stateMachine;
    const specs: Array<{ id: string; suffix: string; metric: cloudwatch.IMetric; description: string }> = !sm ? [
      { id: 'CoordinatorErrorsAlarm', suffix: 'CoordinatorErrors', metric: this.coordinator!.fn.metricErrors({ period, statistic: 'Sum' }), description: 'a coordinator invocation failed (Lambda retries it from its checkpoint; after two retries the cleanup releases the lock)' },
      { id: 'DeadLetterAlarm', suffix: 'DeadLetters', metric: dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }), description: 'an alarm event, a verification schedule or a cleanup could not be delivered: it waits in the dead-letter queue' },
    ] : [
      { id: 'ExecutionsFailedAlarm', suffix: 'ExecutionsFailed', metric: sm.metricFailed({ period, statistic: 'Sum' }), description: 'a remediation execution failed (see the execution history; the cleanup released its lock)' },
      { id: 'ExecutionsTimedOutAlarm', suffix: 'ExecutionsTimedOut', metric: sm.metricTimedOut({ period, statistic: 'Sum' }), description: 'a remediation execution timed out (the cleanup released its lock)' },
      { id: 'ExecutionsAbortedAlarm', suffix: 'ExecutionsAborted', metric: sm.metricAborted({ period, statistic: 'Sum' }), description: 'a remediation execution was aborted (the cleanup released its lock)' },
      { id: 'DeadLetterAlarm', suffix: 'DeadLetters', metric: dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }), description: 'an alarm event or a cleanup could not be delivered: it waits in the dead-letter queue' },
    ];
    const routed = routedNameMatchers(pattern);
    const action = new cloudwatchActions.SnsAction(props.verification.topic);
    const alarms = specs.map(spec => {
      const alarmName = `${base}-${spec.suffix}`;
      const clash = routed.find(m => (typeof m === 'string' ? m === alarmName : alarmName.startsWith(m.prefix)));
      if (clash) {
        throw new InvalidWorkflowError(`the workflow alarm ${alarmName} would be routed to the workflow by ${JSON.stringify(clash)}: choose another alarm-name prefix`);
      }
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmName,
        alarmDescription: `lambda-auto-remediation: ${spec.description}`,
        metric: spec.metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      return alarm;
    });
    this.allowAlarmsToPublish(props.verification.topicKey);
    return alarms;
  }

  /**
   * CloudWatch publishes alarm actions to an encrypted topic only with a key policy grant
   * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
   * the AWS managed key `alias/aws/sns` cannot be given one.
   */
  private allowAlarmsToPublish(key: kms.IKey | undefined): void {
    if (!key) {
      Annotations.of(this).addWarningV2('lambda-auto-remediation:workflowAlarmsNeedTopicKey',
        'The workflow alarms publish to the notification topic you brought: its key policy (if it is encrypted) must let cloudwatch.amazonaws.com use the key (kms:Decrypt, kms:GenerateDataKey*); the AWS managed key alias/aws/sns cannot.');
      return;
    }
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToNotify',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
  }
}

/** The alarm-name matchers of a rule pattern (exact names and prefixes, inside `$or` too). */
function routedNameMatchers(pattern: Record<string, unknown>): Array<string | { prefix: string }> {
  const detail = pattern.detail as Record<string, unknown>;
  const alternatives = (detail.$or as Record<string, unknown>[] | undefined) ?? [detail];
  return alternatives.flatMap(a => (a.alarmName as Array<string | { prefix: string }> | undefined) ?? [])
    .filter(m => typeof m === 'string' ? !Token.isUnresolved(m) : !Token.isUnresolved(m.prefix));
}
