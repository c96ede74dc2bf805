/**
 * Fault injection: API calls that fail as the service fails them, handler invocations that die,
 * executions that are stopped. The scenario declares the faults (scenario.ts); this module decides
 * which call or invocation each one hits and records every fault that fired, with where.
 *
 * Errors are built as the SDK v3 client deserializes them: the service's modeled exception
 * class (its `name`, `$fault` and the HTTP status of the service model's `@httpError` trait,
 * read from the client's schema; awsJson services without the trait answer 400 for a client
 * error and 500 for a server error, as the Smithy awsJson protocols specify,
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#operation-error-serialization),
 * or one of the errors every AWS API can return (the APIs' "Common Errors" pages, e.g.
 * https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html: ThrottlingException 400,
 * ServiceUnavailable 503, InternalFailure 500, RequestExpired 400), or an error the client raises
 * itself when the response never arrives (@smithy/node-http-handler: `TimeoutError` on a socket
 * timeout, `ECONNRESET` on a reset connection).
 */
import * as bedrockAgentSdk from '@aws-sdk/client-bedrock-agent-runtime';
import * as bedrockSdk from '@aws-sdk/client-bedrock-runtime';
import * as cloudWatchSdk from '@aws-sdk/client-cloudwatch';
import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import * as dynamoSdk from '@aws-sdk/client-dynamodb';
import * as eventsSdk from '@aws-sdk/client-eventbridge';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as sfnSdk from '@aws-sdk/client-sfn';
import * as snsSdk from '@aws-sdk/client-sns';
import type { AccountFault, ExecutionFault, FaultService, HandlerFault } from '../scenario';

/** The simulated account's service names (as calls are recorded) of each scenario service name. */
export const ACCOUNT_SERVICES: Readonly<Record<FaultService, readonly string[]>> = {
  lambda: ['Lambda'],
  cloudwatch: ['CloudWatch'],
  logs: ['CloudWatchLogs'],
  dynamodb: ['DynamoDB'],
  sns: ['SNS'],
  events: ['EventBridge'],
  bedrock: ['BedrockRuntime', 'BedrockAgentRuntime'],
  states: ['StepFunctions'],
};

/** The scenario service name of an account service name. */
export function scenarioServiceOf(accountService: string): FaultService | undefined {
  return (Object.keys(ACCOUNT_SERVICES) as FaultService[]).find((s) => ACCOUNT_SERVICES[s].includes(accountService));
}

type SdkModule = Record<string, unknown>;
const SDK: Readonly<Record<string, { module: SdkModule; base: string; protocol: 'json' | 'rest' | 'query' }>> = {
  Lambda: { module: lambdaSdk as unknown as SdkModule, base: 'LambdaServiceException', protocol: 'rest' },
  CloudWatch: { module: cloudWatchSdk as unknown as SdkModule, base: 'CloudWatchServiceException', protocol: 'query' },
  CloudWatchLogs: { module: logsSdk as unknown as SdkModule, base: 'CloudWatchLogsServiceException', protocol: 'json' },
  DynamoDB: { module: dynamoSdk as unknown as SdkModule, base: 'DynamoDBServiceException', protocol: 'json' },
  SNS: { module: snsSdk as unknown as SdkModule, base: 'SNSServiceException', protocol: 'query' },
  EventBridge: { module: eventsSdk as unknown as SdkModule, base: 'EventBridgeServiceException', protocol: 'json' },
  BedrockRuntime: { module: bedrockSdk as unknown as SdkModule, base: 'BedrockRuntimeServiceException', protocol: 'rest' },
  BedrockAgentRuntime: { module: bedrockAgentSdk as unknown as SdkModule, base: 'BedrockAgentRuntimeServiceException', protocol: 'rest' },
  StepFunctions: { module: sfnSdk as unknown as SdkModule, base: 'SFNServiceException', protocol: 'json' },
};

/** The errors every AWS API documents on its Common Errors page, with their HTTP status. */
const COMMON_ERRORS: Readonly<Record<string, { status: number; fault: 'client' | 'server' }>> = {
  ThrottlingException: { status: 400, fault: 'client' },
  ServiceUnavailable: { status: 503, fault: 'server' },
  InternalFailure: { status: 500, fault: 'server' },
  RequestExpired: { status: 400, fault: 'client' },
};

/** Query-protocol services (CloudWatch, SNS) send throttling as the code `Throttling`. */
const QUERY_THROTTLING = { status: 400, fault: 'client' as const };

