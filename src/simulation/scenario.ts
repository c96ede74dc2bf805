/**
 * Scenarios: the data files (`scenarios/*.json`) that describe a simulated incident, the stack
 * the user would deploy, how AWS behaves, and what must come out. See scenarios/README.md.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BedrockScript } from './account/bedrock-service';
import { serviceErrorProblem } from './account/faults';
import { InvokeScript } from './account/lambda-service';
import { LambdaLogFormat } from './account/log-format';
import { LogLineSpec, WorkloadSpec } from './account/workload';

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
  /**
   * Traffic arrives through this alias (a published version): its name, or the alias with
   * `latestDiffersFromAlias` (`$LATEST` holds code the alias's version does not: unreleased code).
   */
  readonly alias?: string | ScenarioAlias;
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
  /** Tags the app gives the function (`Tags.of(fn).add`), e.g. for `EnvironmentMatch.tag`. */
  readonly tags?: Record<string, string>;
}

/** The alias traffic arrives through. */
export interface ScenarioAlias {
  readonly name: string;
  /** `$LATEST` has code the alias's version does not (an unreleased change). @default false */
  readonly latestDiffersFromAlias?: boolean;
}

/** The alias of a scenario function in its object form (the string form is the shorthand). */
export function aliasOf(f: ScenarioFunction): ScenarioAlias | undefined {
  if (f.alias === undefined) return undefined;
  return typeof f.alias === 'string' ? { name: f.alias } : f.alias;
}

/** A `RepairStrategy`: `raiseMemory`, or `progressive` with its canary share and bake time. */
export interface ScenarioRepairStrategy {
  readonly kind: 'raiseMemory' | 'progressive' | 'custom';
  readonly canaryPercent?: number;
  readonly bakeTimeMinutes?: number;
  /** custom: the user's repair function (defined in the stack, its code scripted). */
  readonly function?: ScenarioAnalyzer;
  /** custom: `timeout` of RepairStrategy.custom, seconds. @default 60 */
  readonly timeoutSeconds?: number;
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
    /** `RemediationPolicy.raiseMemoryForCpu`: raise CPU-starved functions one step. */
    readonly raiseMemoryForCpu?: boolean;
    /** `RemediationPolicy.followUpInterval`, minutes. */
    readonly followUpMinutes?: number;
    /** `RemediationPolicy.maxFollowUps`. */
    readonly maxFollowUps?: number;
  };
  /**
   * `defined` (default): the target functions are defined in the stack. `imported`: the stack
   * imports them by ARN (as a stack managing hundreds of functions would), with their timeout
   * and log group as addFunction options; where the rights go by tag, the functions carry the
   * management tag (the construct's warning asks the user to tag them).
   */
  readonly targets?: 'defined' | 'imported';
  /** `none` (default), `all`, or `selected` (functions with `requireApproval`). */
  readonly approval?: 'none' | 'all' | 'selected';
  /**
   * `stepFunctions` (default): `Workflow.stepFunctions()`. `lambdaCoordinator`:
   * `Workflow.lambdaCoordinator()` (no state machine; verification woken by EventBridge Scheduler).
   */
  readonly workflow?: 'stepFunctions' | 'lambdaCoordinator';
  /**
   * `repairStrategy` of AutoRemediation: `raiseMemory` (default) or `progressive` (a canary
   * through the function's alias, with `canaryPercent` and `bakeTimeMinutes`).
   */
  readonly repairStrategy?: ScenarioRepairStrategy;
  /** `environments` of AutoRemediation, in match order. */
  readonly environments?: Array<{
    readonly name: string;
    /** `EnvironmentMatch.tag(key, value)` or `EnvironmentMatch.namePattern(pattern)`. */
    readonly match: { readonly tag?: { readonly key: string; readonly value: string }; readonly namePattern?: string };
    readonly requireApproval?: boolean;
    readonly policy?: { readonly maxMemoryMb?: number; readonly maxStepMb?: number; readonly cooldownMinutes?: number; readonly dryRun?: boolean };
    readonly repairStrategy?: ScenarioRepairStrategy;
  }>;
  readonly approvalTimeoutMinutes?: number;
  /** Alarm settings of the monitoring sub-construct. */
  readonly monitoring?: {
    /** Create the Errors alarm. @default true */
    readonly errors?: boolean;
    /** Create the Duration alarm. @default true */
    readonly duration?: boolean;
    /** Create the memory-utilisation log alarms. @default true */
    readonly memoryUtilization?: boolean;
    /** Duration alarm threshold, percent of the function timeout. @default 90 */
    readonly durationThresholdPercent?: number;
    /** Create the Throttles alarm. @default false */
    readonly throttles?: boolean;
    /** Throttles per minute that count as breaching. @default 10 */
    readonly throttlesThreshold?: number;
    /** Create the IteratorAge alarm (stream consumers). @default false */
    readonly iteratorAge?: boolean;
    /** IteratorAge that counts as breaching, ms. @default 60000 */
    readonly iteratorAgeThresholdMs?: number;
    /** Create the ConcurrentExecutions alarm. @default false */
    readonly concurrentExecutions?: boolean;
    /** Concurrent executions that count as breaching. @default 100 */
    readonly concurrentExecutionsThreshold?: number;
  };
  /** Bedrock configuration and custom analyzers; absent = rules only. */
  readonly diagnosis?: {
    readonly modelId?: string;
    readonly knowledgeBaseId?: string;
    readonly agentId?: string;
    readonly agentAliasId?: string;
    /** The user's analyzer functions (defined in the stack, their code scripted), in merge order. */
    readonly analyzers?: ScenarioAnalyzer[];
    /** `analyzerTimeout` of the diagnosis, seconds. @default 10 */
    readonly analyzerTimeoutSeconds?: number;
  };
  /** `manualRepairRunbook` of AutoRemediation. @default false */
  readonly manualRepairRunbook?: boolean;
  /** `opsItems` of AutoRemediation; absent = none. */
  readonly opsItems?: { readonly priority?: number; readonly severity?: number };
  /** `driftDetection` of AutoRemediation; absent = none. */
  readonly driftDetection?: {
    /** Also the AWS Config custom rule. @default false */
    readonly configRule?: boolean;
  };
}

