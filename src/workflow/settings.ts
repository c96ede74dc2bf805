// Internal: resolves the public props into the settings the workflow and handlers receive.
// Not exported from src/index.ts (free functions and consts are not jsii-compatible).
import { Annotations, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { InvalidRemediationPolicyError } from './construct-errors';
import {
  ApprovalMode,
  FunctionPolicyOverride,
  MAX_FOLLOW_UP_ROUNDS,
  MAX_FOLLOW_UP_SECONDS,
  MAX_REPAIRS_PER_DAY_LIMIT,
  MIN_COOLDOWN_SECONDS,
  MIN_FOLLOW_UP_SECONDS,
  POLICY_SIZE_DEFAULTS,
  RemediationPolicyConfig,
  EnvironmentConfig,
  RepairStrategyConfig,
} from './contract';
import { functionNameOf } from './handler-support';
import { LAMBDA_MAX_MEMORY_MB, LAMBDA_MIN_MEMORY_MB, MAX_STEP_LIMIT_MB } from '../core/policy';
import { Approval, FunctionOptions, RemediationPolicy } from '../policy';
import { RemediationEnvironment } from '../remediation-environment';
import { RepairStrategy } from '../repair/repair-strategy';

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
  readonly raiseMemoryForCpu: boolean;
  readonly verificationWindowSeconds: number;
  readonly followUpSeconds: number;
  readonly followUpMaxRounds: number;
}

/** Defaults of {@link RemediationPolicy}, in one place. */
export const POLICY_DEFAULTS = {
  ...POLICY_SIZE_DEFAULTS,
  cooldown: Duration.minutes(30),
  maxRepairsPerDay: 3,
  verificationWindow: Duration.minutes(15),
  followUpInterval: Duration.minutes(30),
  maxFollowUps: 12,
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

  checkMaxMemoryMb(maxMemoryMb, 'maxMemoryMb');
  checkMaxStepMb(maxStepMb, 'maxStepMb');
  checkMinConfidence(minConfidence, 'minConfidence');
  checkMaxRepairsPerDay(maxRepairsPerDay, 'maxRepairsPerDay');
  checkCooldown(cooldown, 'cooldown');
  const verificationWindowSeconds = verificationWindow.toSeconds();
  if (verificationWindowSeconds < 60 || verificationWindowSeconds > 24 * 3600) {
    throw new InvalidRemediationPolicyError(
      `verificationWindow must be between 1 minute and 24 hours, got ${verificationWindowSeconds} seconds`);
  }
  const followUpSeconds = (policy.followUpInterval ?? POLICY_DEFAULTS.followUpInterval).toSeconds();
  if (!Number.isInteger(followUpSeconds) || followUpSeconds < MIN_FOLLOW_UP_SECONDS || followUpSeconds > MAX_FOLLOW_UP_SECONDS) {
    throw new InvalidRemediationPolicyError(
      `followUpInterval must be a whole number of seconds between ${MIN_FOLLOW_UP_SECONDS / 60} minutes and ${MAX_FOLLOW_UP_SECONDS / 3600} hours, got ${followUpSeconds} seconds`);
  }
  const followUpMaxRounds = policy.maxFollowUps ?? POLICY_DEFAULTS.maxFollowUps;
  if (!Number.isInteger(followUpMaxRounds) || followUpMaxRounds < 0 || followUpMaxRounds > MAX_FOLLOW_UP_ROUNDS) {
    throw new InvalidRemediationPolicyError(`maxFollowUps must be a whole number between 0 and ${MAX_FOLLOW_UP_ROUNDS}, got ${followUpMaxRounds}`);
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
    raiseMemoryForCpu: policy.raiseMemoryForCpu ?? false,
    verificationWindowSeconds,
    followUpSeconds,
    followUpMaxRounds,
  };
}

// One check per guardrail, shared by the policy and the per-function overrides, so an override
// is held to the same limits as the policy it overrides. `name` is the prop as the user wrote it.

function checkMaxMemoryMb(value: number, name: string): void {
  if (!Number.isInteger(value) || value < LAMBDA_MIN_MEMORY_MB || value > LAMBDA_MAX_MEMORY_MB) {
    throw new InvalidRemediationPolicyError(`${name} must be a whole number between ${LAMBDA_MIN_MEMORY_MB} and ${LAMBDA_MAX_MEMORY_MB}, got ${value}`);
  }
}

