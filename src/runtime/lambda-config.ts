/**
 * Changing a target function's memory safely: update with the RevisionId that was read, retry
 * `ResourceConflictException` with backoff, wait until `LastUpdateStatus` is `Successful`, and
 * optionally publish a version and move an alias.
 */
import {
  GetAliasCommand,
  LambdaClient,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { client, registerClient } from './clients';
import { sleep } from './clock';
import { DependencyTimeoutError, RepairFailedError, toNamedError, UpdateConflictError } from './errors';
import { toSafeConfig, SafeFunctionConfig } from './function-config';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }));

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

/** Read `$LATEST` (or a qualifier) sanitized. */
export async function readConfig(functionName: string, qualifier?: string): Promise<SafeFunctionConfig> {
  try {
    const out = await client('lambda').send(new GetFunctionConfigurationCommand({ FunctionName: functionName, ...(qualifier ? { Qualifier: qualifier } : {}) }));
    return toSafeConfig(functionName, out);
  } catch (err) {
    throw toNamedError(err, `lambda:GetFunctionConfiguration on ${functionName}`);
  }
}

/**
 * Set `memoryMb` on `$LATEST`. `revisionId` guards against overwriting a change made since it was
 * read. Returns the configuration after the update completed.
 */
export async function setMemory(
  functionName: string, memoryMb: number, revisionId: string | undefined, opts: UpdateOptions = {},
): Promise<SafeFunctionConfig> {
  const o = { ...DEFAULTS, ...updateTuning.options, ...opts };
  let attempt = 0;
  for (;;) {
    attempt++;
    try {
      await client('lambda').send(new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        MemorySize: memoryMb,
        ...(revisionId ? { RevisionId: revisionId } : {}),
      }));
      break;
    } catch (err) {
      const name = (err as { name?: string })?.name;
      if (name === 'ResourceConflictException' && attempt < o.conflictAttempts) {
        await sleep(o.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (name === 'ResourceConflictException') {
        throw new UpdateConflictError(`lambda:UpdateFunctionConfiguration on ${functionName} kept conflicting after ${attempt} attempts: ${(err as Error).message}`);
      }
      if (name === 'PreconditionFailedException') {
        throw new RepairFailedError(`function ${functionName} changed since it was read (revision ${revisionId}); not overwriting it`);
      }
      throw toNamedError(err, `lambda:UpdateFunctionConfiguration on ${functionName}`);
    }
  }
  return waitUntilUpdated(functionName, o);
}

/** Poll until `LastUpdateStatus` is `Successful`; `Failed` is a RepairFailedError. */
export async function waitUntilUpdated(functionName: string, opts: UpdateOptions = {}): Promise<SafeFunctionConfig> {
  const o = { ...DEFAULTS, ...updateTuning.options, ...opts };
  let waited = 0;
  for (;;) {
    let out;
    try {
      out = await client('lambda').send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    } catch (err) {
      throw toNamedError(err, `lambda:GetFunctionConfiguration on ${functionName}`);
    }
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

/** Publish a version of `$LATEST` and point `alias` at it; returns the new and previous versions. */
export async function publishAndMoveAlias(
  functionName: string, alias: string, revisionId?: string,
): Promise<{ version: string; previousVersion: string }> {
  try {
    const current = await client('lambda').send(new GetAliasCommand({ FunctionName: functionName, Name: alias }));
    const published = await client('lambda').send(new PublishVersionCommand({
      FunctionName: functionName,
      ...(revisionId ? { RevisionId: revisionId } : {}),
      Description: 'lambda-auto-remediation memory increase',
    }));
    await client('lambda').send(new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: published.Version!, RevisionId: current.RevisionId }));
    return { version: published.Version!, previousVersion: current.FunctionVersion ?? '$LATEST' };
  } catch (err) {
    throw toNamedError(err, `lambda:PublishVersion/UpdateAlias on ${functionName}:${alias}`);
  }
}

/** Point `alias` back at `version`. */
export async function moveAlias(functionName: string, alias: string, version: string): Promise<void> {
  try {
    await client('lambda').send(new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: version }));
  } catch (err) {
    throw toNamedError(err, `lambda:UpdateAlias on ${functionName}:${alias}`);
  }
}

/** True for a qualifier that is an alias (not a version number, not `$LATEST`). */
export function isAlias(qualifier: string | undefined): qualifier is string {
  return !!qualifier && qualifier !== '$LATEST' && !/^\d+$/.test(qualifier);
}