/** A custom analyzer: a function of the user's stack whose code behaves as scripted. */
export interface ScenarioAnalyzer extends InvokeScript {
  readonly functionName: string;
  /** The function's own timeout, seconds. @default 30 */
  readonly timeoutSeconds?: number;
}

/** The scenario names of the services an account fault can target. */
export const FAULT_SERVICES = ['lambda', 'cloudwatch', 'logs', 'dynamodb', 'sns', 'events', 'bedrock', 'states'] as const;
export type FaultService = typeof FAULT_SERVICES[number];

/**
 * An AWS API call that fails: `times` matching calls fail with `error`, after `afterCalls`
 * matching calls have gone through, from minute `fromMinute` on. Each attempt of the SDK's own
 * retry is a call. `applyThenFail`: the call takes effect, then its response is lost.
 */
export interface AccountFault {
  readonly service: FaultService;
  /** The API operation, e.g. `UpdateFunctionConfiguration`, `PutItem`, `Publish`. */
  readonly operation: string;
  /** The error the service answers (or, for `applyThenFail`, what the client sees). */
  readonly error: string;
  /** @default 1 */
  readonly times?: number;
  /** Matching calls that go through before the first failure. @default 0 */
  readonly afterCalls?: number;
  /** @default 0 */
  readonly fromMinute?: number;
  /** `fail` (default): the call does nothing and fails. `applyThenFail`: it takes effect, then fails. */
  readonly effect?: 'fail' | 'applyThenFail';
  /** Only calls made by this workflow handler count. @default - calls by any handler */
  readonly handler?: string;
}

/** An infrastructure deploy during the incident (someone else's IaC run). */
export interface ScenarioDeploy {
  readonly atMinute: number;
  readonly functionName: string;
  /** The memory size the template sets. @default - unchanged */
  readonly memorySizeMb?: number;
  /** New function code (UpdateFunctionCode). @default false */
  readonly codeChange?: boolean;
  /** Publish a version and move the function's alias to it. @default false */
  readonly moveAlias?: boolean;
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
  /** API calls that fail. */
  readonly faults?: AccountFault[];
  /** Deploys by someone else during the incident. */
  readonly deploys?: ScenarioDeploy[];
  /** A CloudTrail trail logs management events (EventBridge then receives API call events). @default false */
  readonly cloudTrailTrail?: boolean;
  /** The AWS Config recorder records Lambda functions. @default false */
  readonly configRecorder?: boolean;
}

/** The handlers a handler fault can target. */
export const FAULT_HANDLERS = ['normalize', 'collect', 'diagnose', 'requestApproval', 'repair', 'verify', 'rollback', 'finalize'] as const;

/**
 * A workflow handler invocation that dies: `crash` (the runtime exits) or `timeout` (the
 * invocation runs into the function's timeout), `times` invocations from `fromMinute` on. With
 * `afterCalls` it dies after its n-th AWS call (of `afterOperation` when given) has returned;
 * an invocation that ends before that point is not hit.
 */
export interface HandlerFault {
  readonly handler: typeof FAULT_HANDLERS[number];
  readonly effect: 'crash' | 'timeout';
  /** @default 1 */
  readonly times?: number;
  /** @default 0 (before the handler's first call) */
  readonly afterCalls?: number;
  /** Count only calls of this operation, as `service:Operation` (e.g. `sns:Publish`). */
  readonly afterOperation?: string;
  /** @default 0 */
  readonly fromMinute?: number;
}

