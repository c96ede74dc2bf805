/**
 * The simulated AWS account: Lambda functions running their workloads minute by minute on a
 * virtual clock, the CloudWatch metrics and log lines they produce, alarms evaluated from those,
 * SNS, EventBridge, EventBridge Scheduler and Bedrock, with every API call recorded. `install()` serves the AWS SDK v3
 * clients from this account (aws-sdk-client-mock); DynamoDB is the real one on loopback.
 *
 * Log groups as Lambda makes them
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html): a
 * function writes to its `LoggingConfig.LogGroup` when set, else `/aws/lambda/<name>`; the group
 * exists from the start for a function that has logged before, and is created at the first
 * invocation otherwise ("By default, CloudWatch automatically creates a log group named
 * /aws/lambda/<function name> for your function when it's first invoked."). Streams in a custom log
 * group are named "YYYY/MM/DD/<function_name>[<function_version>][<execution_environment_GUID>]".
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { VirtualScheduler } from '../scheduler';
import { ApiRecorder } from './api-recorder';
import { BedrockScript, BedrockService } from './bedrock-service';
import { CallPipeline } from './call-pipeline';
import { currentCaller } from './caller';
import { CloudTrailOptions, CloudTrailService } from './cloudtrail';
import { AlarmMuteRule, AlarmSpec, AlarmTransition, Authorize, CloudWatchService, CompositeAlarmSpec, LogAlarmSpec } from './cloudwatch-service';
import { ConfigService, ConfigServiceOptions } from './config-service';
import { FaultInjector } from './faults';
import { DeployRecord, LambdaService, LambdaServiceOptions, ScriptedFunctionSpec, SIM_ACCOUNT, SIM_REGION, SimFunction, SimFunctionSpec } from './lambda-service';
import { applicationLogLine, invocationLogLines } from './log-format';
import { LogsService, MetricFilterSpec } from './logs-service';
import { MessagingOptions, MessagingService } from './messaging-service';
import { MetricStore } from './metrics';
import { SchedulerService } from './scheduler-service';
import { SdkRetryModel } from './sdk-retry';
import { SsmService } from './ssm-service';
import { StatesService } from './states-service';
import { EnvironmentState, expectedConcurrency, isError, newEnvironmentState, simulateMinute, streamMinute, WorkloadSpec } from './workload';

const MINUTE = 60_000;

/** A change of a function's workload at a virtual time (an incident starting, traffic changing). */
export interface WorkloadChange {
  readonly functionName: string;
  /** Virtual epoch ms when the change takes effect. */
  readonly at: number;
  readonly workload: Partial<WorkloadSpec>;
}

/** A function of the account and where it logs. */
export interface AccountFunctionSpec extends SimFunctionSpec {
  /** It has never run: its log group does not exist until its first invocation. @default false */
  readonly neverInvokedBefore?: boolean;
}

/** A deploy by someone else at a virtual time. */
export interface DeployChange {
  readonly at: number;
  readonly functionName: string;
  readonly memorySizeMb?: number;
  readonly codeChange?: boolean;
  readonly moveAlias?: boolean;
}

export interface AccountOptions {
  /** Virtual start, epoch ms (aligned down to a minute). */
  readonly start: number;
  readonly seed?: number;
  readonly functions: AccountFunctionSpec[];
  /** Authorizes calls made as a role (log alarms' query roles); without it IAM is not evaluated. */
  readonly authorize?: Authorize;
  /** Alarm mute rules in force. */
  readonly alarmMutes?: AlarmMuteRule[];
  readonly changes?: WorkloadChange[];
  /** Deploys by someone else during the scenario. */
  readonly deploys?: DeployChange[];
  readonly lambda?: LambdaServiceOptions;
  /** Users' functions whose code is scripted (custom analyzers): they answer Invoke, run no workload. */
  readonly scriptedFunctions?: ScriptedFunctionSpec[];
  /** CloudTrail: whether a trail delivers management events to EventBridge. */
  readonly cloudTrail?: CloudTrailOptions;
  /** AWS Config: whether the recorder records Lambda functions. */
  readonly config?: ConfigServiceOptions;
  /** The execution role of a function of the template (who a handler's calls are made as). */
  readonly roleOfFunction?: (functionArn: string) => string | undefined;
  readonly messaging?: MessagingOptions;
  readonly bedrock?: BedrockScript;
  /** The account id. @default SIM_ACCOUNT */
  readonly account?: string;
  /** The region. @default SIM_REGION */
  readonly region?: string;
  /** Share another account's virtual clock and scheduler (a multi-account world has one time). */
  readonly world?: { readonly clock: VirtualClock; readonly scheduler: VirtualScheduler };
}