/** Lambda sets memory in 1 MB steps, so 1 MB is the smallest step; a step below 128 MB is valid. */
function checkMaxStepMb(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_STEP_LIMIT_MB) {
    throw new InvalidRemediationPolicyError(`${name} must be a whole number between 1 and ${MAX_STEP_LIMIT_MB}, got ${value}`);
  }
}

function checkMinConfidence(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new InvalidRemediationPolicyError(`${name} must be between 0 and 1, got ${value}`);
  }
}

function checkMaxRepairsPerDay(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_REPAIRS_PER_DAY_LIMIT) {
    throw new InvalidRemediationPolicyError(`${name} must be a whole number between 1 and ${MAX_REPAIRS_PER_DAY_LIMIT}, got ${value}`);
  }
}

function checkCooldown(value: Duration, name: string): void {
  const seconds = value.toSeconds();
  if (seconds < MIN_COOLDOWN_SECONDS) {
    throw new InvalidRemediationPolicyError(`${name} must be at least ${MIN_COOLDOWN_SECONDS / 60} minute, got ${seconds} seconds`);
  }
}

/**
 * Builds the `REMEDIATION_POLICY` JSON the handlers read ({@link RemediationPolicyConfig}), with the
 * per-function overrides and approval list collected as functions are added. Lazy, so functions
 * added after the handlers were created still appear.
 */
export class PolicyConfigBuilder {
  /**
   * The builder shared by everything under `scope`: the nearest ancestor's (AutoRemediation
   * resolves the policy once, so every sub-construct and handler gets the same settings), else a
   * new one for a sub-construct used on its own.
   */
  public static of(
    scope: IConstruct, policy: RemediationPolicy | undefined, approval: Approval | undefined,
    repairStrategy?: RepairStrategy, environments?: RemediationEnvironment[],
  ): PolicyConfigBuilder {
    for (const s of [...scope.node.scopes].reverse()) {
      const shared = SHARED.get(s);
      if (shared) return shared;
    }
    const own = new PolicyConfigBuilder(policy, approval, repairStrategy, environments);
    SHARED.set(scope, own);
    return own;
  }

  /** Resolve the policy once for everything under `owner` (AutoRemediation). */
  public static share(
    owner: IConstruct, policy: RemediationPolicy | undefined, approval: Approval | undefined,
    repairStrategy?: RepairStrategy, environments?: RemediationEnvironment[],
  ): PolicyConfigBuilder {
    const shared = new PolicyConfigBuilder(policy, approval, repairStrategy, environments);
    SHARED.set(owner, shared);
    return shared;
  }

  public readonly resolved: ResolvedRemediationPolicy;
  private readonly overrides = new Map<string, FunctionPolicyOverride>();
  private readonly approvalNames: string[] = [];
  private readonly excludedNames: string[];

  /** How repairs change the memory (`RepairStrategy.raiseMemory()` unless given). */
  public readonly repairStrategy: RepairStrategy;

  /** The environments, checked, in the order they are matched. */
  private readonly environments: ResolvedEnvironment[];
  /** Every managed function (a tag match reads their tags at synthesis). */
  private readonly managed = new Set<lambda.IFunction>();

  constructor(
    policy: RemediationPolicy | undefined, private readonly approval: Approval | undefined,
    repairStrategy?: RepairStrategy, environments: RemediationEnvironment[] = [],
  ) {
    this.resolved = resolveRemediationPolicy(policy);
    this.repairStrategy = repairStrategy ?? RepairStrategy.raiseMemory();
    this.environments = environments.map((e, i) => resolveEnvironment(e, i));
    this.excludedNames = (policy?.excludedFunctions ?? []).map(functionNameOf);
    for (const fn of approval?.mode === 'SELECTED' ? approval.functions : []) {
      this.approvalNames.push(functionNameOf(fn));
    }
  }

  /** `NONE`, `ALL` or `SELECTED`, after `approval` and `policy.requireApproval`. */
  public get approvalMode(): ApprovalMode {
    if (this.approval) return this.approval.mode as ApprovalMode;
    // Selected functions come only with an approval setting (above).
    return this.resolved.requireApproval ? 'ALL' : 'NONE';
  }

