/**
 * Runs the synthesized state machine definition with `aws-local-stepfunctions`, every Task bound
 * to the real handler module, in virtual time:
 * - Wait states become Tasks of the same name, input and output paths whose local handler sleeps
 *   on the virtual clock for the state's Seconds / SecondsPath / Timestamp / TimestampPath (the
 *   library's own Wait override can only sleep in real time);
 * - Retry intervals are slept on the virtual clock before the library retries (its real interval
 *   is overridden to 0);
 * - `.waitForTaskToken` tasks run the handler, then the scenario's operator answers: the
 *   override's return value stands in for SendTaskSuccess, a thrown `ApprovalRejected` for
 *   SendTaskFailure, and `States.Timeout` when nobody answers within the task's timeout;
 * - the definition's top-level `TimeoutSeconds` runs on the virtual clock (the library would
 *   time it in real time), and `stop()` ends an execution as StopExecution does (ABORTED) or as its
 *   timeout does (TIMED_OUT): no further state runs, while a Lambda invocation already running
 *   goes on to its end (Lambda does not stop a function when its caller gives up) and its result is
 *   discarded (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html);
 * - handler faults: an invocation that crashes or runs into the function's timeout fails as
 *   Lambda reports it to Step Functions (see `invocationFailure`).
 */
import { InvocationControl, runAsCaller } from './account/caller';
import { FaultInjector } from './account/faults';
import { VirtualScheduler } from './scheduler';

/** The part of aws-local-stepfunctions used here (its types are ESM-only). */
interface LocalStateMachine {
  run(input: unknown, options?: {
    overrides?: {
      taskResourceLocalHandlers?: Record<string, (input: any) => Promise<unknown>>;
      retryIntervalOverrides?: Record<string, number>;
    };
    context?: Record<string, unknown>;
    noThrowOnAbort?: boolean;
  }): { result: Promise<unknown>; abort: () => void };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (definition: unknown, options?: { validationOptions?: LocalValidationOptions }) => LocalStateMachine;
};

/** aws-local-stepfunctions' validation options (asl-validator's, and `noValidate`). */
interface LocalValidationOptions {
  readonly checkArn?: boolean;
  readonly checkPaths?: boolean;
  readonly noValidate?: boolean;
}

/**
 * Definitions already validated in this process, as JSON. asl-validator compiles its JSON
 * schemas each time it validates (about a third of a second a machine); scenarios whose stacks
 * differ only in settings the handlers read have the same definition, so it is validated the
 * first time it is seen and built without validation after that. A definition seen for the
 * first time is always validated.
 */
const validatedDefinitions = new Set<string>();

/** A local state machine for `definition`, validated (paths checked, ARNs not) unless this exact definition already was. */
function localStateMachine(definition: Json): LocalStateMachine {
  const key = JSON.stringify(definition);
  const seen = validatedDefinitions.has(key);
  const machine = new StateMachine(definition, { validationOptions: seen ? { noValidate: true } : { checkArn: false, checkPaths: true } });
  validatedDefinitions.add(key);
  return machine;
}

/** Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 uses for every Task. */
export function ensurePromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** A handler bound to a Lambda function ARN of the template. */
export interface BoundHandler {
  readonly functionArn: string;
  readonly functionName: string;
  /** e.g. `src/workflow/normalize.lambda.ts` */
  readonly source: string;
  /** The workflow contract's handler id, e.g. `normalize` (what handler faults name). */
  readonly handlerId?: string;
  readonly timeoutSeconds: number;
  readonly invoke: (event: unknown, context: Record<string, unknown>) => Promise<unknown>;
}

/** The operator's answer to an approval task. */
export interface ApprovalAnswer {
  readonly decision: 'approve' | 'reject' | 'ignore';
  readonly afterMs: number;
  readonly approver?: string;
  readonly comment?: string;
}

/** One step of an execution as it happened. */
export interface StepRecord {
  readonly state: string;
  readonly kind: 'task' | 'wait';
  /** Virtual epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The task's effective input (after InputPath and Parameters: what the Lambda got). */
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: { name: string; message: string };
}

/** The status of an execution as DescribeExecution reports it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution and what came of it. */
export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly input: unknown;
  readonly startedAt: number;
  endedAt?: number;
  status?: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: unknown;
  /** `<error name>: <cause>` when it did not succeed. */
  error?: string;
  readonly steps: StepRecord[];
}

/** How an execution is ended from outside. */
export type ExecutionStop = 'ABORTED' | 'TIMED_OUT';