/**
 * Authorization of the handlers' calls (IAM, see iam.ts `AccessGate`). Without one every call is
 * answered.
 */
export interface CallAuthorization {
  /** Throws the service's access-denied error when the call is not allowed (`assumedRole`: made with that role's credentials). */
  check(service: string, operation: string, input: unknown, assumedRole?: string): Promise<void>;
  /** Sees each successful call (what later requests refer to, e.g. a query's log groups). */
  observe?(service: string, operation: string, input: unknown, output: unknown): void;
}

/**
 * Which account of a world serves a call of `client` (from its region and credentials), and the
 * role whose assumed credentials it holds, if any.
 */
export type CallRouter = (client: object, service: string) => Promise<{ account: SimulatedAccount; assumedRole?: string }>;

/** Counts of what the workload did, per function. */
export interface WorkloadTally {
  invocations: number;
  errors: number;
  oom: number;
  timeouts: number;
  throttles: number;
}

export class SimulatedAccount {
  public readonly clock: VirtualClock;
  public readonly scheduler: VirtualScheduler;
  /** The account id and region this account serves. */
  public readonly accountId: string;
  public readonly region: string;
  /** Ids and tokens the services hand out (request ids, revision ids, message ids...). */
  public readonly random: SeededRandom;
  /**
   * What the workloads do, minute by minute: a stream of its own, so the world the workflow meets
   * does not depend on how many ids the workflow drew (the Step Functions workflow and the Lambda
   * coordinator make different calls and must meet the same incident).
   */
  private readonly worldRandom: SeededRandom;
  public readonly recorder: ApiRecorder;
  public readonly metrics = new MetricStore();
  public readonly lambda: LambdaService;
  public readonly cloudwatch: CloudWatchService;
  public readonly logs: LogsService;
  public readonly messaging: MessagingService;
  public readonly bedrock: BedrockService;
  public readonly states: StatesService;
  public readonly cloudTrail: CloudTrailService;
  public readonly config: ConfigService;
  public readonly ssm: SsmService;
  /** EventBridge Scheduler, once the run gives it its IAM and Lambda hooks (`useScheduler`). */
  public schedules?: SchedulerService;
  /** Per function, per minute start: what happened. */
  public readonly tally = new Map<string, Map<number, WorkloadTally>>();
  private generatedUntil: number;
  private readonly pendingChanges: WorkloadChange[];
  /** Every handler call goes through it: SDK retry, IAM, faults, the record (call-pipeline.ts). */
  public readonly pipeline: CallPipeline;
  private readonly logGroups = new Map<string, string>();
  /** Invocations each function has run (for `logLines[].every`). */
  private readonly invocationCounts = new Map<string, number>();
  /** The execution environment of each function, for workloads that leak (`leakMbPerInvocation`). */
  private readonly environments = new Map<string, EnvironmentState>();
  private readonly pendingDeploys: DeployChange[];
  /** Records waiting in each consumed stream (by function name). */
  private readonly streamBacklog = new Map<string, number>();
  /** The deploys by someone else that happened, in order. */
  public readonly deploys: DeployRecord[] = [];

