import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvalidRemediationPolicyError } from '../workflow/construct-errors';

/** Options of {@link RepairStrategy.progressive}. */
export interface ProgressiveRepairOptions {
  /**
   * Share of the alias's invocations, in percent (a whole number from 1 to 50), that the new
   * version (with the raised memory) receives while it bakes. The rest stays on the version the
   * alias pointed at.
   *
   * @default 10
   */
  readonly canaryPercent?: number;

  /**
   * How long the new version serves its share before it is compared with the old version side
   * by side (between 1 minute and 24 hours). Too few invocations on the new version extends the
   * bake once by the same time; still too few rolls the canary back.
   *
   * @default Duration.minutes(15)
   */
  readonly bakeTime?: Duration;
}

/** Options of {@link RepairStrategy.custom}. */
export interface CustomRepairOptions {
  /**
   * How long the repair waits for your function's answer (between 1 second and 4 minutes). No
   * answer in time is a FAILED repair with no change assumed.
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
}

/**
 * How a repair changes a function's memory. The guardrails (the policy's limits, cooldown, daily
 * budget, the per-function lock, approval), the records and the notifications are the same for
 * every strategy; the strategy decides only how the new size reaches the callers.
 */
export class RepairStrategy {
  /** Defaults of {@link ProgressiveRepairOptions}. */
  public static readonly DEFAULT_CANARY_PERCENT = 10;

  /**
   * Raise the memory of `$LATEST` with `UpdateFunctionConfiguration` (for a function managed with
   * an `alias`, then publish a version and move the alias to it). Verification compares the
   * function before and after; a failed verification restores the original size.
   */
  public static raiseMemory(): RepairStrategy {
    return new RepairStrategy('RAISE_MEMORY');
  }

  /**
   * Canary release of the new memory size through the function's alias (give it with
   * `addFunction(fn, { alias })`). The repair raises `$LATEST`, publishes it as a version only
   * when `$LATEST` runs the same code and configuration as the alias's current version apart
   * from memory, and gives that version `canaryPercent` of the alias's invocations (weighted
   * alias routing). After `bakeTime` it compares the two versions side by side (the `Invocations`
   * and `Errors` metrics Lambda publishes per `ExecutedVersion` for alias invocations): a canary
   * that fails less is promoted (the alias points at it, the routing is cleared); otherwise the
   * routing is removed and the alias stays on the old version. A function without a configured
   * alias, or whose `$LATEST` differs from the alias's version, is not changed: the case goes to
   * a person. Needs the Step Functions workflow.
   */
  public static progressive(options: ProgressiveRepairOptions = {}): RepairStrategy {
    const canaryPercent = options.canaryPercent ?? RepairStrategy.DEFAULT_CANARY_PERCENT;
    if (!Number.isInteger(canaryPercent) || canaryPercent < 1 || canaryPercent > 50) {
      throw new InvalidRemediationPolicyError(
        `RepairStrategy.progressive canaryPercent must be a whole number from 1 to 50 (the share of the alias's traffic the new version gets), got ${canaryPercent}`);
    }
    const bakeTime = options.bakeTime ?? Duration.minutes(15);
    const bakeSeconds = bakeTime.toSeconds();
    if (!Number.isInteger(bakeSeconds) || bakeSeconds < 60 || bakeSeconds > 24 * 3600) {
      throw new InvalidRemediationPolicyError(
        `RepairStrategy.progressive bakeTime must be a whole number of seconds between 1 minute and 24 hours, got ${bakeSeconds} seconds`);
    }
    return new RepairStrategy('PROGRESSIVE', canaryPercent, bakeTime);
  }

  /**
   * Your own Lambda function makes the change (for example through your deployment pipeline, or
   * with your own checks). The guardrails (size limits, cooldown, daily budget, lock, approval),
   * the records and the notifications stay this library's: your function is invoked
   * synchronously only for a repair the policy allows, with the JSON event
   * `{"action": "RAISE", "functionName", "qualifier", "fromMemoryMb", "toMemoryMb", "executionId", "reason"}`
   * (and `"action": "ROLLBACK"` with `toMemoryMb` the original size when verification fails and the
   * policy rolls back). Whatever it answers, the repair then reads the function's configuration:
   * only a function at `toMemoryMb` counts as repaired. An error, a timeout or a function left at
   * another size is a FAILED repair, recorded and notified, with no change assumed. The repair
   * and rollback roles may invoke this function and no other.
   */
  public static custom(repairFunction: lambda.IFunction, options: CustomRepairOptions = {}): RepairStrategy {
    const timeout = options.timeout ?? Duration.minutes(1);
    const ms = timeout.toMilliseconds();
    if (ms < 1000 || ms > 240_000) {
      throw new InvalidRemediationPolicyError(`RepairStrategy.custom timeout must be between 1 second and 4 minutes (the repair step's own limit is 5 minutes), got ${ms} ms`);
    }
    return new RepairStrategy('CUSTOM', undefined, undefined, repairFunction, timeout);
  }

  /**
   * `RAISE_MEMORY`, `PROGRESSIVE` or `CUSTOM`.
   */
  public readonly kind: string;

  /** The canary's share of the alias's traffic, percent (progressive only). */
  public readonly canaryPercent?: number;

  /** How long the canary bakes (progressive only). */
  public readonly bakeTime?: Duration;

  /** The function that makes the change (custom only). */
  public readonly repairFunction?: lambda.IFunction;

  /** How long to wait for the custom function (custom only). */
  public readonly timeout?: Duration;

  private constructor(kind: string, canaryPercent?: number, bakeTime?: Duration, repairFunction?: lambda.IFunction, timeout?: Duration) {
    this.kind = kind;
    this.canaryPercent = canaryPercent;
    this.bakeTime = bakeTime;
    this.repairFunction = repairFunction;
    this.timeout = timeout;
  }
}
