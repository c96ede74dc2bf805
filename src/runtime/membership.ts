/**
 * Which functions are under management (`MANAGED_FUNCTIONS`): a comma list of names, `*`, or
 * `tag:<key>=<value>`, decided then by the function's tags (`lambda:ListTags`, exact value).
 */
import { LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { client, registerClient } from './clients';
import { ConfigurationError, toNamedError } from './errors';
import { ENV } from '../workflow/contract';

registerClient('lambda', (o) => new LambdaClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }));

/** The parsed `MANAGED_FUNCTIONS`. */
export type Membership =
  | { readonly mode: 'any' }
  | { readonly mode: 'names'; readonly names: ReadonlySet<string> }
  | { readonly mode: 'tag'; readonly key: string; readonly value: string };

/** Parse `MANAGED_FUNCTIONS`. Pure. */
export function parseMembership(raw: string): Membership {
  const v = raw.trim();
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
    default: {
      let tags: Record<string, string>;
      try {
        const out = await client('lambda').send(new ListTagsCommand({ Resource: functionArn }));
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