  constructor(options: AccountOptions) {
    const start = Math.floor(options.start / MINUTE) * MINUTE;
    this.accountId = options.account ?? SIM_ACCOUNT;
    this.region = options.region ?? SIM_REGION;
    this.clock = options.world?.clock ?? new VirtualClock(start);
    this.scheduler = options.world?.scheduler ?? new VirtualScheduler(this.clock);
    this.random = new SeededRandom((options.seed ?? 42) + 0x5eed);
    this.worldRandom = new SeededRandom(options.seed ?? 42);
    this.recorder = new ApiRecorder(() => this.clock.nowIso());
    this.pipeline = new CallPipeline({
      recorder: this.recorder,
      retry: new SdkRetryModel(options.seed ?? 42, (ms) => this.scheduler.sleep(ms)),
      now: () => this.clock.now(),
      requestId: () => this.random.uuid(),
    });
    this.lambda = new LambdaService(this.clock, this.random, {
      ...options.lambda, sleep: (ms) => this.scheduler.sleep(ms), account: this.accountId, region: this.region,
    });
    for (const f of options.scriptedFunctions ?? []) this.lambda.addScriptedFunction(f);
    // The integrations' ids (CloudTrail, AWS Config, OpsCenter, Automation, default-bus event ids)
    // come from a stream of their own: a scenario that does not use them draws exactly what it drew
    // without them, so its workload (and every outcome) stays the same.
    const integrationRandom = new SeededRandom((options.seed ?? 42) + 0x5f3759df);
    this.cloudTrail = new CloudTrailService(this.clock, integrationRandom, options.cloudTrail);
    this.config = new ConfigService(this.clock, integrationRandom, options.config);
    this.ssm = new SsmService(this.clock, integrationRandom);
    // Every change of a function is a CloudTrail management event and, where Config records, a configuration item.
    this.lambda.onChange = (change, configuration) => {
      const caller = currentCaller();
      const identity = change.by === 'cloudformation'
        ? { kind: 'service' as const, service: 'cloudformation.amazonaws.com', roleArn: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1', sessionName: 'AWSCloudFormation' }
        : {
          kind: 'role' as const,
          roleArn: (caller && options.roleOfFunction?.(caller.functionArn)) ?? 'arn:aws:iam::123456789012:role/operator',
          sessionName: caller?.functionName ?? 'operator',
        };
      const eventName = change.operation === 'UpdateFunctionConfiguration' ? 'UpdateFunctionConfiguration20150331v2' : 'UpdateFunctionCode20150331v2';
      this.cloudTrail.record('lambda', eventName, identity, change.requestParameters, {
        functionName: configuration.FunctionName,
        functionArn: configuration.FunctionArn,
        memorySize: configuration.MemorySize,
        timeout: configuration.Timeout,
        revisionId: configuration.RevisionId,
        lastUpdateStatus: configuration.LastUpdateStatus,
        version: configuration.Version,
      });
      this.config.functionChanged(change.functionName, configuration);
    };
    this.logs = new LogsService(this.clock, this.random, { account: this.accountId, region: this.region });
    this.cloudwatch = new CloudWatchService(this.clock, this.random, this.metrics, {
      logs: this.logs,
      authorize: options.authorize,
      mutes: options.alarmMutes,
      account: this.accountId,
      region: this.region,
      // Lambda metrics belong to the function named by FunctionName: its tags are the resource tags.
      resourceTags: (m) => (m.namespace === 'AWS/Lambda' && m.dimensions.FunctionName ? this.functionTags(m.dimensions.FunctionName) : undefined),
    });
    this.messaging = new MessagingService(this.clock, this.random, options.messaging, integrationRandom);
    this.bedrock = new BedrockService(this.scheduler, options.bedrock);
    this.states = new StatesService(this.clock);
    for (const f of options.functions) {
      this.lambda.addFunction(f);
      this.logGroups.set(f.functionName, f.logGroupName ?? logGroupOf(f.functionName));
      if (!f.neverInvokedBefore) this.logs.ensureLogGroup(this.logGroupFor(f.functionName));
    }
    this.generatedUntil = start;
    this.pendingChanges = [...(options.changes ?? [])].sort((a, b) => a.at - b.at);
    this.pendingDeploys = [...(options.deploys ?? [])].sort((a, b) => a.at - b.at);
  }

  public addAlarm(spec: AlarmSpec): void {
    this.cloudwatch.addAlarm(spec);
  }

  public addLogAlarm(spec: LogAlarmSpec): void {
    this.cloudwatch.addLogAlarm(spec);
  }

  public addCompositeAlarm(spec: CompositeAlarmSpec): void {
    this.cloudwatch.addCompositeAlarm(spec);
  }

  /**
   * Deploy a template's alarms as CloudFormation would: each through its Put API's checks, metric
   * and log alarms before the composite alarms that name them. The first rejection throws (the
   * stack would roll back). Then the log alarms' query roles are authorized.
   */
  public async deployAlarms(alarms: { alarms: AlarmSpec[]; logAlarms?: LogAlarmSpec[]; compositeAlarms?: CompositeAlarmSpec[] }): Promise<void> {
    for (const a of alarms.alarms) this.cloudwatch.addAlarm(a);
    for (const a of alarms.logAlarms ?? []) this.cloudwatch.addLogAlarm(a);
    for (const a of alarms.compositeAlarms ?? []) this.cloudwatch.addCompositeAlarm(a);
    await this.cloudwatch.authorizeLogAlarms();
  }

  private functionTags(name: string): Record<string, string> | undefined {
    return this.lambda.all().find((f) => f.spec.functionName === name)?.spec.tags;
  }

  /** The log group a function writes to. */
  public logGroupFor(functionName: string): string {
    return this.logGroups.get(functionName) ?? logGroupOf(functionName);
  }

  public addMetricFilter(spec: MetricFilterSpec): void {
    this.logs.ensureLogGroup(spec.logGroupName);
    this.logs.addMetricFilter(spec);
  }

  /**
   * Run the workloads up to virtual time `t`: each complete minute is generated (invocations,
   * logs, metrics) and then every alarm is evaluated at the minute's end. Returns the alarm
   * transitions, in order.
   */
  public runUntil(t: number): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    this.applyDeploys();
    while (this.generatedUntil + MINUTE <= t) {
      const minuteStart = this.generatedUntil;
      // The world moves on: time is at least the end of the minute being generated.
      this.clock.advanceTo(minuteStart + MINUTE);
      this.applyChanges(minuteStart);
      this.generateMinute(minuteStart);
      this.generatedUntil = minuteStart + MINUTE;
      transitions.push(...this.cloudwatch.evaluateAlarms(this.generatedUntil));
      this.applyDeploys();
    }
    this.clock.advanceTo(t);
    return transitions;
  }

