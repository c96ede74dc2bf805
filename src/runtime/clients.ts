/**
 * AWS SDK clients, created once per container on first use (so a cold start only pays for the
 * clients a handler really touches) and replaceable for tests and the local simulation.
 */
// Type-only imports: each SDK-facing module registers the factory of the clients it uses, so a
// handler bundle only contains the SDK clients that handler really calls.
import type { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './powertools';

/** The clients the handlers use. */
export interface Clients {
  readonly lambda: LambdaClient;
  readonly cloudWatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
  readonly bedrock: BedrockRuntimeClient;
  readonly bedrockAgent: BedrockAgentRuntimeClient;
  /** Step Functions: the workflow starting executions of itself (fan-out, re-examination, follow-up). */
  readonly sfn: SFNClient;
  /** EventBridge Scheduler: the Lambda coordinator's verification schedules. */
  readonly scheduler: SchedulerClient;
  /** S3: the knowledge base's `cases/` documents (case history), when a knowledge base is configured. */
  readonly s3: S3Client;
  /** Bedrock Agents (build time API): the ingestion job that indexes a new case. */
  readonly bedrockAgentBuild: BedrockAgentClient;
  /** STS: a hub assuming a spoke's access role (target-clients.ts). */
  readonly sts: STSClient;
}

/** Temporary credentials, as the SDK's credential providers return them. */
export interface ClientCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Client options every client gets (the SDK's adaptive retry absorbs short throttling bursts). */
export interface ClientOptions {
  readonly region?: string;
  /** Credentials other than the handler's own (a spoke's role, assumed by a hub). @default - the default provider chain */
  readonly credentials?: () => Promise<ClientCredentials>;
}

/** Creates one client. */
export type ClientFactory<K extends keyof Clients> = (o: ClientOptions) => Clients[K];

const factories: { [K in keyof Clients]?: ClientFactory<K> } = {};

/** Register how to create a client (first registration wins; called at module load). */
export function registerClient<K extends keyof Clients>(name: K, factory: ClientFactory<K>): void {
  if (!factories[name]) (factories as Record<string, unknown>)[name] = factory;
}

let cache: Partial<Record<keyof Clients, unknown>> = {};
let options: ClientOptions = {};

/** The client of `name`, created on first use and traced. */
export function client<K extends keyof Clients>(name: K): Clients[K] {
  let c = cache[name] as Clients[K] | undefined;
  if (!c) {
    c = createClient(name, options);
    cache[name] = c;
  }
  return c;
}

/** A new client of `name` with `o` (not cached here: target-clients.ts caches per account and region). */
export function createClient<K extends keyof Clients>(name: K, o: ClientOptions): Clients[K] {
  const factory = factories[name] as ClientFactory<K> | undefined;
  if (!factory) throw new Error(`no factory registered for the ${name} client`);
  const c = factory(o);
  // Tracing patches the middleware stack; keep the handlers working if X-Ray is unavailable.
  try {
    if (name !== 'dynamo') tracer.captureAWSv3Client(c as never);
  } catch {
    // no tracing
  }
  return c;
}

/**
 * Replace some clients (tests, the local simulation) or reset all (`setClients()`), optionally
 * for another region (the CLI).
 */
export function setClients(overrides: Partial<Clients> = {}, opts: ClientOptions = {}): void {
  cache = { ...overrides };
  options = opts;
  for (const reset of resetHooks) reset();
}

const resetHooks: Array<() => void> = [];

/** Run `reset` whenever the clients are replaced (caches built on top of them). */
export function onClientsReset(reset: () => void): void {
  resetHooks.push(reset);
}