export interface WorkflowExecutorOptions {
  readonly definition: any;
  readonly stateMachineArn: string;
  readonly handlers: Map<string, BoundHandler>;
  readonly scheduler: VirtualScheduler;
  readonly approval?: ApprovalAnswer;
  /** Fresh request ids for the fake Lambda contexts. */
  readonly requestId: () => string;
  /** Handler faults (crash, timeout) of the scenario. */
  readonly faults?: FaultInjector;
  /** Each status change of an execution (RUNNING, then how it ended), when it happens. */
  readonly onStatusChange?: (record: ExecutionRecord, status: ExecutionStatus) => void;
}

type Json = any;

export class WorkflowExecutor {
  private readonly definition: Json;
  private readonly waitStates: Record<string, Json>;
  /** The definition's top-level TimeoutSeconds (run on the virtual clock, not by the library). */
  private readonly timeoutSeconds?: number;
  /** Running executions by name: how to stop each. */
  private readonly running = new Map<string, (status: ExecutionStop) => void>();
  /** Each execution's Lambda invocations in flight. */
  private readonly invocations = new WeakMap<ExecutionRecord, Set<Promise<unknown>>>();
  /** Resolves when the execution is stopped: its waits end at once (no state runs after them). */
  private readonly stopSignals = new WeakMap<ExecutionRecord, Promise<void>>();
  private machine?: LocalStateMachine;

  constructor(private readonly options: WorkflowExecutorOptions) {
    ensurePromiseWithResolvers();
    const { TimeoutSeconds: timeout, ...rest } = options.definition;
    const { definition, waits } = replaceWaitStates(rest);
    this.definition = definition;
    this.waitStates = waits;
    this.timeoutSeconds = typeof timeout === 'number' ? timeout : undefined;
  }

  /** The task token `.waitForTaskToken` tasks of execution `name` get ($$.Task.Token). */
  public taskToken(name: string): string {
    return `sim-task-token-${name}`;
  }

  /** The names of the executions running now. */
  public runningExecutions(): string[] {
    return [...this.running.keys()];
  }

  /**
   * End a running execution as StopExecution (ABORTED) or its TimeoutSeconds (TIMED_OUT) does.
   * False when it is not running.
   */
  public stop(name: string, status: ExecutionStop): boolean {
    const stop = this.running.get(name);
    if (!stop) return false;
    stop(status);
    return true;
  }