  /** End of the last generated minute. */
  public generatedTo(): number {
    return this.generatedUntil;
  }

  public functionNamed(name: string): SimFunction {
    return this.lambda.get(name).fn;
  }

  /**
   * Serve the AWS SDK v3 clients from this account (everything but DynamoDB). Returns the
   * function that restores the real clients. With `router` (a world of several accounts and
   * regions), each call of Lambda, CloudWatch and CloudWatch Logs is served by the account the
   * router picks from the client's region and credentials, and authorized there (as the role
   * whose assumed credentials the client holds); with `sts`, STS AssumeRole is served too.
   */
  public install(router?: CallRouter, sts?: { assumeRole(input: unknown): Promise<unknown> }): () => void {
    const routed = (service: string, pick: (a: SimulatedAccount) => object) => (router
      ? async (client: object) => {
        const r = await router(client, service);
        return { target: pick(r.account), pipeline: r.account.pipeline, assumedRole: r.assumedRole };
      }
      : undefined);
    const stubs = [
      this.stub(LambdaClient, 'Lambda', this.lambda, routed('Lambda', (a) => a.lambda)),
      this.stub(CloudWatchClient, 'CloudWatch', this.cloudwatch, routed('CloudWatch', (a) => a.cloudwatch)),
      this.stub(CloudWatchLogsClient, 'CloudWatchLogs', this.logs, routed('CloudWatchLogs', (a) => a.logs)),
      this.stub(SNSClient, 'SNS', this.messaging),
      this.stub(EventBridgeClient, 'EventBridge', this.messaging),
      this.stub(BedrockRuntimeClient, 'BedrockRuntime', this.bedrock),
      this.stub(BedrockAgentRuntimeClient, 'BedrockAgentRuntime', this.bedrock),
      this.stub(SFNClient, 'StepFunctions', this.states),
      this.stub(ConfigServiceClient, 'ConfigService', this.config),
      this.stub(SSMClient, 'SSM', this.ssm),
      this.stub(SchedulerClient, 'Scheduler', {
        createSchedule: (input: unknown) => this.schedulerService().createSchedule(input as never),
        getSchedule: (input: unknown) => this.schedulerService().getSchedule(input as never),
        deleteSchedule: (input: unknown) => this.schedulerService().deleteSchedule(input as never),
      }),
    ];
    if (sts) {
      const mock = mockClient(STSClient);
      const random = this.random;
      const recorder = this.recorder;
      mock.send.callsFake(async (command: { input: unknown; constructor: { name: string } }) => {
        const operation = command.constructor.name.replace(/Command$/, '');
        if (operation !== 'AssumeRole') throw new UnsupportedOperationError(`the simulated account does not implement STS:${operation}`);
        try {
          const out = await sts.assumeRole(command.input);
          recorder.record('STS', operation, command.input);
          return { $metadata: { httpStatusCode: 200, requestId: random.uuid(), attempts: 1, totalRetryDelay: 0 }, ...(out as object) };
        } catch (err) {
          recorder.record('STS', operation, command.input, (err as Error).name);
          throw err;
        }
      });
      stubs.push(mock);
    }
    return () => stubs.forEach((s) => s.restore());
  }

