import { Annotations, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { Diagnosis } from './diagnosis/diagnosis';
import { DiagnosisService } from './diagnosis/diagnosis-service';
import { DriftDetection, DriftDetectionOptions } from './drift/drift-detection';
import { HubOptions, RemediationHub } from './hub/remediation-hub';
import { RemediationKnowledgeBase } from './knowledge/remediation-knowledge-base';
import { MonitoringOptions } from './monitoring/monitoring-options';
import { RemediationDashboard } from './monitoring/remediation-dashboard';
import { RemediationMonitoring } from './monitoring/remediation-monitoring';
import { ManualRepairRunbook } from './opscenter/manual-repair-runbook';
import { OpsItemOptions, RemediationOpsItems } from './opscenter/remediation-ops-items';
import { Approval, FunctionOptions, RemediationPolicy } from './policy';
import { RemediationEnvironment } from './remediation-environment';
import { RepairExecutor } from './repair/repair-executor';
import { RepairStrategy } from './repair/repair-strategy';
import { RemediationStore } from './store/remediation-store';
import { VerificationService } from './verification/verification-service';
import { InvalidRemediationPolicyError } from './workflow/construct-errors';
import { functionNameOf } from './workflow/handler-support';
import { RemediationSetup } from './workflow/remediation-setup';
import { RemediationWorkflow } from './workflow/remediation-workflow';
import { PolicyConfigBuilder } from './workflow/settings';
import { TargetRegistry } from './workflow/target-access';
import { Workflow } from './workflow/workflow-kind';

/** Properties of {@link AutoRemediation}. */
export interface AutoRemediationProps {
  /**
   * The functions to watch and repair. Functions defined in the app and imported ones
   * (`Function.fromFunctionArn`) both work; add more later with `addFunction`. Functions defined
   * in the app are tagged `LambdaAutoRemediation=<alarm name prefix>` (or with the fleet tag).
   *
   * @default - none; then `monitoring.fleet` must select functions by tag, or `hub` be given
   */
  readonly functions?: lambda.IFunction[];

  /**
   * The guardrails.
   *
   * @default - maxMemoryMb 3008, maxStepMb 1024, minConfidence 0.7, cooldown 30 minutes,
   * 3 repairs per function per day, rollback on failed verification, 15-minute verification window
   */
  readonly policy?: RemediationPolicy;

  /**
   * Which alarms, with which thresholds, and alarms you already have.
   *
   * @default - errors, duration and memory-utilisation alarms with their documented defaults
   */
  readonly monitoring?: MonitoringOptions;

  /**
   * Rules only, or rules plus an Amazon Bedrock model or agent.
   *
   * @default Diagnosis.rulesOnly()
   */
  readonly diagnosis?: Diagnosis;

  /**
   * A knowledge base to keep the case history in: every diagnosed incident (a repair, a review,
   * a no-action outcome) is recorded as a `cases/` document in its bucket and indexed, and the
   * diagnosis reads the function's earlier cases from there (a leak gets one stopgap raise; a
   * follow-up compares with the case it follows). Pass its id to
   * `Diagnosis.bedrockModel(modelId, { knowledgeBaseId })` as well to retrieve passages from it.
   *
   * @default - the case history is the repair and diagnosis records of the records table
   */
  readonly knowledgeBase?: RemediationKnowledgeBase;

  /**
   * Which repairs wait for a person.
   *
   * @default Approval.none()
   */
  readonly approval?: Approval;

  /**
   * How a repair changes the memory: `RepairStrategy.raiseMemory()` raises it on `$LATEST` (and
   * moves the alias of a function managed with one); `RepairStrategy.progressive(...)` releases it
   * as a canary through the function's alias, compares the canary with the old version and then
   * promotes or removes it. The guardrails, records and notifications are the same for both.
   *
   * @default RepairStrategy.raiseMemory()
   */
  readonly repairStrategy?: RepairStrategy;

  /**
   * Guardrails and repair strategy per environment, chosen by a function's tag or name (for
   * example production: approval and a progressive repair; development: raise directly). The
   * first environment that matches a function applies; a function none matches gets `policy`,
   * `approval` and `repairStrategy`. Each environment's policy values left unset are `policy`'s.
   *
   * @default - none
   */
  readonly environments?: RemediationEnvironment[];

  /**
   * How long an approval request waits; no answer means no action.
   *
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;

  /**
   * Topic for notifications and approval requests.
   *
   * @default - a new encrypted topic
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * E-mail addresses to subscribe to the topic.
   *
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * Customer managed key for the table, topic, queue, log groups and handler environments.
   * A key defined in the same app gets the key-policy statements CloudWatch Logs and EventBridge
   * need; an imported key must already allow them.
   *
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Record and notify only; change nothing. Overrides `policy.dryRun`.
   *
   * @default - the policy's `dryRun` (false)
   * @deprecated use `policy.dryRun`
   */
  readonly dryRun?: boolean;

  /**
   * Retention of every log group the construct creates.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How a remediation runs: a Step Functions state machine (execution history, approval), or one
   * Lambda coordinator that waits for verification with an EventBridge Scheduler schedule (no
   * approval: asking for both fails synthesis). See the README, "Which workflow".
   *
   * @default Workflow.stepFunctions()
   */
  readonly workflow?: Workflow;

  /**
   * Create the CloudWatch dashboard of the remediation activity.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Watch for deploys (and any other configuration change) that set a managed function below the
   * memory its last verified repair established, and notify with the infrastructure-code change
   * that keeps the fix. Giving the options turns it on. Needs a CloudTrail trail logging
   * management events in the account and region (EventBridge receives CloudTrail's API call
   * events only then).
   *
   * @default - no drift detection
   */
  readonly driftDetection?: DriftDetectionOptions;

  /**
   * Open an AWS Systems Manager OpsCenter OpsItem, with the evidence and the runbooks, for every
   * remediation that needs a person (HUMAN_REVIEW, FAILED) and every drift; one open OpsItem per
   * function and kind of incident (OpsCenter deduplication). Giving the options turns it on.
   *
   * @default - no OpsItems
   */
  readonly opsItems?: OpsItemOptions;

  /**
   * Create the AWS Systems Manager Automation runbook "raise this function's memory within the
   * policy" (`ManualRepairRunbook`), for an operator to apply a recommendation by hand with the
   * workflow's guardrails, lock, records and notification. With `opsItems`, each OpsItem lists it.
   *
   * @default false
   */
  readonly manualRepairRunbook?: boolean;

  /**
   * Make this the hub of several accounts and regions: an event bus that the spokes
   * (`RemediationSpoke`, one stack per account and region) forward their alarms to, and the right
   * to assume each spoke's access role to read the function's telemetry and change its memory
   * there. The workflow, records, notifications and dashboard stay here, each naming the account
   * and region. This stack's own `functions` (if any) are handled as without a hub.
   *
   * @default - no hub: the functions of this stack's account and region only
   */
  readonly hub?: HubOptions;
}

/**
 * Detects, diagnoses and repairs AWS Lambda functions that run out of memory.
 *
 * Alarms (errors, duration against the timeout, memory utilisation from REPORT lines) route
 * through EventBridge to a Step Functions workflow that collects evidence, diagnoses it (a rule
 * engine plus, optionally, Amazon Bedrock), raises the memory within the policy, verifies the
 * result, rolls back if it did not help, notifies and records every step.
 *
 * @example
 * new AutoRemediation(this, 'AutoRemediation', {
 *   functions: [ordersFn, thumbnailFn],
 *   policy: { maxMemoryMb: 3008, cooldown: Duration.minutes(30) },
 *   notificationEmails: ['oncall@example.com'],
 * });
 */
export class AutoRemediation extends Construct {
  /** Alarms on the managed functions. */
  public readonly monitoring: RemediationMonitoring;
  /** The rule and the state machine. */
  public readonly workflow: RemediationWorkflow;
  /** Collector and diagnosis handlers. */
  public readonly diagnosis: DiagnosisService;
  /** Repair and rollback handlers. */
  public readonly repair: RepairExecutor;
  /** Verifier, finalizer and the notification topic. */
  public readonly verification: VerificationService;
  /** Locks and records. */
  public readonly store: RemediationStore;
  /** The dashboard, unless disabled. */
  public readonly dashboard?: RemediationDashboard;
  /** Drift detection, when `driftDetection` is given. */
  public readonly driftDetection?: DriftDetection;
  /** The OpsCenter integration, when `opsItems` is given. */
  public readonly opsItems?: RemediationOpsItems;
  /** The Automation runbook that applies a recommendation by hand, when `manualRepairRunbook` is set. */
  public readonly manualRepair?: ManualRepairRunbook;
  /** The hub's event bus, rule and spoke access, when `hub` is given. */
  public readonly hub?: RemediationHub;

  /** The deploy-time setup (missing log groups, managed-function settings). */
  private readonly setup: RemediationSetup;
  private readonly excluded: lambda.IFunction[];
  private readonly managed: lambda.IFunction[] = [];
  private readonly targets: TargetRegistry;
  private readonly policySettings: PolicyConfigBuilder;

  constructor(scope: Construct, id: string, props: AutoRemediationProps) {
    super(scope, id);
    const policy: RemediationPolicy = { ...props.policy, dryRun: props.dryRun ?? props.policy?.dryRun };
    // One way to say each thing: the others still work, with a pointer.
    if (props.dryRun !== undefined) {
      Annotations.of(this).addWarningV2('lambda-auto-remediation:deprecated-dryRun', 'dryRun is deprecated: set policy.dryRun instead (same effect).');
    }
    if (props.policy?.requireApproval !== undefined) {
      Annotations.of(this).addWarningV2('lambda-auto-remediation:deprecated-requireApproval',
        'policy.requireApproval is deprecated: use approval: Approval.allFunctions() (or Approval.forFunctions([...])).');
    }
    this.excluded = [...(props.policy?.excludedFunctions ?? [])];
    // The policy is resolved and checked once here; every sub-construct and handler shares it.
    this.policySettings = PolicyConfigBuilder.share(this, policy, props.approval, props.repairStrategy, props.environments);
    this.node.addValidation({ validate: () => this.validateApproval(props.approval) });
    const common = { encryptionKey: props.encryptionKey, logRetention: props.logRetention };

    if ((props.functions ?? []).length === 0 && !props.monitoring?.fleet && !props.hub) {
      throw new InvalidRemediationPolicyError('functions is empty and monitoring.fleet is not set: give the functions to manage, or a tag that selects them');
    }

    this.store = new RemediationStore(this, 'Store', { encryptionKey: props.encryptionKey });
    const fleet = props.monitoring?.fleet;
    // One registry for every handler's rights on the targets: by name while IAM's quotas allow, else by tag.
    this.targets = TargetRegistry.create(this, () => ({
      key: fleet?.tagKey ?? RemediationMonitoring.DEFAULT_FLEET_TAG_KEY,
      value: fleet?.tagValue ?? this.monitoring.alarmNamePrefix,
    }));
    this.monitoring = new RemediationMonitoring(this, 'Monitoring', { ...props.monitoring });
    if (fleet) this.targets.forceTagMode();
    this.setup = new RemediationSetup(this, 'Setup', {
      table: this.store.table,
      settings: () => ({ functions: this.managed.map(functionNameOf), logGroupFunctions: this.monitoring.customLogGroupOwners }),
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.diagnosis = new DiagnosisService(this, 'Diagnosis', {
      ...common, store: this.store, diagnosis: props.diagnosis, policy, approval: props.approval,
    });
    this.repair = new RepairExecutor(this, 'Repair', { ...common, store: this.store, policy });
    this.verification = new VerificationService(this, 'Verification', {
      ...common,
      store: this.store,
      policy,
      topic: props.notificationTopic,
      notificationEmails: props.notificationEmails,
    });
    if (props.knowledgeBase) this.useKnowledgeBase(props.knowledgeBase);
    this.workflow = new RemediationWorkflow(this, 'Workflow', {
      ...common,
      store: this.store,
      diagnosis: this.diagnosis,
      repair: this.repair,
      verification: this.verification,
      monitoring: this.monitoring,
      policy,
      approval: props.approval,
      approvalTimeout: props.approvalTimeout,
      workflow: props.workflow,
    });

    if (props.hub) {
      this.hub = new RemediationHub(this, 'Hub', {
        ...props.hub,
        workflow: this.workflow,
        spokeHandlers: [
          this.workflow.normalizeFunction, this.diagnosis.collectFunction, this.repair.repairFunction,
          this.repair.rollbackFunction, this.verification.verifyFunction,
        ],
      });
    }

    if (props.driftDetection) {
      this.driftDetection = new DriftDetection(this, 'Drift', {
        ...common,
        ...props.driftDetection,
        store: this.store,
        notifications: this.verification,
        deadLetterQueue: this.workflow.deadLetterQueue,
        policy,
        approval: props.approval,
      });
    }

    if (props.manualRepairRunbook) {
      this.manualRepair = new ManualRepairRunbook(this, 'ManualRepair', {
        ...common, store: this.store, notifications: this.verification, policy, approval: props.approval,
      });
    }
    if (props.opsItems) {
      this.opsItems = new RemediationOpsItems(this, 'OpsItems', {
        ...common,
        ...props.opsItems,
        ...(this.manualRepair ? { automationDocumentName: this.manualRepair.documentName } : {}),
        store: this.store,
        eventBus: this.verification.eventBus,
        deadLetterQueue: this.workflow.deadLetterQueue,
        policy,
        approval: props.approval,
      });
    }

    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }

    if (props.dashboard ?? true) {
      this.dashboard = new RemediationDashboard(this, 'Dashboard', {
        stateMachine: this.workflow.stateMachine,
        coordinator: this.workflow.coordinatorFunction,
        outcomeLogGroup: this.verification.finalizeLogGroup,
        // Alarms in nested stacks stay there (a reference would add an output per alarm).
        alarms: this.monitoring.alarms.filter((a) => Stack.of(a) === Stack.of(this)),
        deadLetterQueue: this.workflow.deadLetterQueue,
        ...(props.hub ? { byAccountAndRegion: true } : {}),
        handlers: [
          ...(this.workflow.coordinatorFunction ? [this.workflow.coordinatorFunction] : []),
          this.workflow.normalizeFunction, this.diagnosis.collectFunction, this.diagnosis.diagnoseFunction,
          this.workflow.requestApprovalFunction, this.repair.repairFunction, this.verification.verifyFunction,
          this.repair.rollbackFunction, this.verification.finalizeFunction,
        ],
      });
    }
  }

  /** The remediation state machine (none with `Workflow.lambdaCoordinator()`). */
  public get stateMachine(): sfn.IStateMachine | undefined {
    return this.workflow.stateMachine;
  }

  /** The notification topic. */
  public get topic(): sns.ITopic {
    return this.verification.topic;
  }

  /** The records and locks table. */
  public get table(): dynamodb.ITable {
    return this.store.table;
  }

  /** Every alarm that starts a remediation (created and existing). */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.monitoring.alarms;
  }

  /** The managed functions, in the order they were added. */
  public get functions(): lambda.IFunction[] {
    return [...this.managed];
  }

  /**
   * Manage one more function, with optional per-function overrides. A function listed in
   * `policy.excludedFunctions` is skipped (with a note in the synthesis output).
   */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    if (this.excluded.includes(fn)) {
      Annotations.of(this).addInfo(`${fn.node.path} is in policy.excludedFunctions: not monitored, never repaired`);
      return;
    }
    if (this.managed.includes(fn)) {
      throw new InvalidRemediationPolicyError(`function ${fn.node.path} is already managed by ${this.node.path}`);
    }
    claimFunction(this, fn);
    if (options.requireApproval !== undefined) {
      Annotations.of(this).addWarningV2('lambda-auto-remediation:deprecated-function-requireApproval',
        `requireApproval of ${fn.node.path} is deprecated: use approval: Approval.forFunctions([...]) on AutoRemediation.`);
    }
    this.warnIfAboveMaximum(fn, options);
    this.managed.push(fn);
    if (fn instanceof lambda.Function) {
      const { key, value } = this.targets.tag;
      Tags.of(fn).add(key, value);
    }
    this.monitoring.addFunction(fn, options);
    // A log alarm queries its log groups from its first run: they must exist by then.
    for (const logAlarm of this.monitoring.logAlarms) this.setup.before(logAlarm);
    this.diagnosis.addFunction(fn, options);
    this.repair.addFunction(fn, options);
    this.verification.addFunction(fn, options);
    this.workflow.addFunction(fn, options);
    this.manualRepair?.addFunction(fn, options);
  }

  /** Record cases in the knowledge base (finalize) and read the history from it (diagnose). */
  private useKnowledgeBase(kb: RemediationKnowledgeBase): void {
    const finalize = this.verification.finalizeFunction;
    const diagnose = this.diagnosis.diagnoseFunction;
    if (!(finalize instanceof lambda.Function) || !(diagnose instanceof lambda.Function)) {
      throw new InvalidRemediationPolicyError('the knowledge base needs the finalize and diagnose handlers this construct creates');
    }
    kb.enableCaseRecording(finalize);
    kb.enableCaseReading(diagnose);
  }

  /** Every function `Approval.forFunctions` names must be managed here. */
  private validateApproval(approval: Approval | undefined): string[] {
    if (approval?.mode !== 'SELECTED') return [];
    return approval.functions
      .filter((fn) => !this.managed.includes(fn))
      .map((fn) => `approval names ${fn.node.path}, which this AutoRemediation does not manage: add it to functions (or addFunction), or remove it from Approval.forFunctions`);
  }

  /** A function already above the memory it may be raised to can never be repaired: say so. */
  private warnIfAboveMaximum(fn: lambda.IFunction, options: FunctionOptions): void {
    const cfn = fn.node.defaultChild;
    const current = cfn instanceof lambda.CfnFunction ? cfn.memorySize : undefined;
    const maximum = options.maxMemoryMb ?? this.policySettings.resolved.maxMemoryMb;
    if (typeof current === 'number' && !Token.isUnresolved(current) && current >= maximum) {
      Annotations.of(this).addWarningV2('lambda-auto-remediation:function-at-maximum',
        `${fn.node.path} has ${current} MB, not below the maximum it may be raised to (${maximum} MB): it will never be repaired. Raise policy.maxMemoryMb (or the function's maxMemoryMb), or exclude it.`);
    }
  }

  /** Let a principal answer approval requests (`states:SendTaskSuccess` / `SendTaskFailure`). */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return this.workflow.grantApprove(grantee);
  }

  /** Let a principal read the diagnosis, repair and audit records. */
  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    return this.store.grantReadData(grantee);
  }

  /** Remediation runs started. */
  public metricRemediationsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.workflow.metricStarted(props);
  }

  /** Remediation runs that failed (the outcome FAILED). */
  public metricRemediationsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.workflow.metricFailed(props);
  }
}

/**
 * Functions already managed by an AutoRemediation, per app: a function under two would have two
 * locks and two workflows that may both raise it.
 */
const MANAGERS = new WeakMap<IConstruct, Map<string, string>>();

function claimFunction(owner: AutoRemediation, fn: lambda.IFunction): void {
  const root = owner.node.root;
  const claimed = MANAGERS.get(root) ?? new Map<string, string>();
  MANAGERS.set(root, claimed);
  const name = functionNameOf(fn);
  // A name known at synthesis identifies the function across imports; else the construct does.
  const key = Token.isUnresolved(name) ? `construct:${fn.node.path}` : `${Stack.of(fn).account}/${Stack.of(fn).region}/${name}`;
  const other = claimed.get(key);
  if (other !== undefined && other !== owner.node.path) {
    throw new InvalidRemediationPolicyError(`function ${fn.node.path} is already managed by ${other}: two AutoRemediation constructs would both lock and raise it; manage it in one`);
  }
  claimed.set(key, owner.node.path);
}
