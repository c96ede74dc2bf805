/**
 * Deploy-time setup, run by CloudFormation as a custom resource
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html):
 * - creates each managed function's log group when it does not exist yet (a function never
 *   invoked has none, and a log alarm query over a missing log group fails), never deletes one;
 * - writes the managed-function settings item the handlers read when the list does not fit
 *   their environment.
 * It always answers CloudFormation (SUCCESS or FAILED with the reason) through the pre-signed
 * ResponseURL, so a stack operation never waits for a timeout.
 */
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ManagedSettings, MANAGED_SETTINGS_KEY, SETUP_RESOURCE_TYPE } from './setup-contract';
import { client, registerClient } from '../runtime/clients';
import { toNamedError } from '../runtime/errors';
import { logger } from '../runtime/powertools';
import '../runtime/store';

registerClient('logs', (o) => new CloudWatchLogsClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 8 }));

/** The custom resource event fields this handler uses. */
export interface SetupEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** What was done, returned for tests and sent as the response's Data. */
export interface SetupResult {
  readonly createdLogGroups: number;
  readonly existingLogGroups: number;
  readonly managedFunctions: number;
}

export async function handler(event: SetupEvent): Promise<SetupResult | undefined> {
  const physicalId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-setup`;
  let result: SetupResult | undefined;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = '';
  try {
    if (event.RequestType !== 'Delete') result = await setUp(event);
  } catch (err) {
    status = 'FAILED';
    reason = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 1000);
    logger.error('setup failed', { reason });
  }
  await respond(event, physicalId, status, reason, result);
  return result;
}

async function setUp(event: SetupEvent): Promise<SetupResult> {
  if (event.ResourceType !== undefined && event.ResourceType !== SETUP_RESOURCE_TYPE) {
    throw new Error(`setup serves ${SETUP_RESOURCE_TYPE}, got a ${event.ResourceType} event`);
  }
  const props = event.ResourceProperties;
  const tableName = requireString(props.TableName, 'TableName');
  const settings = settingsOf(props);
  // On an update only the log groups added since are new; the others were ensured before.
  const before = new Set(event.RequestType === 'Update' && event.OldResourceProperties ? logGroupsOf(settingsOf(event.OldResourceProperties, true)) : []);
  const names = logGroupsOf(settings);
  let created = 0;
  let existing = 0;
  for (const name of names.filter((n) => !before.has(n))) {
    if (await ensureLogGroup(name)) created++;
    else existing++;
  }
  try {
    await client('dynamo').send(new PutCommand({
      TableName: tableName,
      Item: { ...MANAGED_SETTINGS_KEY, recordType: 'CONFIG', ...settings, updatedAt: new Date().toISOString() },
    }));
  } catch (err) {
    throw toNamedError(err, `dynamodb:PutItem managed-function settings in ${tableName}`);
  }
  logger.info('setup done', { createdLogGroups: created, existingLogGroups: existing, managedFunctions: settings.functions.length });
  return { createdLogGroups: created, existingLogGroups: existing, managedFunctions: settings.functions.length };
}

/** Create the log group; false when it already existed. */
async function ensureLogGroup(name: string): Promise<boolean> {
  try {
    await client('logs').send(new CreateLogGroupCommand({ logGroupName: name }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceAlreadyExistsException') return false;
    throw toNamedError(err, `logs:CreateLogGroup ${name}`);
  }
}

/** The settings from the resource properties (`lenient` for old properties of an update). */
function settingsOf(props: Record<string, unknown>, lenient = false): ManagedSettings {
  try {
    const functions = requireStringList(props.FunctionNames, 'FunctionNames');
    const pairs = props.CustomLogGroups ?? [];
    if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string' && x !== ''))) {
      throw new Error(`CustomLogGroups must be a list of [logGroupName, functionName], got ${JSON.stringify(pairs)?.slice(0, 200)}`);
    }
    return { functions, logGroupFunctions: Object.fromEntries(pairs as Array<[string, string]>) };
  } catch (err) {
    if (lenient) return { functions: [], logGroupFunctions: {} };
    throw err;
  }
}

/** Every managed function's log group: its custom one, else `/aws/lambda/<name>`. */
function logGroupsOf(settings: ManagedSettings): string[] {
  const custom = new Map(Object.entries(settings.logGroupFunctions).map(([group, fn]) => [fn, group]));
  return [...new Set(settings.functions.map((fn) => custom.get(fn) ?? `/aws/lambda/${fn}`))];
}

function requireString(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${name} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function requireStringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
    throw new Error(`${name} must be a list of names, got ${JSON.stringify(v)?.slice(0, 200)}`);
  }
  return v as string[];
}

/**
 * Answer CloudFormation: PUT the response object to the pre-signed URL
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */
function respond(event: SetupEvent, physicalId: string, status: 'SUCCESS' | 'FAILED', reason: string, data?: SetupResult): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason || (status === 'SUCCESS' ? 'ok' : 'failed'),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(data ? { Data: data } : {}),
  });
  const url = new URL(event.ResponseURL);
  // AWS hands out https URLs; plain http is accepted for a local endpoint (tests, the simulation).
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'PUT',
      // The pre-signed URL is signed for an empty content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`CloudFormation answered ${res.statusCode} to the response`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
