/**
 * Reading the handlers' environment: required names checked at start with a clear message,
 * numbers and the policy JSON validated. Everything here is pure over a `process.env`-like map
 * so tests pass their own.
 */
import { ConfigurationError } from './errors';
import { PolicySettings, resolvePolicy, PolicyError } from '../core/policy';
import {
  ApprovalMode,
  DEFAULT_WORKFLOW_POLICY,
  ENV,
  EnvName,
  MAX_FOLLOW_UP_ROUNDS,
  MAX_FOLLOW_UP_SECONDS,
  MAX_REPAIRS_PER_DAY_LIMIT,
  MIN_FOLLOW_UP_SECONDS,
  MIN_COOLDOWN_SECONDS,
  RemediationPolicyConfig,
  EnvironmentConfig,
  RepairStrategyConfig,
} from '../workflow/contract';

/** A `process.env`-like map. */
export type EnvMap = Readonly<Record<string, string | undefined>>;

/** Fail with a message naming every missing variable. */
export function requireEnv(names: readonly EnvName[], env: EnvMap = process.env): void {
  const missing = names.filter((n) => !env[n] || env[n]!.trim() === '');
  if (missing.length > 0) {
    throw new ConfigurationError(`missing required environment variable(s): ${missing.join(', ')}`);
  }
}

/** A required string variable. */
export function envString(name: EnvName, env: EnvMap = process.env): string {
  const v = env[name];
  if (!v || v.trim() === '') throw new ConfigurationError(`missing required environment variable ${name}`);
  return v.trim();
}

/** An optional string variable (blank counts as unset). */
export function envOptional(name: EnvName, env: EnvMap = process.env): string | undefined {
  const v = env[name];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/** An optional positive number with a default. */
export function envNumber(name: EnvName, fallback: number, env: EnvMap = process.env): number {
  const v = envOptional(name, env);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigurationError(`environment variable ${name} must be a positive number, got '${v}'`);
  return n;
}

/** An optional boolean (`true`/`false`/`1`/`0`). */
export function envBoolean(name: EnvName, fallback: boolean, env: EnvMap = process.env): boolean {
  const v = envOptional(name, env)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigurationError(`environment variable ${name} must be true or false, got '${v}'`);
}

/** The effective guardrails for one function. */
export interface EffectivePolicy {
  /** What the core's sizing and confidence threshold use. */
  readonly core: PolicySettings;
  readonly cooldownSeconds: number;
  readonly maxRepairsPerDay: number;
  readonly rollbackOnFailedVerification: boolean;
  readonly requireApproval: boolean;
  readonly excluded: boolean;
  readonly dryRun: boolean;
  readonly verificationWindowSeconds: number;
  readonly verificationMinInvocations: number;
  /**
   * Aliases of this function configured with `addFunction(fn, { alias })`. A repair of an alarm
   * on one of them publishes a version and moves the alias; any other qualifier is refused.
   */
  readonly aliases: readonly string[];
  /** Seconds between follow-ups after a review or no-action outcome while the alarm stays in ALARM. */
  readonly followUpSeconds: number;
  /** Follow-ups after one outcome at most (0: none). */
  readonly followUpMaxRounds: number;
  /** How the repair changes the memory. */
  readonly strategy: RepairStrategyConfig;
  /** The environment whose guardrails apply (`RemediationEnvironment.name`), when one matched. */
  readonly environment?: string;
}

/** True when `name` matches the glob `pattern` (`*` any run of characters, `?` one). */
export function matchesNamePattern(name: string, pattern: string): boolean {
  // The construct allows only letters, digits, '-', '_', '*' and '?': none is special to RegExp
  // outside a character class except the two wildcards.
  if (!/^[A-Za-z0-9\-_*?]+$/.test(pattern)) return false;
  return new RegExp(`^${pattern.replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name);
}

/** The first environment that matches `functionName`, if any. */
export function environmentOf(cfg: RemediationPolicyConfig, functionName: string): EnvironmentConfig | undefined {
  return (cfg.environments ?? []).find((e) =>
    (e.namePattern !== undefined && matchesNamePattern(functionName, e.namePattern)) || (e.functions ?? []).includes(functionName));
}

/**
 * Parse `REMEDIATION_POLICY`. Required: a handler without its policy fails closed (fatal
 * ConfigurationError) rather than acting under defaults nobody chose.
 */
export function readPolicyConfig(env: EnvMap = process.env): RemediationPolicyConfig {
  const raw = envOptional(ENV.POLICY, env);
  if (raw === undefined) throw new ConfigurationError(`missing required environment variable ${ENV.POLICY}: the handlers never act under default guardrails`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new ConfigurationError(`environment variable ${ENV.POLICY} is not valid json: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`environment variable ${ENV.POLICY} must be a json object, got ${raw.slice(0, 80)}`);
  }
  return parsed as RemediationPolicyConfig;
}

