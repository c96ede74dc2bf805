// What happens when an alarm fires, with Workflow.lambdaCoordinator(): the same story as
// definition.ts, told by one Lambda function instead of a state machine, top to bottom.
//
// The coordinator invokes the same handler functions the state machine invokes (normalize,
// collect, diagnose, repair, verify, rollback, finalize: each with its own role and rights), with
// the same state: each step writes its own field and never rewrites another's. What Step Functions
// gives the state machine, the coordinator does itself:
// - State between steps: a checkpoint in the table after every step (`coordinatorCheckpointKey`).
//   A run is named by its event (`coordinatorExecutionId`): every delivery of the same event, and
//   every retry of the same invocation, is the same run and resumes where the checkpoint stands;
//   a finished run, or a delivery while the run waits, does nothing.
// - Retry: each step retries the transient named errors with the state machine's policy
//   (DEFAULT_RETRY: 2 s, x2, 4 attempts), in-process.
// - Catch: any other error, or one still failing after its retries, is written to `$.error` and
//   the run goes to finalize, which works out the outcome, notifies once, records and releases the
//   lock, exactly as NotifyResult does.
// - Wait: a one-time EventBridge Scheduler schedule `at(...)` (ActionAfterCompletion DELETE) that
//   invokes the coordinator with a wake-up for this run; the coordinator returns in between and
//   costs nothing while the verification window runs. A follow-up (started by finalize after a
//   review or no-action outcome, as an asynchronous invoke) waits its interval the same way before
//   normalize, as the state machine's WaitBeforeFollowUp does, so no lock is held while it waits.
// - If finalize itself fails: the invocation fails, Lambda retries it twice (asynchronous
//   invocation), each retry resuming at finalize; after that the on-failure destination hands the
//   event to the cleanup handler, which releases the lock and notifies, as it does for a FAILED
//   execution.
// Approval is not in this story: it needs a task token, which only the state machine has.
import type { CaughtError, DiagnoseOutput, HandlerId, WorkflowState } from './contract';
import { DEFAULT_RETRY, ERROR_NAMES, INTAKE_SOURCE } from './contract';
import { COORDINATOR_FOLLOW_UP_WAKE, CoordinatorCheckpoint, coordinatorExecutionId, isCoordinatorWake } from './coordinator-contract';

/** What the story needs from the world (AWS in the handler, fakes in tests). */
export interface CoordinatorPorts {
  /** Invoke one handler synchronously with `payload`; a function error throws an Error named by its errorType. */
  invoke(handler: HandlerId, payload: WorkflowState): Promise<unknown>;
  /** The run's checkpoint, if it has one. */
  load(executionId: string): Promise<CoordinatorCheckpoint | undefined>;
  /** Write the run's checkpoint. */
  save(checkpoint: CoordinatorCheckpoint): Promise<void>;
  /** Create the one-time schedule that wakes this run at `at` (once: a second call for the same wake is a no-op). */
  schedule(executionId: string, wake: string, at: Date): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): Date;
}

/** What one invocation of the coordinator did. */
export interface CoordinatorResult {
  readonly executionId: string;
  /** FINISHED: finalize ran; WAITING: a schedule will wake the run; IGNORED: a repeated or stale delivery. */
  readonly status: 'FINISHED' | 'WAITING' | 'IGNORED';
  readonly outcome?: string;
  readonly awaiting?: string;
  readonly reason?: string;
}

/** A handler function's own error, as Lambda reports it (`FunctionError` and its error document). */
export class HandlerFunctionError extends Error {
  /**
   * @param errorType the document's `errorType` (the error name Retry and Catch match)
   * @param errorMessage the document's `errorMessage`
   * @param document the error document as Lambda returned it (Step Functions' Cause)
   */
  constructor(errorType: string, errorMessage: string, readonly document: string) {
    super(errorMessage);
    this.name = errorType;
  }
}

/** A step gives up: what the state machine's Catch would have put at `$.error`. */
class StepFailed extends Error {
  constructor(readonly caught: CaughtError) {
    super(caught.Cause ?? caught.Error);
    this.name = 'StepFailed';
  }
}