/** An execution stopped (StopExecution: ABORTED) or timed out (TIMED_OUT) at a minute. */
export interface ExecutionFault {
  readonly effect: 'abort' | 'timeout';
  readonly atMinute: number;
  /** Only the execution of this name (e.g. `sim-0001`). @default - every execution running then */
  readonly execution?: string;
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
  /** Whether the version the alias points at at the end has other code than at the start. */
  readonly aliasVersionCodeChanged?: boolean;
  /** Memory of the version the alias points at at the end, MB. */
  readonly aliasVersionMemoryMb?: number;
  /** Whether the alias routes a share of its traffic to a second version at the end. */
  readonly aliasRouted?: boolean;
}

/** Where a secret must never arrive. */
export const SECRET_SINKS = ['prompt', 'records', 'notifications', 'events', 'executionLog'] as const;
export type SecretSink = typeof SECRET_SINKS[number];

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
    /** Drift records (a configuration change below the last verified repair). */
    readonly drift?: number;
    /**
     * Records that must exist with these fields (a hub: each names the account and region of its
     * function): an item of the table matches when every given field equals.
     */
    readonly places?: Array<{
      readonly account: string; readonly region: string; readonly functionName?: string; readonly recordType?: string; readonly outcome?: string;
    }>;
  };
  /** Per spoke (`<account>/<region>`): its functions' final memory and updates, the alarm events it forwarded and the ones the hub's bus refused. */
  readonly spokes?: Record<string, {
    readonly functions?: Record<string, { readonly finalMemoryMb?: number; readonly updateFunctionConfigurationCalls?: number }>;
    readonly forwardedEvents?: number;
    readonly refusedEvents?: number;
  }>;
  /** STS AssumeRole calls of the hub's handlers, allowed and denied. */
  readonly assumeRole?: { readonly allowed?: number; readonly denied?: number };
  /** Statuses of the Automation executions the operator started (`Success`, `Failed`), sorted. */
  readonly automationStatuses?: string[];
  /** OpsCenter at the end: how many OpsItems, text each must show (title, description, operational data), OpsItem records (one per event handled, deduplicated ones too). */
  readonly opsItems?: { readonly count?: number; readonly contain?: string[]; readonly records?: number };
  /** The AWS Config compliance of each function at the end (the latest evaluation), e.g. `{ "orders-api": "NON_COMPLIANT" }`. */
  readonly configCompliance?: Record<string, string>;
  /** Diagnosis `decidedBy` of every diagnosis that ran, e.g. `rules` after a Bedrock failure. */
  readonly decidedBy?: string[];
  /**
   * Calls IAM is expected to deny (the simulation authorizes every handler call). Any other
   * denied call fails the scenario. @default - none
   */
  readonly accessDenied?: AccessDeniedExpectation[];
  /** Locks still held when the scenario ends (a lock whose TTL passed is not held). @default 0 */
  readonly locksHeldAtEnd?: number;
  /** Sinks no secret (function environment values, `logLines[].secret`) may reach. */
  readonly secretsNotIn?: SecretSink[];
  /**
   * What the custom analyzers did, over every diagnosis record: each analyzer's status up to its
   * first colon (`ok`, `timeout`, `error`, `invalid answer`), sorted.
   */
  readonly analyzerStatuses?: string[];
}

/** A denied call a scenario expects: the IAM action, optionally its resource and how many times. */
export interface AccessDeniedExpectation {
  readonly action: string;
  /** The resource ARN as the service authorizes it (e.g. the `:*` form of a log group). @default - any */
  readonly resource?: string;
  /** Exactly this many denied calls. @default - at least one */
  readonly count?: number;
}

/** One spoke of a hub scenario. */
export interface ScenarioSpoke {
  readonly account: string;
  readonly region: string;
  /** The account's AWS Organizations id (`aws:PrincipalOrgID` of its principals). @default - not in an organization */
  readonly organizationId?: string;
  readonly functions: ScenarioFunction[];
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
  /** Workflow handler invocations that crash or time out. */
  readonly handlerFaults?: HandlerFault[];
  /** The operator starts the stack's Automation runbook (manualRepairRunbook) at these minutes. */
  readonly operatorRunbooks?: Array<{
    readonly atMinute: number;
    readonly functionName: string;
    readonly memorySizeMb: number;
    readonly reason?: string;
  }>;
  /** Executions stopped or timed out. */
  readonly executionFaults?: ExecutionFault[];
  /** The stack is a hub (`AutoRemediation` with `hub`): who it admits. */
  readonly hub?: { readonly organizationId?: string; readonly accounts?: string[] };
  /**
   * Spoke accounts and regions (`RemediationSpoke` stacks) with their own functions; each is a
   * simulated account of its own, its alarms forwarded to the hub's bus.
   */
  readonly spokes?: ScenarioSpoke[];
  readonly expect: ScenarioExpectations;
  /**
   * A known defect that keeps this scenario from meeting its expectations, in words. The run
   * still checks them (and fails); the tests mark the scenario as known to fail, so they notice
   * when the defect is fixed.
   */
  readonly knownIssue?: string;
}

