/**
 * Scenarios: the data files (`scenarios/*.json`) that describe a simulated incident, the stack
 * the user would deploy, how AWS behaves, and what must come out. See scenarios/README.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BedrockScript } from './account/bedrock-service';
import { LambdaLogFormat } from './account/log-format';
import { WorkloadSpec } from './account/workload';

/** A function of the simulated account and the stack. */
export interface ScenarioFunction {
  readonly functionName: string;
  readonly runtime: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly architecture?: string;
  readonly logFormat?: LambdaLogFormat;
  /** Environment variables; put a secret here to prove it never leaks. */
  readonly environment?: Record<string, string>;
  /** Traffic arrives through this alias (a published version). */
  readonly alias?: string;
  readonly workload: WorkloadSpec;
  /** Workload changes: from `atMinute` on, these workload fields apply. */
  readonly incidents?: Array<{ readonly atMinute: number; readonly workload: Partial<WorkloadSpec> }>;
  /** Put the function under AutoRemediation. @default true */
  readonly managed?: boolean;
  /** Needs approval (with `stack.approval` = `selected`). */
  readonly requireApproval?: boolean;
  /**
   * A custom log group: the stack sets the function's `LoggingConfig.LogGroup` to it and the
   * function writes there. @default `/aws/lambda/<functionName>`
   */
  readonly logGroupName?: string;
  /**
   * The function has never run: its log group does not exist when the scenario starts and appears
   * at its first invocation. To start it later, give it `invocationsPerMinute` 0 and an incident
   * that raises it. @default false
   */
  readonly neverInvokedBefore?: boolean;
}

/** The AutoRemediation props the scenario deploys with. */
export interface ScenarioStack {
  readonly policy?: {
    readonly maxMemoryMb?: number;
    readonly maxStepMb?: number;
    readonly minConfidence?: number;
    readonly cooldownMinutes?: number;
    readonly maxRepairsPerDay?: number;
    readonly dryRun?: boolean;
    readonly rollbackOnFailedVerification?: boolean;
    readonly verificationWindowMinutes?: number;
  };
  /** `none` (default), `all`, or `selected` (functions with `requireApproval`). */
  readonly approval?: 'none' | 'all' | 'selected';
  readonly approvalTimeoutMinutes?: number;
  /** Alarm settings of the monitoring sub-construct. */
  readonly monitoring?: {
    /** Duration alarm threshold, percent of the function timeout. @default 90 */
    readonly durationThresholdPercent?: number;
    /** Create the Throttles alarm. @default false */
    readonly throttles?: boolean;
    /** Throttles per minute that count as breaching. @default 10 */
    readonly throttlesThreshold?: number;
  };
  /** Bedrock configuration; absent = rules only. */
  readonly diagnosis?: {
    readonly modelId?: string;
    readonly knowledgeBaseId?: string;
    readonly agentId?: string;
    readonly agentAliasId?: string;
  };
}

/** How the simulated AWS behaves beyond the workloads. */
export interface ScenarioAccount {
  /** Seconds an update stays InProgress. @default 2 */
  readonly updateDelaySeconds?: number;
  /** The first N UpdateFunctionConfiguration calls fail with ResourceConflictException. */
  readonly conflictingUpdates?: number;
  /** The first N SNS Publish calls fail. */
  readonly snsFailures?: number;
  /**
   * Alarm mute rules (AWS::CloudWatch::AlarmMuteRule): alarms whose name starts with the prefix
   * still change state between the minutes, but their actions are muted and their events carry
   * `muteDetail`.
   */
  readonly alarmMutes?: Array<{ readonly alarmNamePrefix: string; readonly fromMinute: number; readonly toMinute: number }>;
}

/** What the operator answers to an approval request. */
export interface ScenarioApproval {
  readonly decision: 'approve' | 'reject' | 'ignore';
  /** Minutes after the request. @default 5 */
  readonly afterMinutes?: number;
  readonly approver?: string;
  readonly comment?: string;
}

/** Expected results per function. */
export interface FunctionExpectation {
  readonly finalMemoryMb?: number;
  readonly updateFunctionConfigurationCalls?: number;
}

