import { ArnFormat, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AlarmKind, AlarmOptions, MonitoredFunctionOptions, MonitoringOptions } from './monitoring-options';
import { InvalidMonitoringError } from '../workflow/construct-errors';
import { functionNameOf, logGroupArnOf, suppressNag, wildcardResourceFindings } from '../workflow/handler-support';

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
 * Alarms on the target functions, built to scale to hundreds of functions in one stack.
 *
 * - Errors, duration and throttles: CloudWatch Metrics Insights alarms that watch many functions
 *   at once (`... WHERE FunctionName IN (...) GROUP BY FunctionName`). Each function is a
 *   contributor with its own ALARM/OK state, and every contributor change is an EventBridge event
 *   naming the function. A query names at most as many functions as fit in 2,048 characters
 *   (about 27 CloudFormation-generated names), so larger fleets are split into several alarms.
 *   Duration alarms are grouped by timeout, since the threshold is a share of it.
 * - Memory utilisation: CloudWatch log alarms over up to 50 log groups each, running a Logs Insights
 *   query on the `REPORT` lines (`@maxMemoryUsed / @memorySize`) so the value stays right after a
 *   repair changes the memory size.
 * - Anomaly detection (opt-in): one classic alarm per function.
 *
 * Every alarm name starts with `alarmNamePrefix`, so one EventBridge rule matches them all.
 */
export class RemediationMonitoring extends Construct {
  /** Longest Metrics Insights query an alarm accepts, in characters. */
  public static readonly QUERY_MAX_LENGTH = 2048;
  /** Most log groups one log alarm can query. */
  public static readonly LOG_GROUPS_PER_LOG_ALARM = 50;

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

  private readonly options: MonitoringOptions;
  private readonly created: cloudwatch.IAlarm[] = [];
  private readonly targets: lambda.IFunction[] = [];
  private readonly insightsChunks = new Map<string, InsightsChunk[]>();
  private readonly logChunks: LogChunk[] = [];
  private anomalyCount = 0;

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