// ------------------------------------------------------------------ the schema
// Every object of a scenario is walked against this schema: a field it does not name is an
// error (a misspelt fault would otherwise test nothing), as is a value of the wrong type. The
// checks that need more than a type (ranges, names) follow in parseScenario.

type Shape =
  | { readonly kind: 'string' | 'number' | 'integer' | 'boolean' | 'any' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Shape }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Shape>>; readonly required?: readonly string[] }
  | { readonly kind: 'map'; readonly of: Shape }
  | { readonly kind: 'either'; readonly options: readonly Shape[] };

const str: Shape = { kind: 'string' };
const num: Shape = { kind: 'number' };
const int: Shape = { kind: 'integer' };
const bool: Shape = { kind: 'boolean' };
const any: Shape = { kind: 'any' };
const strings: Shape = { kind: 'array', of: str };
const oneOf = (...values: string[]): Shape => ({ kind: 'enum', values });
const list = (of: Shape): Shape => ({ kind: 'array', of });
const obj = (fields: Record<string, Shape>, required: string[] = []): Shape => ({ kind: 'object', fields, required });
const map = (of: Shape): Shape => ({ kind: 'map', of });

const LOG_LINE = obj({ text: str, every: int, level: oneOf('ERROR', 'WARN', 'INFO'), secret: str }, ['text', 'every']);

const WORKLOAD_FIELDS: Record<string, Shape> = {
  invocationsPerMinute: num,
  memoryNeedMb: num,
  memoryNeedSpread: num,
  cpuMsAt1Vcpu: num,
  ioMs: num,
  parallelism: num,
  gcPressure: num,
  oomBehaviour: oneOf('killed', 'runtime-oom', 'language'),
  codeErrorRate: num,
  downstreamTimeoutRate: num,
  downstreamTimeoutMs: num,
  concurrencyLimit: num,
  coldStartRate: num,
  leakMbPerInvocation: num,
  logLines: list(LOG_LINE),
  stream: obj({ recordsPerMinute: num, shards: int, batchSize: int }, ['recordsPerMinute']),
};

const BEDROCK_BEHAVIOUR = obj({ mode: oneOf('answer', 'error', 'slow', 'invalid'), answer: any, errorName: str, latencyMs: num });

const SCRIPTED_FUNCTION = obj({
  functionName: str,
  timeoutSeconds: num,
  mode: oneOf('answer', 'error', 'slow', 'invalid', 'applyMemory'),
  answer: any,
  errorType: str,
  latencyMs: num,
}, ['functionName']);

const STRATEGY = obj({ kind: oneOf('raiseMemory', 'progressive', 'custom'), canaryPercent: int, bakeTimeMinutes: num, function: SCRIPTED_FUNCTION, timeoutSeconds: num }, ['kind']);

const FUNCTION_SHAPE: Shape = obj({
  functionName: str,
  runtime: str,
  memorySizeMb: num,
  timeoutSeconds: num,
  architecture: oneOf('x86_64', 'arm64'),
  logFormat: oneOf('text', 'json'),
  environment: map(str),
  alias: { kind: 'either', options: [str, obj({ name: str, latestDiffersFromAlias: bool }, ['name'])] },
  workload: obj(WORKLOAD_FIELDS),
  incidents: list(obj({ atMinute: num, workload: obj(WORKLOAD_FIELDS) }, ['atMinute', 'workload'])),
  managed: bool,
  requireApproval: bool,
  logGroupName: str,
  neverInvokedBefore: bool,
  tags: map(str),
});

