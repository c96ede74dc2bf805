import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MonitoredFunctionOptions } from './monitoring/monitoring-options';
import { InvalidRemediationPolicyError } from './workflow/construct-errors';

/**
 * The guardrails every repair passes through. The diagnosis (rules or a language model) only
 * proposes a new memory size; these values decide whether, and how far, it is applied.
 */
export interface RemediationPolicy {
  /**
   * Never raise a function's memory above this size, in MB. Lambda's own maximum is 10,240 MB;
   * a larger value is rejected.
   *
   * The default keeps an unattended repair from more than doubling the cost of a typical function;
   * raise it for functions that legitimately need more.
   *
   * @default 3008
   */
  readonly maxMemoryMb?: number;

  /**
   * The largest single increase, in MB: a whole number from 1 to 10,112. Lambda sets memory in
   * 1 MB steps, so a step below 128 MB is valid; the smallest increase is then this step too.
   *
   * @default 1024
   */
  readonly maxStepMb?: number;

  /**
   * Minimum diagnosis confidence (0 to 1) to repair without a person. Below it, the workflow
   * notifies for human review and changes nothing.
   *
   * @default 0.7
   */
  readonly minConfidence?: number;

  /**
   * Time after a repair during which new alarms for the same function are recorded but not acted on.
   * At least 1 minute: without a cooldown, an alarm still in ALARM after a repair would start the
   * next one as soon as the running remediation ends.
   *
   * @default Duration.minutes(30)
   */
  readonly cooldown?: Duration;

  /**
   * Repairs per function per day (UTC), a whole number from 1 to 24. Further alarms that day are
   * recorded and notified only. To stop repairs altogether use `dryRun` or `excludedFunctions`.
   *
   * @default 3
   */
  readonly maxRepairsPerDay?: number;

  /**
   * Record and notify what would be done, but never change a function.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * Ask a person before every repair. Shorthand for `approval: Approval.allFunctions()`;
   * the `approval` property of `AutoRemediation` wins when both are set.
   *
   * @default false
   * @deprecated use `approval: Approval.allFunctions()` on `AutoRemediation`
   */
  readonly requireApproval?: boolean;

  /**
   * Put the original memory size back when verification finds the repair did not help.
   *
   * @default true
   */
  readonly rollbackOnFailedVerification?: boolean;

  /**
   * Raise the memory of a CPU-starved function (one at a quarter of a vCPU or less that times out
   * with memory to spare: Lambda gives CPU in proportion to memory) by one step, never above
   * 1,769 MB (one vCPU). Off, such a function is reported for a person to size.
   *
   * @default false
   */
  readonly raiseMemoryForCpu?: boolean;

  /**
   * How long to wait after a repair before comparing the metrics before and after.
   * Too little data extends the window once.
   *
   * @default Duration.minutes(15)
   */
  readonly verificationWindow?: Duration;

  /**
   * How long after a HUMAN_REVIEW, NO_ACTION or CANNOT_INCREASE outcome the workflow looks at the
   * function again, as long as its alarm stays in ALARM. A follow-up pages only when the evidence
   * changed (a different diagnosis, a memory failure rate that rose); it can also repair, as any
   * execution can, when the evidence now passes the policy. Between 5 minutes and 24 hours.
   *
   * @default Duration.minutes(30)
   */
  readonly followUpInterval?: Duration;

  /**
   * Follow-ups after one outcome at most (0 turns them off). Each follow-up that ends in review
   * or no action again schedules the next, so this bounds how long a function stuck in ALARM is
   * looked at: 12 rounds of 30 minutes are 6 hours.
   *
   * @default 12
   */
  readonly maxFollowUps?: number;

  /**
   * Functions never to touch, even if they are in `functions`: they are neither monitored nor repaired.
   *
   * @default - none
   */
  readonly excludedFunctions?: lambda.IFunction[];
}

/**
 * Which repairs wait for a person to approve them.
 *
 * The workflow pauses with a task token; the notification carries a link to approve or reject
 * that works once, and an unanswered request times out to "no action".
 */
export class Approval {
  /** Repair without asking (within the policy). */
  public static none(): Approval {
    return new Approval('NONE', []);
  }

  /** Ask before every repair. */
  public static allFunctions(): Approval {
    return new Approval('ALL', []);
  }

  /** Ask before repairing these functions only. */
  public static forFunctions(functions: lambda.IFunction[]): Approval {
    if (functions.length === 0) {
      throw new InvalidRemediationPolicyError('Approval.forFunctions needs at least one function, got an empty list');
    }
    return new Approval('SELECTED', functions);
  }

  /** `NONE`, `ALL` or `SELECTED`. */
  public readonly mode: string;

  /** The functions that need approval when `mode` is `SELECTED`. */
  public readonly functions: lambda.IFunction[];

  private constructor(mode: string, functions: lambda.IFunction[]) {
    this.mode = mode;
    this.functions = functions;
  }

  /** Whether a repair of this function waits for approval. */
  public requiresApprovalFor(fn: lambda.IFunction): boolean {
    if (this.mode === 'ALL') return true;
    if (this.mode === 'NONE') return false;
    return this.functions.includes(fn);
  }
}

/** Per-function settings for `addFunction`: overrides of the policy and of the monitoring. */
export interface FunctionOptions extends MonitoredFunctionOptions {
  /**
   * Ask a person before repairing this function.
   *
   * @default - as the `approval` setting says
   * @deprecated use `approval: Approval.forFunctions([...])` on `AutoRemediation`
   */
  readonly requireApproval?: boolean;

  /**
   * Highest memory size for this function, in MB (at most 10,240).
   *
   * @default - the policy's `maxMemoryMb`
   */
  readonly maxMemoryMb?: number;

  /**
   * Largest single increase for this function, in MB (a whole number from 1 to 10,112).
   *
   * @default - the policy's `maxStepMb`
   */
  readonly maxStepMb?: number;

  /**
   * Cooldown after a repair of this function (at least 1 minute).
   *
   * @default - the policy's `cooldown`
   */
  readonly cooldown?: Duration;

  /**
   * Repairs of this function per day (UTC), a whole number from 1 to 24.
   *
   * @default - the policy's `maxRepairsPerDay`
   */
  readonly maxRepairsPerDay?: number;

  /**
   * Minimum diagnosis confidence (0 to 1) to repair this function without a person.
   *
   * @default - the policy's `minConfidence`
   */
  readonly minConfidence?: number;

  /**
   * Only record and notify for this function.
   *
   * @default - the policy's `dryRun`
   */
  readonly dryRun?: boolean;

  /**
   * The alias callers invoke. When an alarm watches this alias (an existing alarm on the
   * `Resource` = `<name>:<alias>` dimension), a repair publishes a version with the new memory
   * size and moves the alias to it, and rollback moves it back; the repair and rollback roles may
   * update this alias and no other. The created alarms watch the function as a whole.
   *
   * An alarm on any other alias or version of this function is not repaired: changing `$LATEST`
   * would not change what that qualifier runs, so the workflow asks for human review instead.
   *
   * @default - the unqualified function is repaired; alarms on an alias go to human review
   */
  readonly alias?: lambda.IAlias;
}