  /** Run one execution to the end (never throws: failures are recorded). */
  public async execute(name: string, input: unknown): Promise<ExecutionRecord> {
    const smName = this.options.stateMachineArn.split(':').pop();
    const record: ExecutionRecord = {
      name,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:${smName}:${name}`,
      input,
      startedAt: this.options.scheduler.clock.now(),
      steps: [],
    };
    const attempts = new Map<string, number[]>();
    const handlers: Record<string, (input: Json) => Promise<unknown>> = {};
    const retryOverrides: Record<string, number> = {};
    // Invocations still running (a stopped execution does not stop them); awaited before returning.
    const inflight = new Set<Promise<unknown>>();
    this.invocations.set(record, inflight);
    let signalStop!: () => void;
    this.stopSignals.set(record, new Promise<void>((r) => (signalStop = r)));
    let stopped: ExecutionStop | undefined;
    for (const [stateName, state] of allStates(this.definition)) {
      if (state.Type !== 'Task') continue;
      retryOverrides[stateName] = 0;
      handlers[stateName] = async (taskInput: Json) => {
        const startedAt = this.options.scheduler.clock.now();
        const isWait = stateName in this.waitStates;
        try {
          const output = isWait ? await this.wait(this.waitStates[stateName], taskInput, record) : await this.task(state, taskInput, record);
          if (stopped) return null;
          record.steps.push({ state: stateName, kind: isWait ? 'wait' : 'task', startedAt, endedAt: this.options.scheduler.clock.now(), ...(isWait ? {} : { input: taskInput }), output });
          attempts.delete(stateName);
          return output;
        } catch (err) {
          const e = err as Error;
          if (stopped) throw err;
          record.steps.push({ state: stateName, kind: 'task', startedAt, endedAt: this.options.scheduler.clock.now(), input: taskInput, error: { name: e.name, message: e.message } });
          await this.retryInterval(state, stateName, e, attempts, record);
          throw err;
        }
      };
    }
    this.machine ??= localStateMachine(this.definition);
    const machine = this.machine;
    this.options.onStatusChange?.(record, 'RUNNING');
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryOverrides },
      context: {
        Execution: { Id: record.executionArn, Name: name, RoleArn: 'arn:aws:iam::123456789012:role/simulation' },
        StateMachine: { Id: this.options.stateMachineArn, Name: smName },
        Task: { Token: this.taskToken(name) },
      },
      noThrowOnAbort: true,
    });
    const end = (status: Exclude<ExecutionStatus, 'RUNNING'>) => {
      if (record.status) return;
      record.status = status;
      record.endedAt = this.options.scheduler.clock.now();
      this.running.delete(name);
      this.options.onStatusChange?.(record, status);
    };
    this.running.set(name, (status) => {
      if (record.status) return;
      stopped = status;
      record.error = status === 'ABORTED' ? 'States.Aborted: the execution was stopped (StopExecution)' : 'States.Timeout: the execution ran longer than its TimeoutSeconds';
      execution.abort();
      signalStop();
      end(status);
    });
    // The definition's TimeoutSeconds, on the virtual clock.
    const timeout = this.timeoutSeconds !== undefined ? this.options.scheduler.timer(this.timeoutSeconds * 1000) : undefined;
    void timeout?.done.then(() => this.stop(name, 'TIMED_OUT'));
    try {
      const output = await execution.result;
      if (!stopped) {
        record.output = output;
        end('SUCCEEDED');
      }
    } catch (err) {
      const e = err as Error & { cause?: unknown };
      if (!stopped) {
        record.error = `${e.name}: ${e.message}`;
        end('FAILED');
      }
    }
    timeout?.cancel();
    // A stopped execution's running invocation goes on to its end; its result is discarded.
    while (inflight.size) await Promise.allSettled([...inflight]);
    return record;
  }

  /** A Task state: call the bound handler as Lambda (via lambda:invoke or the function ARN) would. */
  private async task(state: Json, input: Json, record: ExecutionRecord): Promise<unknown> {
    const resource: string = state.Resource;
    if (resource.startsWith('arn:aws:lambda:')) {
      return this.invokeLambda(resource, input, record);
    }
    if (resource === 'arn:aws:states:::lambda:invoke') {
      const payload = await this.invokeLambda(input.FunctionName, input.Payload, record);
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200, SdkHttpMetadata: { HttpStatusCode: 200 } };
    }
    if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
      await this.invokeLambda(input.FunctionName, input.Payload, record);
      return this.operatorAnswer(state, record);
    }
    throw namedError('UnsupportedResourceError', `the simulation does not run task resource '${resource}'`);
  }

  private async invokeLambda(functionRef: string, payload: unknown, record: ExecutionRecord): Promise<unknown> {
    const arn = String(functionRef).replace(/:(\$LATEST|\d+)$/, '');
    const bound = this.options.handlers.get(arn) ?? [...this.options.handlers.values()].find((h) => h.functionName === arn);
    if (!bound) throw namedError('Lambda.ResourceNotFoundException', `no handler bound to ${functionRef}`);
    const run = invokeHandler(bound, payload, {
      scheduler: this.options.scheduler,
      requestId: this.options.requestId(),
      executionId: record.name,
      executionArn: record.executionArn,
      faults: this.options.faults,
    });
    const inflight = this.invocations.get(record);
    inflight?.add(run);
    void run.then(() => inflight?.delete(run), () => inflight?.delete(run));
    return run;
  }

  /** Sleep in virtual time, or less when the execution is stopped meanwhile. */
  private async sleep(ms: number, record: ExecutionRecord): Promise<void> {
    await Promise.race([this.options.scheduler.sleep(ms), this.stopSignals.get(record)]);
  }

  private async operatorAnswer(state: Json, record: ExecutionRecord): Promise<unknown> {
    const answer = this.options.approval ?? { decision: 'ignore', afterMs: 0 };
    const timeoutMs = (state.TimeoutSeconds ?? 365 * 24 * 3600) * 1000;
    if (answer.decision === 'ignore' || answer.afterMs >= timeoutMs) {
      await this.sleep(timeoutMs, record);
      throw namedError('States.Timeout', 'Task timed out');
    }
    await this.sleep(answer.afterMs, record);
    if (answer.decision === 'reject') {
      throw namedError('ApprovalRejected', answer.comment ?? `rejected by ${answer.approver ?? 'the operator'}`);
    }
    return { approved: true, ...(answer.approver ? { approver: answer.approver } : {}), ...(answer.comment ? { comment: answer.comment } : {}) };
  }

  private async wait(waitState: Json, input: Json, record: ExecutionRecord): Promise<unknown> {
    const clock = this.options.scheduler.clock;
    let ms = 0;
    if (waitState.Seconds !== undefined) ms = waitState.Seconds * 1000;
    else if (waitState.SecondsPath) ms = Number(jsonPath(input, waitState.SecondsPath)) * 1000;
    else if (waitState.Timestamp) ms = Date.parse(waitState.Timestamp) - clock.now();
    else if (waitState.TimestampPath) ms = Date.parse(String(jsonPath(input, waitState.TimestampPath))) - clock.now();
    if (!Number.isFinite(ms) || ms < 0) {
      if (Number.isNaN(ms)) throw namedError('States.Runtime', `wait state could not read its time from ${waitState.SecondsPath ?? waitState.TimestampPath}`);
      ms = 0;
    }
    await this.sleep(ms, record);
    return input;
  }

  /** Sleep the interval Step Functions would wait before retrying this error, in virtual time. */
  private async retryInterval(state: Json, stateName: string, error: Error, attempts: Map<string, number[]>, record: ExecutionRecord): Promise<void> {
    const retriers: Json[] = state.Retry ?? [];
    const counts = attempts.get(stateName) ?? retriers.map(() => 0);
    for (const [i, r] of retriers.entries()) {
      const errors: string[] = r.ErrorEquals ?? [];
      const matches = errors.includes(error.name) || errors.includes('States.ALL') || (errors.includes('States.TaskFailed') && error.name !== 'States.Timeout');
      if (!matches) continue;
      if (counts[i] >= (r.MaxAttempts ?? 3)) return;
      const interval = (r.IntervalSeconds ?? 1) * Math.pow(r.BackoffRate ?? 2, counts[i]);
      counts[i]++;
      attempts.set(stateName, counts);
      await this.sleep(Math.min(interval, r.MaxDelaySeconds ?? Infinity) * 1000, record);
      return;
    }
  }
}

/** Where an invocation runs. */
export interface InvocationEnv {
  readonly scheduler: VirtualScheduler;
  readonly requestId: string;
  /** The execution it belongs to (name and ARN), if any. */
  readonly executionId?: string;
  readonly executionArn?: string;
  readonly faults?: FaultInjector;
}

/**
 * Invoke a bound handler as Lambda does: a JSON copy of the payload in, a JSON copy of the result
 * out, every AWS call made with the function's role (account/caller.ts), and the error document
 * of a failed invocation turned into the Step Functions error (name = `errorType`, cause = the
 * document). A handler fault kills the invocation at its point: crash = the runtime exits
 * (`Runtime.ExitError`), timeout = it runs until the function's timeout (`Sandbox.Timedout`).
 */
export async function invokeHandler(bound: BoundHandler, payload: unknown, env: InvocationEnv): Promise<unknown> {
  const { scheduler, requestId } = env;
  const startedAt = scheduler.clock.now();
  const deadline = startedAt + bound.timeoutSeconds * 1000;
  const context = {
    awsRequestId: requestId,
    functionName: bound.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: bound.functionArn,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${bound.functionName}`,
    logStreamName: `sim/[$LATEST]${requestId.replace(/-/g, '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - scheduler.clock.now()),
    ...(env.executionArn ? { executionArn: env.executionArn } : {}),
  };
  const hit = bound.handlerId ? env.faults?.onInvocation(bound.handlerId, startedAt) : undefined;
  const control: InvocationControl = { executionId: env.executionId, handlerId: bound.handlerId, killed: false };
  // The fault's point: after the handler's n-th call (of afterOperation, when given) has returned.
  let killed: (() => void) | undefined;
  const dies = new Promise<void>((resolve) => (killed = resolve));
  if (hit) {
    const wanted = hit.fault.afterCalls ?? 0;
    let seen = 0;
    const die = () => {
      control.killed = true;
      env.faults!.handlerFired(hit.index, scheduler.clock.now(), env.executionId);
      killed!();
    };
    if (wanted === 0) {die();} else {
      control.callDone = (service, operation) => {
        if (control.killed) return;
        if (hit.fault.afterOperation && hit.fault.afterOperation !== `${scenarioName(service)}:${operation}`) return;
        if (++seen >= wanted) die();
      };
    }
  }
  const run = (async () => {
    if (control.killed) return undefined;
    const event = JSON.parse(JSON.stringify(payload ?? {}));
    return runAsCaller({ functionArn: bound.functionArn, functionName: bound.functionName, invocation: control }, () => bound.invoke(event, context));
  })();
  try {
    const out = hit ? await Promise.race([run, dies]) : await run;
    if (control.killed) {
      // The handler's code may still be running; it can no longer reach AWS (caller.ts).
      run.catch(() => undefined);
      if (hit!.fault.effect === 'timeout') {
        await scheduler.sleep(Math.max(0, deadline - scheduler.clock.now()));
        throw invocationFailure('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${bound.timeoutSeconds.toFixed(2)} seconds`);
      }
      throw invocationFailure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: exit status 1`);
    }
    if (hit) env.faults!.handlerMissed(hit.index);
    return out === undefined ? null : JSON.parse(JSON.stringify(out));
  } catch (err) {
    if (hit && !control.killed) env.faults!.handlerMissed(hit.index);
    const e = err as Error;
    if (e instanceof InvocationFailure) throw e;
    // Step Functions sees errorType as the error name and the Lambda error document as the cause.
    throw namedError(e.name || 'Error', JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message, trace: [] }));
  }
}

/** The scenario name of an account service (`Lambda` -> `lambda`), for afterOperation. */
function scenarioName(service: string): string {
  const names: Record<string, string> = {
    Lambda: 'lambda',
    CloudWatch: 'cloudwatch',
    CloudWatchLogs: 'logs',
    DynamoDB: 'dynamodb',
    SNS: 'sns',
    EventBridge: 'events',
    BedrockRuntime: 'bedrock',
    BedrockAgentRuntime: 'bedrock',
    StepFunctions: 'states',
  };
  return names[service] ?? service.toLowerCase();
}

class InvocationFailure extends Error {}

/**
 * An unhandled invocation error as Step Functions receives it from Lambda. Lambda answers an
 * invocation whose runtime exited, or that ran into its timeout, with `FunctionError: Unhandled`
 * and an error document `{"errorType", "errorMessage"}`: `Runtime.ExitError` with
 * "RequestId: … Error: Runtime exited with error: exit status 1" for a crash, `Sandbox.Timedout`
 * with "RequestId: … Error: Task timed out after N.00 seconds" for a timeout
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, FunctionError). Step Functions
 * names the task error after `errorType` and puts the document in the cause; only a payload
 * without an error type becomes `Lambda.Unknown` ("Unhandled errors in Lambda are reported as
 * Lambda.Unknown ... You can match on Lambda.Unknown, States.ALL, or States.TaskFailed",
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). Neither
 * name is a `States.` error, so `States.TaskFailed` and `States.ALL` match both.
 */
export function invocationFailure(errorType: string, errorMessage: string): Error {
  const e = new InvocationFailure(JSON.stringify({ errorType, errorMessage }));
  e.name = errorType;
  return e;
}

/** Every state of the definition, including those nested in Parallel branches and Map iterators. */
function allStates(def: Json): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  for (const [name, state] of Object.entries<Json>(def.States ?? {})) {
    out.push([name, state]);
    for (const b of state.Branches ?? []) out.push(...allStates(b));
    if (state.Iterator) out.push(...allStates(state.Iterator));
    if (state.ItemProcessor) out.push(...allStates(state.ItemProcessor));
  }
  return out;
}

/** Replace each Wait state with a Task of the same name, paths and transitions. */
function replaceWaitStates(def: Json): { definition: Json; waits: Record<string, Json> } {
  const waits: Record<string, Json> = {};
  const rewrite = (d: Json): Json => {
    const states: Record<string, Json> = {};
    for (const [name, state] of Object.entries<Json>(d.States ?? {})) {
      if (state.Type === 'Wait') {
        waits[name] = state;
        const { Seconds: _s, SecondsPath: _sp, Timestamp: _t, TimestampPath: _tp, ...rest } = state;
        // A long timeout (below the 24.8-day setTimeout limit): the wait is virtual, but the library times Tasks in real time.
        states[name] = { ...rest, Type: 'Task', Resource: 'arn:aws:states:::simulation:wait', TimeoutSeconds: 2000000 };
      } else {
        const copy = { ...state };
        if (copy.Branches) copy.Branches = copy.Branches.map(rewrite);
        if (copy.Iterator) copy.Iterator = rewrite(copy.Iterator);
        if (copy.ItemProcessor) copy.ItemProcessor = rewrite(copy.ItemProcessor);
        states[name] = copy;
      }
    }
    return { ...d, States: states };
  };
  return { definition: rewrite(def), waits };
}

/** Read a reference path (`$.a.b[0]`) from a document. */
export function jsonPath(doc: Json, path: string): unknown {
  if (path === '$') return doc;
  const parts = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur = doc;
  for (const p of parts) {
    if (cur === null || cur === undefined) return undefined;
    cur = p.startsWith('[') ? cur[Number(p.slice(1, -1))] : cur[p];
  }
  return cur;
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
