import { ArnFormat, Duration, Lazy, Names, NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AlarmKind, AlarmOptions, FleetSelection, MonitoredFunctionOptions, MonitoringOptions } from './monitoring-options';
import { InvalidMonitoringError } from '../workflow/construct-errors';
import { functionNameOf, suppressNag } from '../workflow/handler-support';
import { TargetAccess, targetResourcesOf } from '../workflow/target-access';

/** Properties of {@link RemediationMonitoring}. */
export interface RemediationMonitoringProps extends MonitoringOptions {
  /**
   * The functions to watch. More can be added with `addFunction`.
   *
   * @default - none at first
   */
  readonly functions?: lambda.IFunction[];
}

/**
 * Alarms on the target functions, each one a real account accepts, sized for 1,000 functions.
 *
 * - Errors, duration (against the function's timeout), optional throttles and optional duration
 *   anomaly detection: one classic CloudWatch metric alarm per function and kind, on the
 *   `AWS/Lambda` metric with the `FunctionName` dimension. Exact per-function thresholds, and the
 *   EventBridge event of each carries its threshold and datapoints. The first
 *   {@link RemediationMonitoring.FUNCTIONS_IN_PARENT} functions' alarms are in this construct's
 *   stack; the next ones go into nested stacks of {@link RemediationMonitoring.FUNCTIONS_PER_SHARD}
 *   functions, so no template nears CloudFormation's 500-resource limit.
 * - Memory utilisation: CloudWatch log alarms (`AWS::CloudWatch::LogAlarm`) over at most 50 log
 *   groups each, running a Logs Insights query on the text `REPORT` lines and the JSON
 *   `platform.report` records. Each log group is a contributor (`logGroup` attribute).
 * - Fleet mode (`fleet`): one Metrics Insights alarm over every function that carries the tag,
 *   `GROUP BY FunctionName ORDER BY SUM() DESC LIMIT 500`; each function is a contributor.
 *
 * Alarm names: `<prefix>-fn-<Kind>-<function>` (per function), `<prefix>-mem-<n>` (log alarms),
 * `<prefix>-fleet-<Kind>` (fleet). The workflow's EventBridge rule routes them by these prefixes.
 */
export class RemediationMonitoring extends Construct {
  /** Functions whose per-function alarms stay in this construct's own stack. */
  public static readonly FUNCTIONS_IN_PARENT = 50;
  /** Functions per nested stack of per-function alarms (CloudFormation: 200 parameters per template). */
  public static readonly FUNCTIONS_PER_SHARD = 150;
  /** Most log groups one log alarm can query (`LogGroupIdentifiers`: 1 to 50). */
  public static readonly LOG_GROUPS_PER_LOG_ALARM = 50;
  /** Default tag key of fleet mode. */
  public static readonly DEFAULT_FLEET_TAG_KEY = 'LambdaAutoRemediation';

  /** The start of every alarm name created here. */
  public readonly alarmNamePrefix: string;

  /** Start of the per-function metric alarm names, `<alarmNamePrefix>-fn-`. The workflow routes their state changes. */
  public readonly functionAlarmNamePrefix: string;

  /** Start of the memory log alarm names, `<alarmNamePrefix>-mem-`. The workflow routes any of their events. */
  public readonly memoryAlarmNamePrefix: string;

  /** Start of the fleet (Metrics Insights) alarm names, `<alarmNamePrefix>-fleet-`. The workflow routes their contributor events only. */
  public readonly fleetAlarmNamePrefix: string;

  /** Alarms the user brought (`existingAlarms`). */
  public readonly existingAlarms: cloudwatch.IAlarm[];

  /**
   * The fleet selection, when functions are selected by tag.
   *
   * @default - none
   */
  public readonly fleet?: FleetSelection;

  private readonly options: MonitoringOptions;
  private readonly created: cloudwatch.IAlarm[] = [];
  private readonly targets: lambda.IFunction[] = [];
  private readonly logChunks: LogChunk[] = [];
  private readonly logGroupOwners = new Map<string, string[]>();
  private readonly shards: NestedStack[] = [];
  private memoryQueryRole?: iam.Role;
  private memoryQueryAccess?: TargetAccess;