  /** Serve EventBridge Scheduler with this service. */
  public useScheduler(service: SchedulerService): void {
    this.schedules = service;
  }

  private schedulerService(): SchedulerService {
    if (!this.schedules) throw new UnsupportedOperationError('the simulated account serves EventBridge Scheduler only once the run has set it up (useScheduler)');
    return this.schedules;
  }

  /** Authorize the handlers' calls from now on (undefined: answer every call). */
  public useAuthorization(authorization: CallAuthorization | undefined): void {
    this.pipeline.authorization = authorization;
  }

  /** Inject the scenario's faults into the calls from now on. */
  public useFaults(faults: FaultInjector | undefined): void {
    this.pipeline.faults = faults;
  }

  private stub(
    cls: any,
    service: string,
    home: object,
    route?: (client: object) => Promise<{ target: object; pipeline: CallPipeline; assumedRole?: string }>,
  ): { restore(): void } {
    const mock = mockClient(cls);
    const homePipeline = this.pipeline;
    const random = this.random;
    mock.send.callsFake(async function (this: object, command: { input: unknown; constructor: { name: string } }) {
      const operation = command.constructor.name.replace(/Command$/, '');
      const method = operation.charAt(0).toLowerCase() + operation.slice(1);
      const { target, pipeline, assumedRole } = route ? await route(this) : { target: home, pipeline: homePipeline, assumedRole: undefined };
      const fn = (target as Record<string, unknown>)[method];
      const { output, attempts, totalRetryDelayMs } = await pipeline.call(this, service, operation, command.input, async () => {
        if (typeof fn !== 'function') {
          throw new UnsupportedOperationError(`the simulated account does not implement ${service}:${operation}`);
        }
        return (fn as (input: unknown) => unknown).call(target, command.input);
      }, assumedRole);
      return { $metadata: { httpStatusCode: 200, requestId: random.uuid(), attempts, totalRetryDelay: totalRetryDelayMs }, ...(output as object) };
    });
    return mock;
  }

