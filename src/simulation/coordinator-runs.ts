/**
 * The runs of a Lambda coordinator (`Workflow.lambdaCoordinator()`) as execution records, so the
 * report, the outcomes and the expectations read them as they read state machine executions.
 * Nothing here decides anything: the tracker watches the invocations Lambda runs.
 *
 * - A run starts with the coordinator's first invocation for a run id the coordinator names
 *   (`coordinatorExecutionId`: the alarm event, a start by normalize or finalize).
 * - Each handler the coordinator invokes for the run is a step, named as the state machine names
 *   the same step (STATE_NAMES), with its input and output; each wake-up of the run is a wait step.
 * - It ends when the coordinator returns FINISHED (SUCCEEDED, or FAILED when the outcome is FAILED,
 *   as the state machine's CheckOutcome fails the execution), or when Lambda gives up on one of its
 *   events and hands it to the on-failure destination (FAILED).
 */
import { ExecutionRecord, ExecutionStatus, StepRecord } from './executor';
import { HandlerId } from '../workflow/contract';
import { CoordinatorResult } from '../workflow/coordinator';
import { COORDINATOR_FOLLOW_UP_WAKE, coordinatorExecutionId, isCoordinatorWake } from '../workflow/coordinator-contract';
import { STATE_NAMES } from '../workflow/definition';

/** The state machine's name for each step the coordinator runs. */
const STEP_NAMES: Partial<Record<HandlerId, string>> = {
  normalize: STATE_NAMES.NORMALIZE,
  collect: STATE_NAMES.COLLECT,
  diagnose: STATE_NAMES.DIAGNOSE,
  repair: STATE_NAMES.REPAIR,
  verify: STATE_NAMES.VERIFY,
  rollback: STATE_NAMES.ROLLBACK,
  finalize: STATE_NAMES.NOTIFY,
};

interface Run {
  readonly record: ExecutionRecord;
  readonly done: Promise<ExecutionRecord>;
  readonly resolve: (r: ExecutionRecord) => void;
  /** When the run last returned WAITING (virtual ms). */
  waitingSince?: number;
}

export class CoordinatorRuns {
  private readonly runs = new Map<string, Run>();
  private seq = 0;

  constructor(
    private readonly coordinatorArn: string,
    private readonly now: () => number,
    private readonly onStart: (done: Promise<ExecutionRecord>) => void,
    private readonly onStatusChange?: (record: ExecutionRecord, status: ExecutionStatus) => void,
  ) {}

  /** A coordinator invocation begins (each attempt, each wake-up). */
  public coordinatorStarted(payload: unknown): void {
    const id = coordinatorExecutionId(this.coordinatorArn, payload);
    let run = this.runs.get(id);
    if (!run && !isCoordinatorWake(payload)) run = this.open(id, payload);
    if (run && isCoordinatorWake(payload) && run.waitingSince !== undefined) {
      const name = payload.wake === COORDINATOR_FOLLOW_UP_WAKE ? STATE_NAMES.FOLLOW_UP_WAIT : payload.wake === 'VERIFY-1' ? STATE_NAMES.WAIT : STATE_NAMES.EXTEND;
      run.record.steps.push({ state: name, kind: 'wait', startedAt: run.waitingSince, endedAt: this.now(), output: payload });
      run.waitingSince = undefined;
    }
  }

  /** A coordinator invocation returned. */
  public coordinatorReturned(payload: unknown, result: CoordinatorResult | undefined): void {
    const run = this.runs.get(coordinatorExecutionId(this.coordinatorArn, payload));
    if (!run || !result) return;
    if (result.status === 'WAITING') run.waitingSince = this.now();
    if (result.status === 'FINISHED') this.end(run, result.outcome === 'FAILED' ? 'FAILED' : 'SUCCEEDED', result.outcome === 'FAILED' ? `RemediationFailed: ${result.reason ?? ''}` : undefined);
  }

  /** Lambda gave up on a coordinator event (its on-failure destination got the record). */
  public gaveUp(payload: unknown, error: string): void {
    const run = this.runs.get(coordinatorExecutionId(this.coordinatorArn, payload));
    if (run) this.end(run, 'FAILED', error);
  }

  /** A handler invocation the coordinator made for a run: one step. */
  public handlerRan(handler: HandlerId, payload: unknown, step: Omit<StepRecord, 'state' | 'kind' | 'input'>): void {
    const id = (payload as { executionId?: unknown } | undefined)?.executionId;
    const run = typeof id === 'string' ? this.runs.get(id) : undefined;
    const name = STEP_NAMES[handler];
    if (!run || !name) return;
    run.record.steps.push({ state: name, kind: 'task', input: payload, ...step });
  }

  /** Runs still open when the simulation ends (their records stay without a status). */
  public closeOpen(): void {
    for (const run of this.runs.values()) if (!run.record.status) run.resolve(run.record);
  }

  private open(id: string, input: unknown): Run {
    let resolve!: (r: ExecutionRecord) => void;
    const done = new Promise<ExecutionRecord>((r) => (resolve = r));
    const record: ExecutionRecord = {
      name: `run-${String(++this.seq).padStart(4, '0')}`,
      executionArn: id,
      input,
      startedAt: this.now(),
      steps: [],
    };
    const run: Run = { record, done, resolve };
    this.runs.set(id, run);
    this.onStart(done);
    this.onStatusChange?.(record, 'RUNNING');
    return run;
  }

  private end(run: Run, status: 'SUCCEEDED' | 'FAILED', error?: string): void {
    if (run.record.status) return;
    run.record.status = status;
    run.record.endedAt = this.now();
    if (error) run.record.error = error;
    this.onStatusChange?.(run.record, status);
    run.resolve(run.record);
  }
}