  constructor(scope: Construct, id: string, props: RemediationMonitoringProps = {}) {
    super(scope, id);
    this.options = props;
    this.alarmNamePrefix = props.alarmNamePrefix ?? `LambdaAutoRemediation-${Names.uniqueResourceName(this, { maxLength: 64, separator: '-' })}`;
    if (Token.isUnresolved(this.alarmNamePrefix) || !/^[A-Za-z0-9_.-]{3,100}$/.test(this.alarmNamePrefix)) {
      throw new InvalidMonitoringError(
        `alarmNamePrefix must be 3 to 100 letters, digits, '-', '_' or '.', known at synthesis time, got '${this.alarmNamePrefix}'`);
    }
    this.functionAlarmNamePrefix = `${this.alarmNamePrefix}-fn-`;
    this.memoryAlarmNamePrefix = `${this.alarmNamePrefix}-mem-`;
    this.fleetAlarmNamePrefix = `${this.alarmNamePrefix}-fleet-`;
    this.existingAlarms = [...(props.existingAlarms ?? [])];
    this.fleet = props.fleet;
    if (props.fleet) this.createFleetAlarms();
    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** Every alarm that starts the workflow: the ones created here and the existing ones. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.created, ...this.existingAlarms];
  }

  /** The watched functions, in the order they were added. */
  public get functions(): lambda.IFunction[] {
    return [...this.targets];
  }

  /** The memory log alarms created so far. */
  public get logAlarms(): cloudwatch.CfnLogAlarm[] {
    return this.logChunks.map((c) => c.alarm);
  }

  /** The log groups the memory alarms query, in the order they were added. */
  public get logGroupNames(): string[] {
    return this.logChunks.flatMap((c) => c.logGroupNames);
  }

  /**
   * Which function writes to each custom log group (not `/aws/lambda/<name>`), so a memory
   * alarm contributor can be traced to its function. Log groups shared by several functions are
   * left out: their REPORT lines do not say which function wrote them.
   */
  public get customLogGroupOwners(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [group, owners] of this.logGroupOwners) {
      if (owners.length === 1 && group !== `/aws/lambda/${owners[0]}`) out[group] = owners[0];
    }
    return out;
  }

  /** Watch one more function. */
  public addFunction(fn: lambda.IFunction, options: MonitoredFunctionOptions = {}): void {
    if (this.targets.includes(fn)) {
      throw new InvalidMonitoringError(`function ${fn.node.path} is already monitored`);
    }
    this.targets.push(fn);
    const functionName = functionNameOf(fn);
    const excluded = new Set(options.excludeAlarms ?? []);
    const wants = (kind: AlarmKind, opts: AlarmOptions | undefined, onByDefault: boolean) =>
      !excluded.has(kind) && (opts?.enabled ?? onByDefault);
    const scope = this.alarmScope(this.targets.length);
    const metric = (metricName: string, statistic: string, period?: Duration) => new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName,
      dimensionsMap: { FunctionName: functionName },
      statistic,
      period: period ?? Duration.minutes(1),
    });
    const alarmId = (kind: string) => `${kind}${this.targets.length}`;

    if (wants(AlarmKind.ERRORS, this.options.errors, true)) {
      const o = this.options.errors ?? {};
      this.addAlarm(scope, alarmId('Errors'), 'Errors', functionName, metric('Errors', 'Sum', o.period), {
        threshold: checkedThreshold('errors', o.threshold ?? 1),
        options: o,
        defaultDatapoints: 2,
        description: `lambda-auto-remediation: errors of ${functionName}`,
      });
    }
    const timeout = options.timeout ?? functionTimeout(fn);
    if (timeout && wants(AlarmKind.DURATION, this.options.duration, true)) {
      const o = this.options.duration ?? {};
      const percent = o.threshold ?? 90;
      if (!(percent > 0 && percent <= 100)) {
        throw new InvalidMonitoringError(`duration threshold is a percent of the timeout between 0 and 100, got ${percent}`);
      }
      // Duration is reported in milliseconds.
      const thresholdMs = Math.round(timeout.toMilliseconds() * percent / 100);
      this.addAlarm(scope, alarmId('Duration'), 'Duration', functionName, metric('Duration', 'Maximum', o.period), {
        threshold: thresholdMs,
        options: o,
        defaultDatapoints: 2,
        description: `lambda-auto-remediation: longest invocation of ${functionName} >= ${percent} % of its ${timeout.toSeconds()} s timeout`,
      });
    }
    if (wants(AlarmKind.THROTTLES, this.options.throttles, false)) {
      const o = this.options.throttles ?? {};
      this.addAlarm(scope, alarmId('Throttles'), 'Throttles', functionName, metric('Throttles', 'Sum', o.period), {
        threshold: checkedThreshold('throttles', o.threshold ?? 10),
        options: o,
        defaultDatapoints: 3,
        description: `lambda-auto-remediation: throttled invocations of ${functionName}`,
      });
    }
    if (wants(AlarmKind.ITERATOR_AGE, this.options.iteratorAge, false)) {
      const o = this.options.iteratorAge ?? {};
      this.addAlarm(scope, alarmId('IteratorAge'), 'IteratorAge', functionName, metric('IteratorAge', 'Maximum', o.period), {
        threshold: checkedThreshold('iteratorAge', o.threshold ?? 60_000),
        options: o,
        defaultDatapoints: 3,
        description: `lambda-auto-remediation: ${functionName} falling behind its stream (age of the last record processed)`,
      });
    }
    if (wants(AlarmKind.CONCURRENT_EXECUTIONS, this.options.concurrentExecutions, false)) {
      const o = this.options.concurrentExecutions ?? {};
      this.addAlarm(scope, alarmId('ConcurrentExecutions'), 'ConcurrentExecutions', functionName, metric('ConcurrentExecutions', 'Maximum', o.period), {
        threshold: checkedThreshold('concurrentExecutions', o.threshold ?? 100),
        options: o,
        defaultDatapoints: 3,
        description: `lambda-auto-remediation: concurrent executions of ${functionName}`,
      });
    }
    if (!excluded.has(AlarmKind.DURATION_ANOMALY) && (this.options.anomalyDetection?.enabled ?? false)) {
      const o = this.options.anomalyDetection ?? {};
      this.created.push(new cloudwatch.AnomalyDetectionAlarm(scope, alarmId('DurationAnomaly'), {
        alarmName: `${this.functionAlarmNamePrefix}DurationAnomaly-${functionName}`,
        alarmDescription: `lambda-auto-remediation: average duration of ${functionName} above the learned band`,
        metric: metric('Duration', 'Average', Duration.minutes(5)),
        stdDevs: o.standardDeviations ?? 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
        evaluationPeriods: o.evaluationPeriods ?? 5,
        datapointsToAlarm: o.datapointsToAlarm ?? 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    if (wants(AlarmKind.MEMORY_UTILIZATION, this.options.memoryUtilization, true)) {
      this.addToLogAlarm(fn, logGroupNameOf(fn, options), functionName);
    }
  }

  /**
   * Functions per nested stack: FUNCTIONS_PER_SHARD, fewer when more alarm kinds are on, so a
   * nested template stays within CloudFormation's 500 resources (450 alarms at most, room to spare).
   */
  private functionsPerShard(): number {
    const o = this.options;
    // The kinds on for every function (a function may exclude some: never more than these).
    const kinds = [
      o.errors?.enabled ?? true,
      o.duration?.enabled ?? true,
      o.throttles?.enabled ?? false,
      o.anomalyDetection?.enabled ?? false,
      o.iteratorAge?.enabled ?? false,
      o.concurrentExecutions?.enabled ?? false,
    ].filter(Boolean).length;
    return Math.min(RemediationMonitoring.FUNCTIONS_PER_SHARD, Math.floor(450 / Math.max(1, kinds)));
  }

  /** Where the alarms of the n-th function go: this construct, or a nested stack. */
  private alarmScope(n: number): Construct {
    if (n <= RemediationMonitoring.FUNCTIONS_IN_PARENT) return this;
    const index = Math.floor((n - RemediationMonitoring.FUNCTIONS_IN_PARENT - 1) / this.functionsPerShard());
    while (this.shards.length <= index) {
      this.shards.push(new NestedStack(this, `AlarmShard${this.shards.length + 1}`, {
        description: `lambda-auto-remediation: per-function alarms (part ${this.shards.length + 1})`,
      }));
    }
    return this.shards[index];
  }

  private addAlarm(scope: Construct, id: string, kind: string, functionName: string, metric: cloudwatch.Metric, spec: AlarmSpec): void {
    const o = spec.options;
    const evaluationPeriods = o.evaluationPeriods ?? 5;
    const datapointsToAlarm = o.datapointsToAlarm ?? Math.min(spec.defaultDatapoints, evaluationPeriods);
    checkPeriods(kind, evaluationPeriods, datapointsToAlarm);
    this.created.push(new cloudwatch.Alarm(scope, id, {
      alarmName: `${this.functionAlarmNamePrefix}${kind}-${functionName}`,
      alarmDescription: spec.description,
      metric,
      threshold: spec.threshold,
      evaluationPeriods,
      datapointsToAlarm,
      comparisonOperator: o.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: o.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }

  /** Fleet mode: Metrics Insights alarms over every function carrying the tag. */
  private createFleetAlarms(): void {
    const fleet = this.options.fleet!;
    const key = fleet.tagKey ?? RemediationMonitoring.DEFAULT_FLEET_TAG_KEY;
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html:
    // label values are quoted with single quotes; keep the key a plain identifier and the value free of quotes.
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key)) {
      throw new InvalidMonitoringError(`fleet.tagKey must be letters, digits and underscores (a Metrics Insights identifier), got '${key}'`);
    }
    if (Token.isUnresolved(fleet.tagValue) || !/^[A-Za-z0-9 _.:/=+@-]{1,256}$/.test(fleet.tagValue)) {
      throw new InvalidMonitoringError(`fleet.tagValue must be a literal tag value without quotes (1 to 256 of letters, digits, spaces and _ . : / = + - @), got '${fleet.tagValue}'`);
    }
    const kinds: Array<{ kind: string; select: string; order: string; opts?: AlarmOptions; threshold: number; datapoints: number; on: boolean }> = [
      { kind: 'Errors', select: 'SUM(Errors)', order: 'SUM()', opts: this.options.errors, threshold: this.options.errors?.threshold ?? 1, datapoints: 2, on: this.options.errors?.enabled ?? true },
      { kind: 'Throttles', select: 'SUM(Throttles)', order: 'SUM()', opts: this.options.throttles, threshold: this.options.throttles?.threshold ?? 10, datapoints: 3, on: this.options.throttles?.enabled ?? false },
    ];
    for (const k of kinds.filter((x) => x.on)) {
      const o = k.opts ?? {};
      const evaluationPeriods = o.evaluationPeriods ?? 5;
      const datapointsToAlarm = o.datapointsToAlarm ?? Math.min(k.datapoints, evaluationPeriods);
      checkPeriods(k.kind, evaluationPeriods, datapointsToAlarm);
      // Multi-time-series alarms need GROUP BY and ORDER BY; LIMIT is at most 500
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/multi-time-series-alarms.html).
      const query = `SELECT ${k.select} FROM SCHEMA("AWS/Lambda", FunctionName) WHERE tag.${key} = '${fleet.tagValue}' GROUP BY FunctionName ORDER BY ${k.order} DESC LIMIT 500`;
      this.created.push(new cloudwatch.Alarm(this, `Fleet${k.kind}Alarm`, {
        alarmName: `${this.fleetAlarmNamePrefix}${k.kind}`,
        alarmDescription: `lambda-auto-remediation: ${k.select} per function of the fleet ${key}=${fleet.tagValue}`,
        metric: new cloudwatch.MathExpression({ expression: query, usingMetrics: {}, period: o.period ?? Duration.minutes(1), label: k.kind }),
        threshold: checkedThreshold(k.kind.toLowerCase(), k.threshold),
        evaluationPeriods,
        datapointsToAlarm,
        comparisonOperator: o.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: o.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
  }

  private addToLogAlarm(fn: lambda.IFunction, logGroupName: string, functionName: string): void {
    const owners = this.logGroupOwners.get(logGroupName);
    if (owners) {
      // A shared log group is queried once; its contributor cannot be traced to one function.
      owners.push(functionName);
      return;
    }
    this.logGroupOwners.set(logGroupName, [functionName]);
    let chunk = this.logChunks.find((c) => c.logGroupNames.length < RemediationMonitoring.LOG_GROUPS_PER_LOG_ALARM);
    if (!chunk) {
      chunk = this.createLogAlarm(this.logChunks.length + 1);
      this.logChunks.push(chunk);
    }
    chunk.logGroupNames.push(logGroupName);
    this.queryAccess().add(targetResourcesOf(fn, logGroupName));
  }

  /**
   * The role the memory alarms' scheduled queries run as, shared by every log alarm, with the
   * permissions the log alarm documentation lists for it
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-log.html): StartQuery
   * and GetQueryResults on the queried log groups (by name, or by prefix past IAM's quotas),
   * StopQuery and DescribeLogGroups, which take no resource.
   */
  private queryRole(): iam.Role {
    if (this.memoryQueryRole) return this.memoryQueryRole;
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'MemoryQueryRole', {
      description: 'Runs the lambda-auto-remediation memory utilisation queries on the target log groups',
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('logs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
        new iam.ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      ),
      inlinePolicies: {
        query: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            // Query ids and the account's log group list are not resources: no resource-level restriction.
            actions: ['logs:StopQuery', 'logs:DescribeLogGroups'],
            resources: ['*'],
          })],
        }),
      },
    });
    suppressNag(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'logs:StopQuery and logs:DescribeLogGroups support no resource-level permission; logs:StartQuery and logs:GetQueryResults are granted on the target log groups only.',
      findings: ['Resource::*'],
    }]);
    this.memoryQueryRole = role;
    return role;
  }

  private queryAccess(): TargetAccess {
    this.memoryQueryAccess ??= new TargetAccess(this, 'MemoryQueryAccess', {
      role: this.queryRole(),
      logActions: ['logs:StartQuery', 'logs:GetQueryResults'],
    });
    return this.memoryQueryAccess;
  }

  private createLogAlarm(index: number): LogChunk {
    const stack = Stack.of(this);
    const logGroupNames: string[] = [];
    const o = this.options.memoryUtilization ?? {};
    const period = o.period ?? Duration.minutes(5);
    const threshold = o.threshold ?? 90;
    if (!(threshold > 0 && threshold <= 100)) {
      throw new InvalidMonitoringError(`memoryUtilization threshold is a percent of the memory size between 0 and 100, got ${threshold}`);
    }
    const evaluate = o.evaluationPeriods ?? 1;
    const toAlarm = o.datapointsToAlarm ?? 1;
    checkPeriods('memoryUtilization', evaluate, toAlarm);
    const alarmName = `${this.memoryAlarmNamePrefix}${index}`;
    const alarm = new cloudwatch.CfnLogAlarm(this, `MemoryAlarm${index}`, {
      alarmName,
      alarmDescription: `lambda-auto-remediation: memory used >= ${threshold} % of memory size (log groups part ${index})`,
      comparisonOperator: o.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold,
      queryResultsToEvaluate: evaluate,
      queryResultsToAlarm: toAlarm,
      treatMissingData: o.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      scheduledQueryConfiguration: {
        queryString: MEMORY_QUERY,
        aggregationExpression: MEMORY_AGGREGATION,
        logGroupIdentifiers: Lazy.list({ produce: () => logGroupNames }),
        scheduleConfiguration: {
          scheduleExpression: `rate(${period.toMinutes()} minute${period.toMinutes() === 1 ? '' : 's'})`,
          // The window ends INGESTION_DELAY before the run, so late-ingested lines are still read.
          startTimeOffset: period.toSeconds() + INGESTION_DELAY_SECONDS,
          endTimeOffset: INGESTION_DELAY_SECONDS,
        },
        scheduledQueryRoleArn: this.queryRole().roleArn,
      },
    });
    this.created.push(cloudwatch.Alarm.fromAlarmArn(this, `MemoryAlarm${index}Ref`, stack.formatArn({
      service: 'cloudwatch', resource: 'alarm', resourceName: alarmName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })));
    return { logGroupNames, alarm };
  }
}

