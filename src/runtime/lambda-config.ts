/**
 * Changing a target function's memory safely, and recognising our own change when a call is
 * retried.
 *
 * Lambda facts this module builds on:
 * - `UpdateFunctionConfiguration` changes `$LATEST` only; `RevisionId` makes it conditional
 *   (`PreconditionFailedException` when the function changed since that revision was read);
 *   `ResourceConflictException` while another update is in progress; the update then runs
 *   asynchronously: poll `LastUpdateStatus` (InProgress -> Successful | Failed; on Failed "Lambda
 *   aborted the update and the function's previous code and configuration remain available").
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 * - Published versions are immutable (a version's memory cannot change); an alias points at a
 *   version. `PublishVersion` takes `RevisionId` and `CodeSha256` so it publishes only the
 *   `$LATEST` that was checked; `UpdateAlias` takes the alias's `RevisionId`.
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
 *   https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html
 *
 * Idempotence: {@link applyMemoryChange} is given the change it must make (from, to, the revision
 * it updates from), so a retry of the same change (after a lost response, a wait that gave up, a
 * crash) recognises the size it finds: the target size on a newer revision is ours; the original
 * size on the original revision is not applied yet; anything else is someone else's change.
 */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetFunctionConfigurationCommandOutput,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { registerClient } from './clients';
import { sleep } from './clock';
import { DependencyTimeoutError, RepairFailedError, toNamedError, UpdateConflictError } from './errors';
import { toSafeConfig, SafeFunctionConfig } from './function-config';
import { targetClient } from './target-clients';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/** Tuning of the update loop (tests shorten it). */
export interface UpdateOptions {
  /** Attempts on `ResourceConflictException` (another update in progress). @default 5 */
  readonly conflictAttempts?: number;
  /** First backoff, ms; doubles each attempt. @default 1000 */
  readonly backoffMs?: number;
  /** Longest wait for `LastUpdateStatus: Successful`, ms. @default 120000 */
  readonly waitTimeoutMs?: number;
  /** Poll interval while waiting, ms. @default 2000 */
  readonly pollMs?: number;
}

const DEFAULTS: Required<UpdateOptions> = { conflictAttempts: 5, backoffMs: 1000, waitTimeoutMs: 120000, pollMs: 2000 };

/** Process-wide overrides of the update loop (tests and the simulation shorten the waits). */
export const updateTuning: { options: UpdateOptions } = { options: {} };

/**
 * The function changed since `RevisionId` was read (`PreconditionFailedException`). Named like
 * RepairFailedError (fatal) should it ever escape a handler.
 */
export class RevisionChangedError extends RepairFailedError {}

async function getConfiguration(functionName: string, qualifier?: string): Promise<GetFunctionConfigurationCommandOutput> {
  try {
    return await targetClient('lambda').send(new GetFunctionConfigurationCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) }));
  } catch (err) {
    throw toNamedError(err, `lambda:GetFunctionConfiguration on ${functionName}${qualifier ? `:${qualifier}` : ''}`);
  }
}

/** Read `$LATEST` (or a qualifier) sanitized. */
export async function readConfig(functionName: string, qualifier?: string): Promise<SafeFunctionConfig> {
  return toSafeConfig(functionName, await getConfiguration(functionName, qualifier));
}

/** A memory change to make, or to recognise as made. */
export interface MemoryChange {
  readonly functionName: string;
  readonly fromMb: number;
  readonly toMb: number;
  /**
   * `$LATEST`'s RevisionId the change updates from: the update is conditional on it, and a
   * function at `toMb` on another revision is recognised as changed by us. Without it the target
   * size alone counts as ours.
   */
  readonly fromRevisionId?: string;
}

/** What {@link applyMemoryChange} found or did. */
export type MemoryChangeResult =
  /** The change is in effect and `LastUpdateStatus` is Successful (`config` is that state). */
  | { readonly kind: 'applied'; readonly config: SafeFunctionConfig }
  /** Someone else changed the function; nothing was (or will be) changed by us. */
  | { readonly kind: 'changed-by-others'; readonly current: SafeFunctionConfig; readonly reason: string };

type Classification = 'ours' | 'not-applied' | 'failed' | 'others';