const SCENARIO_SHAPE: Shape = obj({
  name: str,
  description: str,
  seed: num,
  start: str,
  durationMinutes: num,
  knownIssue: str,
  functions: list(FUNCTION_SHAPE),
  stack: obj({
    policy: obj({
      maxMemoryMb: num,
      maxStepMb: num,
      minConfidence: num,
      cooldownMinutes: num,
      maxRepairsPerDay: num,
      dryRun: bool,
      rollbackOnFailedVerification: bool,
      verificationWindowMinutes: num,
      raiseMemoryForCpu: bool,
      followUpMinutes: num,
      maxFollowUps: int,
    }),
    targets: oneOf('defined', 'imported'),
    approval: oneOf('none', 'all', 'selected'),
    workflow: oneOf('stepFunctions', 'lambdaCoordinator'),
    repairStrategy: STRATEGY,
    environments: list(obj({
      name: str,
      match: obj({ tag: obj({ key: str, value: str }, ['key', 'value']), namePattern: str }),
      requireApproval: bool,
      policy: obj({ maxMemoryMb: int, maxStepMb: int, cooldownMinutes: num, dryRun: bool }),
      repairStrategy: STRATEGY,
    }, ['name', 'match'])),
    approvalTimeoutMinutes: num,
    monitoring: obj({
      errors: bool,
      duration: bool,
      memoryUtilization: bool,
      durationThresholdPercent: num,
      throttles: bool,
      throttlesThreshold: num,
      iteratorAge: bool,
      iteratorAgeThresholdMs: num,
      concurrentExecutions: bool,
      concurrentExecutionsThreshold: num,
    }),
    driftDetection: obj({ configRule: bool }),
    opsItems: obj({ priority: int, severity: int }),
    manualRepairRunbook: bool,
    diagnosis: obj({
      modelId: str,
      knowledgeBaseId: str,
      agentId: str,
      agentAliasId: str,
      analyzers: list(obj({
        functionName: str,
        timeoutSeconds: num,
        mode: oneOf('answer', 'error', 'slow', 'invalid'),
        answer: any,
        errorType: str,
        latencyMs: num,
      }, ['functionName'])),
      analyzerTimeoutSeconds: num,
    }),
  }),
  account: obj({
    updateDelaySeconds: num,
    conflictingUpdates: int,
    snsFailures: int,
    alarmMutes: list(obj({ alarmNamePrefix: str, fromMinute: num, toMinute: num })),
    faults: list(obj({
      service: oneOf(...FAULT_SERVICES),
      operation: str,
      error: str,
      times: int,
      afterCalls: int,
      fromMinute: num,
      effect: oneOf('fail', 'applyThenFail'),
      handler: oneOf(...FAULT_HANDLERS, 'setup'),
    }, ['service', 'operation', 'error'])),
    deploys: list(obj({ atMinute: num, functionName: str, memorySizeMb: int, codeChange: bool, moveAlias: bool }, ['atMinute', 'functionName'])),
    cloudTrailTrail: bool,
    configRecorder: bool,
  }),
  bedrock: obj({
    converse: BEDROCK_BEHAVIOUR,
    agent: BEDROCK_BEHAVIOUR,
    passages: list(obj({ title: str, text: str, score: num, uri: str }, ['title', 'text'])),
    retrieveError: str,
  }),
  approval: obj({ decision: oneOf('approve', 'reject', 'ignore'), afterMinutes: num, approver: str, comment: str }, ['decision']),
  storm: obj({ copiesPerAlarmEvent: int }, ['copiesPerAlarmEvent']),
  handlerFaults: list(obj({
    handler: oneOf(...FAULT_HANDLERS),
    effect: oneOf('crash', 'timeout'),
    times: int,
    afterCalls: int,
    afterOperation: str,
    fromMinute: num,
  }, ['handler', 'effect'])),
  executionFaults: list(obj({ effect: oneOf('abort', 'timeout'), atMinute: num, execution: str }, ['effect', 'atMinute'])),
  hub: obj({ organizationId: str, accounts: strings }),
  spokes: list(obj({ account: str, region: str, organizationId: str, functions: list(FUNCTION_SHAPE) }, ['account', 'region', 'functions'])),
  operatorRunbooks: list(obj({ atMinute: num, functionName: str, memorySizeMb: int, reason: str }, ['atMinute', 'functionName', 'memorySizeMb'])),
  expect: obj({
    executions: int,
    outcomes: map(int),
    otherOutcomesAllowed: strings,
    updateFunctionConfigurationCalls: int,
    functions: map(obj({
      finalMemoryMb: int, updateFunctionConfigurationCalls: int, aliasVersionCodeChanged: bool, aliasVersionMemoryMb: int, aliasRouted: bool,
    })),
    notifications: obj({ count: int, types: strings, contain: strings, notContain: strings }),
    records: obj({
      diagnosis: int,
      repair: int,
      minAudit: int,
      repairStatuses: strings,
      verificationStatuses: strings,
      drift: int,
      places: list(obj({ account: str, region: str, functionName: str, recordType: str, outcome: str }, ['account', 'region'])),
    }),
    spokes: map(obj({
      functions: map(obj({ finalMemoryMb: int, updateFunctionConfigurationCalls: int })), forwardedEvents: int, refusedEvents: int,
    })),
    assumeRole: obj({ allowed: int, denied: int }),
    configCompliance: map(oneOf('COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE')),
    opsItems: obj({ count: int, contain: strings, records: int }),
    automationStatuses: strings,
    decidedBy: strings,
    accessDenied: list(obj({ action: str, resource: str, count: int }, ['action'])),
    locksHeldAtEnd: int,
    secretsNotIn: list(oneOf(...SECRET_SINKS)),
    analyzerStatuses: strings,
  }),
}, ['name', 'description', 'durationMinutes', 'functions', 'expect']);

