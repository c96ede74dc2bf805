/**
 * Deploying the template's custom resources as CloudFormation does
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html): for
 * each `Custom::LambdaRemediationSetup`, CloudFormation invokes the function named by
 * `ServiceToken` with a Create request (RequestType, ResponseURL, StackId, RequestId,
 * ResourceType, LogicalResourceId, ResourceProperties with every intrinsic resolved) and waits for
 * the function to PUT its response to the pre-signed ResponseURL
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html). A
 * FAILED response fails the resource and the stack; no response within the resource's
 * ServiceTimeout fails it too. Here the ResponseURL is a loopback HTTP server that records the
 * response, and the function runs as itself (its role: every call it makes is authorized).
 */
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';
import { BoundHandler, invokeHandler } from './executor';
import { VirtualScheduler } from './scheduler';
import { TemplateResolver } from './template';
import { SETUP_RESOURCE_TYPE } from '../workflow/setup-contract';

/** The custom resource types the simulation deploys. */
export const DEPLOYED_CUSTOM_RESOURCES = [SETUP_RESOURCE_TYPE];

/** What one custom resource answered. */
export interface CustomResourceResult {
  readonly logicalId: string;
  readonly type: string;
  /** SUCCESS or FAILED, or NO_RESPONSE when the function never answered. */
  readonly status: 'SUCCESS' | 'FAILED' | 'NO_RESPONSE';
  readonly reason?: string;
  readonly data?: unknown;
}

/** One response PUT to the ResponseURL. */
interface CfnResponse {
  readonly Status?: string;
  readonly Reason?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly Data?: unknown;
}

/**
 * Create every custom resource of the types the simulation deploys, in template order; the
 * first failure stops the deploy (CloudFormation rolls the stack back). Returns what each
 * answered.
 */
export async function createCustomResources(options: {
  readonly resolver: TemplateResolver;
  readonly stackName: string;
  readonly handlers: Map<string, BoundHandler>;
  readonly scheduler: VirtualScheduler;
  readonly requestId: () => string;
}): Promise<CustomResourceResult[]> {
  const resources = DEPLOYED_CUSTOM_RESOURCES.flatMap((t) => options.resolver.resourcesOfType(t).map(([id, r]) => ({ id, type: t, r })));
  if (resources.length === 0) return [];
  const responses = new Map<string, CfnResponse>();
  const server = await listen(responses);
  const port = (server.address() as AddressInfo).port;
  const out: CustomResourceResult[] = [];
  try {
    for (const { id, type, r } of resources) {
      const props = options.resolver.resolve(r.Properties ?? {}) as Record<string, unknown>;
      const token = String(props.ServiceToken ?? '');
      const bound = options.handlers.get(token);
      if (!bound) {
        out.push({ logicalId: id, type, status: 'FAILED', reason: `no handler is bound to the ServiceToken ${token}` });
        break;
      }
      const requestId = options.requestId();
      const event = {
        RequestType: 'Create',
        ServiceToken: token,
        ResponseURL: `http://127.0.0.1:${port}/cloudformation-response/${requestId}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=simulated`,
        StackId: `arn:aws:cloudformation:${SIM_REGION}:${SIM_ACCOUNT}:stack/${options.stackName}/6b1f0f60-0000-11ef-9a1b-0a1b2c3d4e5f`,
        RequestId: requestId,
        ResourceType: type,
        LogicalResourceId: id,
        ResourceProperties: props,
      };
      let invocationError: string | undefined;
      await drive(options.scheduler, options.scheduler.participate(`deploy-${id}`, async () => {
        try {
          await invokeHandler(bound, event, { scheduler: options.scheduler, requestId: options.requestId() });
        } catch (err) {
          invocationError = `${(err as Error).name}: ${(err as Error).message}`;
        }
      }));
      const answer = responses.get(requestId);
      if (!answer) {
        out.push({ logicalId: id, type, status: 'NO_RESPONSE', reason: `the function sent no response${invocationError ? ` (it failed: ${invocationError})` : ''}; CloudFormation waits for the ServiceTimeout and fails the resource` });
        break;
      }
      const status = answer.Status === 'SUCCESS' ? 'SUCCESS' : 'FAILED';
      out.push({
        logicalId: id,
        type,
        status,
        ...(answer.Reason ? { reason: answer.Reason } : {}),
        ...(answer.Data !== undefined ? { data: answer.Data } : {}),
      });
      if (status !== 'SUCCESS') break;
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return out;
}

/** The pre-signed URL's stand-in: records each PUT by the request id in its path. */
function listen(responses: Map<string, CfnResponse>): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const id = decodeURIComponent((req.url ?? '').split('?')[0].split('/').pop() ?? '');
      try {
        responses.set(id, req.method === 'PUT' ? JSON.parse(body) as CfnResponse : { Status: 'FAILED', Reason: `the response was sent with ${req.method}, not PUT` });
        res.statusCode = 200;
      } catch {
        // S3 would store anything; CloudFormation then cannot read it.
        responses.set(id, { Status: 'FAILED', Reason: 'the response body is not json' });
        res.statusCode = 200;
      }
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Run virtual time until `p` settles (nothing else runs during a deploy). */
async function drive(scheduler: VirtualScheduler, p: Promise<unknown>): Promise<void> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let idleTurns = 0; !done;) {
    await scheduler.idle();
    if (done) break;
    const next = scheduler.nextWake();
    if (next !== undefined) {
      scheduler.wakeUntil(next);
      idleTurns = 0;
    } else if (++idleTurns > 10_000) {
      throw new Error('the deploy waits on nothing: the custom resource function neither finishes nor sleeps');
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
  await p;
}
