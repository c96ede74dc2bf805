/**
 * The clients that act on the function a run handles: Lambda (configuration, tags, aliases),
 * CloudWatch (alarms, metrics) and CloudWatch Logs (its log group). At home they are the
 * handler's own clients; for a spoke (target-account.ts) they are built for the spoke's region
 * with the credentials of the spoke's access role, which the hub assumes with STS AssumeRole
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: the role's trust
 * policy must admit the caller, and for a caller of another account the caller's own policies
 * must allow sts:AssumeRole on the role). The credentials are kept until five minutes before
 * they expire.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { client, ClientCredentials, Clients, createClient, onClientsReset, registerClient } from './clients';
import { ConfigurationError, toNamedError } from './errors';
import { currentHolder, currentRemote, TargetEnv } from './target-account';
import { DEFAULT_SPOKE_ROLE_PREFIX, HUB_ENV, spokeRoleArn } from '../hub/hub-contract';

registerClient('sts', (o) => new STSClient({ region: o.region, maxAttempts: 3 }));

/** The clients that can act in a spoke. */
export type TargetClientName = 'lambda' | 'cloudWatch' | 'logs';

/** Session name of the assumed role: shows in the spoke's CloudTrail as who changed the function. */
const SESSION_NAME = 'lambda-auto-remediation-hub';
/** Renew the credentials this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

const clients = new Map<string, unknown>();
const credentials = new Map<string, ClientCredentials>();
onClientsReset(() => {
  clients.clear();
  credentials.clear();
});

/** The client of `name` for the function the running code handles (home, or the current spoke). */
export function targetClient<K extends TargetClientName>(name: K): Clients[K] {
  const remote = currentRemote();
  if (!remote) return client(name);
  // One Lambda function per container in AWS; the holder keeps functions apart where they share a process.
  const holder = currentHolder();
  const key = `${name}@${remote.account}/${remote.region}#${holder}`;
  let c = clients.get(key) as Clients[K] | undefined;
  if (!c) {
    c = createClient(name, { region: remote.region, credentials: () => spokeCredentials(remote, holder) });
    clients.set(key, c);
  }
  return c;
}

/** The ARN of the access role of the spoke `where`. */
export function spokeRoleOf(where: TargetEnv): string {
  const prefix = process.env[HUB_ENV.SPOKE_ROLE_PREFIX] || DEFAULT_SPOKE_ROLE_PREFIX;
  return spokeRoleArn(where.partition ?? 'aws', where.account, where.region, prefix);
}

/** Credentials of the spoke's access role (AssumeRole), cached until shortly before they expire. */
async function spokeCredentials(where: TargetEnv, holder: string): Promise<ClientCredentials> {
  const roleArn = spokeRoleOf(where);
  const key = `${roleArn}#${holder}`;
  const held = credentials.get(key);
  if (held && (!held.expiration || held.expiration.getTime() - RENEW_BEFORE_MS > Date.now())) return held;
  let out;
  try {
    out = await client('sts').send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME }));
  } catch (err) {
    throw toNamedError(err, `sts:AssumeRole on ${roleArn}`);
  }
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new ConfigurationError(`sts:AssumeRole on ${roleArn} returned no credentials`);
  const got: ClientCredentials = {
    accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration,
  };
  credentials.set(key, got);
  return got;
}