/** Errors the client raises itself when no response arrives. */
const CLIENT_SIDE_ERRORS = ['TimeoutError', 'ECONNRESET'];

interface ErrorShape {
  readonly status: number;
  readonly fault: 'client' | 'server';
  readonly cls?: new (opts: { message: string; $metadata: Record<string, unknown> }) => Error;
}

/** The modeled exception of a service: its class and, from the schema, its fault and status. */
function modeledError(service: string, name: string): ErrorShape | undefined {
  const sdk = SDK[service];
  const schema = sdk?.module[`${name}$`];
  const cls = sdk?.module[name];
  if (!Array.isArray(schema) || schema[0] !== -3 || typeof cls !== 'function' || name === sdk.base) return undefined;
  const traits = (schema[3] ?? {}) as { error?: 'client' | 'server'; httpError?: number; awsQueryError?: [string, number] };
  const fault = traits.error ?? 'client';
  const status = traits.httpError ?? traits.awsQueryError?.[1] ?? (fault === 'server' ? 500 : 400);
  return { status, fault, cls: cls as ErrorShape['cls'] };
}

function errorShape(service: string, name: string): ErrorShape | undefined {
  const modeled = modeledError(service, name);
  if (modeled) return modeled;
  if (COMMON_ERRORS[name]) return COMMON_ERRORS[name];
  if (name === 'Throttling' && SDK[service]?.protocol === 'query') return QUERY_THROTTLING;
  return undefined;
}

/** Why `error` is not an error the service (or its client) can produce, or undefined when it is. */
export function serviceErrorProblem(service: FaultService, error: string): string | undefined {
  if (CLIENT_SIDE_ERRORS.includes(error)) return undefined;
  const services = ACCOUNT_SERVICES[service];
  if (services.some((s) => errorShape(s, error))) return undefined;
  const known = services.flatMap((s) => Object.keys(SDK[s].module).filter((k) => modeledError(s, k))).slice(0, 12);
  return `'${error}' is not an error ${service} returns (its api models ${known.join(', ')}${known.length === 12 ? ', ...' : ''}; every api: ${Object.keys(COMMON_ERRORS).join(', ')}; the client: ${CLIENT_SIDE_ERRORS.join(', ')})`;
}

/** The error the client hands the handler for a failed call of `service`. */
export function serviceError(service: string, name: string, operation: string, requestId: string): Error {
  const meta = (status?: number) => ({ ...(status !== undefined ? { httpStatusCode: status } : {}), requestId, attempts: 1, totalRetryDelay: 0 });
  if (name === 'TimeoutError') {
    // @smithy/node-http-handler setSocketTimeout: the request was sent, the response never came.
    return Object.assign(new Error('Connection timed out after 30000 ms'), { name: 'TimeoutError', $metadata: {} });
  }
  if (name === 'ECONNRESET') return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });
  const shape = errorShape(service, name);
  if (!shape) throw new Error(`the simulation cannot build ${service} error '${name}'`);
  const message = `simulated fault: ${name} on ${operation}`;
  if (shape.cls) return new shape.cls({ message, $metadata: meta(shape.status) });
  const Base = SDK[service].module[SDK[service].base] as new (o: Record<string, unknown>) => Error;
  return new Base({ name, $fault: shape.fault, $metadata: meta(shape.status), message });
}

/** A fault that fired: when, on what, and in which execution. */
export interface InjectedFault {
  /** Virtual minute since the scenario start (fractional). */
  readonly minute: number;
  /** What it hit, e.g. `lambda:UpdateFunctionConfiguration`, `handler finalize`, `execution sim-0001`. */
  readonly target: string;
  /** e.g. `ThrottlingException`, `applyThenFail TimeoutError`, `crash`, `abort`. */
  readonly effect: string;
  /** The execution the call or invocation belonged to (its name). */
  readonly executionId?: string;
}

interface Counter {
  matched: number;
  fired: number;
}

/** Decides which calls, invocations and executions the scenario's faults hit, and records them. */
export class FaultInjector {
  public readonly fired: InjectedFault[] = [];
  private readonly accountCounters: Counter[];
  private readonly handlerCounters: Counter[];
  private readonly executionFired: number[];

