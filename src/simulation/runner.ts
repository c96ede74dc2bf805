/**
 * Runs a scenario end to end: synthesize the stack, read the ACTUAL state machine definition,
 * alarms, rule and tables from the template, start the simulated account and DynamoDB on
 * loopback, and drive virtual time — workloads minute by minute, alarms evaluated, matching
 * events starting executions of the real workflow with the real handlers — until every execution
 * has finished. Then compare what happened with the scenario's expectations.
 */
import { SimulatedAccount, WorkloadChange } from './account/account';
import { ApiCall } from './account/api-recorder';
import { AlarmTransition } from './account/cloudwatch-service';
import { ConfigRuleSpec, StoredEvaluation } from './account/config-service';
import { LocalDynamoDb, tablesFromTemplate } from './account/dynamodb-local';
import { FaultInjector, InjectedFault } from './account/faults';
import { AccessDeniedRecord, AccessGate, IamAuthorizer, IamRequest, UnlistedActionRecord } from './account/iam';
import { DeployRecord, SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';
import { PublishedMessage, PutEvent } from './account/messaging-service';
import { SchedulerService } from './account/scheduler-service';
import { AutomationDocument, SimAutomationExecution, SimOpsItem } from './account/ssm-service';
import { CoordinatorRuns } from './coordinator-runs';
import { createCustomResources, CustomResourceResult, DEPLOYED_CUSTOM_RESOURCES } from './custom-resources';
import { EventBus, TargetInvocation } from './event-bus';
import { BoundHandler, ExecutionRecord, invokeHandler, WorkflowExecutor } from './executor';
import { checkExpectations, ExpectationResult } from './expectations';
import { constructHandlerOfDescription, loadHandlerModule } from './handler-modules';
import { SpokeWorld } from './hub-spoke';
import { AsyncInvokeConfig, HandlerInvocations } from './lambda-invocations';
import { SeededRandom } from './random';
import { aliasOf, Scenario, SecretSink } from './scenario';
import { executionLoggingOf, executionLogLines, heldLocks, secretsInSinks, sinkTexts, ttlAttributeOf } from './sinks';
import { scenarioStackUnderTest, StackUnderTest } from './stack';
import { CfnTemplate, TemplateResolver } from './template';
import { installVirtualDate } from './virtual-date';
import { setClients } from '../runtime/clients';
import { setClock } from '../runtime/clock';
import { HandlerId } from '../workflow/contract';
import type { CoordinatorResult } from '../workflow/coordinator';

const MINUTE = 60_000;

/** Shared across scenarios of one run: the loopback DynamoDB. */
export class SimulationEnvironment {
  public static async start(): Promise<SimulationEnvironment> {
    return new SimulationEnvironment(await LocalDynamoDb.start());
  }

  private constructor(public readonly dynamodb: LocalDynamoDb) {}

  public async stop(): Promise<void> {
    await this.dynamodb.stop();
  }
}

/** One execution's outcome for the report. */
export interface ExecutionSummary {
  readonly name: string;
  readonly functionName?: string;
  readonly alarmName?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly status?: string;
  /** `$.outcome.outcome` written by NotifyResult, e.g. REPAIRED, ALREADY_IN_PROGRESS. */
  readonly outcome?: string;
  readonly reason?: string;
  readonly steps: Array<{ state: string; at: string; detail: string }>;
}

/** Timeline of one function: virtual times of each milestone. */
export interface FunctionTimeline {
  readonly functionName: string;
  readonly originalMemoryMb: number;
  readonly finalMemoryMb: number;
  readonly firstFailureAt?: string;
  readonly alarmAt?: string;
  readonly repairedAt?: string;
  readonly verifiedAt?: string;
  /** ms from first failure to the memory change. */
  readonly timeToRepairMs?: number;
  /** ms from first failure to the verification that succeeded. */
  readonly timeToVerifiedRecoveryMs?: number;
}

/** Everything a scenario run produced. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly description: string;
  readonly passed: boolean;
  readonly expectations: ExpectationResult[];
  readonly error?: string;
  readonly wallTimeMs: number;
  readonly virtualStart: string;
  readonly virtualEnd: string;
  readonly alarmEvents: number;
  readonly unroutedEvents: number;
  readonly executions: ExecutionSummary[];
  readonly outcomes: Record<string, number>;
  readonly functions: FunctionTimeline[];
  readonly apiCalls: ApiCall[];
  readonly notifications: PublishedMessage[];
  readonly events: PutEvent[];
  readonly records: Array<Record<string, unknown>>;
  readonly alarmTransitions: Array<{ alarmName: string; contributor?: Record<string, string>; from: string; to: string; at: string }>;
  readonly notes: string[];
  /** Lines the handlers logged (Powertools JSON); checked for secrets. */
  readonly handlerLogLines: number;
  /** Secrets from the functions' environments found anywhere they must not be. */
  readonly leakedSecrets: string[];
  /** Whether every handler call was authorized by the IAM evaluator (account/iam.ts). */
  readonly iamEvaluated: boolean;
  /** Handler calls the evaluator authorized (allowed or denied). */
  readonly authorizedCalls: number;
  /** Calls IAM denied; each fails the scenario unless `expect.accessDenied` lists it. */
  readonly accessDenied: AccessDeniedRecord[];
  /** Calls of actions the evaluator's data does not list, authorized by `UNLISTED_ACTIONS`. */
  readonly unlistedActions: UnlistedActionRecord[];
  /** Every fault that fired: when, on what, in which execution. */
  readonly injectedFaults: InjectedFault[];
  /** Deploys by someone else, as they happened. */
  readonly deploys: Array<Omit<DeployRecord, 'at'> & { at: string }>;
  /** What the template's custom resources answered at deploy. */
  readonly customResources: CustomResourceResult[];
  /** Handler invocations by rule targets (e.g. the cleanup on execution status changes). */
  readonly targetInvocations: TargetInvocation[];
  /** A hub scenario's spokes: their functions, the calls they answered, the alarm events they forwarded or had refused. */
  readonly spokes?: Array<{
    readonly account: string;
    readonly region: string;
    readonly functions: Array<{ functionName: string; finalMemoryMb: number }>;
    readonly apiCalls: ApiCall[];
    readonly forwardedEvents: number;
    readonly refusedEvents: Array<{ at: string; alarmName: string; reason: string }>;
    readonly alarmTransitions: Array<{ alarmName: string; from: string; to: string; at: string }>;
  }>;
  /** STS AssumeRole calls of the hub's handlers, allowed or not. */
  readonly assumeRoles?: Array<{ at: string; caller: string; roleArn: string; allowed: boolean; reason?: string }>;
  /** The locks still held at the end (their TTL not passed in virtual time). */
  readonly locksHeldAtEnd: Array<{ pk: string; owner?: string }>;
  /** How many secrets each sink holds. */
  readonly secretsFound: Record<SecretSink, number>;
  /** CloudTrail management events recorded (delivered to the bus only with a trail). */
  readonly cloudTrailEvents: number;
  /** The latest AWS Config evaluation of each rule and resource, and invocations Config could not make. */
  readonly configEvaluations: StoredEvaluation[];
  readonly configInvocationErrors: Array<{ ruleName: string; resourceId: string; reason: string }>;
  /** The OpsItems OpsCenter holds at the end. */
  readonly opsItems: SimOpsItem[];
  /** The Automation executions the operator started, and how they ended. */
  readonly automationExecutions: SimAutomationExecution[];
  /** The workflow the stack deployed: the state machine, or the Lambda coordinator. */
  readonly workflow: 'stepFunctions' | 'lambdaCoordinator';
  /** EventBridge Scheduler: the schedules created (still there or deleted), deliveries and dead letters. */
  readonly schedules: {
    readonly created: Array<{ name: string; group: string; expression: string; createdAt: string; invokedAt?: string; exists: boolean }>;
    readonly deliveries: Array<{ schedule: string; at: string; attempt: number; error?: string }>;
    readonly deadLetters: Array<{ schedule: string; queue?: string; error: string }>;
  };
  /** Lambda's asynchronous invocations of the template's functions, attempt by attempt, and the records sent to on-failure destinations. */
  readonly asyncInvocations: {
    readonly attempts: Array<{ at: string; functionName: string; source: string; attempt: number; error?: string }>;
    readonly failureRecords: Array<{ functionName: string; destination: string; condition: string }>;
  };
}