  /** True when a repair may release the new size as a canary (the workflow then has the promotion step). */
  public get usesProgressive(): boolean {
    return this.strategies.some((s) => s.kind === 'PROGRESSIVE');
  }

  /** The longest canary bake of any strategy, seconds (0 without a progressive one). */
  public get longestBakeSeconds(): number {
    return Math.max(0, ...this.strategies.map((s) => s.bakeTime?.toSeconds() ?? 0));
  }

  /** The functions of every custom strategy (the repair and rollback roles may invoke these). */
  public get customRepairFunctions(): lambda.IFunction[] {
    return [...new Set(this.strategies.flatMap((s) => (s.repairFunction ? [s.repairFunction] : [])))];
  }

  private get strategies(): RepairStrategy[] {
    return [this.repairStrategy, ...this.environments.flatMap((e) => (e.source.repairStrategy ? [e.source.repairStrategy] : []))];
  }

  /** True when any function needs approval (the workflow then includes the approval step). */
  public get needsApprovalStep(): boolean {
    return this.approvalMode !== 'NONE' || [...this.overrides.values()].some(o => o.requireApproval === true)
      || this.environments.some((e) => e.source.requireApproval === true);
  }

  /** Record one function's overrides, held to the same limits as the policy. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    const name = functionNameOf(fn);
    if (!this.managed.has(fn) && tagsAtSynthesis(fn) === undefined && this.environments.some((e) => e.source.match.tagKey !== undefined)) {
      Annotations.of(fn).addWarningV2('lambda-auto-remediation:environment-tag-unknown',
        `the tags of ${fn.node.path} are not known to this app (an imported function): EnvironmentMatch.tag never matches it; match it with EnvironmentMatch.namePattern`);
    }
    this.managed.add(fn);
    const of = (prop: string) => `${prop} of function ${name}`;
    if (options.maxMemoryMb !== undefined) checkMaxMemoryMb(options.maxMemoryMb, of('maxMemoryMb'));
    if (options.maxStepMb !== undefined) checkMaxStepMb(options.maxStepMb, of('maxStepMb'));
    if (options.minConfidence !== undefined) checkMinConfidence(options.minConfidence, of('minConfidence'));
    if (options.maxRepairsPerDay !== undefined) checkMaxRepairsPerDay(options.maxRepairsPerDay, of('maxRepairsPerDay'));
    if (options.cooldown !== undefined) checkCooldown(options.cooldown, of('cooldown'));
    const override: FunctionPolicyOverride = stripUndefined({
      maxMemoryMb: options.maxMemoryMb,
      maxStepMb: options.maxStepMb,
      minConfidence: options.minConfidence,
      requireApproval: options.requireApproval,
      dryRun: options.dryRun,
      cooldownSeconds: options.cooldown?.toSeconds(),
      maxRepairsPerDay: options.maxRepairsPerDay,
      // The alias name is known at synthesis for aliases defined in the app or imported by name.
      aliases: options.alias ? [options.alias.aliasName] : undefined,
    });
    if (Object.keys(override).length > 0) {
      this.overrides.set(name, override);
    }
  }

  /** One environment's JSON; a tag match lists the managed functions whose tags match now (at synthesis). */
  private environmentConfig(e: ResolvedEnvironment): EnvironmentConfig {
    const m = e.source.match;
    const functions = m.tagKey === undefined ? [] : [...this.managed]
      .filter((fn) => tagsAtSynthesis(fn)?.[m.tagKey!] === m.tagValue)
      .map(functionNameOf);
    return {
      name: e.source.name,
      ...(m.pattern !== undefined ? { namePattern: m.pattern } : {}),
      ...(m.tagKey !== undefined ? { functions } : {}),
      ...(Object.keys(e.override ?? {}).length > 0 ? { override: e.override } : {}),
      ...(e.source.repairStrategy ? { repairStrategy: strategyConfig(e.source.repairStrategy) } : {}),
    };
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
          ...(this.resolved.raiseMemoryForCpu ? { raiseMemoryForCpu: true } : {}),
          verificationWindowSeconds: this.resolved.verificationWindowSeconds,
          followUpSeconds: this.resolved.followUpSeconds,
          followUpMaxRounds: this.resolved.followUpMaxRounds,
          approvalMode: this.approvalMode,
          ...(this.approvalNames.length > 0 ? { approvalFunctions: this.approvalNames } : {}),
          ...(this.excludedNames.length > 0 ? { excludedFunctions: this.excludedNames } : {}),
          ...(this.overrides.size > 0 ? { functionOverrides: Object.fromEntries(this.overrides) } : {}),
          // Absent for the default strategy, so the default stack's policy JSON is unchanged.
          ...(this.repairStrategy.kind !== 'RAISE_MEMORY' ? { repairStrategy: strategyConfig(this.repairStrategy) } : {}),
          ...(this.environments.length > 0 ? { environments: this.environments.map((e) => this.environmentConfig(e)) } : {}),
        };
        return Stack.of(scope).toJsonString(config);
      },
    });
  }
}