  constructor(
    private readonly start: number,
    public readonly accountFaults: readonly AccountFault[] = [],
    public readonly handlerFaults: readonly HandlerFault[] = [],
    public readonly executionFaults: readonly ExecutionFault[] = [],
  ) {
    this.accountCounters = accountFaults.map(() => ({ matched: 0, fired: 0 }));
    this.handlerCounters = handlerFaults.map(() => ({ matched: 0, fired: 0 }));
    this.executionFired = executionFaults.map(() => 0);
  }

  /**
   * The fault this attempt of `service:operation` meets, if any: each matching attempt from the
   * fault's minute on counts; the first `afterCalls` go through, the next `times` fail.
   */
  public onCall(service: string, operation: string, now: number, executionId: string | undefined, handlerId?: string): AccountFault | undefined {
    const scenarioService = scenarioServiceOf(service);
    for (const [i, f] of this.accountFaults.entries()) {
      if (f.service !== scenarioService || f.operation !== operation) continue;
      if (f.handler !== undefined && f.handler !== handlerId) continue;
      if (now < this.start + (f.fromMinute ?? 0) * 60_000) continue;
      const c = this.accountCounters[i];
      c.matched++;
      if (c.matched <= (f.afterCalls ?? 0) || c.fired >= (f.times ?? 1)) continue;
      c.fired++;
      this.fired.push({
        minute: this.minute(now),
        target: `${f.service}:${operation}${handlerId ? ` by ${handlerId}` : ''}`,
        effect: f.effect === 'applyThenFail' ? `applyThenFail ${f.error}` : f.error,
        ...(executionId ? { executionId } : {}),
      });
      return f;
    }
    return undefined;
  }

  /** The fault the next invocation of `handler` meets, if any (counted as fired when it fires). */
  public onInvocation(handler: string, now: number): { fault: HandlerFault; index: number } | undefined {
    for (const [i, f] of this.handlerFaults.entries()) {
      if (f.handler !== handler) continue;
      if (now < this.start + (f.fromMinute ?? 0) * 60_000) continue;
      const c = this.handlerCounters[i];
      if (c.fired + c.matched >= (f.times ?? 1)) continue;
      // Reserved until the invocation reaches the fault's point (it may end before).
      c.matched++;
      return { fault: f, index: i };
    }
    return undefined;
  }

  /** The invocation reached the fault's point: it dies. */
  public handlerFired(index: number, now: number, executionId: string | undefined): void {
    const f = this.handlerFaults[index];
    const c = this.handlerCounters[index];
    c.matched--;
    c.fired++;
    this.fired.push({
      minute: this.minute(now),
      target: `handler ${f.handler}`,
      effect: `${f.effect}${f.afterCalls ? ` after ${f.afterCalls} ${f.afterOperation ?? 'AWS'} call(s)` : ''}`,
      ...(executionId ? { executionId } : {}),
    });
  }

  /** The invocation ended before the fault's point: the fault stays for a later invocation. */
  public handlerMissed(index: number): void {
    this.handlerCounters[index].matched--;
  }

  /** An execution fault stopped `executionId`. */
  public executionFaultFired(index: number, now: number, executionId: string): void {
    this.executionFired[index]++;
    const f = this.executionFaults[index];
    this.fired.push({ minute: this.minute(now), target: `execution ${executionId}`, effect: f.effect, executionId });
  }

  /** Faults that fired fewer times than declared, in words (each fails the scenario). */
  public unfired(): string[] {
    const out: string[] = [];
    for (const [i, f] of this.accountFaults.entries()) {
      const c = this.accountCounters[i];
      if (c.fired < (f.times ?? 1)) out.push(`account.faults[${i}] (${f.service}:${f.operation} ${f.error}) fired ${c.fired} of ${f.times ?? 1} time(s); ${c.matched} matching call(s) seen`);
    }
    for (const [i, f] of this.handlerFaults.entries()) {
      const c = this.handlerCounters[i];
      if (c.fired < (f.times ?? 1)) out.push(`handlerFaults[${i}] (${f.handler} ${f.effect}) fired ${c.fired} of ${f.times ?? 1} time(s)`);
    }
    for (const [i, f] of this.executionFaults.entries()) {
      if (this.executionFired[i] === 0) out.push(`executionFaults[${i}] (${f.effect} at minute ${f.atMinute}) hit no running execution`);
    }
    return out;
  }

  private minute(now: number): number {
    return Math.round(((now - this.start) / 60_000) * 1000) / 1000;
  }
}