/** The verification schedule could not be created. */
class WaitNotScheduled extends Error {
  constructor(readonly reason: unknown) {
    super((reason as Error)?.message ?? String(reason));
    this.name = 'WaitNotScheduled';
  }
}

/**
 * Run (or resume) the remediation of one alarm event.
 * @param input the EventBridge event, a start by normalize or finalize (fan-out, re-examination), or a wake-up
 * @param functionArn the coordinator's own ARN (`context.invokedFunctionArn`)
 */
export async function runCoordinator(input: unknown, functionArn: string, ports: CoordinatorPorts): Promise<CoordinatorResult> {
  // 1. Which run is this, and where does it stand?
  const executionId = coordinatorExecutionId(functionArn, input);
  const checkpoint = await ports.load(executionId);
  if (checkpoint?.done) return { executionId, status: 'IGNORED', reason: 'the run has finished already', outcome: checkpoint.state.outcome?.outcome };
  // A wake-up is taken when the run waits for it, or was woken by it (Lambda's retry of that
  // wake-up resumes the run); a start when the run does not wait. Anything else is a repeat.
  const wake = isCoordinatorWake(input) ? input.wake : undefined;
  const taken = wake
    ? checkpoint?.awaiting === wake || (checkpoint?.resumedBy === wake && checkpoint.awaiting === undefined)
    : checkpoint?.awaiting === undefined;
  if (!taken) {
    return { executionId, status: 'IGNORED', reason: `the run waits for ${checkpoint?.awaiting ?? 'nothing'}, not for this delivery` };
  }
  const resumedBy = wake ?? checkpoint?.resumedBy;
  // The state machine's InitializeState: the run's id, start, the ARN further runs start on, the event.
  let state: WorkflowState = checkpoint?.state ?? {
    executionId,
    startedAt: ports.now().toISOString(),
    stateMachineArn: functionArn.split(':').slice(0, 7).join(':'),
    event: input,
  };
  const save = (wait?: { wake: string; until: Date }) => ports.save({
    executionId,
    state,
    done: state.outcome !== undefined,
    ...(resumedBy ? { resumedBy } : {}),
    ...(wait ? { awaiting: wait.wake, awaitingUntil: wait.until.toISOString() } : {}),
  });

  /** One step: invoke the handler (with retries), put its output at its field, checkpoint. */
  const run = async <K extends keyof WorkflowState>(handler: HandlerId, field: K): Promise<void> => {
    state = { ...state, [field]: await invokeWithRetry(ports, handler, state) };
    await save();
  };
  /** A step that has run already (this is a resumed run) is not run again. */
  const step = async <K extends keyof WorkflowState>(handler: HandlerId, field: K): Promise<void> => {
    if (state[field] === undefined) await run(handler, field);
  };
  /** Wait for the verification window: true when this invocation is the wake-up that ends it. */
  const waitFor = async (name: string, until: Date): Promise<boolean> => {
    if (wake === name) return true;
    // Scheduled at least a minute ahead: a schedule fires within the minute of its at() time,
    // never before it (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
    const at = new Date(Math.max(until.getTime(), ports.now().getTime() + 60_000));
    try {
      await ports.schedule(executionId, name, at);
    } catch (err) {
      throw new WaitNotScheduled(err);
    }
    await save({ wake: name, until: at });
    return false;
  };

  if (state.error === undefined) {
    try {
      // 1b. A follow-up waits its interval before normalize (IsFollowUp -> WaitBeforeFollowUp).
      const followUpWait = followUpWaitSeconds(state.event);
      if (followUpWait !== undefined && state.alarm === undefined) {
        const until = new Date(Date.parse(state.startedAt) + followUpWait * 1000);
        if (!(await waitFor(COORDINATOR_FOLLOW_UP_WAKE, until))) return waiting(executionId, COORDINATOR_FOLLOW_UP_WAKE);
      }
      // 2. Normalize the alarm event and take the per-function lock (cooldown and daily budget checked here).
      await step('normalize', 'alarm');
      if (state.alarm!.status === 'ACCEPTED') {
        // 3-4. Collect the evidence, diagnose (rules, then Bedrock when configured; the policy decides).
        await step('collect', 'collection');
        await step('diagnose', 'diagnosis');
        const action = (state.diagnosis as DiagnoseOutput).action;
        // 5. DetermineAction: REPAIR repairs; REQUEST_APPROVAL cannot be asked here; the rest only notify.
        if (action === 'REQUEST_APPROVAL') {
          throw new StepFailed({ Error: ERROR_NAMES.CONFIGURATION, Cause: 'the policy asks for approval, which needs Workflow.stepFunctions(): nothing was changed' });
        }
        if (action === 'REPAIR') {
          // 6. Raise the memory.
          await step('repair', 'repair');
          if (state.repair!.status === 'SUCCEEDED') {
            // 7. Wait for the verification window (a schedule), verify; too little data extends the
            // window as CheckVerification does (verify says EXTEND at most once: MAX_VERIFY_ATTEMPTS).
            while (state.verification === undefined || state.verification.next === 'EXTEND') {
              const attempt = (state.verification?.attempt ?? 0) + 1;
              const until = state.verification === undefined
                ? new Date(Date.parse(state.repair!.repairedAt) + state.repair!.verifyAfterSeconds * 1000)
                : new Date(ports.now().getTime() + state.verification.extendSeconds * 1000);
              const next = `VERIFY-${attempt}`;
              if (!(await waitFor(next, until))) return waiting(executionId, next);
              await run('verify', 'verification');
            }
            // A failed verification rolls back (policy).
            if (state.verification!.next === 'ROLLBACK') await step('rollback', 'rollback');
          }
        }
      }
    } catch (err) {
      // A wait that could not be scheduled is no step's failure: the invocation fails and Lambda's
      // retry resumes here (the repair done, the wait still to schedule); then the cleanup.
      if (err instanceof WaitNotScheduled) throw err.reason;
      // The state machine's Catch States.ALL -> $.error -> NotifyResult.
      const caught = err instanceof StepFailed ? err.caught : causeOf(err);
      state = { ...state, error: caught };
      await save();
    }
  }

  // 8. NotifyResult: notify, record, release the lock. Every path ends here. If it still fails
  // after its retries, the invocation fails: Lambda retries it (resuming here), then the cleanup.
  await step('finalize', 'outcome');
  return { executionId, status: 'FINISHED', outcome: state.outcome?.outcome, reason: state.outcome?.reason };
}

