/**
 * How a remediation runs once an alarm has fired: the Step Functions state machine (the default),
 * or one Lambda coordinator function.
 *
 * @example
 * new AutoRemediation(this, 'AutoRemediation', {
 *   functions: [ordersFn],
 *   workflow: Workflow.lambdaCoordinator(),
 * });
 */
export class Workflow {
  /**
   * A Step Functions standard workflow (`definition.ts`): execution history and redrive, human
   * approval with a task token, about $0.025 per 1,000 state transitions (about 14 per incident).
   */
  public static stepFunctions(): Workflow {
    return new Workflow('STEP_FUNCTIONS');
  }

  /**
   * One Lambda coordinator function (`coordinator.ts`) that runs the same handlers with the same
   * guardrails, records and outcomes, keeps its state in the table between steps, and waits for
   * the verification window with a one-time EventBridge Scheduler schedule. No state machine, no
   * approval (asking for approval with it is a synthesis error).
   */
  public static lambdaCoordinator(): Workflow {
    return new Workflow('LAMBDA_COORDINATOR');
  }

  /** `STEP_FUNCTIONS` or `LAMBDA_COORDINATOR`. */
  public readonly kind: string;

  private constructor(kind: string) {
    this.kind = kind;
  }

  /** True for `Workflow.lambdaCoordinator()`. */
  public get isLambdaCoordinator(): boolean {
    return this.kind === 'LAMBDA_COORDINATOR';
  }
}
