// Internal: resolves the public props into the settings the workflow and handlers receive.
// Not exported from src/index.ts (free functions and consts are not jsii-compatible).
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { InvalidRemediationPolicyError } from './construct-errors';
import { ApprovalMode, FunctionPolicyOverride, RemediationPolicyConfig } from './contract';
import { functionNameOf } from './handler-support';
import { LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB } from '../core/policy';
import { Approval, FunctionOptions, RemediationPolicy } from '../policy';

/** The policy with every default applied, as the workflow receives it. */
export interface ResolvedRemediationPolicy {
  readonly maxMemoryMb: number;
  readonly maxStepMb: number;
  readonly minConfidence: number;
  readonly cooldownSeconds: number;
  readonly maxRepairsPerDay: number;
  readonly dryRun: boolean;
  readonly requireApproval: boolean;
  readonly rollbackOnFailedVerification: boolean;
  readonly verificationWindowSeconds: number;
}

/** Defaults of {@link RemediationPolicy}, in one place. */
export const POLICY_DEFAULTS = {
  maxMemoryMb: 3008,
  maxStepMb: 1024,
  minConfidence: 0.7,
  cooldown: Duration.minutes(30),
  maxRepairsPerDay: 3,
  verificationWindow: Duration.minutes(15),
} as const;

/**
 * Apply the defaults and check the values. Not part of the public API (not exported from index).
 *
 * @internal
 */
export function resolveRemediationPolicy(policy: RemediationPolicy = {}): ResolvedRemediationPolicy {
  const maxMemoryMb = policy.maxMemoryMb ?? POLICY_DEFAULTS.maxMemoryMb;
  const maxStepMb = policy.maxStepMb ?? POLICY_DEFAULTS.maxStepMb;
  const minConfidence = policy.minConfidence ?? POLICY_DEFAULTS.minConfidence;
  const maxRepairsPerDay = policy.maxRepairsPerDay ?? POLICY_DEFAULTS.maxRepairsPerDay;
  const cooldown = policy.cooldown ?? POLICY_DEFAULTS.cooldown;
  const verificationWindow = policy.verificationWindow ?? POLICY_DEFAULTS.verificationWindow;

  if (!Number.isInteger(maxMemoryMb) || maxMemoryMb < LAMBDA_MIN_MEMORY_MB || maxMemoryMb > LAMBDA_MAX_MEMORY_MB) {
    throw new InvalidRemediationPolicyError(
      `maxMemoryMb must be a whole number between ${LAMBDA_MIN_MEMORY_MB} and ${LAMBDA_MAX_MEMORY_MB}, got ${maxMemoryMb}`);
  }
  if (!Number.isInteger(maxStepMb) || maxStepMb < 1) {
    throw new InvalidRemediationPolicyError(`maxStepMb must be a positive whole number, got ${maxStepMb}`);
  }
  if (!(minConfidence >= 0 && minConfidence <= 1)) {
    throw new InvalidRemediationPolicyError(`minConfidence must be between 0 and 1, got ${minConfidence}`);
  }
  if (!Number.isInteger(maxRepairsPerDay) || maxRepairsPerDay < 0) {
    throw new InvalidRemediationPolicyError(`maxRepairsPerDay must be a whole number of at least 0, got ${maxRepairsPerDay}`);
  }
  const verificationWindowSeconds = verificationWindow.toSeconds();
  if (verificationWindowSeconds < 60 || verificationWindowSeconds > 24 * 3600) {
    throw new InvalidRemediationPolicyError(
      `verificationWindow must be between 1 minute and 24 hours, got ${verificationWindowSeconds} seconds`);
  }
  return {
    maxMemoryMb,
    maxStepMb,
    minConfidence,
    cooldownSeconds: cooldown.toSeconds(),
    maxRepairsPerDay,
    dryRun: policy.dryRun ?? false,
    requireApproval: policy.requireApproval ?? false,
    rollbackOnFailedVerification: policy.rollbackOnFailedVerification ?? true,
    verificationWindowSeconds,
  };
}


