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
  RemediationPolicyConfig,
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
  readonly publishVersionForAlias: boolean;
}

/** Parse `REMEDIATION_POLICY`; `{}` when unset. */
export function readPolicyConfig(env: EnvMap = process.env): RemediationPolicyConfig {
  const raw = envOptional(ENV.POLICY, env);
  if (raw === undefined) return {};
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

/** The guardrails for `functionName`: defaults, then the policy, then its per-function override. */
export function effectivePolicy(functionName: string, env: EnvMap = process.env): EffectivePolicy {
  const cfg = readPolicyConfig(env);
  const o = cfg.functionOverrides?.[functionName] ?? {};
  let core: PolicySettings;
  try {
    core = resolvePolicy({
      maxMemoryMb: o.maxMemoryMb ?? cfg.maxMemoryMb,
      maxStepMb: o.maxStepMb ?? cfg.maxStepMb,
      minStepMb: cfg.minStepMb,
      oomStepFactor: cfg.oomStepFactor,
      headroomFraction: cfg.headroomFraction,
      minConfidence: o.minConfidence ?? cfg.minConfidence,
    });
  } catch (e) {
    if (e instanceof PolicyError) throw new ConfigurationError(`environment variable ${ENV.POLICY}: ${e.message}`);
    throw e;
  }
  const mode: ApprovalMode = cfg.approvalMode ?? DEFAULT_WORKFLOW_POLICY.approvalMode;
  if (!['NONE', 'ALL', 'SELECTED'].includes(mode)) {
    throw new ConfigurationError(`environment variable ${ENV.POLICY}: approvalMode must be NONE, ALL or SELECTED, got '${mode}'`);
  }
  const requireApproval = o.requireApproval
    ?? (mode === 'ALL' || (mode === 'SELECTED' && (cfg.approvalFunctions ?? []).includes(functionName)));
  return {
    core,
    cooldownSeconds: o.cooldownSeconds ?? cfg.cooldownSeconds ?? DEFAULT_WORKFLOW_POLICY.cooldownSeconds,
    maxRepairsPerDay: o.maxRepairsPerDay ?? cfg.maxRepairsPerDay ?? DEFAULT_WORKFLOW_POLICY.maxRepairsPerDay,
    rollbackOnFailedVerification: cfg.rollbackOnFailedVerification ?? DEFAULT_WORKFLOW_POLICY.rollbackOnFailedVerification,
    requireApproval,
    excluded: (cfg.excludedFunctions ?? []).includes(functionName),
    dryRun: envBoolean(ENV.DRY_RUN, false, env) || o.dryRun === true,
    verificationWindowSeconds: cfg.verificationWindowSeconds ?? DEFAULT_WORKFLOW_POLICY.verificationWindowSeconds,
    verificationMinInvocations: cfg.verificationMinInvocations ?? DEFAULT_WORKFLOW_POLICY.verificationMinInvocations,
    publishVersionForAlias: cfg.publishVersionForAlias ?? DEFAULT_WORKFLOW_POLICY.publishVersionForAlias,
  };
}

/** Whether `functionName` is managed according to `MANAGED_FUNCTIONS` (`*` = any). */
export function isManaged(functionName: string, env: EnvMap = process.env): boolean {
  const list = envString(ENV.MANAGED_FUNCTIONS, env);
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.includes('*') || names.includes(functionName);
}
