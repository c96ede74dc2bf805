/**
 * The deploy-time custom resource of AutoRemediation (`Custom::LambdaRemediationSetup`), run as
 * CloudFormation runs it when the stack is created: it sends the function a Create request
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html) whose
 * `ResponseURL` the function answers with an HTTP PUT of the response object
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html); a
 * FAILED answer fails the resource, and so the stack. Here the URL is a server on loopback.
 *
 * The setup writes the managed-function settings item (the handlers read it when the list of
 * managed functions does not fit their environment, as in an app with a few dozen functions) and
 * creates missing log groups. Custom resources of other types are not run: the simulation says so.
 */
import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadSetupModule } from './handler-modules';
import { TemplateResolver } from './template';
import { SETUP_DESCRIPTION } from '../workflow/remediation-setup';
import { SETUP_RESOURCE_TYPE } from '../workflow/setup-contract';

/** What the deploy-time setup did. */
export interface DeploySetupResult {
  /** Why the stack would fail to create, when it would. */
  readonly failure?: string;
  readonly notes: string[];
}

/** How to run the setup handler: inside the simulation's runtime (clients, environment, log capture), as its function. */
export type SetupInvoker = (
  name: string, fn: { readonly functionArn: string; readonly functionName: string }, invoke: () => Promise<unknown>,
) => Promise<unknown>;

/**
 * Run every AutoRemediation setup custom resource of the template (Create). Resolves with the
 * first failure, as CloudFormation stops at the first resource that fails.
 */
export async function runDeployTimeSetup(
  resolver: TemplateResolver,
  invoke: SetupInvoker,
  setupHandler: (event: unknown, context: unknown) => Promise<unknown> = setupModuleHandler,
): Promise<DeploySetupResult> {
  const notes: string[] = [];
  const setupFunctions = new Map(resolver.functions().filter((f) => (f.description ?? '').includes(SETUP_DESCRIPTION)).map((f) => [f.arn, f]));
  const custom = Object.entries(resolver.template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudFormation::CustomResource' || r.Type.startsWith('Custom::'));
  for (const [id, r] of custom) {
    const properties = resolver.resolve(r.Properties ?? {}) as Record<string, unknown>;
    const fn = setupFunctions.get(String(properties.ServiceToken));
    if (r.Type !== SETUP_RESOURCE_TYPE || !fn) {
      notes.push(`custom resource ${id} (${r.Type}) is not run by the simulation`);
      continue;
    }
    const answer = await answerOf(async (responseUrl) => {
      await invoke(`deploy:${id}`, { functionArn: fn.arn, functionName: fn.functionName }, () => setupHandler({
        RequestType: 'Create',
        ResponseURL: responseUrl,
        StackId: resolver.ref('AWS::StackId'),
        RequestId: randomUUID(),
        LogicalResourceId: id,
        ResourceType: r.Type,
        ResourceProperties: properties,
      }, {}));
    });
    if (answer.Status !== 'SUCCESS') {
      return { failure: `custom resource ${id} (${r.Type}) failed: ${answer.Reason ?? 'no reason given'}`, notes };
    }
  }
  return { notes };
}

function setupModuleHandler(event: unknown, context: unknown): Promise<unknown> {
  const { handler } = loadSetupModule();
  if (typeof handler !== 'function') throw new Error('src/workflow/setup.lambda.ts exports no handler function');
  return handler(event, context);
}

interface CfnResponse {
  readonly Status?: string;
  readonly Reason?: string;
}

/** Run `fn` with a pre-signed-URL stand-in and return what was PUT to it. */
async function answerOf(fn: (responseUrl: string) => Promise<void>): Promise<CfnResponse> {
  let response: CfnResponse | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        response = req.method === 'PUT' ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as CfnResponse : response;
      } catch {
        response = { Status: 'FAILED', Reason: 'the response was not JSON' };
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    try {
      await fn(`http://127.0.0.1:${port}/cloudformation-response`);
    } catch (err) {
      if (!response) return { Status: 'FAILED', Reason: `the function failed without answering: ${(err as Error).message}` };
    }
    // CloudFormation waits for the answer until the resource's ServiceTimeout, then fails it.
    return response ?? { Status: 'FAILED', Reason: 'the function returned without answering CloudFormation (it would wait for ServiceTimeout, then fail)' };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
