/**
 * The simulated Step Functions API the handlers call: `StartExecution` on the workflow's own state
 * machine (normalize's log-alarm fan-out, finalize's and the cleanup's re-examination), and the
 * task-token answers. Follows https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html:
 * - "StartExecution is idempotent for STANDARD workflows. For a STANDARD workflow, if you call
 *   StartExecution with the same name and input as a running execution, the call succeeds and
 *   return the same response as the original request. If the execution is closed or if the input
 *   is different, it returns a 400 ExecutionAlreadyExists error."
 * - a name is 1-80 characters without white space, brackets, wildcards, the special characters
 *   `" # % \ ^ | ~ \` $ & , ; : /` or control characters (else InvalidName);
 * - an unknown state machine is StateMachineDoesNotExist.
 * Not modelled: versions and aliases, EXPRESS workflows, the 90-day name reuse.
 */
import { ExecutionAlreadyExists, InvalidName, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { VirtualClock } from '../clock';

/** Starts an execution of a state machine the simulation runs; resolves when it has ended. */
export type ExecutionLauncher = (name: string, input: unknown) => Promise<unknown>;

interface StartedExecution {
  readonly input: string;
  readonly executionArn: string;
  readonly startDate: Date;
  running: boolean;
}

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export class StatesService {
  private readonly machines = new Map<string, ExecutionLauncher>();
  private readonly started = new Map<string, StartedExecution>();

  constructor(private readonly clock: VirtualClock) {}

  /** Let StartExecution start executions of `stateMachineArn`. */
  public register(stateMachineArn: string, launch: ExecutionLauncher): void {
    this.machines.set(stateMachineArn, launch);
  }

  public async startExecution(
    input: { stateMachineArn?: string; name?: string; input?: string },
  ): Promise<{ executionArn: string; startDate: Date }> {
    const arn = input.stateMachineArn ?? '';
    const launch = this.machines.get(arn);
    if (!launch) throw new StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${arn}'`, $metadata: {} });
    const name = input.name ?? `sim-${this.started.size + 1}`;
    if (name.length < 1 || name.length > 80 || FORBIDDEN.test(name)) {
      throw new InvalidName({ message: `Invalid Name: '${name}'`, $metadata: {} });
    }
    const body = input.input ?? '{}';
    const key = `${arn}|${name}`;
    const previous = this.started.get(key);
    if (previous) {
      if (previous.running && previous.input === body) return { executionArn: previous.executionArn, startDate: previous.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${previous.executionArn}'`, $metadata: {} });
    }
    const execution: StartedExecution = {
      input: body,
      executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`,
      startDate: new Date(this.clock.now()),
      running: true,
    };
    this.started.set(key, execution);
    void launch(name, JSON.parse(body)).finally(() => {
      execution.running = false;
    });
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  // The approval answers are sent by the simulated operator, not through this API.
  public sendTaskSuccess(): Record<string, never> {
    return {};
  }
  public sendTaskFailure(): Record<string, never> {
    return {};
  }
  public sendTaskHeartbeat(): Record<string, never> {
    return {};
  }
}