/** Seconds the memory query's window ends before each run, for log events ingested late. */
const INGESTION_DELAY_SECONDS = 120;

/**
 * Logs Insights query over the platform's per-invocation report, in both log formats:
 * - text: the `REPORT` line, whose `@maxMemoryUsed` and `@memorySize` Logs Insights discovers;
 * - JSON: the `platform.report` record, `record.metrics.maxMemoryUsedMB` / `memorySizeMB`.
 * The ratio is unit-free either way, so the value stays right after a repair changes the size.
 * `@log` is `<account id>:<log group name>`; the log group is the contributor, which the
 * workflow maps back to the function.
 */
export const MEMORY_QUERY = [
  'filter @type = "REPORT" or type = "platform.report"',
  'parse @log "*:*" as logAccount, logGroup',
  'fields coalesce(100 * @maxMemoryUsed / @memorySize, 100 * record.metrics.maxMemoryUsedMB / record.metrics.memorySizeMB) as memoryUtilization',
].join(' | ');
/** The memory alarm's aggregation: one contributor per log group. */
export const MEMORY_AGGREGATION = 'max(memoryUtilization) by logGroup';

interface AlarmSpec {
  readonly threshold: number;
  readonly options: AlarmOptions;
  readonly defaultDatapoints: number;
  readonly description: string;
}