/**
 * The seconds a follow-up waits before normalize, or undefined when the input is no follow-up: the
 * state machine's IsFollowUp condition (the workflow's own source, a numeric `detail.waitSeconds`,
 * which only a follow-up's detail carries).
 */
function followUpWaitSeconds(event: unknown): number | undefined {
  const e = event as { source?: unknown; detail?: { waitSeconds?: unknown } } | undefined;
  return e?.source === INTAKE_SOURCE && typeof e.detail?.waitSeconds === 'number' ? e.detail.waitSeconds : undefined;
}

function waiting(executionId: string, wake: string): CoordinatorResult {
  return { executionId, status: 'WAITING', awaiting: wake };
}

/** The Catch's `{Error, Cause}` of an error: a function error keeps Lambda's document as the cause. */
function causeOf(err: unknown): CaughtError {
  const e = err as Error;
  return { Error: e.name || 'Error', Cause: err instanceof HandlerFunctionError ? err.document : e.message };
}

/** One handler invocation with the state machine's Retry: transient named errors only, 2 s x2, 4 attempts. */
async function invokeWithRetry(ports: CoordinatorPorts, handler: HandlerId, state: WorkflowState): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ports.invoke(handler, state);
    } catch (err) {
      const retryable = (DEFAULT_RETRY.errors as readonly string[]).includes((err as Error).name);
      if (!retryable || attempt >= DEFAULT_RETRY.maxAttempts) throw new StepFailed(causeOf(err));
      await ports.sleep(DEFAULT_RETRY.intervalSeconds * 1000 * Math.pow(DEFAULT_RETRY.backoffRate, attempt));
    }
  }
}