/** Which state `current` is in relative to `change`. */
export function classifyChange(change: MemoryChange, current: SafeFunctionConfig): Classification {
  const sameRevision = change.fromRevisionId === undefined || current.revisionId === change.fromRevisionId;
  if (current.summary.memorySize === change.toMb && (change.fromRevisionId === undefined || !sameRevision)) return 'ours';
  if (current.summary.memorySize === change.fromMb && sameRevision) return 'not-applied';
  // On Failed, Lambda keeps the previous configuration: our update did not take.
  if (current.summary.memorySize === change.fromMb && current.lastUpdateStatus === 'Failed') return 'failed';
  return 'others';
}

function othersReason(change: MemoryChange, current: SafeFunctionConfig): string {
  const size = current.summary.memorySize;
  const what = size === change.fromMb
    ? `its revision is ${current.revisionId}, not ${change.fromRevisionId}: changed since it was read (revision ${change.fromRevisionId})`
    : `its memory is ${size} MB, neither ${change.fromMb} MB nor ${change.toMb} MB`;
  return `function ${change.functionName} was changed by someone else (e.g. a deploy): ${what}; not overwriting it`;
}

/**
 * Make `change` on `$LATEST`, or recognise it as already made, and wait until the update is
 * Successful. Idempotent: call it again with the same change after any failure. `current` is a
 * read of `$LATEST` the caller just made (saves one call).
 *
 * @throws RepairFailedError when the update ends Failed (the function is as it was)
 * @throws UpdateConflictError / DependencyTimeoutError / ThrottledError (transient: retry the same change)
 */
