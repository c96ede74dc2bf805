import { RemediationPolicy } from './policy';
import { RepairStrategy } from './repair/repair-strategy';
import { InvalidRemediationPolicyError } from './workflow/construct-errors';

/**
 * Which managed functions an environment covers: by a tag the app gives them, or by their name.
 */
export class EnvironmentMatch {
  /**
   * Functions carrying the tag `key` = `value` in this CDK app (`Tags.of(fn).add(key, value)`, or a
   * tag of the stack, which CDK passes on to the function). Tags are read at synthesis, so a
   * function imported by ARN (its tags unknown to the app) never matches a tag: match it by name.
   */
  public static tag(key: string, value: string): EnvironmentMatch {
    if (key.trim() === '' || value.trim() === '') {
      throw new InvalidRemediationPolicyError(`EnvironmentMatch.tag needs a tag key and a value, got key '${key}' and value '${value}'`);
    }
    return new EnvironmentMatch(key, value, undefined);
  }

  /**
   * Functions whose name matches `pattern`: letters, digits, `-` and `_` as themselves, `*` for
   * any run of characters, `?` for one character (for example `prod-*`). Matched against the
   * deployed function name when a remediation runs, so generated names match too.
   */
  public static namePattern(pattern: string): EnvironmentMatch {
    if (!/^[A-Za-z0-9\-_*?]{1,140}$/.test(pattern)) {
      throw new InvalidRemediationPolicyError(
        `EnvironmentMatch.namePattern must be 1 to 140 letters, digits, '-', '_', '*' or '?' (a Lambda function name with wildcards), got '${pattern}'`);
    }
    return new EnvironmentMatch(undefined, undefined, pattern);
  }

  /** The tag key, for a tag match. */
  public readonly tagKey?: string;
  /** The tag value, for a tag match. */
  public readonly tagValue?: string;
  /** The name pattern, for a name match. */
  public readonly pattern?: string;

  private constructor(tagKey: string | undefined, tagValue: string | undefined, pattern: string | undefined) {
    this.tagKey = tagKey;
    this.tagValue = tagValue;
    this.pattern = pattern;
  }
}

/**
 * Guardrails and repair strategy for the functions of one environment (for example production
 * asks for approval and repairs progressively, development raises directly). Environments are
 * checked in order; the first that matches a function applies, and a function no environment
 * matches gets the stack's `policy` and `repairStrategy`.
 */
export interface RemediationEnvironment {
  /** A name for the environment (for example `production`), written to the repair records of its functions and used in validation messages. */
  readonly name: string;

  /** Which functions belong to it. */
  readonly match: EnvironmentMatch;

  /**
   * The guardrails of this environment. Each value left unset is the stack's `policy` value.
   * Only the per-function guardrails can differ: `maxMemoryMb`, `maxStepMb`, `minConfidence`,
   * `cooldown`, `maxRepairsPerDay`, `dryRun` and `rollbackOnFailedVerification`. Setting
   * another (the verification window, follow-ups, `raiseMemoryForCpu`, `excludedFunctions`,
   * `requireApproval`) fails synthesis: they apply to the whole stack.
   *
   * @default - the stack's `policy`
   */
  readonly policy?: RemediationPolicy;

  /**
   * Ask a person before every repair of a function of this environment.
   *
   * @default - as the stack's `approval` setting says
   */
  readonly requireApproval?: boolean;

  /**
   * How repairs of its functions change the memory.
   *
   * @default - the stack's `repairStrategy`
   */
  readonly repairStrategy?: RepairStrategy;
}