  /** Deploys due by now; one that meets an update in progress waits (CloudFormation retries). */
  private applyDeploys(): void {
    while (this.pendingDeploys.length && this.pendingDeploys[0].at <= this.clock.now()) {
      const d = this.pendingDeploys[0];
      const record = this.lambda.deploy(d);
      if (!record) {
        this.pendingDeploys[0] = { ...d, at: this.clock.now() + MINUTE };
        this.pendingDeploys.sort((a, b) => a.at - b.at);
        return;
      }
      this.pendingDeploys.shift();
      this.deploys.push(record);
    }
  }

  private applyChanges(minuteStart: number): void {
    while (this.pendingChanges.length && this.pendingChanges[0].at < minuteStart + MINUTE) {
      const c = this.pendingChanges.shift()!;
      const fn = this.lambda.get(c.functionName).fn;
      fn.workload = { ...fn.workload, ...c.workload };
    }
  }

  private generateMinute(minuteStart: number): void {
    for (const fn of this.lambda.all()) {
      const alias = fn.spec.alias;
      const routes = alias ? this.lambda.aliasRoutes(fn, alias) : [];
      if (routes.length > 1) {
        // Weighted alias routing: each version runs its share of the invocations with its own
        // configuration (memory) and its own execution environments.
        for (const r of routes) {
          const share = { ...fn.workload, invocationsPerMinute: fn.workload.invocationsPerMinute * r.share };
          this.generateRun(fn, minuteStart, r.version, r.config, share, `${fn.spec.functionName}#${r.version}`);
        }
      } else {
        const version = alias ? fn.aliases.get(alias)!.functionVersion : '$LATEST';
        this.generateRun(fn, minuteStart, version, this.lambda.effectiveConfig(fn), fn.workload, fn.spec.functionName);
      }
    }
  }