/** Problems of `value` against `shape`, each naming the field's path. */
function shapeProblems(value: unknown, shape: Shape, path: string): string[] {
  const where = path || 'the scenario';
  const type = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  switch (shape.kind) {
    case 'any': return [];
    case 'string': return typeof value === 'string' ? [] : [`${where} must be a string, got ${JSON.stringify(value)}`];
    case 'number': return typeof value === 'number' && Number.isFinite(value) ? [] : [`${where} must be a number, got ${JSON.stringify(value)}`];
    case 'integer': return Number.isInteger(value) ? [] : [`${where} must be a whole number, got ${JSON.stringify(value)}`];
    case 'boolean': return typeof value === 'boolean' ? [] : [`${where} must be true or false, got ${JSON.stringify(value)}`];
    case 'enum': return typeof value === 'string' && shape.values.includes(value) ? [] : [`${where} must be one of ${shape.values.join(', ')}, got ${JSON.stringify(value)}`];
    case 'array':
      if (!Array.isArray(value)) return [`${where} must be a list, got ${type}`];
      return value.flatMap((v, i) => shapeProblems(v, shape.of, `${path}[${i}]`));
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${where} must be an object, got ${type}`];
      return Object.entries(value).flatMap(([k, v]) => shapeProblems(v, shape.of, `${path}.${k}`));
    case 'either': {
      const each = shape.options.map((o) => shapeProblems(value, o, path));
      return each.some((p) => p.length === 0) ? [] : each.reduce((a, b) => (b.length < a.length ? b : a));
    }
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${where} must be an object, got ${type}`];
      const out: string[] = [];
      const fields = Object.keys(shape.fields);
      for (const [k, v] of Object.entries(value)) {
        const field = path ? `${path}.${k}` : k;
        if (!(k in shape.fields)) out.push(`unknown field '${field}' (allowed: ${fields.join(', ')})`);
        else if (v !== undefined) out.push(...shapeProblems(v, shape.fields[k], field));
      }
      for (const r of shape.required ?? []) {
        if ((value as Record<string, unknown>)[r] === undefined) out.push(`${path ? `${path}.${r}` : r} is required`);
      }
      return out;
    }
  }
}

