/**
 * Which functions are under management (`MANAGED_FUNCTIONS`): a comma list of names, `*`,
 * `tag:<key>=<value>`, decided then by the function's tags (`lambda:ListTags`, exact value), or
 * `table`: the list did not fit the environment and is in the settings item the deploy-time setup
 * writes to the remediation table.
 */
import { LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { registerClient } from './clients';
import { ConfigurationError, toNamedError } from './errors';
import { Store } from './store';
import { targetClient } from './target-clients';
import { ENV } from '../workflow/contract';
import { MANAGED_FROM_TABLE, ManagedSettings } from '../workflow/setup-contract';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/** The parsed `MANAGED_FUNCTIONS`. */
export type Membership =
  | { readonly mode: 'any' }
  | { readonly mode: 'names'; readonly names: ReadonlySet<string> }
  | { readonly mode: 'tag'; readonly key: string; readonly value: string }
  | { readonly mode: 'table'; readonly tableName: string };

/**
 * Parse `MANAGED_FUNCTIONS`. Pure. `tableName` is the remediation table, where the list lives when
 * the value is `table`.
 */
export function parseMembership(raw: string, tableName?: string): Membership {
  const v = raw.trim();
  if (v === MANAGED_FROM_TABLE) {
    if (!tableName) throw new ConfigurationError(`environment variable ${ENV.MANAGED_FUNCTIONS} is '${MANAGED_FROM_TABLE}' but ${ENV.TABLE_NAME} is not set`);
    return { mode: 'table', tableName };
  }
  if (v.startsWith('tag:')) {
    const m = v.match(/^tag:([^=]+)=(.*)$/);
    if (!m || m[1].trim() === '') {
      throw new ConfigurationError(`environment variable ${ENV.MANAGED_FUNCTIONS} must be tag:<key>=<value> in tag mode, got '${v}'`);
    }
    return { mode: 'tag', key: m[1].trim(), value: m[2] };
  }
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.includes('*')) return { mode: 'any' };
  return { mode: 'names', names: new Set(names) };
}

/**
 * Whether `functionName` is managed. In tag mode the function's tags decide (`functionArn`: Lambda's
 * ListTags takes the function ARN, not its name; tags are not kept on versions or aliases).
 */
export async function isManagedFunction(membership: Membership, functionName: string, functionArn: string): Promise<boolean> {
  switch (membership.mode) {
    case 'any': return true;
    case 'names': return membership.names.has(functionName);
    case 'table': return (await managedSettings(membership.tableName)).functions.includes(functionName);
    default: {
      let tags: Record<string, string>;
      try {
        const out = await targetClient('lambda').send(new ListTagsCommand({ Resource: functionArn }));
        tags = out.Tags ?? {};
      } catch (err) {
        // A function that does not exist (any more) is not one we manage.
        if ((err as { name?: string })?.name === 'ResourceNotFoundException') return false;
        throw toNamedError(err, `lambda:ListTags on ${functionArn}`);
      }
      return tags[membership.key] === membership.value;
    }
  }
}

/** The unqualified ARN of a function in the account and region of `like` (any ARN of that account). */
export function functionArnOf(functionName: string, where: { partition: string; region: string; account: string }): string {
  return `arn:${where.partition}:lambda:${where.region}:${where.account}:function:${functionName}`;
}

/**
 * How long a container trusts the settings item it read: a redeploy that adds functions rewrites
 * the item but not the environment, so warm containers would otherwise keep the old list.
 */
const SETTINGS_TTL_MS = 60_000;
let cachedSettings: { tableName: string; readAt: number; settings: ManagedSettings } | undefined;

/**
 * The managed functions and custom log groups the deploy-time setup wrote (read at most once a
 * minute per container). A missing item fails closed: no list, no change.
 */
export async function managedSettings(tableName: string, nowMs: number = Date.now()): Promise<ManagedSettings> {
  if (cachedSettings && cachedSettings.tableName === tableName && nowMs - cachedSettings.readAt < SETTINGS_TTL_MS) {
    return cachedSettings.settings;
  }
  const settings = await new Store(tableName).managedSettings();
  if (!settings) {
    throw new ConfigurationError(`the managed-function settings item is missing from ${tableName} (${ENV.MANAGED_FUNCTIONS}=${MANAGED_FROM_TABLE}): the deploy-time setup has not run`);
  }
  cachedSettings = { tableName, readAt: nowMs, settings };
  return settings;
}

/** Forget the cached settings item (tests, and a container that must re-read). */
export function forgetManagedSettings(): void {
  cachedSettings = undefined;
}