/** What must come out; every field is optional and checked when present. */
export interface ScenarioExpectations {
  /** Executions started (alarm events delivered to the state machine). */
  readonly executions?: number;
  /** Exact count per outcome, e.g. `{ "REPAIRED": 1 }`; outcomes not listed must not occur unless in `otherOutcomesAllowed`. */
  readonly outcomes?: Record<string, number>;
  readonly otherOutcomesAllowed?: string[];
  /** Total UpdateFunctionConfiguration calls (including failed ones). */
  readonly updateFunctionConfigurationCalls?: number;
  readonly functions?: Record<string, FunctionExpectation>;
  readonly notifications?: {
    readonly count?: number;
    /** `type` of each SNS notification, in order. */
    readonly types?: string[];
    /** Each text must appear in at least one notification (subject or message). */
    readonly contain?: string[];
    /** No notification may contain these. */
    readonly notContain?: string[];
  };
  readonly records?: {
    /** Counts of records by kind: DIAGNOSIS, REPAIR, AUDIT. */
    readonly diagnosis?: number;
    readonly repair?: number;
    /** At least this many audit entries. */
    readonly minAudit?: number;
    /** `status` of the repair records, sorted. */
    readonly repairStatuses?: string[];
    /** `verificationStatus` of the repair records, sorted. */
    readonly verificationStatuses?: string[];
  };
  /** Diagnosis `decidedBy` of every diagnosis that ran, e.g. `rules` after a Bedrock failure. */
  readonly decidedBy?: string[];
  /**
   * Calls IAM is expected to deny (the simulation authorizes every handler call). Any other
   * denied call fails the scenario. @default - none
   */
  readonly accessDenied?: AccessDeniedExpectation[];
}

/** A denied call a scenario expects: the IAM action, optionally its resource and how many times. */
export interface AccessDeniedExpectation {
  readonly action: string;
  /** The resource ARN as the service authorizes it (e.g. the `:*` form of a log group). @default - any */
  readonly resource?: string;
  /** Exactly this many denied calls. @default - at least one */
  readonly count?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** @default 42 */
  readonly seed?: number;
  /** Virtual start (ISO-8601). @default '2026-11-28T12:00:00Z' */
  readonly start?: string;
  /** Minutes during which alarms may start executions; running executions then finish. */
  readonly durationMinutes: number;
  readonly functions: ScenarioFunction[];
  readonly stack?: ScenarioStack;
  readonly account?: ScenarioAccount;
  readonly bedrock?: BedrockScript;
  readonly approval?: ScenarioApproval;
  /** Each ALARM event is delivered this many times within its minute (alarm storm, redelivery). */
  readonly storm?: { readonly copiesPerAlarmEvent: number };
  readonly expect: ScenarioExpectations;
  /**
   * A known defect that keeps this scenario from meeting its expectations, in words. The run
   * still checks them (and fails); the tests mark the scenario as known to fail, so they notice
   * when the defect is fixed.
   */
  readonly knownIssue?: string;
}