interface LogChunk {
  readonly logGroupNames: string[];
  readonly alarm: cloudwatch.CfnLogAlarm;
}

/** The timeout of a function defined in this app; imported functions have none we can see. */
function functionTimeout(fn: lambda.IFunction): Duration | undefined {
  if (fn instanceof lambda.Function) {
    return fn.timeout ?? Duration.seconds(3);
  }
  return undefined;
}

/**
 * The log group a function writes to: the option, else its `LoggingConfig.LogGroup` when it is a
 * function of this app that sets one, else `/aws/lambda/<name>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
 */
export function logGroupNameOf(fn: lambda.IFunction, options: MonitoredFunctionOptions = {}): string {
  if (options.logGroup) return options.logGroup.logGroupName;
  const cfn = fn.node.defaultChild;
  if (cfn instanceof lambda.CfnFunction && cfn.loggingConfig && !Token.isUnresolved(cfn.loggingConfig)) {
    const logGroup = (cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty).logGroup;
    if (logGroup !== undefined) return logGroup;
  }
  return `/aws/lambda/${functionNameOf(fn)}`;
}

function checkedThreshold(kind: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new InvalidMonitoringError(`${kind} threshold must be a number of at least 0, got ${value}`);
  }
  return value;
}

function checkPeriods(kind: string, evaluationPeriods: number, datapointsToAlarm: number): void {
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    throw new InvalidMonitoringError(`${kind} evaluationPeriods must be a whole number of at least 1, got ${evaluationPeriods}`);
  }
  if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
    throw new InvalidMonitoringError(`${kind} datapointsToAlarm must be a whole number between 1 and evaluationPeriods (${evaluationPeriods}), got ${datapointsToAlarm}`);
  }
}