export async function applyMemoryChange(
  change: MemoryChange, opts: UpdateOptions & { readonly current?: SafeFunctionConfig } = {},
): Promise<MemoryChangeResult> {
  const o = { ...DEFAULTS, ...updateTuning.options, ...opts };
  let attempt = 0;
  let known = opts.current;
  for (;;) {
    attempt++;
    // The caller's fresh read counts for the first round; every later round reads again.
    const current = known ?? await readConfig(change.functionName);
    known = undefined;
    const state = classifyChange(change, current);
    if (state === 'ours') return finishWait(change, o);
    if (state === 'others') return { kind: 'changed-by-others', current, reason: othersReason(change, current) };
    if (state === 'failed') {
      throw new RepairFailedError(`update of ${change.functionName} ended Failed: ${current.lastUpdateStatus}`);
    }
    try {
      await targetClient('lambda').send(new UpdateFunctionConfigurationCommand({
        FunctionName: change.functionName,
        MemorySize: change.toMb,
        ...(change.fromRevisionId ? { RevisionId: change.fromRevisionId } : {}),
      }));
    } catch (err) {
      const name = (err as { name?: string })?.name;
      // Our own earlier request (an SDK retry after a lost response) or someone else's: read
      // the function again and classify.
      if (name === 'PreconditionFailedException' && attempt < o.conflictAttempts) continue;
      if (name === 'ResourceConflictException' && attempt < o.conflictAttempts) {
        await sleep(o.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (name === 'ResourceConflictException') {
        throw new UpdateConflictError(`lambda:UpdateFunctionConfiguration on ${change.functionName} kept conflicting after ${attempt} attempts: ${(err as Error).message}`);
      }
      if (name === 'PreconditionFailedException') {
        throw new RevisionChangedError(`function ${change.functionName} kept changing since it was read (revision ${change.fromRevisionId})`);
      }
      throw toNamedError(err, `lambda:UpdateFunctionConfiguration on ${change.functionName}`);
    }
    // Sent: every failure above either went round again or threw.
    return finishWait(change, o);
  }
}

async function finishWait(change: MemoryChange, o: Required<UpdateOptions>): Promise<MemoryChangeResult> {
  const config = await waitUntilUpdated(change.functionName, o);
  if (config.summary.memorySize !== change.toMb) {
    return { kind: 'changed-by-others', current: config, reason: othersReason(change, config) };
  }
  return { kind: 'applied', config };
}

/** Poll until `LastUpdateStatus` is `Successful`; `Failed` is a RepairFailedError. */
export async function waitUntilUpdated(functionName: string, opts: UpdateOptions = {}): Promise<SafeFunctionConfig> {
  const o = { ...DEFAULTS, ...updateTuning.options, ...opts };
  let waited = 0;
  for (;;) {
    const out = await getConfiguration(functionName);
    const status = out.LastUpdateStatus ?? 'Successful';
    if (status === 'Successful') return toSafeConfig(functionName, out);
    if (status === 'Failed') {
      throw new RepairFailedError(`update of ${functionName} ended Failed: ${out.LastUpdateStatusReasonCode ?? ''} ${out.LastUpdateStatusReason ?? ''}`.trim());
    }
    if (waited >= o.waitTimeoutMs) {
      throw new DependencyTimeoutError(`update of ${functionName} still ${status} after ${Math.round(waited / 1000)} s`);
    }
    await sleep(o.pollMs);
    waited += o.pollMs;
  }
}

// ---------------------------------------------------------------------------------------------
// Aliases: release comparison, publish, move, move back
// ---------------------------------------------------------------------------------------------

/**
 * What a published version releases, apart from memory: the fields that change what runs.
 * Environment variables by name only: their values are never kept (or compared), so a change of
 * a value alone is not seen here.
 */
export interface ReleaseFingerprint {
  readonly version: string;
  readonly codeSha256?: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The fingerprint of a `GetFunctionConfiguration` answer (values of the environment dropped). */
export function toReleaseFingerprint(out: GetFunctionConfigurationCommandOutput): ReleaseFingerprint {
  const json = (v: unknown) => JSON.stringify(v ?? null);
  return {
    version: out.Version ?? '$LATEST',
    codeSha256: out.CodeSha256,
    fields: {
      'CodeSha256': json(out.CodeSha256),
      'PackageType': json(out.PackageType),
      'Runtime': json(out.Runtime),
      'Handler': json(out.Handler),
      'Architectures': json(out.Architectures),
      'Timeout': json(out.Timeout),
      'Role': json(out.Role),
      'Layers': json((out.Layers ?? []).map((l) => l.Arn)),
      'Environment variable names': json(Object.keys(out.Environment?.Variables ?? {}).sort()),
      'ImageConfig': json(out.ImageConfigResponse?.ImageConfig),
      'EphemeralStorage': json(out.EphemeralStorage?.Size),
      'VpcConfig': json(out.VpcConfig ? { subnets: out.VpcConfig.SubnetIds, securityGroups: out.VpcConfig.SecurityGroupIds } : undefined),
      'FileSystemConfigs': json(out.FileSystemConfigs),
      'DeadLetterConfig': json(out.DeadLetterConfig?.TargetArn),
      'TracingConfig': json(out.TracingConfig?.Mode),
      'KMSKeyArn': json(out.KMSKeyArn),
      'SnapStart': json(out.SnapStart?.ApplyOn),
      'LoggingConfig': json(out.LoggingConfig),
    },
  };
}

/** Names of the fields (never values) in which two releases differ. */
export function releaseDifferences(a: ReleaseFingerprint, b: ReleaseFingerprint): string[] {
  return Object.keys(a.fields).filter((k) => a.fields[k] !== b.fields[k]);
}

/** An alias, the version it points at and what that version runs. */
export interface AliasRelease {
  readonly name: string;
  readonly version: string;
  readonly aliasRevisionId?: string;
  readonly release: ReleaseFingerprint;
}

/** The alias and a fingerprint of the version it points at. */
export async function readAliasRelease(functionName: string, alias: string): Promise<AliasRelease> {
  const what = `lambda:GetAlias on ${functionName}:${alias}`;
  for (let attempt = 1; ; attempt++) {
    let a;
    try {
      a = await targetClient('lambda').send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
    } catch (err) {
      throw toNamedError(err, what);
    }
    // Read through the alias (the role may read the alias, not every version); the answer names
    // the version it resolved, which must be the one GetAlias returned.
    const out = await getConfiguration(functionName, alias);
    if (out.Version === a.FunctionVersion) {
      return { name: alias, version: a.FunctionVersion!, aliasRevisionId: a.RevisionId, release: toReleaseFingerprint(out) };
    }
    if (attempt >= 2) throw new UpdateConflictError(`alias ${functionName}:${alias} moved while it was read (${a.FunctionVersion} -> ${out.Version})`);
  }
}

/** The fingerprint of `$LATEST`. */
export async function readLatestRelease(functionName: string): Promise<ReleaseFingerprint> {
  return toReleaseFingerprint(await getConfiguration(functionName));
}

/** Where an alias points now, and the weighted routing to a second version, if any. */
export interface AliasTarget {
  readonly version: string;
  readonly revisionId?: string;
  /** `RoutingConfig.AdditionalVersionWeights`: version -> share (0..1); empty without routing. */
  readonly weights: Readonly<Record<string, number>>;
}

/** Where an alias points now. */
export async function getAliasTarget(functionName: string, alias: string): Promise<AliasTarget> {
  try {
    const a = await targetClient('lambda').send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
    return { version: a.FunctionVersion!, revisionId: a.RevisionId, weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) } };
  } catch (err) {
    throw toNamedError(err, `lambda:GetAlias on ${functionName}:${alias}`);
  }
}

/**
 * Publish `$LATEST` as a version, only if it is still the revision our update produced and has
 * the code that was compared. Lambda returns the existing version when nothing changed since the
 * last publish, so a retry does not publish twice.
 *
 * @throws RevisionChangedError when `$LATEST` changed since
 */
export async function publishVersion(functionName: string, revisionId: string | undefined, codeSha256: string | undefined): Promise<string> {
  try {
    const out = await targetClient('lambda').send(new PublishVersionCommand({
      FunctionName: functionName,
      ...(revisionId ? { RevisionId: revisionId } : {}),
      ...(codeSha256 ? { CodeSha256: codeSha256 } : {}),
      Description: 'lambda-auto-remediation memory increase',
    }));
    return out.Version!;
  } catch (err) {
    if ((err as { name?: string })?.name === 'PreconditionFailedException') {
      throw new RevisionChangedError(`$LATEST of ${functionName} changed after the memory update (revision ${revisionId}): not published`);
    }
    throw toNamedError(err, `lambda:PublishVersion on ${functionName}`);
  }
}

/**
 * Point `alias` at `version`, only if the alias is still at the revision that was read.
 *
 * @throws RevisionChangedError when the alias moved since
 */
export async function moveAlias(functionName: string, alias: string, version: string, aliasRevisionId: string | undefined): Promise<void> {
  try {
    await targetClient('lambda').send(new UpdateAliasCommand({
      FunctionName: functionName,
      Name: alias,
      FunctionVersion: version,
      ...(aliasRevisionId ? { RevisionId: aliasRevisionId } : {}),
    }));
  } catch (err) {
    if ((err as { name?: string })?.name === 'PreconditionFailedException') {
      throw new RevisionChangedError(`alias ${functionName}:${alias} moved since it was read: not moved to version ${version}`);
    }
    throw toNamedError(err, `lambda:UpdateAlias on ${functionName}:${alias}`);
  }
}

/**
 * Point `alias` at `version` with `weights` of its invocations routed to a second version
 * (`RoutingConfig.AdditionalVersionWeights`; `{}` clears the routing), only if the alias is still
 * at the revision that was read.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html
 *
 * @throws RevisionChangedError when the alias moved since
 */
export async function routeAlias(
  functionName: string, alias: string, version: string, weights: Readonly<Record<string, number>>, aliasRevisionId: string | undefined,
): Promise<void> {
  try {
    await targetClient('lambda').send(new UpdateAliasCommand({
      FunctionName: functionName,
      Name: alias,
      FunctionVersion: version,
      RoutingConfig: { AdditionalVersionWeights: { ...weights } },
      ...(aliasRevisionId ? { RevisionId: aliasRevisionId } : {}),
    }));
  } catch (err) {
    if ((err as { name?: string })?.name === 'PreconditionFailedException') {
      throw new RevisionChangedError(`alias ${functionName}:${alias} changed since it was read: its routing was not changed`);
    }
    throw toNamedError(err, `lambda:UpdateAlias on ${functionName}:${alias}`);
  }
}

/** True for a qualifier that is an alias (not a version number, not `$LATEST`). */
export function isAlias(qualifier: string | undefined): qualifier is string {
  return !!qualifier && qualifier !== '$LATEST' && !/^\d+$/.test(qualifier);
}