/** Parse and check a scenario; throws ScenarioError naming the file and every problem. */
export function parseScenario(json: unknown, source: string): Scenario {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ScenarioError(`${source}: a scenario must be a json object`);
  const problems = shapeProblems(json, SCENARIO_SHAPE, '');
  if (problems.length) throw new ScenarioError(`${source}: ${problems.join('; ')}`);
  const s = json as Scenario;
  if (!/^[a-z0-9-]+$/.test(s.name)) problems.push(`name must be kebab-case, got '${s.name}'`);
  if (!(s.durationMinutes >= 1 && s.durationMinutes <= 24 * 60)) problems.push(`durationMinutes must be 1..1440, got ${s.durationMinutes}`);
  if (s.functions.length === 0) problems.push('functions must list at least one function');
  const names = new Set<string>();
  for (const [i, f] of s.functions.entries()) {
    for (const r of ['functionName', 'runtime', 'memorySizeMb', 'timeoutSeconds', 'workload']) {
      if ((f as unknown as Record<string, unknown>)[r] === undefined) problems.push(`functions[${i}].${r} is required`);
    }
    if (typeof f.functionName === 'string' && !/^[A-Za-z0-9_-]{3,64}$/.test(f.functionName)) problems.push(`functions[${i}].functionName is invalid: '${f.functionName}'`);
    if (names.has(f.functionName)) problems.push(`functions[${i}].functionName '${f.functionName}' is listed twice`);
    names.add(f.functionName);
    if (f.memorySizeMb !== undefined && !(f.memorySizeMb >= 128 && f.memorySizeMb <= 10240)) problems.push(`functions[${i}].memorySizeMb must be 128..10240, got ${f.memorySizeMb}`);
    if (f.timeoutSeconds !== undefined && !(f.timeoutSeconds >= 1 && f.timeoutSeconds <= 900)) problems.push(`functions[${i}].timeoutSeconds must be 1..900, got ${f.timeoutSeconds}`);
    if (f.workload && !(f.workload.invocationsPerMinute >= 0 && f.workload.memoryNeedMb > 0 && f.workload.cpuMsAt1Vcpu >= 0)) {
      problems.push(`functions[${i}].workload needs invocationsPerMinute, memoryNeedMb and cpuMsAt1Vcpu`);
    }
    problems.push(...logLineProblems(f.workload?.logLines, `functions[${i}].workload.logLines`));
    for (const [j, inc] of (f.incidents ?? []).entries()) problems.push(...logLineProblems(inc.workload.logLines, `functions[${i}].incidents[${j}].workload.logLines`));
    // CloudWatch Logs naming rules (CreateLogGroup), and Lambda's: "custom log group names mustn't
    // begin with the string aws/" (lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
    if (f.logGroupName !== undefined && (!/^[\w\-/.#]{1,512}$/.test(f.logGroupName) || f.logGroupName.startsWith('aws/'))) {
      problems.push(`functions[${i}].logGroupName must be 1 to 512 of a-z, A-Z, 0-9, _, -, /, . and # and not start with aws/, got '${f.logGroupName}'`);
    }
    // Lambda alias names: 1-128 of letters, digits, - and _, not only digits (API_CreateAlias.html).
    const alias = aliasOf(f);
    if (alias && (!/^[a-zA-Z0-9-_]{1,128}$/.test(alias.name) || /^\d+$/.test(alias.name))) problems.push(`functions[${i}].alias name must be 1 to 128 letters, digits, - or _ and not only digits, got '${alias.name}'`);
  }
  for (const [i, a] of (s.stack?.diagnosis?.analyzers ?? []).entries()) {
    const where = `stack.diagnosis.analyzers[${i}]`;
    if (!/^[A-Za-z0-9_-]{3,64}$/.test(a.functionName)) problems.push(`${where}.functionName is invalid: '${a.functionName}'`);
    if (names.has(a.functionName)) problems.push(`${where}.functionName '${a.functionName}' is also a target function or another analyzer`);
    names.add(a.functionName);
    if (a.timeoutSeconds !== undefined && !(a.timeoutSeconds >= 1 && a.timeoutSeconds <= 900)) problems.push(`${where}.timeoutSeconds must be 1..900, got ${a.timeoutSeconds}`);
    if (a.latencyMs !== undefined && !(a.latencyMs >= 0)) problems.push(`${where}.latencyMs must be 0 or more, got ${a.latencyMs}`);
  }
  const strategies: Array<[string, ScenarioRepairStrategy | undefined]> = [
    ['stack.repairStrategy', s.stack?.repairStrategy],
    ...(s.stack?.environments ?? []).map((e, i): [string, ScenarioRepairStrategy | undefined] => [`stack.environments[${i}].repairStrategy`, e.repairStrategy]),
  ];
  for (const [where, st] of strategies) {
    if (st?.kind === 'custom' && !st.function) problems.push(`${where} of kind custom needs a function`);
    if (st?.kind !== 'custom' && st?.function) problems.push(`${where}.function is only for kind custom`);
    if (st?.function) {
      if (names.has(st.function.functionName)) problems.push(`${where}.function.functionName '${st.function.functionName}' is also a target function or an analyzer`);
      names.add(st.function.functionName);
    }
  }
  if (s.start !== undefined && Number.isNaN(Date.parse(s.start))) problems.push(`start is not a date: '${s.start}'`);
  for (const [i, m] of (s.account?.alarmMutes ?? []).entries()) {
    if (typeof m.alarmNamePrefix !== 'string' || m.alarmNamePrefix.length === 0) problems.push(`account.alarmMutes[${i}].alarmNamePrefix is required`);
    if (!(Number.isInteger(m.fromMinute) && Number.isInteger(m.toMinute) && m.fromMinute >= 0 && m.toMinute > m.fromMinute)) {
      problems.push(`account.alarmMutes[${i}] needs whole minutes with 0 <= fromMinute < toMinute, got ${String(m.fromMinute)}..${String(m.toMinute)}`);
    }
  }
  if (s.storm && !(s.storm.copiesPerAlarmEvent >= 1)) problems.push(`storm.copiesPerAlarmEvent must be at least 1, got ${s.storm.copiesPerAlarmEvent}`);
  for (const [i, f] of (s.account?.faults ?? []).entries()) {
    const where = `account.faults[${i}]`;
    if (!/^[A-Z][A-Za-z0-9]+$/.test(f.operation)) problems.push(`${where}.operation must be an api operation name like 'UpdateFunctionConfiguration', got '${f.operation}'`);
    if (f.times !== undefined && f.times < 1) problems.push(`${where}.times must be at least 1, got ${f.times}`);
    if (f.afterCalls !== undefined && f.afterCalls < 0) problems.push(`${where}.afterCalls must be 0 or more, got ${f.afterCalls}`);
    if (f.fromMinute !== undefined && f.fromMinute < 0) problems.push(`${where}.fromMinute must be 0 or more, got ${f.fromMinute}`);
    const wrongError = serviceErrorProblem(f.service, f.error);
    if (wrongError) problems.push(`${where}.error ${wrongError}`);
  }
  for (const [i, d] of (s.account?.deploys ?? []).entries()) {
    const where = `account.deploys[${i}]`;
    const fn = s.functions.find((f) => f.functionName === d.functionName);
    if (!fn) problems.push(`${where}.functionName '${d.functionName}' is not a function of the scenario`);
    if (!(d.atMinute >= 0)) problems.push(`${where}.atMinute must be 0 or more, got ${d.atMinute}`);
    if (d.memorySizeMb !== undefined && !(d.memorySizeMb >= 128 && d.memorySizeMb <= 10240)) problems.push(`${where}.memorySizeMb must be 128..10240, got ${d.memorySizeMb}`);
    if (d.moveAlias && fn && !fn.alias) problems.push(`${where}.moveAlias needs an alias on function '${d.functionName}'`);
    if (d.memorySizeMb === undefined && !d.codeChange && !d.moveAlias) problems.push(`${where} changes nothing: give memorySizeMb, codeChange or moveAlias`);
  }
  for (const [i, f] of (s.handlerFaults ?? []).entries()) {
    const where = `handlerFaults[${i}]`;
    if (f.times !== undefined && f.times < 1) problems.push(`${where}.times must be at least 1, got ${f.times}`);
    if (f.afterCalls !== undefined && f.afterCalls < 0) problems.push(`${where}.afterCalls must be 0 or more, got ${f.afterCalls}`);
    if (f.afterOperation !== undefined && !/^[a-z]+:[A-Z][A-Za-z0-9]+$/.test(f.afterOperation)) problems.push(`${where}.afterOperation must look like 'sns:Publish', got '${f.afterOperation}'`);
    if (f.afterOperation !== undefined && !FAULT_SERVICES.includes(f.afterOperation.split(':')[0] as FaultService)) {
      problems.push(`${where}.afterOperation must name one of the services ${FAULT_SERVICES.join(', ')}, got '${f.afterOperation}'`);
    }
  }
  for (const [i, f] of (s.executionFaults ?? []).entries()) {
    if (!(f.atMinute >= 0)) problems.push(`executionFaults[${i}].atMinute must be 0 or more, got ${f.atMinute}`);
  }
  for (const [i, sp] of (s.spokes ?? []).entries()) {
    if (!/^\d{12}$/.test(sp.account)) problems.push(`spokes[${i}].account must be a 12-digit account id, got '${sp.account}'`);
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(sp.region)) problems.push(`spokes[${i}].region must be a region name like eu-west-1, got '${sp.region}'`);
    if (sp.functions.length === 0) problems.push(`spokes[${i}].functions must list at least one function`);
    if (!s.hub) problems.push(`spokes[${i}] needs hub: the spokes forward their alarms to a hub`);
  }
  for (const key of Object.keys(s.expect.spokes ?? {})) {
    if (!(s.spokes ?? []).some((sp) => `${sp.account}/${sp.region}` === key)) problems.push(`expect.spokes.${key} is not a spoke of the scenario (<account>/<region>)`);
  }
  problems.push(...accessDeniedProblems(s.expect.accessDenied));
  if (s.expect.locksHeldAtEnd !== undefined && s.expect.locksHeldAtEnd < 0) problems.push(`expect.locksHeldAtEnd must be 0 or more, got ${s.expect.locksHeldAtEnd}`);
  for (const fn of Object.keys(s.expect.functions ?? {})) {
    if (!names.has(fn)) {
      problems.push(`expect.functions.${fn} is not a function of the scenario`);
    } else if (!s.functions.find((f) => f.functionName === fn)!.alias) {
      for (const field of ['aliasVersionCodeChanged', 'aliasVersionMemoryMb', 'aliasRouted'] as const) {
        if (s.expect.functions![fn][field] !== undefined) problems.push(`expect.functions.${fn}.${field} needs an alias on the function`);
      }
    }
  }
  if (problems.length) throw new ScenarioError(`${source}: ${problems.join('; ')}`);
  return s;
}

function logLineProblems(lines: LogLineSpec[] | undefined, where: string): string[] {
  const out: string[] = [];
  for (const [i, l] of (lines ?? []).entries()) {
    if (!(l.every >= 1)) out.push(`${where}[${i}].every must be at least 1, got ${l.every}`);
    if (l.text.length === 0) out.push(`${where}[${i}].text must not be empty`);
    if (l.secret !== undefined && (l.secret.length < 8 || !l.text.includes(l.secret))) {
      out.push(`${where}[${i}].secret must be a substring of text of at least 8 characters, got '${l.secret}'`);
    }
  }
  return out;
}

function accessDeniedProblems(value: AccessDeniedExpectation[] | undefined): string[] {
  const problems: string[] = [];
  for (const [i, e] of (value ?? []).entries()) {
    const where = `expect.accessDenied[${i}]`;
    if (!/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(e.action)) problems.push(`${where}.action must be an iam action like 'lambda:UpdateFunctionConfiguration', got '${e.action}'`);
    if (e.resource !== undefined && e.resource.length === 0) problems.push(`${where}.resource must be a non-empty string, got ${JSON.stringify(e.resource)}`);
    if (e.count !== undefined && !(e.count >= 1)) problems.push(`${where}.count must be a positive integer, got ${JSON.stringify(e.count)}`);
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
