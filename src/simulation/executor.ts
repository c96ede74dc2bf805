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
 *   SendTaskFailure, and `States.Timeout` when nobody answers within the task's timeout.
 */
import { runAsCaller } from './account/caller';
import { VirtualScheduler } from './scheduler';

/** The part of aws-local-stepfunctions used here (its types are ESM-only). */
interface LocalStateMachine {
  run(input: unknown, options?: {
    overrides?: {
      taskResourceLocalHandlers?: Record<string, (input: any) => Promise<unknown>>;
      retryIntervalOverrides?: Record<string, number>;
    };
    context?: Record<string, unknown>;
  }): { result: Promise<unknown>; abort: () => void };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (definition: unknown, options?: { validationOptions?: { checkArn?: boolean; checkPaths?: boolean } }) => LocalStateMachine;
};

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
  readonly output?: unknown;
  readonly error?: { name: string; message: string };
}

/** One execution and what came of it. */
export interface ExecutionRecord {
  readonly name: string;
  readonly executionArn: string;
  readonly input: unknown;
  readonly startedAt: number;
  endedAt?: number;
  status?: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  readonly steps: StepRecord[];
}

export interface WorkflowExecutorOptions {
  readonly definition: any;
  readonly stateMachineArn: string;
  readonly handlers: Map<string, BoundHandler>;
  readonly scheduler: VirtualScheduler;
  readonly approval?: ApprovalAnswer;
  /** Fresh request ids for the fake Lambda contexts. */
  readonly requestId: () => string;
}

type Json = any;

export class WorkflowExecutor {
  private readonly definition: Json;
  private readonly waitStates: Record<string, Json>;

  constructor(private readonly options: WorkflowExecutorOptions) {
    ensurePromiseWithResolvers();
    const { definition, waits } = replaceWaitStates(options.definition);
    this.definition = definition;
    this.waitStates = waits;
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
    for (const [stateName, state] of allStates(this.definition)) {
      if (state.Type !== 'Task') continue;
      retryOverrides[stateName] = 0;
      handlers[stateName] = async (taskInput: Json) => {
        const startedAt = this.options.scheduler.clock.now();
        const isWait = stateName in this.waitStates;
        try {
          const output = isWait ? await this.wait(this.waitStates[stateName], taskInput) : await this.task(state, taskInput, record);
          record.steps.push({ state: stateName, kind: isWait ? 'wait' : 'task', startedAt, endedAt: this.options.scheduler.clock.now(), output });
          attempts.delete(stateName);
          return output;
        } catch (err) {
          const e = err as Error;
          record.steps.push({ state: stateName, kind: 'task', startedAt, endedAt: this.options.scheduler.clock.now(), error: { name: e.name, message: e.message } });
          await this.retryInterval(state, stateName, e, attempts);
          throw err;
        }
      };
    }
    const machine = new StateMachine(this.definition, { validationOptions: { checkArn: false, checkPaths: true } });
    try {
      const execution = machine.run(input, {
        overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryOverrides },
        context: {
          Execution: { Id: record.executionArn, Name: name, RoleArn: 'arn:aws:iam::123456789012:role/simulation' },
          StateMachine: { Id: this.options.stateMachineArn, Name: smName },
          Task: { Token: `sim-task-token-${name}` },
        },
      });
      record.output = await execution.result;
      record.status = 'SUCCEEDED';
    } catch (err) {
      record.status = 'FAILED';
      const e = err as Error & { cause?: unknown };
      record.error = `${e.name}: ${e.message}`;
    }
    record.endedAt = this.options.scheduler.clock.now();
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
      return this.operatorAnswer(state);
    }
    throw namedError('UnsupportedResourceError', `the simulation does not run task resource '${resource}'`);
  }

  private async invokeLambda(functionRef: string, payload: unknown, record: ExecutionRecord): Promise<unknown> {
    const arn = String(functionRef).replace(/:(\$LATEST|\d+)$/, '');
    const bound = this.options.handlers.get(arn) ?? [...this.options.handlers.values()].find((h) => h.functionName === arn);
    if (!bound) throw namedError('Lambda.ResourceNotFoundException', `no handler bound to ${functionRef}`);
    const requestId = this.options.requestId();
    const deadline = this.options.scheduler.clock.now() + bound.timeoutSeconds * 1000;
    const context = {
      awsRequestId: requestId,
      functionName: bound.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: bound.functionArn,
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/${bound.functionName}`,
      logStreamName: `sim/[$LATEST]${requestId.replace(/-/g, '')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.options.scheduler.clock.now()),
      executionArn: record.executionArn,
    };
    // Lambda hands the handler a JSON copy of the payload and returns a JSON copy of its result.
    try {
      // The handler's AWS calls are made with its function's execution role (account/caller.ts).
      const event = JSON.parse(JSON.stringify(payload ?? {}));
      const out = await runAsCaller({ functionArn: bound.functionArn, functionName: bound.functionName }, () => bound.invoke(event, context));
      return out === undefined ? null : JSON.parse(JSON.stringify(out));
    } catch (err) {
      const e = err as Error;
      // Step Functions sees errorType as the error name and the Lambda error document as the cause.
      throw namedError(e.name || 'Error', JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message, trace: [] }));
    }
  }

  private async operatorAnswer(state: Json): Promise<unknown> {
    const answer = this.options.approval ?? { decision: 'ignore', afterMs: 0 };
    const timeoutMs = (state.TimeoutSeconds ?? 365 * 24 * 3600) * 1000;
    if (answer.decision === 'ignore' || answer.afterMs >= timeoutMs) {
      await this.options.scheduler.sleep(timeoutMs);
      throw namedError('States.Timeout', 'Task timed out');
    }
    await this.options.scheduler.sleep(answer.afterMs);
    if (answer.decision === 'reject') {
      throw namedError('ApprovalRejected', answer.comment ?? `rejected by ${answer.approver ?? 'the operator'}`);
    }
    return { approved: true, ...(answer.approver ? { approver: answer.approver } : {}), ...(answer.comment ? { comment: answer.comment } : {}) };
  }

  private async wait(waitState: Json, input: Json): Promise<unknown> {
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
    await this.options.scheduler.sleep(ms);
    return input;
  }

  /** Sleep the interval Step Functions would wait before retrying this error, in virtual time. */
  private async retryInterval(state: Json, stateName: string, error: Error, attempts: Map<string, number[]>): Promise<void> {
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
      await this.options.scheduler.sleep(Math.min(interval, r.MaxDelaySeconds ?? Infinity) * 1000);
      return;
    }
  }
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