  /** One minute of `workload` run by `version` of `fn` (the whole function, or a version's share of its alias). */
  private generateRun(
    fn: SimFunction, minuteStart: number, version: string, config: ReturnType<LambdaService['effectiveConfig']>, workload: WorkloadSpec, environmentKey: string,
  ): void {
    const env = { memorySizeMb: config.memorySize, timeoutSeconds: config.timeout, runtime: config.runtime };
    const name = fn.spec.functionName;
    // A stream consumer gets as many batches as its shards get through; others their invocation rate.
    // The function's execution environment carries a leak (leakMbPerInvocation) across minutes.
    if (!this.environments.has(environmentKey)) this.environments.set(environmentKey, newEnvironmentState());
    const environment = this.environments.get(environmentKey)!;
    const backlog = this.streamBacklog.get(name) ?? 0;
    const consumer = workload.stream ? streamMinute(workload, env, minuteStart, this.worldRandom, backlog, environment) : undefined;
    if (consumer) this.streamBacklog.set(name, consumer.backlogAfter);
    const invocations = consumer?.invocations ?? simulateMinute(workload, env, minuteStart, this.worldRandom, environment);
    const alias = fn.spec.alias;
    // Invocations through an alias are also published per ExecutedVersion ("view metrics by the
    // version of the function that executed; only applies to alias invocations",
    // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
    const dims: Array<Record<string, string>> = [{ FunctionName: name }, ...(alias ? [
      { FunctionName: name, Resource: `${name}:${alias}` },
      { FunctionName: name, Resource: `${name}:${alias}`, ExecutedVersion: version },
    ] : [])];
    const writers = new Map<string, Array<(t: number, v: number) => void>>();
    const put = (metricName: string, t: number, v: number) => {
      let w = writers.get(metricName);
      if (!w) {
        w = dims.map((d) => this.metrics.writer({ namespace: 'AWS/Lambda', metricName, dimensions: d }));
        writers.set(metricName, w);
      }
      for (const write of w) write(t, v);
    };
    const tally: WorkloadTally = { invocations: 0, errors: 0, oom: 0, timeouts: 0, throttles: 0 };
    const day = new Date(minuteStart).toISOString().slice(0, 10).replace(/-/g, '/');
    const group = this.logGroupFor(name);
    const stream = group === logGroupOf(name) ? `${day}/[${version}]${streamSuffix(name, version)}` : `${day}/${name}[${version}]${streamSuffix(name, version)}`;
    const events: Array<{ timestamp: number; message: string; logStreamName: string }> = [];
    for (const inv of invocations) {
      if (inv.outcome === 'throttled') {
        put('Throttles', inv.start, 1);
        tally.throttles++;
        continue;
      }
      tally.invocations++;
      put('Invocations', inv.start, 1);
      put('Errors', inv.start, isError(inv.outcome) ? 1 : 0);
      put('Duration', inv.start, inv.durationMs);
      put('Throttles', inv.start, 0);
      if (isError(inv.outcome)) tally.errors++;
      if (inv.outcome === 'oom-killed' || inv.outcome === 'runtime-oom' || inv.outcome === 'language-oom') tally.oom++;
      if (inv.outcome === 'timeout') tally.timeouts++;
      for (const line of invocationLogLines(inv, config.runtime, fn.spec.logFormat ?? 'text', version)) {
        events.push({ timestamp: inv.start + line.offsetMs, message: line.message, logStreamName: stream });
      }
      // The code's own lines, every n-th invocation of the function.
      const n = (this.invocationCounts.get(name) ?? 0) + 1;
      this.invocationCounts.set(name, n);
      for (const l of fn.workload.logLines ?? []) {
        if (n % l.every !== 0) continue;
        const at = inv.start + 2;
        const message = applicationLogLine(config.runtime, fn.spec.logFormat ?? 'text', new Date(at).toISOString(), inv.requestId, l.level ?? 'ERROR', l.text);
        events.push({ timestamp: at, message, logStreamName: stream });
      }
    }
    for (const a of consumer?.iteratorAges ?? []) put('IteratorAge', a.at, a.ageMs);
    const served = consumer ? { ...workload, invocationsPerMinute: invocations.length } : workload;
    if (invocations.length > 0) put('ConcurrentExecutions', minuteStart, expectedConcurrency(served, env));
    events.sort((a, b) => a.timestamp - b.timestamp);
    // No invocation, no log line: a function that never ran has no log group yet.
    const points = events.length ? this.logs.append(group, events) : [];
    for (const p of points) {
      const id = { namespace: p.filter.metricNamespace, metricName: p.filter.metricName, dimensions: p.filter.dimensions ?? {} };
      this.metrics.put(id, p.timestamp, p.value);
    }
    if (!this.tally.has(name)) this.tally.set(name, new Map());
    // Two versions share a minute: their counts add up.
    const earlier = this.tally.get(name)!.get(minuteStart);
    this.tally.get(name)!.set(minuteStart, earlier && environmentKey !== name ? addTally(earlier, tally) : tally);
  }
}

function addTally(a: WorkloadTally, b: WorkloadTally): WorkloadTally {
  return {
    invocations: a.invocations + b.invocations,
    errors: a.errors + b.errors,
    oom: a.oom + b.oom,
    timeouts: a.timeouts + b.timeouts,
    throttles: a.throttles + b.throttles,
  };
}

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

function streamSuffix(name: string, version: string): string {
  // A stable sandbox id per function version, like the hex id Lambda appends.
  let h = 7;
  for (const ch of `${name}${version}`) h = (h * 31 + ch.charCodeAt(0)) % 4294967291;
  return (h.toString(16).padStart(8, '0') + '5d1e3c0a9b7f4e21a6c8d0f3b2e1a947').slice(0, 32);
}

export class UnsupportedOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}