/** How to run a scenario. */
export interface RunOptions {
  /** Authorize every handler call with the IAM evaluator. @default true */
  readonly iam?: boolean;
  /** Change the synthesized template before it is read (tests: remove a grant). */
  readonly template?: (template: CfnTemplate) => CfnTemplate;
  /**
   * Run against this synthesized stack (a user's app: `simulate --app`) instead of the stack the
   * scenario declares; the scenario's functions must then be functions of this stack
   * (app-stack.ts prepares both).
   * @default the scenario's own stack, synthesized
   */
  readonly stack?: StackUnderTest;
  /** Change a spoke's synthesized template before it is read (tests: change the access role's trust). */
  readonly spokeTemplate?: (template: CfnTemplate, spoke: { account: string; region: string }) => CfnTemplate;
}

/** Run one scenario. Never throws for a scenario failure: the result says what went wrong. */
export async function runScenario(scenario: Scenario, env: SimulationEnvironment, options: RunOptions = {}): Promise<ScenarioResult> {
  const wallStart = performance.now();
  const start = Date.parse(scenario.start ?? '2026-11-28T12:00:00Z');
  const notes: string[] = scenario.knownIssue ? [`known issue: ${scenario.knownIssue}`] : [];
  const stack = options.stack ?? scenarioStackUnderTest(scenario);
  const template = options.template ? options.template(stack.template) : stack.template;
  const resolver = new TemplateResolver(template, stack.stackName, { nestedTemplates: stack.nestedTemplates });
  const templateTags = new Map(resolver.functions().map((f) => [f.functionName, f.tags]));
  // Imported targets carry the management tag when the rights go by tag: the user tagged them,
  // as the construct's synthesis warning asks.
  const managementTag = managementTagOf(resolver);
  if (scenario.stack?.targets === 'imported' && managementTag) {
    for (const f of scenario.functions.filter((x) => x.managed !== false)) {
      templateTags.set(f.functionName, { ...(templateTags.get(f.functionName) ?? {}), ...managementTag });
    }
  }
  // IAM: the template's roles and policies, decided by the evaluator (account/iam.ts). Built
  // first so that simulated services acting with a role of their own can be given `authorize`.
  let authorizer: IamAuthorizer | undefined;
  let setupError: string | undefined;
  if (options.iam !== false) {
    try {
      authorizer = IamAuthorizer.fromTemplate(resolver);
    } catch (err) {
      setupError = `${(err as Error).name}: ${(err as Error).message}`;
    }
  } else {
    notes.push('iam not evaluated: every call was answered');
  }

  const changes: WorkloadChange[] = scenario.functions.flatMap((f) => (f.incidents ?? []).map((i) => ({
    functionName: f.functionName,
    at: start + i.atMinute * MINUTE,
    workload: i.workload,
  })));
  const account = new SimulatedAccount({
    start,
    seed: scenario.seed ?? 42,
    functions: scenario.functions.map((f) => ({
      functionName: f.functionName,
      runtime: f.runtime,
      memorySizeMb: f.memorySizeMb,
      timeoutSeconds: f.timeoutSeconds,
      architecture: f.architecture,
      environment: f.environment,
      logFormat: f.logFormat,
      workload: f.workload,
      alias: aliasOf(f)?.name,
      latestDiffersFromAlias: aliasOf(f)?.latestDiffersFromAlias,
      logGroupName: f.logGroupName,
      neverInvokedBefore: f.neverInvokedBefore,
      tags: templateTags.get(f.functionName),
    })),
    alarmMutes: (scenario.account?.alarmMutes ?? []).map((m, i) => ({
      ruleName: `scenario-mute-${i + 1}`,
      alarmNamePrefix: m.alarmNamePrefix,
      start: start + m.fromMinute * MINUTE,
      end: start + m.toMinute * MINUTE,
    })),
    changes,
    deploys: (scenario.account?.deploys ?? []).map((d) => ({ ...d, at: start + d.atMinute * MINUTE })),
    lambda: { updateDelayMs: (scenario.account?.updateDelaySeconds ?? 2) * 1000, conflictingUpdates: scenario.account?.conflictingUpdates },
    cloudTrail: { trail: scenario.account?.cloudTrailTrail ?? false },
    config: { recorder: scenario.account?.configRecorder ?? false },
    ...(authorizer ? { roleOfFunction: (arn: string) => authorizer!.roleOfFunction(arn) } : {}),
    scriptedFunctions: [
      ...(scenario.stack?.diagnosis?.analyzers ?? []).map((a) => ({
        functionName: a.functionName,
        timeoutSeconds: a.timeoutSeconds ?? 30,
        script: { mode: a.mode, answer: a.answer, errorType: a.errorType, latencyMs: a.latencyMs },
      })),
      // The users' repair functions (RepairStrategy.custom), each once.
      ...[...new Map([scenario.stack?.repairStrategy, ...(scenario.stack?.environments ?? []).map((e) => e.repairStrategy)]
        .flatMap((st) => (st?.function ? [[st.function.functionName, st.function] as const] : []))).values()].map((f) => ({
        functionName: f.functionName,
        timeoutSeconds: f.timeoutSeconds ?? 60,
        script: { mode: f.mode, answer: f.answer, errorType: f.errorType, latencyMs: f.latencyMs },
      })),
    ],
    messaging: { snsFailures: scenario.account?.snsFailures },
    bedrock: scenario.bedrock,
    // Log alarms' query roles are authorized by the same evaluator.
    ...(authorizer ? { authorize: (req: IamRequest) => authorizer!.authorize(req) } : {}),
  });
  // A hub scenario: each spoke account and region is a simulated account of its own (hub-spoke.ts).
  let world: SpokeWorld | undefined;
  if (scenario.spokes?.length && !setupError) {
    try {
      const hubSide = { sim: account, resolver, authorizer, organizationId: scenario.hub?.organizationId };
      world = SpokeWorld.create(scenario, hubSide, start, options.iam !== false, options.spokeTemplate);
    } catch (err) {
      setupError = `${(err as Error).name}: ${(err as Error).message}`;
    }
  }
  const faults = new FaultInjector(start, scenario.account?.faults, scenario.handlerFaults, scenario.executionFaults);
  account.useFaults(faults);
  const aliasCodeAtStart = new Map(scenario.functions.filter((f) => aliasOf(f))
    .map((f) => [f.functionName, account.lambda.aliasCodeSha(f.functionName, aliasOf(f)!.name)]));

  for (const rule of configRulesOf(resolver)) account.config.addRule(rule);
  for (const doc of automationDocumentsOf(resolver)) account.ssm.addDocument(doc);
  const handlers = bindHandlers(resolver);
  // Workflow.stepFunctions() has the state machine; Workflow.lambdaCoordinator() the coordinator function.
  const coordinator = [...handlers.values()].find((h) => h.handlerId === 'coordinator');
  const hasMachine = stack.stateMachineLogicalId !== undefined || resolver.resourcesOfType('AWS::StepFunctions::StateMachine').length > 0;
  const machine = hasMachine || !coordinator ? resolver.stateMachineDefinition(stack.stateMachineLogicalId) : undefined;
  const startArn = machine?.arn ?? coordinator!.functionArn;
  const rules = resolver.rules();
  if (!rules.some((r) => r.targets.some((t) => t.arn === startArn))) notes.push(`no EventBridge rule targets the ${machine ? 'state machine' : 'coordinator'}: no alarm can start it`);
  if (!machine && scenario.executionFaults?.length) notes.push('execution faults stop state machine executions: the coordinator has none, so they cannot fire');
  await env.dynamodb.resetTables(tablesFromTemplate(template, (id) => resolver.physicalName(id)));

  let gate: AccessGate | undefined;
  if (authorizer) {
    gate = new AccessGate(authorizer, {
      now: () => account.clock.nowIso(),
      beginIo: () => account.scheduler.beginIo(),
      // Read without `lambda.get`, which settles in-progress updates (a side effect).
      functionTags: (name) => account.lambda.all().find((f) => f.spec.functionName === name)?.spec.tags,
    });
    account.useAuthorization(gate);
    const handlerRoles = [...handlers.keys()].map((arn) => authorizer!.roleOfFunction(arn)).filter((r): r is string => !!r);
    notes.push(...authorizer.notes(handlerRoles));
  }
  const handlerEnv: Record<string, string> = {};
  for (const h of resolver.functions()) {
    if (!handlers.has(h.arn)) continue;
    for (const [k, v] of Object.entries(h.environment)) {
      if (handlerEnv[k] !== undefined && handlerEnv[k] !== v && !k.startsWith('POWERTOOLS_')) {
        notes.push(`handlers disagree on ${k}; the simulation uses the first value`);
        continue;
      }
      handlerEnv[k] ??= v;
    }
  }

  const executions: Array<Promise<ExecutionRecord>> = [];
  let bus: EventBus | undefined;
  // The coordinator's runs, recorded from the invocations Lambda runs (coordinator-runs.ts).
  const runs = coordinator ? new CoordinatorRuns(coordinator.functionArn, () => account.clock.now(), (done) => executions.push(done)) : undefined;
  // Lambda's invocations of the template's own functions: Invoke, rule targets, schedules, destinations.
  const invocations = new HandlerInvocations({
    handlers,
    scheduler: account.scheduler,
    requestId: () => account.random.uuid(),
    faults,
    asyncConfigs: asyncInvokeConfigs(resolver),
    ...(authorizer ? { authorize: (req: IamRequest) => authorizer!.authorize(req), roleOf: (arn: string) => authorizer!.roleOfFunction(arn) } : {}),
    participate: (name, fn) => account.scheduler.participate(name, fn),
    executionOf: (payload) => {
      const id = (payload as { executionId?: unknown } | undefined)?.executionId;
      return typeof id === 'string' ? id : undefined;
    },
    observer: runs && {
      started: (b, payload) => { if (b.handlerId === 'coordinator') runs.coordinatorStarted(payload); },
      ended: (b, payload, r) => {
        if (b.handlerId === 'coordinator') {
          runs.coordinatorReturned(payload, r.output as CoordinatorResult | undefined);
        } else if (b.handlerId) {
          const step = { startedAt: r.startedAt, endedAt: r.endedAt, output: r.output, ...(r.error ? { error: r.error } : {}) };
          runs.handlerRan(b.handlerId as HandlerId, payload, step);
        }
      },
      gaveUp: (b, payload, why) => { if (b.handlerId === 'coordinator') runs.gaveUp(payload, why); },
    },
  });
  account.lambda.useHandlerInvoker(async (ref, type, payload) => {
    const bound = invocations.find(ref);
    if (!bound) return undefined;
    if (type === 'DryRun') return { StatusCode: 204 };
    if (type === 'Event') {
      invocations.invokeAsync(bound, payload, 'Invoke');
      return { StatusCode: 202 };
    }
    const r = await invocations.invokeSync(bound, payload);
    return {
      StatusCode: r.StatusCode,
      ExecutedVersion: r.ExecutedVersion,
      Payload: r.payload,
      ...(r.FunctionError ? { FunctionError: r.FunctionError } : {}),
    };
  });
  // EventBridge Scheduler: assumes the schedule's role (its trust policy) and invokes with its rights.
  const schedules = new SchedulerService({
    clock: account.clock,
    scheduler: account.scheduler,
    random: new SeededRandom((scenario.seed ?? 42) + 1),
    groups: resolver.resourcesOfType('AWS::Scheduler::ScheduleGroup').map(([id]) => resolver.ref(id)),
    participate: (name, fn) => account.scheduler.participate(name, fn),
    ...(authorizer ? {
      assumeRole: (roleArn: string, context: Record<string, string>) => authorizer!.authorizeAssumeRole({ principal: 'scheduler.amazonaws.com', roleArn, context }),
      authorize: (req: IamRequest) => authorizer!.authorize(req),
    } : {}),
    invokeLambda: async (functionArn, input) => {
      const bound = invocations.find(functionArn);
      if (!bound) throw Object.assign(new Error(`Function not found: ${functionArn}`), { name: 'ResourceNotFoundException' });
      invocations.invokeAsync(bound, JSON.parse(input), 'schedule');
    },
  });
  account.useScheduler(schedules);
  const executor = machine && new WorkflowExecutor({
    definition: machine.definition,
    stateMachineArn: machine.arn,
    handlers,
    scheduler: account.scheduler,
    requestId: () => account.random.uuid(),
    approval: scenario.approval ? {
      decision: scenario.approval.decision,
      afterMs: (scenario.approval.afterMinutes ?? 5) * MINUTE,
      approver: scenario.approval.approver,
      comment: scenario.approval.comment,
    } : undefined,
    faults,
    // Step Functions tells EventBridge of every status change of a standard workflow execution.
    onStatusChange: (record, status) => bus?.put(bus.executionStatusEvent(record, machine.arn, status, account.clock.now())),
  });
  let seq = 0;
  const startExecution = (input: unknown, delayMs = 0) => {
    if (!executor) return;
    const name = `sim-${String(++seq).padStart(4, '0')}`;
    executions.push(account.scheduler.participate(name, async () => {
      if (delayMs > 0) await account.scheduler.sleep(delayMs);
      return executor.execute(name, input);
    }));
  };
  bus = new EventBus({
    rules,
    stateMachineArn: machine?.arn ?? '',
    invokeAsync: (bound, input, source, delayMs, onAttempt) => invocations.invokeAsync(bound, input, source, delayMs, (a) => onAttempt(a)),
    handlers,
    scheduler: account.scheduler,
    requestId: () => account.random.uuid(),
    eventId: () => account.random.uuid(),
    startExecution: (input) => startExecution(input),
    participate: (name, fn) => account.scheduler.participate(name, fn),
  });

  const secrets = [
    ...scenario.functions.flatMap((f) => Object.values(f.environment ?? {})).filter((v) => v.length >= 8),
    ...scenario.functions.flatMap((f) => [f.workload, ...(f.incidents ?? []).map((i) => i.workload)])
      .flatMap((w) => (w.logLines ?? []).map((l) => l.secret))
      .filter((v): v is string => !!v),
  ];
  const handlerLog: string[] = [];
  const restore = installRuntime(account, env, handlerEnv, handlerLog, world);
  const transitions: AlarmTransition[] = [];
  let alarmEvents = 0;
  let customResources: CustomResourceResult[] = [];
  let error: string | undefined = setupError;
  const end = start + scenario.durationMinutes * MINUTE;
  // Executions the workflow starts itself (log-alarm fan-out, re-examination) run like routed ones.
  if (machine && executor) {
    account.states.register(machine.arn, (name, input) => {
      const run = account.scheduler.participate(name, () => executor.execute(name, input));
      executions.push(run);
      return run;
    });
  }
  try {
    if (error) throw new DeployFailed();
    // The deploy, in CloudFormation's order: the setup custom resource (it creates missing log
    // groups) before the alarms that depend on it; any failure rolls the stack back.
    customResources = await createCustomResources({
      resolver, stackName: stack.stackName, handlers, scheduler: account.scheduler, requestId: () => account.random.uuid(),
    });
    // A user's app (simulate --app) may have custom resources of its own: not deployed here.
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      const custom = r.Type === 'AWS::CloudFormation::CustomResource' || r.Type.startsWith('Custom::');
      if (custom && !DEPLOYED_CUSTOM_RESOURCES.includes(r.Type)) notes.push(`custom resource ${id} (${r.Type}) is not run by the simulation`);
    }
    const failed = customResources.find((c) => c.status !== 'SUCCESS');
    if (failed) {
      error = `deploy failed: custom resource ${failed.logicalId} (${failed.type}) answered ${failed.status}: ${failed.reason ?? ''}`;
      throw new DeployFailed();
    }
    const templateAlarms = resolver.alarms();
    notes.push(...templateAlarms.skipped);
    // Alarms are created through the Put APIs' checks: a rejected alarm fails the deploy.
    try {
      await account.deployAlarms(templateAlarms);
      if (world) notes.push(...await world.deploy());
    } catch (err) {
      error = `deploy failed: ${(err as Error).name}: ${(err as Error).message}`;
      throw new DeployFailed();
    }
    // Automation runs its steps as the document's role: Automation must be trusted by the role,
    // and the role allowed to invoke the step's function (iam.ts evaluates it like a handler's call).
    account.ssm.runStep = async (run) => {
      if (run.step.action !== 'aws:invokeLambdaFunction') throw new Error(`the simulation does not model the Automation action ${run.step.action}`);
      const functionArn = String(run.step.inputs.FunctionName);
      if (run.roleArn) {
        // The role's synthesized trust policy, evaluated like every other call: Automation assumes the
        // role for this execution, with its account and execution as the source
        // (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html).
        const assumed = await authorizer?.authorizeAssumeRole({
          principal: 'ssm.amazonaws.com',
          roleArn: run.roleArn,
          context: { 'aws:SourceAccount': SIM_ACCOUNT, 'aws:SourceArn': `arn:aws:ssm:${SIM_REGION}:${SIM_ACCOUNT}:automation-execution/${run.executionId}` },
        });
        if (assumed && !assumed.allowed) throw named('AccessDenied', `ssm.amazonaws.com may not assume ${run.roleArn}: ${assumed.explanation ?? assumed.result}`);
        const decision = await authorizer?.authorize({ principalArn: run.roleArn, action: 'lambda:InvokeFunction', resource: functionArn });
        if (decision && !decision.allowed) throw named('AccessDeniedException', `${run.roleArn} may not lambda:InvokeFunction ${functionArn}: ${decision.explanation ?? decision.result}`);
      }
      const bound = handlers.get(functionArn);
      if (!bound) throw named('ResourceNotFoundException', `Function not found: ${functionArn}`);
      return account.scheduler.participate(`automation-${run.executionId.slice(0, 8)}`, () =>
        invokeHandler(bound, run.step.inputs.InputPayload ?? {}, { scheduler: account.scheduler, requestId: account.random.uuid() }));
    };
    // The operator starts the runbook at the scenario's minutes.
    for (const o of scenario.operatorRunbooks ?? []) {
      void account.scheduler.timer(start + o.atMinute * MINUTE - account.clock.now()).done.then(() => {
        const doc = automationDocumentsOf(resolver)[0];
        if (!doc) {
          notes.push(`operator runbook at minute ${o.atMinute}: the stack has no Automation document`);
          return;
        }
        try {
          account.ssm.startAutomationExecution({
            DocumentName: doc.name,
            Parameters: { FunctionName: [o.functionName], MemorySize: [String(o.memorySizeMb)], ...(o.reason ? { Reason: [o.reason] } : {}) },
          });
        } catch (err) {
          notes.push(`operator runbook at minute ${o.atMinute} rejected: ${(err as Error).name}: ${(err as Error).message}`);
        }
      });
    }
    // Execution faults: at their minute, the running executions are stopped or time out.
    for (const [i, f] of (scenario.executionFaults ?? []).entries()) {
      void account.scheduler.timer(start + f.atMinute * MINUTE - account.clock.now()).done.then(() => {
        for (const name of executor?.runningExecutions() ?? []) {
          if (f.execution && f.execution !== name) continue;
          if (executor!.stop(name, f.effect === 'abort' ? 'ABORTED' : 'TIMED_OUT')) faults.executionFaultFired(i, account.clock.now(), name);
        }
      });
    }
    const deliver = (t: AlarmTransition) => {
      const copies = t.to === 'ALARM' ? (scenario.storm?.copiesPerAlarmEvent ?? 1) : 1;
      for (let c = 0; c < copies; c++) {
        const event = c === 0 ? t.event : { ...t.event, id: account.random.uuid() };
        alarmEvents++;
        // Copies of a storm arrive spread over the minute.
        const delay = c === 0 ? 0 : Math.floor((c * MINUTE) / copies);
        bus!.put(event, (input) => startExecution(input, delay), delay);
      }
    };
    // CloudTrail's API call events go to the bus; AWS Config invokes its rules' functions.
    const deliverServiceEvents = () => {
      // Events the handlers put on the default bus reach its rules (the OpsItem rules).
      for (const e of account.messaging.busEvents.splice(0)) bus!.put(e);
      for (const e of account.cloudTrail.due(account.clock.now())) bus!.put(e);
      for (const inv of account.config.due(account.clock.now())) bus!.invokeFunction(`config-rule:${inv.ruleName}`, inv.functionArn, inv.event, 'AWS Config rule evaluation');
    };
    for (;;) {
      await account.scheduler.idle();
      deliverServiceEvents();
      const nextMinute = account.generatedTo() + MINUTE;
      const nextWake = account.scheduler.nextWake();
      const servicePending = account.messaging.busEvents.length > 0
        || [account.cloudTrail.nextDue(), account.config.nextDue()].some((t) => t !== undefined && t <= end + 5 * MINUTE);
      if (account.scheduler.active() === 0 && nextMinute > end && !servicePending) break;
      if (nextWake !== undefined && nextWake < nextMinute) {
        account.scheduler.wakeUntil(nextWake);
        continue;
      }
      const happened = account.runUntil(nextMinute);
      transitions.push(...happened);
      if (nextMinute <= end) happened.forEach(deliver);
      // The spokes' alarms reach the hub's bus through their forwarding rules (hub-spoke.ts).
      for (const { spoke, transition } of world?.runUntil(nextMinute) ?? []) {
        if (nextMinute > end) continue;
        await world!.forward(spoke, transition.event, (event, busName) => {
          alarmEvents++;
          bus!.put(event, (input) => startExecution(input), 0, busName);
        });
      }
      account.scheduler.wakeUntil(nextMinute);
      if (nextMinute - start > 7 * 24 * 60 * MINUTE) throw new Error('the simulation ran for a virtual week without finishing');
    }
  } catch (err) {
    if (!(err instanceof DeployFailed)) error = `${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    restore();
  }
  runs?.closeOpen();
  const records = await Promise.all(executions).catch((err) => {
    error ??= String(err);
    return [] as ExecutionRecord[];
  });
  const allItems = await scanTables(env, template, resolver);
  // Evidence items are the collected logs and metrics: large, and checked for secrets, not reported.
  const tableItems = allItems.filter((i) => String(i.sk ?? '') !== 'EVIDENCE');
  const endedAt = account.clock.now();

  const summaries = records.map((r) => summarize(r));
  const outcomes: Record<string, number> = {};
  for (const s of summaries) outcomes[s.outcome ?? s.status ?? 'UNKNOWN'] = (outcomes[s.outcome ?? s.status ?? 'UNKNOWN'] ?? 0) + 1;
  const apiCalls = account.recorder.calls();
  const timelines = scenario.functions.map((f) => timeline(
    f.functionName,
    f.memorySizeMb,
    f.incidents?.length ? start + Math.min(...f.incidents.map((i) => i.atMinute)) * MINUTE : undefined,
    account,
    records,
    transitions,
  ));
  const notifications = account.messaging.messages;
  // The coordinator has no execution log: what it logs is in the handlers' logs.
  const executionLog = machine ? executionLogLines(records, executionLoggingOf(resolver, machine.logicalId)) : [];
  const exposed = JSON.stringify([apiCalls.filter((c) => !(c.service === 'Lambda' && c.operation === 'GetFunctionConfiguration')), notifications, account.messaging.events, allItems, records.map((r) => r.steps), handlerLog, executionLog]);
  const leakedSecrets = secrets.filter((s) => exposed.includes(s) || exposed.includes(JSON.stringify(s).slice(1, -1)));
  const sinks = sinkTexts({ apiCalls, items: allItems, notifications, events: account.messaging.events, executionLog });
  const secretsBySink = secretsInSinks(secrets, sinks);
  // An approval task token lets whoever holds it approve: it belongs in the approval request,
  // never in a log (issue 10 item 9).
  // The step inputs and the handlers' log, each one text read once (one line per entry: a token has no newline).
  const stepInputs = records.flatMap((r) => r.steps.map((st) => JSON.stringify(st.input ?? ''))).join('\n');
  const tokens = records.map((r) => executor?.taskToken(r.name) ?? `no-task-token-${r.name}`).filter((t) => stepInputs.includes(t));
  secretsBySink.executionLog = [...secretsBySink.executionLog, ...secretsInSinks(tokens, sinks).executionLog];
  const handlerLogText = handlerLog.join('\n');
  const tokensInHandlerLogs = tokens.filter((t) => handlerLogText.includes(t));
  if (tokensInHandlerLogs.length) notes.push(`${tokensInHandlerLogs.length} approval task token(s) in the handlers' logs`);
  const locks = heldLocks(allItems, ttlAttributeOf(template), endedAt);
  const aliasCodeChanged = Object.fromEntries([...aliasCodeAtStart.entries()].map(([fn, sha]) => {
    const alias = aliasOf(scenario.functions.find((f) => f.functionName === fn)!)!.name;
    return [fn, account.lambda.aliasCodeSha(fn, alias) !== sha];
  }));

  const aliasAtEnd = Object.fromEntries(scenario.functions.filter((f) => aliasOf(f)).map((f) => {
    const fn = account.lambda.get(f.functionName).fn;
    const routes = account.lambda.aliasRoutes(fn, aliasOf(f)!.name);
    return [f.functionName, { memoryMb: routes[0].config.memorySize, routed: routes.length > 1 }];
  }));

  const repairIds = tableItems.filter((i) => String(i.sk ?? '').startsWith('REPAIR#')).map((i) => String(i.repairId));
  for (const id of new Set(repairIds)) {
    const n = repairIds.filter((x) => x === id).length;
    if (n > 1) notes.push(`repair ${id} has ${n} repair records (written at repair and at finalize under different sort keys)`);
  }
  // Denials in the spokes (as the assumed role) and of STS AssumeRole count like the hub's.
  const spokeDenials = [
    ...(world?.spokes ?? []).flatMap((sp) => sp.gate?.denied ?? []),
    ...(world?.sts.records ?? []).filter((r) => !r.allowed).map((r) => ({
      time: r.at, principal: r.caller, operation: 'STS:AssumeRole', action: 'sts:AssumeRole', resource: r.roleArn, reason: r.reason ?? '',
    })),
  ];
  const partial = {
    records: tableItems,
    apiCalls,
    notifications,
    outcomes,
    executions: summaries,
    functions: timelines,
    alarmEvents,
    leakedSecrets,
    locksHeld: locks.length,
    aliasCodeChanged,
    aliasAtEnd,
    secretsBySink,
    ...(gate ? { accessDenied: [...gate.denied, ...spokeDenials] } : {}),
    ...(world ? {
      spokeRuns: Object.fromEntries(world.spokes.map((sp) => [`${sp.account}/${sp.region}`, {
        memoryOf: (fn: string) => sp.sim.functionNamed(fn).config.memorySize,
        updates: (fn: string) => sp.sim.recorder.calls().filter((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration' && !c.error
          && String((c.input as { FunctionName?: string }).FunctionName).split(':').includes(fn)).length,
        forwarded: sp.forwarded,
        refused: sp.refused.length,
      }])),
      assumeRoleCounts: { allowed: world.sts.records.filter((r) => r.allowed).length, denied: world.sts.records.filter((r) => !r.allowed).length },
    } : {}),
    configCompliance: Object.fromEntries(account.config.evaluations().map((e) => [e.resourceId, e.complianceType])),
    opsItems: account.ssm.opsItems,
    automationStatuses: account.ssm.automationExecutions.map((e) => e.status),
  };
  const expectations = checkExpectations(scenario.expect, partial, (name) => account.functionNamed(name).config.memorySize);
  if (leakedSecrets.length) expectations.push({ name: 'no secret leaves the function', passed: false, detail: `${leakedSecrets.length} secret value(s) found in calls, records, notifications or logs` });
  if (!error) {
    // A fault that never fired tested nothing.
    const unfired = faults.unfired();
    expectations.push({ name: 'every injected fault fired', passed: unfired.length === 0, detail: unfired.length ? unfired.join('; ') : `${faults.fired.length} fired` });
  }
  return {
    scenario: scenario.name,
    description: scenario.description,
    passed: !error && expectations.every((e) => e.passed),
    expectations,
    ...(error ? { error } : {}),
    wallTimeMs: Math.round(performance.now() - wallStart),
    virtualStart: new Date(start).toISOString(),
    virtualEnd: new Date(endedAt).toISOString(),
    alarmEvents,
    unroutedEvents: bus.unrouted,
    executions: summaries,
    outcomes,
    functions: timelines,
    apiCalls,
    notifications,
    events: account.messaging.events,
    records: tableItems,
    alarmTransitions: transitions.map((t) => ({
      alarmName: t.alarmName,
      ...(t.contributor ? { contributor: t.contributor } : {}),
      from: t.from,
      to: t.to,
      at: new Date(t.at).toISOString(),
    })),
    notes,
    handlerLogLines: handlerLog.length,
    leakedSecrets,
    iamEvaluated: !!gate,
    authorizedCalls: (gate?.checked ?? 0) + (world?.spokes ?? []).reduce((n, sp) => n + (sp.gate?.checked ?? 0), 0),
    accessDenied: [...(gate?.denied ?? []), ...spokeDenials],
    unlistedActions: gate?.unlisted ?? [],
    injectedFaults: faults.fired,
    deploys: account.deploys.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
    customResources,
    targetInvocations: bus.invocations,
    ...(world ? {
      spokes: world.spokes.map((sp) => ({
        account: sp.account,
        region: sp.region,
        functions: sp.spec.functions.map((f) => ({
          functionName: f.functionName, finalMemoryMb: sp.sim.functionNamed(f.functionName).config.memorySize,
        })),
        apiCalls: sp.sim.recorder.calls(),
        forwardedEvents: sp.forwarded,
        refusedEvents: sp.refused,
        alarmTransitions: sp.transitions.map((t) => ({ alarmName: t.alarmName, from: t.from, to: t.to, at: new Date(t.at).toISOString() })),
      })),
      assumeRoles: world.sts.records,
    } : {}),
    locksHeldAtEnd: locks.map((l) => ({ pk: String(l.pk), owner: l.owner === undefined ? undefined : String(l.owner) })),
    secretsFound: Object.fromEntries(Object.entries(secretsBySink).map(([k, v]) => [k, v.length])) as Record<SecretSink, number>,
    cloudTrailEvents: account.cloudTrail.records.length,
    configEvaluations: account.config.evaluations(),
    configInvocationErrors: account.config.invocationErrors,
    opsItems: account.ssm.opsItems,
    automationExecutions: account.ssm.automationExecutions,
    workflow: machine ? 'stepFunctions' : 'lambdaCoordinator',
    schedules: {
      created: schedules.created.map((c) => ({
        name: c.name,
        group: c.groupName,
        expression: c.expression,
        createdAt: new Date(c.createdAt).toISOString(),
        ...(c.invokedAt !== undefined ? { invokedAt: new Date(c.invokedAt).toISOString() } : {}),
        exists: schedules.list().includes(c),
      })),
      deliveries: schedules.deliveries,
      deadLetters: schedules.deadLetters,
    },
    asyncInvocations: {
      attempts: invocations.asyncAttempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
      failureRecords: invocations.failureRecords,
    },
  };
}

/**
 * The management tag, where the stack goes by tag: normalize's `MANAGED_FUNCTIONS=tag:<key>=<value>`
 * (fleet mode), or the `aws:ResourceTag/<key>` condition the target rights carry past the IAM quotas.
 */
function managementTagOf(resolver: TemplateResolver): Record<string, string> | undefined {
  for (const f of resolver.functions()) {
    const m = /^tag:([^=]+)=(.*)$/.exec(f.environment.MANAGED_FUNCTIONS ?? '');
    if (m) return { [m[1]]: m[2] };
  }
  for (const [, r] of [...resolver.resourcesOfType('AWS::IAM::Policy'), ...resolver.resourcesOfType('AWS::IAM::ManagedPolicy')]) {
    const text = JSON.stringify(resolver.resolve(r.Properties?.PolicyDocument ?? {}));
    const m = /"aws:ResourceTag\/([^"]+)":"([^"]*)"/.exec(text);
    if (m) return { [m[1]]: m[2] };
  }
  return undefined;
}

/**
 * The template's AWS Config custom Lambda rules: their function, scope and triggers, and whether
 * the function's resource-based policy (`AWS::Lambda::Permission`) lets `config.amazonaws.com` invoke it.
 */
function configRulesOf(resolver: TemplateResolver): ConfigRuleSpec[] {
  const permissions = resolver.resourcesOfType('AWS::Lambda::Permission').map(([, r]) => resolver.resolve(r.Properties ?? {}) as Record<string, unknown>);
  return resolver.resourcesOfType('AWS::Config::ConfigRule').flatMap(([id, r]) => {
    const p = resolver.resolve(r.Properties ?? {}) as {
      ConfigRuleName?: string;
      Scope?: { ComplianceResourceTypes?: string[] };
      Source?: { Owner?: string; SourceIdentifier?: string; SourceDetails?: Array<{ MessageType?: string }> };
    };
    if (p.Source?.Owner !== 'CUSTOM_LAMBDA' || !p.Source.SourceIdentifier) return [];
    const fnArn = p.Source.SourceIdentifier;
    const fnName = fnArn.split(':')[6];
    const mayInvoke = permissions.some((perm) => perm.Principal === 'config.amazonaws.com' && perm.Action === 'lambda:InvokeFunction'
      && (perm.FunctionName === fnArn || perm.FunctionName === fnName));
    return [{
      ruleName: p.ConfigRuleName ?? resolver.physicalName(id),
      functionArn: fnArn,
      resourceTypes: p.Scope?.ComplianceResourceTypes ?? [],
      messageTypes: (p.Source.SourceDetails ?? []).map((d) => String(d.MessageType)),
      mayInvoke,
    }];
  });
}

/** The template's Automation documents, their content resolved. */
function automationDocumentsOf(resolver: TemplateResolver): AutomationDocument[] {
  return resolver.resourcesOfType('AWS::SSM::Document')
    .filter(([, r]) => (r.Properties as { DocumentType?: string } | undefined)?.DocumentType === 'Automation')
    .map(([id, r]) => {
      const p = resolver.resolve(r.Properties ?? {}) as { Name?: string; Content?: unknown };
      const content = typeof p.Content === 'string' ? JSON.parse(p.Content) : p.Content;
      return { name: p.Name ?? resolver.physicalName(id), content: content as AutomationDocument['content'] };
    });
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * Each function's `AWS::Lambda::EventInvokeConfig` (by function ARN): retries, event age and the
 * on-failure destination of its asynchronous invocations.
 */
function asyncInvokeConfigs(resolver: TemplateResolver): Map<string, AsyncInvokeConfig> {
  const out = new Map<string, AsyncInvokeConfig>();
  const functions = resolver.functions();
  for (const [, r] of resolver.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
    const p = resolver.resolve(r.Properties ?? {});
    const ref = String(p.FunctionName ?? '');
    const fn = functions.find((f) => f.functionName === ref || f.arn === ref);
    if (!fn) continue;
    out.set(fn.arn, {
      maximumRetryAttempts: p.MaximumRetryAttempts,
      maximumEventAgeSeconds: p.MaximumEventAgeInSeconds,
      onFailure: p.DestinationConfig?.OnFailure?.Destination,
    });
  }
  return out;
}

/** The stack did not deploy: nothing runs (the error says why). */
class DeployFailed extends Error {}

/**
 * Bind every handler function of the template to its module (handler-modules.ts): the workflow
 * contract names each handler, and the constructs describe each function with the handler's
 * description.
 */
function bindHandlers(resolver: TemplateResolver): Map<string, BoundHandler> {
  const out = new Map<string, BoundHandler>();
  // The workflow's handlers, and the deploy-time setup behind the setup custom resource.
  for (const f of resolver.functions()) {
    const spec = constructHandlerOfDescription(f.description);
    if (!spec) continue;
    const mod = loadHandlerModule(spec.id);
    if (typeof mod.handler !== 'function') throw new Error(`${spec.entry} exports no handler function`);
    const handler = mod.handler;
    out.set(f.arn, {
      functionArn: f.arn,
      functionName: f.functionName,
      source: spec.entry,
      handlerId: spec.id,
      timeoutSeconds: f.timeout ?? 3,
      invoke: (event, context) => handler(event, context),
    });
  }
  return out;
}

/** Point the handlers at the simulated world; returns the function that puts everything back. */
function installRuntime(
  account: SimulatedAccount, env: SimulationEnvironment, handlerEnv: Record<string, string>, handlerLog: string[], world?: SpokeWorld,
): () => void {
  const savedEnv = { ...process.env };
  Object.assign(process.env, handlerEnv, {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'simulated',
    AWS_SECRET_ACCESS_KEY: 'simulated',
  });
  delete process.env.AWS_PROFILE;
  const unmock = account.install(world?.router, world?.sts);
  setClients({ dynamo: env.dynamodb.documentClient(account.pipeline, account.scheduler) }, { region: 'us-east-1' });
  setClock({ now: () => new Date(account.clock.now()), sleep: (ms) => account.scheduler.sleep(ms) });
  const restoreDate = installVirtualDate(account.clock);
  // Handler logs (Powertools writes JSON lines to stdout, warnings to stderr) are kept for the
  // secret check, not printed.
  const capture = (stream: NodeJS.WriteStream) => {
    const real = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (account.scheduler.current()) {
        handlerLog.push(String(chunk));
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        cb?.();
        return true;
      }
      return (real as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = real;
    };
  };
  const releaseStdout = capture(process.stdout);
  const releaseStderr = capture(process.stderr);
  return () => {
    releaseStdout();
    releaseStderr();
    restoreDate();
    setClock();
    setClients();
    unmock();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  };
}

async function scanTables(
  env: SimulationEnvironment,
  template: CfnTemplate,
  resolver: TemplateResolver,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for (const t of tablesFromTemplate(template, (id) => resolver.physicalName(id))) items.push(...await env.dynamodb.scanAll(t.tableName));
  return items.sort((a, b) => String(a.pk).localeCompare(String(b.pk)) || String(a.sk).localeCompare(String(b.sk)));
}

function summarize(r: ExecutionRecord): ExecutionSummary {
  const out = (state: string) => [...r.steps].reverse().find((s) => s.state === state && s.output !== undefined)?.output as any;
  const finalize = [...r.steps].reverse().find((s) => s.output && typeof s.output === 'object' && 'outcome' in (s.output as object) && 'notificationStatus' in (s.output as object))?.output as any;
  const normalize = r.steps.find((s) => s.output && typeof s.output === 'object' && 'status' in (s.output as object))?.output as any;
  const event = r.input as any;
  return {
    name: r.name,
    functionName: finalize?.functionName ?? normalize?.functionName,
    alarmName: event?.detail?.alarmName,
    startedAt: new Date(r.startedAt).toISOString(),
    ...(r.endedAt ? { endedAt: new Date(r.endedAt).toISOString() } : {}),
    status: r.status,
    outcome: finalize?.outcome,
    reason: finalize?.reason,
    steps: r.steps.map((s) => ({ state: s.state, at: new Date(s.endedAt).toISOString(), detail: stepDetail(s.output, s.error) })),
  };
  void out;
}

function stepDetail(output: any, error?: { name: string; message: string }): string {
  if (error) return `error ${error.name}`;
  if (!output || typeof output !== 'object') return '';
  if ('notificationStatus' in output) return `${output.outcome}: ${output.reason}`;
  if ('action' in output && 'targetMemoryMb' in output) return `${output.action} ${output.originalMemoryMb}->${output.targetMemoryMb} MB (${output.decidedBy}, confidence ${output.result?.confidence})`;
  if ('verifyAfterSeconds' in output) return `${output.status} ${output.originalMemoryMb}->${output.newMemoryMb} MB`;
  if ('next' in output && 'attempt' in output) return `${output.status} (${output.next})`;
  if ('restoredMemoryMb' in output) return `${output.status} to ${output.restoredMemoryMb} MB`;
  if ('evidenceKey' in output) return `${output.logEventCount} log events, ${output.metricPointCount} metric points${output.incomplete ? ' (incomplete)' : ''}`;
  if ('approved' in output) return output.approved ? `approved by ${output.approver ?? 'operator'}` : 'not approved';
  if ('status' in output) return `${output.status}: ${output.reason ?? ''}`;
  return '';
}

function timeline(
  name: string,
  originalMemoryMb: number,
  incidentStart: number | undefined,
  account: SimulatedAccount,
  records: ExecutionRecord[],
  transitions: AlarmTransition[],
): FunctionTimeline {
  const tally = account.tally.get(name);
  let firstFailure: number | undefined;
  for (const [minute, t] of [...(tally ?? new Map()).entries()].sort((a, b) => a[0] - b[0])) {
    if (t.errors > 0 || t.throttles > 0) {
      firstFailure = minute;
      break;
    }
  }
  // Slowness without errors (memory pressure): the incident's start is the first failure.
  firstFailure ??= incidentStart;
  const fn = account.functionNamed(name);
  const alarm = transitions.find((t) => t.to === 'ALARM' && (t.contributor?.FunctionName === name || JSON.stringify(t.event).includes(`"FunctionName":"${name}"`)));
  let repairedAt: number | undefined;
  let verifiedAt: number | undefined;
  for (const r of records) {
    for (const s of r.steps) {
      const o = s.output as any;
      if (!o || typeof o !== 'object') continue;
      if ('verifyAfterSeconds' in o && o.status === 'SUCCEEDED' && o.result?.functionName === name) repairedAt ??= s.endedAt;
      if ('next' in o && 'attempt' in o && o.status === 'SUCCEEDED' && r.steps.some((x) => (x.output as any)?.result?.functionName === name)) verifiedAt ??= s.endedAt;
    }
  }
  const iso = (t?: number) => (t === undefined ? undefined : new Date(t).toISOString());
  return {
    functionName: name,
    originalMemoryMb,
    finalMemoryMb: fn.config.memorySize,
    ...(firstFailure !== undefined ? { firstFailureAt: iso(firstFailure) } : {}),
    ...(alarm ? { alarmAt: iso(alarm.at) } : {}),
    ...(repairedAt !== undefined ? { repairedAt: iso(repairedAt) } : {}),
    ...(verifiedAt !== undefined ? { verifiedAt: iso(verifiedAt) } : {}),
    ...(repairedAt !== undefined && firstFailure !== undefined ? { timeToRepairMs: repairedAt - firstFailure } : {}),
    ...(verifiedAt !== undefined && firstFailure !== undefined ? { timeToVerifiedRecoveryMs: verifiedAt - firstFailure } : {}),
  };
}