/** An environment with its guardrails checked and converted. */
interface ResolvedEnvironment {
  readonly source: RemediationEnvironment;
  readonly override: EnvironmentConfig['override'];
}

/** Stack-wide settings an environment's policy cannot change, with where to set them instead. */
const STACK_WIDE_POLICY_PROPS = [
  'verificationWindow', 'followUpInterval', 'maxFollowUps', 'raiseMemoryForCpu', 'excludedFunctions', 'requireApproval',
] as const;

function resolveEnvironment(env: RemediationEnvironment, index: number): ResolvedEnvironment {
  const where = `environments[${index}]`;
  if (!env.name || env.name.trim() === '') throw new InvalidRemediationPolicyError(`${where}.name is required: give the environment a name such as 'production'`);
  if (!env.match) throw new InvalidRemediationPolicyError(`${where} (${env.name}) needs a match: EnvironmentMatch.tag(key, value) or EnvironmentMatch.namePattern('prod-*')`);
  const p = env.policy ?? {};
  for (const prop of STACK_WIDE_POLICY_PROPS) {
    if (p[prop] !== undefined) {
      const fix = prop === 'requireApproval' ? `use ${where}.requireApproval` : 'set it on the stack\'s policy';
      throw new InvalidRemediationPolicyError(`${where}.policy.${prop} applies to the whole stack, not to one environment: ${fix}`);
    }
  }
  const of = (prop: string) => `${where}.policy.${prop}`;
  if (p.maxMemoryMb !== undefined) checkMaxMemoryMb(p.maxMemoryMb, of('maxMemoryMb'));
  if (p.maxStepMb !== undefined) checkMaxStepMb(p.maxStepMb, of('maxStepMb'));
  if (p.minConfidence !== undefined) checkMinConfidence(p.minConfidence, of('minConfidence'));
  if (p.maxRepairsPerDay !== undefined) checkMaxRepairsPerDay(p.maxRepairsPerDay, of('maxRepairsPerDay'));
  if (p.cooldown !== undefined) checkCooldown(p.cooldown, of('cooldown'));
  const override = stripUndefined({
    maxMemoryMb: p.maxMemoryMb,
    maxStepMb: p.maxStepMb,
    minConfidence: p.minConfidence,
    cooldownSeconds: p.cooldown?.toSeconds(),
    maxRepairsPerDay: p.maxRepairsPerDay,
    dryRun: p.dryRun,
    rollbackOnFailedVerification: p.rollbackOnFailedVerification,
    requireApproval: env.requireApproval,
  });
  return { source: env, override };
}

/** The tags CDK gives a function defined in the app (read once aspects ran), undefined for an imported one. */
function tagsAtSynthesis(fn: lambda.IFunction): Record<string, string> | undefined {
  const cfn = fn.node.defaultChild;
  return cfn instanceof lambda.CfnFunction ? cfn.tags.tagValues() : undefined;
}

/** The JSON form of a strategy. */
function strategyConfig(strategy: RepairStrategy): RepairStrategyConfig {
  if (strategy.kind === 'PROGRESSIVE') {
    return { kind: 'PROGRESSIVE', canaryWeight: strategy.canaryPercent! / 100, bakeTimeSeconds: strategy.bakeTime!.toSeconds() };
  }
  if (strategy.kind === 'CUSTOM') {
    return { kind: 'CUSTOM', functionArn: strategy.repairFunction!.functionArn, timeoutMs: strategy.timeout!.toMilliseconds() };
  }
  return { kind: 'RAISE_MEMORY' };
}

/** The builder each owner shares with the constructs under it. */
const SHARED = new WeakMap<IConstruct, PolicyConfigBuilder>();

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