/**
 * The guardrails for `functionName`: the policy, then its per-function override. The size limits
 * (`maxMemoryMb`, `maxStepMb`) have no default here: the construct always writes them, and a
 * policy without them is not one this library produced.
 */
export function effectivePolicy(functionName: string, env: EnvMap = process.env): EffectivePolicy {
  const cfg = readPolicyConfig(env);
  const fail = (problem: string) => new ConfigurationError(`environment variable ${ENV.POLICY}: ${problem}`);
  for (const key of ['maxMemoryMb', 'maxStepMb'] as const) {
    if (cfg[key] === undefined || cfg[key] === null) throw fail(`${key} is required, got none`);
  }
  // Precedence: the function's own override, then its environment's, then the stack's policy.
  const environment = environmentOf(cfg, functionName);
  const own = cfg.functionOverrides?.[functionName] ?? {};
  const envOverride = environment?.override ?? {};
  const o = { ...stripUnset(envOverride), ...stripUnset(own) };
  let core: PolicySettings;
  try {
    core = resolvePolicy({
      maxMemoryMb: o.maxMemoryMb ?? cfg.maxMemoryMb,
      maxStepMb: o.maxStepMb ?? cfg.maxStepMb,
      minStepMb: cfg.minStepMb,
      oomStepFactor: cfg.oomStepFactor,
      headroomFraction: cfg.headroomFraction,
      minConfidence: o.minConfidence ?? cfg.minConfidence,
      raiseMemoryForCpu: cfg.raiseMemoryForCpu,
    });
  } catch (e) {
    if (e instanceof PolicyError) throw fail(e.message);
    throw e;
  }
  const mode: ApprovalMode = cfg.approvalMode ?? DEFAULT_WORKFLOW_POLICY.approvalMode;
  if (!['NONE', 'ALL', 'SELECTED'].includes(mode)) {
    throw fail(`approvalMode must be NONE, ALL or SELECTED, got '${mode}'`);
  }
  const prefix = `functionOverrides.${functionName}.`;
  const cooldownSeconds = checkCooldown(o.cooldownSeconds, `${prefix}cooldownSeconds`, fail)
    ?? checkCooldown(cfg.cooldownSeconds, 'cooldownSeconds', fail)
    ?? DEFAULT_WORKFLOW_POLICY.cooldownSeconds;
  const maxRepairsPerDay = checkBudget(o.maxRepairsPerDay, `${prefix}maxRepairsPerDay`, fail)
    ?? checkBudget(cfg.maxRepairsPerDay, 'maxRepairsPerDay', fail)
    ?? DEFAULT_WORKFLOW_POLICY.maxRepairsPerDay;
  const verificationWindowSeconds = cfg.verificationWindowSeconds ?? DEFAULT_WORKFLOW_POLICY.verificationWindowSeconds;
  if (!(Number.isInteger(verificationWindowSeconds) && verificationWindowSeconds >= 60)) {
    throw fail(`verificationWindowSeconds must be a whole number of at least 60, got ${verificationWindowSeconds}`);
  }
  const verificationMinInvocations = cfg.verificationMinInvocations ?? DEFAULT_WORKFLOW_POLICY.verificationMinInvocations;
  if (!(Number.isInteger(verificationMinInvocations) && verificationMinInvocations >= 1)) {
    throw fail(`verificationMinInvocations must be a whole number of at least 1, got ${verificationMinInvocations}`);
  }
  const followUpSeconds = cfg.followUpSeconds ?? DEFAULT_WORKFLOW_POLICY.followUpSeconds;
  if (!(Number.isInteger(followUpSeconds) && followUpSeconds >= MIN_FOLLOW_UP_SECONDS && followUpSeconds <= MAX_FOLLOW_UP_SECONDS)) {
    throw fail(`followUpSeconds must be a whole number between ${MIN_FOLLOW_UP_SECONDS} and ${MAX_FOLLOW_UP_SECONDS}, got ${followUpSeconds}`);
  }
  const followUpMaxRounds = cfg.followUpMaxRounds ?? DEFAULT_WORKFLOW_POLICY.followUpMaxRounds;
  if (!(Number.isInteger(followUpMaxRounds) && followUpMaxRounds >= 0 && followUpMaxRounds <= MAX_FOLLOW_UP_ROUNDS)) {
    throw fail(`followUpMaxRounds must be a whole number between 0 and ${MAX_FOLLOW_UP_ROUNDS}, got ${followUpMaxRounds}`);
  }
  const aliases = o.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || a === '')) {
    throw fail(`${prefix}aliases must be a list of alias names, got ${JSON.stringify(aliases)}`);
  }
  const strategy = checkStrategy(environment?.repairStrategy ?? cfg.repairStrategy, fail);
  const requireApproval = o.requireApproval
    ?? (mode === 'ALL' || (mode === 'SELECTED' && (cfg.approvalFunctions ?? []).includes(functionName)));
  return {
    core,
    cooldownSeconds,
    maxRepairsPerDay,
    rollbackOnFailedVerification: envOverride.rollbackOnFailedVerification
      ?? cfg.rollbackOnFailedVerification ?? DEFAULT_WORKFLOW_POLICY.rollbackOnFailedVerification,
    requireApproval,
    excluded: (cfg.excludedFunctions ?? []).includes(functionName),
    dryRun: envBoolean(ENV.DRY_RUN, false, env) || o.dryRun === true,
    verificationWindowSeconds,
    verificationMinInvocations,
    aliases,
    followUpSeconds,
    followUpMaxRounds,
    strategy,
    ...(environment ? { environment: environment.name } : {}),
  };
}

