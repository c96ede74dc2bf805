/**
 * AWS SDK clients, created once per container on first use (so a cold start only pays for the
 * clients a handler really touches) and replaceable for tests and the local simulation.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
}

/** Client options every client gets (the SDK's adaptive retry absorbs short throttling bursts). */
export interface ClientOptions {
  readonly region?: string;
}

type Factories = { [K in keyof Clients]: (o: ClientOptions) => Clients[K] };

const factories: Factories = {
  lambda: (o) => new LambdaClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }),
  cloudWatch: (o) => new CloudWatchClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }),
  logs: (o) => new CloudWatchLogsClient({ region: o.region, retryMode: 'adaptive', maxAttempts: 5 }),
  dynamo: (o) => DynamoDBDocumentClient.from(new DynamoDBClient({ region: o.region, maxAttempts: 5 }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  }),
  sns: (o) => new SNSClient({ region: o.region, maxAttempts: 3 }),
  events: (o) => new EventBridgeClient({ region: o.region, maxAttempts: 3 }),
  // Few SDK retries for Bedrock: the handler has a time budget and falls back to the rules.
  bedrock: (o) => new BedrockRuntimeClient({ region: o.region, maxAttempts: 2 }),
  bedrockAgent: (o) => new BedrockAgentRuntimeClient({ region: o.region, maxAttempts: 2 }),
};

let cache: Partial<Record<keyof Clients, unknown>> = {};
let options: ClientOptions = {};

/** The client of `name`, created on first use and traced. */
export function client<K extends keyof Clients>(name: K): Clients[K] {
  let c = cache[name] as Clients[K] | undefined;
  if (!c) {
    c = factories[name](options);
    // Tracing patches the middleware stack; keep the handlers working if X-Ray is unavailable.
    try {
      if (name !== 'dynamo') tracer.captureAWSv3Client(c as never);
    } catch {
      // no tracing
    }
    cache[name] = c;
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
}
