import { Duration } from 'aws-cdk-lib';
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
   * `RAISE_MEMORY` or `PROGRESSIVE`.
   */
  public readonly kind: string;

  /** The canary's share of the alias's traffic, percent (progressive only). */
  public readonly canaryPercent?: number;

  /** How long the canary bakes (progressive only). */
  public readonly bakeTime?: Duration;

  private constructor(kind: string, canaryPercent?: number, bakeTime?: Duration) {
    this.kind = kind;
    this.canaryPercent = canaryPercent;
    this.bakeTime = bakeTime;
  }
}