/** Parse and check a scenario; throws ScenarioError naming the problem. */
export function parseScenario(json: unknown, source: string): Scenario {
  const s = json as Scenario;
  const problems: string[] = [];
  if (!s || typeof s !== 'object') throw new ScenarioError(`${source}: a scenario must be a json object`);
  if (typeof s.name !== 'string' || !/^[a-z0-9-]+$/.test(s.name)) problems.push(`name must be kebab-case, got '${String(s.name)}'`);
  if (typeof s.description !== 'string') problems.push('description is required');
  if (!(typeof s.durationMinutes === 'number' && s.durationMinutes >= 1 && s.durationMinutes <= 24 * 60)) {
    problems.push(`durationMinutes must be 1..1440, got ${String(s.durationMinutes)}`);
  }
  if (!Array.isArray(s.functions) || s.functions.length === 0) problems.push('functions must list at least one function');
  for (const [i, f] of (Array.isArray(s.functions) ? s.functions : []).entries()) {
    if (typeof f.functionName !== 'string' || !/^[A-Za-z0-9_-]{3,64}$/.test(f.functionName)) problems.push(`functions[${i}].functionName is invalid: '${String(f.functionName)}'`);
    if (!(f.memorySizeMb >= 128 && f.memorySizeMb <= 10240)) problems.push(`functions[${i}].memorySizeMb must be 128..10240, got ${String(f.memorySizeMb)}`);
    if (!(f.timeoutSeconds >= 1 && f.timeoutSeconds <= 900)) problems.push(`functions[${i}].timeoutSeconds must be 1..900, got ${String(f.timeoutSeconds)}`);
    if (typeof f.runtime !== 'string') problems.push(`functions[${i}].runtime is required`);
    if (!f.workload || !(f.workload.invocationsPerMinute >= 0) || !(f.workload.memoryNeedMb > 0) || !(f.workload.cpuMsAt1Vcpu >= 0)) {
      problems.push(`functions[${i}].workload needs invocationsPerMinute, memoryNeedMb and cpuMsAt1Vcpu`);
    }
    // CloudWatch Logs naming rules (CreateLogGroup), and Lambda's: "custom log group names mustn't
    // begin with the string aws/" (lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
    if (f.logGroupName !== undefined && (typeof f.logGroupName !== 'string' || !/^[\w\-/.#]{1,512}$/.test(f.logGroupName) || f.logGroupName.startsWith('aws/'))) {
      problems.push(`functions[${i}].logGroupName must be 1 to 512 of a-z, A-Z, 0-9, _, -, /, . and # and not start with aws/, got '${String(f.logGroupName)}'`);
    }
    if (f.neverInvokedBefore !== undefined && typeof f.neverInvokedBefore !== 'boolean') problems.push(`functions[${i}].neverInvokedBefore must be true or false, got '${String(f.neverInvokedBefore)}'`);
  }
  if (s.start !== undefined && Number.isNaN(Date.parse(s.start))) problems.push(`start is not a date: '${s.start}'`);
  if (!s.expect || typeof s.expect !== 'object') problems.push('expect is required (what the scenario must produce)');
  if (s.approval && !['approve', 'reject', 'ignore'].includes(s.approval.decision)) problems.push(`approval.decision must be approve, reject or ignore, got '${s.approval.decision}'`);
  for (const [i, m] of (s.account?.alarmMutes ?? []).entries()) {
    if (typeof m.alarmNamePrefix !== 'string' || m.alarmNamePrefix.length === 0) problems.push(`account.alarmMutes[${i}].alarmNamePrefix is required`);
    if (!(Number.isInteger(m.fromMinute) && Number.isInteger(m.toMinute) && m.fromMinute >= 0 && m.toMinute > m.fromMinute)) {
      problems.push(`account.alarmMutes[${i}] needs whole minutes with 0 <= fromMinute < toMinute, got ${String(m.fromMinute)}..${String(m.toMinute)}`);
    }
  }
  if (s.account?.alarmMutes !== undefined && !Array.isArray(s.account.alarmMutes)) problems.push('account.alarmMutes must be a list');
  if (s.storm && !(s.storm.copiesPerAlarmEvent >= 1)) problems.push(`storm.copiesPerAlarmEvent must be at least 1, got ${s.storm.copiesPerAlarmEvent}`);
  if (s.expect && typeof s.expect === 'object') problems.push(...accessDeniedProblems(s.expect.accessDenied));
  if (problems.length) throw new ScenarioError(`${source}: ${problems.join('; ')}`);
  return s;
}

function accessDeniedProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`expect.accessDenied must be an array, got ${JSON.stringify(value)}`];
  const problems: string[] = [];
  for (const [i, e] of value.entries()) {
    const where = `expect.accessDenied[${i}]`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) {
      problems.push(`${where} must be an object with action, resource and count, got ${JSON.stringify(e)}`);
      continue;
    }
    const unknown = Object.keys(e).filter((k) => !['action', 'resource', 'count'].includes(k));
    if (unknown.length) problems.push(`${where} has unknown field(s) ${unknown.join(', ')} (allowed: action, resource, count)`);
    if (typeof e.action !== 'string' || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(e.action)) problems.push(`${where}.action must be an iam action like 'lambda:UpdateFunctionConfiguration', got '${String(e.action)}'`);
    if (e.resource !== undefined && (typeof e.resource !== 'string' || e.resource.length === 0)) problems.push(`${where}.resource must be a non-empty string, got ${JSON.stringify(e.resource)}`);
    if (e.count !== undefined && !(Number.isInteger(e.count) && e.count >= 1)) problems.push(`${where}.count must be a positive integer, got ${JSON.stringify(e.count)}`);
  }
  return problems;
}

/** Read a scenario file. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario file '${file}': ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`scenario file '${basename(file)}' is not valid json: ${(err as Error).message}`);
  }
  return parseScenario(json, basename(file));
}

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}