function stripUnset<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** The repair strategy, checked: a progressive one needs a weight in (0, 1) and a bake time. */
function checkStrategy(value: RepairStrategyConfig | undefined, fail: (p: string) => Error): RepairStrategyConfig {
  if (value === undefined) return { kind: 'RAISE_MEMORY' };
  if (value.kind === 'RAISE_MEMORY') return value;
  if (value.kind === 'CUSTOM') {
    if (typeof value.functionArn !== 'string' || !value.functionArn.startsWith('arn:')) throw fail(`repairStrategy.functionArn must be a Lambda function ARN, got ${JSON.stringify(value.functionArn)}`);
    if (typeof value.timeoutMs !== 'number' || !(value.timeoutMs >= 1000)) throw fail(`repairStrategy.timeoutMs must be at least 1000, got ${value.timeoutMs}`);
    return value;
  }
  if (value.kind !== 'PROGRESSIVE') throw fail(`repairStrategy.kind must be RAISE_MEMORY, PROGRESSIVE or CUSTOM, got '${(value as { kind?: unknown }).kind}'`);
  const w = value.canaryWeight;
  if (typeof w !== 'number' || !(w > 0 && w < 1)) throw fail(`repairStrategy.canaryWeight must be a number between 0 and 1 (exclusive), got ${w}`);
  const b = value.bakeTimeSeconds;
  if (typeof b !== 'number' || !(Number.isInteger(b) && b >= 60)) throw fail(`repairStrategy.bakeTimeSeconds must be a whole number of at least 60, got ${b}`);
  return value;
}

function checkCooldown(value: number | undefined, name: string, fail: (p: string) => Error): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isInteger(value) && value >= MIN_COOLDOWN_SECONDS)) throw fail(`${name} must be a whole number of at least ${MIN_COOLDOWN_SECONDS}, got ${value}`);
  return value;
}

function checkBudget(value: number | undefined, name: string, fail: (p: string) => Error): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_REPAIRS_PER_DAY_LIMIT)) {
    throw fail(`${name} must be a whole number between 1 and ${MAX_REPAIRS_PER_DAY_LIMIT}, got ${value}`);
  }
  return value;
}

/** Whether `functionName` is managed according to `MANAGED_FUNCTIONS` (`*` = any). */
export function isManaged(functionName: string, env: EnvMap = process.env): boolean {
  const list = envString(ENV.MANAGED_FUNCTIONS, env);
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.includes('*') || names.includes(functionName);
}