/**
 * Builds the `REMEDIATION_POLICY` JSON the handlers read ({@link RemediationPolicyConfig}), with the
 * per-function overrides and approval list collected as functions are added. Lazy, so functions
 * added after the handlers were created still appear.
 */
export class PolicyConfigBuilder {
  public readonly resolved: ResolvedRemediationPolicy;
  private readonly overrides = new Map<string, FunctionPolicyOverride>();
  private readonly approvalNames: string[] = [];
  private readonly excludedNames: string[];
  private usesAliases = false;

  constructor(policy: RemediationPolicy | undefined, private readonly approval: Approval | undefined) {
    this.resolved = resolveRemediationPolicy(policy);
    this.excludedNames = (policy?.excludedFunctions ?? []).map(functionNameOf);
    for (const fn of approval?.mode === 'SELECTED' ? approval.functions : []) {
      this.approvalNames.push(functionNameOf(fn));
    }
  }

  /** `NONE`, `ALL` or `SELECTED`, after `approval` and `policy.requireApproval`. */
  public get approvalMode(): ApprovalMode {
    if (this.approval) return this.approval.mode as ApprovalMode;
    if (this.resolved.requireApproval) return 'ALL';
    return this.approvalNames.length > 0 ? 'SELECTED' : 'NONE';
  }

  /** True when any function needs approval (the workflow then includes the approval step). */
  public get needsApprovalStep(): boolean {
    return this.approvalMode !== 'NONE' || [...this.overrides.values()].some(o => o.requireApproval === true);
  }

  /** Record one function's overrides. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    const override: FunctionPolicyOverride = stripUndefined({
      maxMemoryMb: options.maxMemoryMb,
      maxStepMb: options.maxStepMb,
      minConfidence: options.minConfidence,
      requireApproval: options.requireApproval,
      dryRun: options.dryRun,
      // Normalize sends alarms on any other alias of this function to a person (issue 10 item 12).
      alias: options.alias?.aliasName,
    });
    if (options.maxMemoryMb !== undefined) {
      resolveRemediationPolicy({ maxMemoryMb: options.maxMemoryMb });
    }
    if (options.minConfidence !== undefined && !(options.minConfidence >= 0 && options.minConfidence <= 1)) {
      throw new InvalidRemediationPolicyError(`minConfidence must be between 0 and 1, got ${options.minConfidence}`);
    }
    if (Object.keys(override).length > 0) {
      this.overrides.set(functionNameOf(fn), override);
    }
    if (options.alias) this.usesAliases = true;
  }

  /** The policy JSON; resolves at synthesis with deploy-time function names. */
  public toJson(scope: IConstruct): string {
    return Lazy.string({
      produce: () => {
        const config: RemediationPolicyConfig = {
          maxMemoryMb: this.resolved.maxMemoryMb,
          maxStepMb: this.resolved.maxStepMb,
          minConfidence: this.resolved.minConfidence,
          cooldownSeconds: this.resolved.cooldownSeconds,
          maxRepairsPerDay: this.resolved.maxRepairsPerDay,
          rollbackOnFailedVerification: this.resolved.rollbackOnFailedVerification,
          verificationWindowSeconds: this.resolved.verificationWindowSeconds,
          approvalMode: this.approvalMode,
          ...(this.approvalNames.length > 0 ? { approvalFunctions: this.approvalNames } : {}),
          ...(this.excludedNames.length > 0 ? { excludedFunctions: this.excludedNames } : {}),
          ...(this.usesAliases ? { publishVersionForAlias: true } : {}),
          ...(this.overrides.size > 0 ? { functionOverrides: Object.fromEntries(this.overrides) } : {}),
        };
        return Stack.of(scope).toJsonString(config);
      },
    });
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