    if (wants(AlarmKind.ERRORS, this.options.errors, true)) {
      this.addToInsightsAlarm('Errors', functionName, {
        title: 'Errors',
        select: 'SUM(Errors)',
        threshold: this.options.errors?.threshold ?? 1,
        options: this.options.errors,
        defaultDatapoints: 2,
      });
    }
    const timeout = options.timeout ?? functionTimeout(fn);
    if (timeout && wants(AlarmKind.DURATION, this.options.duration, true)) {
      const seconds = timeout.toSeconds();
      const percent = this.options.duration?.threshold ?? 90;
      if (!(percent > 0 && percent <= 100)) {
        throw new InvalidMonitoringError(`duration threshold is a percent of the timeout between 0 and 100, got ${percent}`);
      }
      this.addToInsightsAlarm(`Duration${seconds}s`, functionName, {
        title: `Duration-${seconds}s`,
        select: 'MAX(Duration)',
        // Duration is reported in milliseconds; one alarm per timeout value keeps one threshold.
        threshold: Math.round(seconds * 1000 * percent / 100),
        options: this.options.duration,
        defaultDatapoints: 2,
      });
    }
    if (wants(AlarmKind.THROTTLES, this.options.throttles, false)) {
      this.addToInsightsAlarm('Throttles', functionName, {
        title: 'Throttles',
        select: 'SUM(Throttles)',
        threshold: this.options.throttles?.threshold ?? 10,
        options: this.options.throttles,
        defaultDatapoints: 3,
      });
    }
    if (wants(AlarmKind.MEMORY_UTILIZATION, this.options.memoryUtilization, true)) {
      this.addToLogAlarm(options.logGroup?.logGroupName ?? `/aws/lambda/${functionName}`);
    }
    if (!excluded.has(AlarmKind.DURATION_ANOMALY) && (this.options.anomalyDetection?.enabled ?? false)) {
      this.addAnomalyAlarm(fn);
    }
  }

  /** The Metrics Insights alarms are a shared resource per group of functions; find or open one with room. */
  private addToInsightsAlarm(group: string, functionName: string, spec: InsightsSpec): void {
    const cost = (Token.isUnresolved(functionName) ? 64 : functionName.length) + 4; // quotes, comma, space
    const chunks = this.insightsChunks.get(group) ?? [];
    this.insightsChunks.set(group, chunks);
    let chunk = chunks.find(c => c.room >= cost);
    if (!chunk) {
      const names: string[] = [];
      const index = chunks.length + 1;
      const prefix = `SELECT ${spec.select} FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName IN (`;
      const suffix = ') GROUP BY FunctionName';
      const o = spec.options ?? {};
      const alarm = new cloudwatch.Alarm(this, `${group}Alarm${index}`, {
        alarmName: `${this.alarmNamePrefix}-${spec.title}-${index}`,
        alarmDescription: `lambda-auto-remediation: ${spec.select} per function >= ${spec.threshold} (group ${index})`,
        metric: new cloudwatch.MathExpression({
          expression: prefix + Lazy.string({ produce: () => names.map(n => `'${n}'`).join(', ') }) + suffix,
          usingMetrics: {},
          period: o.period ?? Duration.minutes(1),
          label: spec.title,
        }),
        threshold: spec.threshold,
        evaluationPeriods: o.evaluationPeriods ?? 5,
        datapointsToAlarm: o.datapointsToAlarm ?? spec.defaultDatapoints,
        comparisonOperator: o.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: o.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.created.push(alarm);
      chunk = { names, room: RemediationMonitoring.QUERY_MAX_LENGTH - prefix.length - suffix.length };
      chunks.push(chunk);
    }
    chunk.names.push(functionName);
    chunk.room -= cost;
  }

  private addToLogAlarm(logGroupName: string): void {
    let chunk = this.logChunks.find(c => c.logGroupNames.length < RemediationMonitoring.LOG_GROUPS_PER_LOG_ALARM);
    if (!chunk) {
      chunk = this.createLogAlarm(this.logChunks.length + 1);
      this.logChunks.push(chunk);
    }
    chunk.logGroupNames.push(logGroupName);
    suppressNag(chunk.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'logs:StartQuery names each target log group; the trailing :* is how IAM addresses the streams of exactly that log group, not a wildcard over groups.',
      findings: wildcardResourceFindings(this, [logGroupArnOf(this, logGroupName)]),
    }]);
  }

  private createLogAlarm(index: number): LogChunk {
    const stack = Stack.of(this);
    const logGroupNames: string[] = [];
    const o = this.options.memoryUtilization ?? {};
    const period = o.period ?? Duration.minutes(5);
    const threshold = o.threshold ?? 90;
    const logGroupArns = () => logGroupNames.map(name => logGroupArnOf(this, name));

    // One role per alarm keeps each role's policy well under IAM's 10,240-character limit.
    const role = new iam.Role(this, `MemoryQueryRole${index}`, {
      description: 'Runs the lambda-auto-remediation memory utilisation query on the target log groups',
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('logs.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
        new iam.ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      ),
      inlinePolicies: {
        query: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:StartQuery'],
              resources: Lazy.list({ produce: logGroupArns }),
            }),
            new iam.PolicyStatement({
              // Query ids are not resources: these actions take no resource-level restriction.
              actions: ['logs:GetQueryResults', 'logs:StopQuery'],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    suppressNag(role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'logs:GetQueryResults and logs:StopQuery act on query ids and support no resource-level permission; logs:StartQuery is limited to the target log groups.',
      findings: ['Resource::*'],
    }]);

    const alarmName = `${this.alarmNamePrefix}-Memory-${index}`;
    new cloudwatch.CfnLogAlarm(this, `MemoryAlarm${index}`, {
      alarmName,
      alarmDescription: `lambda-auto-remediation: memory used >= ${threshold} % of memory size (group ${index})`,
      comparisonOperator: o.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold,
      queryResultsToEvaluate: o.evaluationPeriods ?? 1,
      queryResultsToAlarm: o.datapointsToAlarm ?? 1,
      treatMissingData: o.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      scheduledQueryConfiguration: {
        queryString: MEMORY_QUERY,
        aggregationExpression: MEMORY_AGGREGATION,
        logGroupIdentifiers: Lazy.list({ produce: () => logGroupNames }),
        scheduleConfiguration: {
          scheduleExpression: `rate(${period.toMinutes()} minute${period.toMinutes() === 1 ? '' : 's'})`,
          startTimeOffset: period.toSeconds(),
        },
        scheduledQueryRoleArn: role.roleArn,
      },
    });
    this.created.push(cloudwatch.Alarm.fromAlarmArn(this, `MemoryAlarm${index}Ref`, stack.formatArn({
      service: 'cloudwatch', resource: 'alarm', resourceName: alarmName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })));
    return { logGroupNames, role };
  }

  private addAnomalyAlarm(fn: lambda.IFunction): void {
    const o = this.options.anomalyDetection ?? {};
    this.anomalyCount += 1;
    const alarm = new cloudwatch.AnomalyDetectionAlarm(this, `DurationAnomalyAlarm${this.anomalyCount}`, {
      alarmName: `${this.alarmNamePrefix}-DurationAnomaly-${this.anomalyCount}`,
      alarmDescription: 'lambda-auto-remediation: average duration above the learned band',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        dimensionsMap: { FunctionName: functionNameOf(fn) },
        statistic: 'Average',
        period: Duration.minutes(5),
      }),
      stdDevs: o.standardDeviations ?? 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods: o.evaluationPeriods ?? 5,
      datapointsToAlarm: o.datapointsToAlarm ?? 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.created.push(alarm);
  }
}

/**
 * Logs Insights query over REPORT lines. `@maxMemoryUsed` and `@memorySize` are the fields Logs
 * Insights discovers in Lambda's text REPORT line; the ratio is unit-free. The function name is
 * parsed from `@log` (`<account>:/aws/lambda/<name>`) into `FunctionName`, so each function is its
 * own contributor and the contributor event names the function the same way as the Metrics
 * Insights alarms' `FunctionName` attribute does.
 */
const MEMORY_QUERY = [
  'filter @type = "REPORT"',
  'parse @log "*:/aws/lambda/*" as logAccount, FunctionName',
  'fields FunctionName, 100 * @maxMemoryUsed / @memorySize as memoryUtilization',
].join(' | ');
const MEMORY_AGGREGATION = 'max(memoryUtilization) by FunctionName';

interface InsightsSpec {
  readonly title: string;
  readonly select: string;
  readonly threshold: number;
  readonly options?: AlarmOptions;
  readonly defaultDatapoints: number;
}

interface InsightsChunk {
  readonly names: string[];
  room: number;
}

interface LogChunk {
  readonly logGroupNames: string[];
  readonly role: iam.Role;
}

/** The timeout of a function defined in this app; imported functions have none we can see. */
function functionTimeout(fn: lambda.IFunction): Duration | undefined {
  if (fn instanceof lambda.Function) {
    return fn.timeout ?? Duration.seconds(3);
  }
  return undefined;
}

