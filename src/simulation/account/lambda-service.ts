/**
 * The simulated Lambda service: function configurations (with an environment that holds a secret,
 * as real functions do), RevisionId, `LastUpdateStatus` going InProgress -> Successful after a
 * virtual delay, versions and aliases, and the workload each function runs.
 *
 * Invoke (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) is modelled for the
 * users' own functions the workflow calls (custom analyzers): their code is a script (an answer,
 * a thrown error, a slow answer, an answer that is not JSON). Modelled: `RequestResponse`
 * (HTTP 200 whatever the code did, `FunctionError` `Unhandled` with the error object as payload,
 * a run past the function's timeout ending `Unhandled` at the timeout) and `DryRun` (204, nothing
 * runs); the 6 MB request quota (`RequestTooLargeException`), a payload that is not JSON
 * (`InvalidRequestContentException`), an unknown function or qualifier
 * (`ResourceNotFoundException`). Not modelled: `Event` invocations, `LogType: Tail`,
 * `ClientContext`, concurrency throttling, and invoking the workload functions themselves.
 */
import { createHash } from 'node:crypto';
import {
  InvalidParameterValueException,
  InvalidRequestContentException,
  PreconditionFailedException,
  RequestTooLargeException,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';
import { LambdaLogFormat } from './log-format';
import { WorkloadSpec } from './workload';

export const SIM_REGION = 'us-east-1';
export const SIM_ACCOUNT = '123456789012';

/**
 * Runs one invocation of a template function: the `Invoke` answer (Payload as JSON text), or
 * undefined when `functionRef` is no function of the template.
 */
export type HandlerInvoker = (functionRef: string, type: 'RequestResponse' | 'Event' | 'DryRun', payload: unknown)
=> Promise<{ StatusCode: number; FunctionError?: string; ExecutedVersion?: string; Payload?: string } | undefined>;

/** What `Invoke` reads. */
export interface InvokeInput {
  readonly FunctionName?: string;
  readonly InvocationType?: string;
  readonly Payload?: Uint8Array | string;
  readonly Qualifier?: string;
}

/** A call the simulation does not model. */
export class UnsupportedInvocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}

/** How a simulated function starts out. */
export interface SimFunctionSpec {
  readonly functionName: string;
  readonly runtime: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  /** @default 'x86_64' */
  readonly architecture?: string;
  /** Environment variables, including the secret that must never leave the function. */
  readonly environment?: Record<string, string>;
  /** @default 'text' */
  readonly logFormat?: LambdaLogFormat;
  readonly workload: WorkloadSpec;
  /** When traffic arrives through an alias, its name (the alias points at a published version). */
  readonly alias?: string;
  /** `$LATEST` has code the alias's version does not (an unreleased change). @default false */
  readonly latestDiffersFromAlias?: boolean;
  readonly tags?: Record<string, string>;
  /** Its custom log group (`LoggingConfig.LogGroup`). @default `/aws/lambda/<functionName>` */
  readonly logGroupName?: string;
}

interface ConfigSnapshot {
  readonly memorySize: number;
  readonly timeout: number;
  readonly runtime: string;
  readonly environment: Record<string, string>;
  /** The SHA-256 of the deployment package (base64), as `CodeSha256` reports it. */
  readonly codeSha256: string;
}

/** A deploy by someone else (an IaC run) as it happened. */
export interface DeployRecord {
  /** Virtual epoch ms. */
  readonly at: number;
  readonly functionName: string;
  readonly memorySizeMb?: number;
  readonly codeChange: boolean;
  /** The version the alias was moved to, once it was. */
  movedAliasTo?: string;
}

interface Alias {
  functionVersion: string;
  revisionId: string;
  /** `RoutingConfig.AdditionalVersionWeights`: the second version and its share (at most one entry). */
  weights: Record<string, number>;
}

/** Mutable state of one simulated function. */
export interface SimFunction {
  readonly spec: SimFunctionSpec;
  readonly arn: string;
  config: ConfigSnapshot;
  revisionId: string;
  lastModified: string;
  lastUpdateStatus: 'Successful' | 'InProgress' | 'Failed';
  /** When the in-progress update completes, epoch ms. */
  updateCompletesAt?: number;
  readonly versions: Map<string, { config: ConfigSnapshot; revisionId: string }>;
  readonly aliases: Map<string, Alias>;
  workload: WorkloadSpec;
  /** Memory sizes the function had, with the virtual time each took effect. */
  readonly memoryHistory: Array<{ at: number; memorySize: number; qualifier: string }>;
  /** A deploy waiting for its update to complete before it publishes and moves the alias. */
  pendingAliasMove?: DeployRecord;
  /** How many code packages the function has had (for distinct CodeSha256 values). */
  codeRevisions: number;
}

/** Behaviour scripted by a scenario. */
export interface LambdaServiceOptions {
  /** How long an update stays InProgress, virtual ms. @default 2000 */
  readonly updateDelayMs?: number;
  /** The first N UpdateFunctionConfiguration calls fail with ResourceConflictException. @default 0 */
  readonly conflictingUpdates?: number;
  /** Waits in virtual time (the run time of invoked code). @default - no wait */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The account the functions live in. @default SIM_ACCOUNT */
  readonly account?: string;
  /** Their region. @default SIM_REGION */
  readonly region?: string;
}

/** What the code of a user's function does when invoked. */
export interface InvokeScript {
  /**
   * `answer` (default): returns `answer`; `error`: throws `errorType`; `slow`: returns `answer`
   * after `latencyMs` (default 60,000); `invalid`: returns text that is not JSON;
   * `applyMemory`: a custom repair function (`RepairStrategy.custom`) that sets the memory its
   * event asks for (`functionName`, `toMemoryMb`) with UpdateFunctionConfiguration and returns
   * `answer`. Its own role is the user's and is not evaluated here.
   */
  readonly mode?: 'answer' | 'error' | 'slow' | 'invalid' | 'applyMemory';
  /** What the function returns (any JSON value). */
  readonly answer?: unknown;
  /** The error the code throws for `error`. @default 'Error' */
  readonly errorType?: string;
  /** Run time of one invocation, virtual ms. @default 800 (60,000 for `slow`) */
  readonly latencyMs?: number;
}

/** A successful configuration or code change of a function, for CloudTrail and AWS Config. */
export interface FunctionChange {
  readonly functionName: string;
  /** `api`: an SDK call (by the calling handler's role); `cloudformation`: a deploy. */
  readonly by: 'api' | 'cloudformation';
  /** The Lambda API operation, e.g. `UpdateFunctionConfiguration`. */
  readonly operation: 'UpdateFunctionConfiguration' | 'UpdateFunctionCode';
  /** The call's parameters as CloudTrail records them (`functionName`, `memorySize`, ...). */
  readonly requestParameters: Record<string, unknown>;
}

/** A user's function whose code is scripted (a custom analyzer). */
export interface ScriptedFunctionSpec {
  readonly functionName: string;
  /** The function's timeout, seconds (a run past it ends `Unhandled`). */
  readonly timeoutSeconds: number;
  readonly script: InvokeScript;
}

/** One invocation of a scripted function, as its code received it. */
export interface ScriptedInvocation {
  readonly at: number;
  readonly functionName: string;
  readonly qualifier?: string;
  /** The event the code received (parsed JSON). */
  readonly event: unknown;
  readonly functionError?: string;
}

export class LambdaService {
  private readonly functions = new Map<string, SimFunction>();
  private readonly scripted = new Map<string, ScriptedFunctionSpec>();
  /** Every invocation of a scripted function, in order. */
  public readonly invocations: ScriptedInvocation[] = [];
  /** Told of every successful configuration or code change (CloudTrail, AWS Config). */
  public onChange?: (change: FunctionChange, configuration: Record<string, unknown>) => void;
  private conflictsLeft: number;
  /** Runs the template's own functions (lambda-invocations.ts); undefined for a function it does not know. */
  private handlerInvoker?: HandlerInvoker;

  /** The account and region of the functions. */
  public readonly account: string;
  public readonly region: string;

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom, private readonly options: LambdaServiceOptions = {}) {
    this.account = options.account ?? SIM_ACCOUNT;
    this.region = options.region ?? SIM_REGION;
    this.conflictsLeft = options.conflictingUpdates ?? 0;
  }

  public addFunction(spec: SimFunctionSpec): SimFunction {
    const arn = `arn:aws:lambda:${this.region}:${this.account}:function:${spec.functionName}`;
    const config: ConfigSnapshot = {
      memorySize: spec.memorySizeMb,
      timeout: spec.timeoutSeconds,
      runtime: spec.runtime,
      environment: { ...(spec.environment ?? {}) },
      codeSha256: codeSha(spec.functionName, 1),
    };
    const fn: SimFunction = {
      spec,
      arn,
      config,
      revisionId: this.random.uuid(),
      lastModified: lambdaTimestamp(this.clock.now()),
      lastUpdateStatus: 'Successful',
      versions: new Map(),
      aliases: new Map(),
      workload: spec.workload,
      memoryHistory: [{ at: this.clock.now(), memorySize: spec.memorySizeMb, qualifier: '$LATEST' }],
      codeRevisions: 1,
    };
    if (spec.alias) {
      fn.versions.set('1', { config: { ...config }, revisionId: this.random.uuid() });
      fn.aliases.set(spec.alias, { functionVersion: '1', revisionId: this.random.uuid(), weights: {} });
      if (spec.latestDiffersFromAlias) {
        // Code was uploaded to $LATEST after version 1 was published (UpdateFunctionCode), and
        // nobody published it: the alias still runs version 1.
        fn.codeRevisions = 2;
        fn.config = { ...config, codeSha256: codeSha(spec.functionName, 2) };
      }
    }
    this.functions.set(spec.functionName, fn);
    return fn;
  }

  /** Let `Invoke` run the template's own functions (the workflow handlers, the coordinator). */
  public useHandlerInvoker(invoker: HandlerInvoker | undefined): void {
    this.handlerInvoker = invoker;
  }

  /**
   * `Invoke` (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) of a function of the
   * template: `RequestResponse` (default), `Event` or `DryRun`; any other type is
   * InvalidParameterValueException. The target functions run their workloads minute by minute and
   * are never invoked through the API here.
   */
  public async invoke(input: InvokeInput): Promise<Record<string, unknown>> {
    const ref = required(input.FunctionName, 'FunctionName');
    // A user's scripted function (a custom analyzer) answers from its script.
    if (this.scripted.has(parseFunctionRef(ref).name)) return this.invokeScripted(input);
    const type = input.InvocationType ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw new InvalidParameterValueException({ message: `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`, $metadata: { httpStatusCode: 400 } });
    }
    const text = input.Payload === undefined ? '{}' : typeof input.Payload === 'string' ? input.Payload : new TextDecoder().decode(input.Payload);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new InvalidRequestContentException({ message: 'Could not parse request body into json', $metadata: { httpStatusCode: 400 } });
    }
    const out = await this.handlerInvoker?.(ref, type as 'RequestResponse' | 'Event' | 'DryRun', payload);
    if (out) return { ...out, ...(out.Payload !== undefined ? { Payload: new TextEncoder().encode(String(out.Payload)) } : {}) };
    if (this.functions.has(parseFunctionRef(ref).name)) {
      throw new UnsupportedInvocationError(`the simulation does not invoke target function ${ref} through the api (its workload runs minute by minute)`);
    }
    throw notFound(`Function not found: ${ref.startsWith('arn:') ? ref : `arn:aws:lambda:${this.region}:${this.account}:function:${ref}`}`);
  }

  public all(): SimFunction[] {
    return [...this.functions.values()];
  }

  /** Add a user's function whose code is a script (it runs no workload, only answers Invoke). */
  public addScriptedFunction(spec: ScriptedFunctionSpec): void {
    if (this.functions.has(spec.functionName)) throw new Error(`function ${spec.functionName} exists already`);
    this.scripted.set(spec.functionName, spec);
  }

  /**
   * Invoke (API_Invoke.html). The payload is checked before the function runs: over 6 MB is
   * `RequestTooLargeException` (HTTP 413), text that is not JSON `InvalidRequestContentException`
   * (HTTP 400). A synchronous call answers 200 whatever the code did.
   */
  private async invokeScripted(input: {
    FunctionName?: string;
    Qualifier?: string;
    InvocationType?: string;
    Payload?: Uint8Array | string;
  }): Promise<Record<string, unknown>> {
    const ref = required(input.FunctionName, 'FunctionName');
    const { name, qualifier: refQualifier } = parseFunctionRef(ref);
    const qualifier = input.Qualifier ?? refQualifier;
    if (this.functions.has(name)) {
      throw new UnsupportedInvokeError(`the simulation does not model invoking the workload function ${name}`);
    }
    const fn = this.scripted.get(name);
    if (!fn) throw notFound(`Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${name}${qualifier ? `:${qualifier}` : ''}`);
    // A scripted function has only $LATEST: any other qualifier names nothing.
    if (qualifier !== undefined && qualifier !== '$LATEST') throw notFound(`Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${name}:${qualifier}`);
    const type = input.InvocationType ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw new InvalidParameterValueException({ message: `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`, $metadata: { httpStatusCode: 400 } });
    }
    const bytes = input.Payload === undefined ? new Uint8Array() : typeof input.Payload === 'string' ? new TextEncoder().encode(input.Payload) : input.Payload;
    if (bytes.length > 6 * 1024 * 1024) {
      throw new RequestTooLargeException({ message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation', $metadata: { httpStatusCode: 413 } });
    }
    let event: unknown = {};
    if (bytes.length > 0) {
      try {
        event = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new InvalidRequestContentException({ message: 'Could not parse request body into json: Could not parse payload into json', $metadata: { httpStatusCode: 400 } });
      }
    }
    if (type === 'DryRun') return { StatusCode: 204 };
    if (type === 'Event') throw new UnsupportedInvokeError('the simulation does not model asynchronous (Event) invocations');
    const at = this.clock.now();
    const s = fn.script;
    const latency = s.latencyMs ?? (s.mode === 'slow' ? 60_000 : 800);
    const timeoutMs = fn.timeoutSeconds * 1000;
    const requestId = this.random.uuid();
    const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
    if (latency > timeoutMs) {
      await this.options.sleep?.(timeoutMs);
      // A run past the timeout is an Unhandled error the runtime reports (Invoke: "Unhandled -
      // The runtime didn't handle the error. For example, the function ran out of memory or timed out").
      this.invocations.push({ at, functionName: name, qualifier, event, functionError: 'Unhandled' });
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        ExecutedVersion: '$LATEST',
        Payload: encode({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` }),
      };
    }
    await this.options.sleep?.(latency);
    if (s.mode === 'error') {
      const errorType = s.errorType ?? 'Error';
      this.invocations.push({ at, functionName: name, qualifier, event, functionError: 'Unhandled' });
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        ExecutedVersion: '$LATEST',
        Payload: encode({ errorType, errorMessage: `${errorType}: simulated failure of ${name}`, trace: [`${errorType}: simulated failure of ${name}`, '    at Runtime.handler (file:///var/task/index.mjs:12:11)'] }),
      };
    }
    if (s.mode === 'applyMemory') {
      const e = event as { functionName?: string; toMemoryMb?: number };
      try {
        this.updateFunctionConfiguration({ FunctionName: e.functionName, MemorySize: e.toMemoryMb });
      } catch (err) {
        // The code does not catch it: an Unhandled function error with the SDK's error.
        const errorType = (err as Error).name ?? 'Error';
        this.invocations.push({ at, functionName: name, qualifier, event, functionError: 'Unhandled' });
        return { StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST', Payload: encode({ errorType, errorMessage: (err as Error).message }) };
      }
    }
    this.invocations.push({ at, functionName: name, qualifier, event });
    const body = s.mode === 'invalid' ? 'probably memory, raise it' : s.answer ?? null;
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: s.mode === 'invalid' ? encode(String(body)) : encode(JSON.stringify(body)) };
  }

  /** The function by name, ARN or `name:qualifier`; throws ResourceNotFoundException like Lambda. */
  public get(nameOrArn: string): { fn: SimFunction; qualifier?: string } {
    const { name, qualifier } = parseFunctionRef(nameOrArn);
    const fn = this.functions.get(name);
    if (!fn) throw notFound(`Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${name}`);
    this.settle(fn);
    return { fn, qualifier };
  }

  /** The configuration invocations currently run with (the alias's version when traffic uses an alias). */
  public effectiveConfig(fn: SimFunction): ConfigSnapshot {
    this.settle(fn);
    if (fn.spec.alias) {
      const alias = fn.aliases.get(fn.spec.alias)!;
      return alias.functionVersion === '$LATEST' ? fn.config : fn.versions.get(alias.functionVersion)!.config;
    }
    return fn.config;
  }

  public getFunctionConfiguration(input: { FunctionName?: string; Qualifier?: string }): Record<string, unknown> {
    const { fn, qualifier } = this.get(required(input.FunctionName, 'FunctionName'));
    return this.describe(fn, input.Qualifier ?? qualifier);
  }

  public getFunction(input: { FunctionName?: string; Qualifier?: string }): Record<string, unknown> {
    const { fn, qualifier } = this.get(required(input.FunctionName, 'FunctionName'));
    return {
      Configuration: this.describe(fn, input.Qualifier ?? qualifier),
      Code: { RepositoryType: 'S3', Location: `https://awslambda-${this.region}-tasks.s3.${this.region}.amazonaws.com/snapshots/${this.account}/${fn.spec.functionName}` },
      Tags: { ...(fn.spec.tags ?? {}) },
    };
  }

  public listTags(input: { Resource?: string }): Record<string, unknown> {
    const { fn } = this.get(required(input.Resource, 'Resource'));
    return { Tags: { ...(fn.spec.tags ?? {}) } };
  }

  public updateFunctionConfiguration(input: {
    FunctionName?: string;
    MemorySize?: number;
    Timeout?: number;
    RevisionId?: string;
  }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    if (this.conflictsLeft > 0) {
      this.conflictsLeft--;
      throw new ResourceConflictException({
        message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    if (fn.lastUpdateStatus === 'InProgress') {
      throw new ResourceConflictException({
        message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    if (input.RevisionId !== undefined && input.RevisionId !== fn.revisionId) {
      throw new PreconditionFailedException({
        message: 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
        $metadata: { httpStatusCode: 412 },
      });
    }
    if (input.MemorySize !== undefined && (!Number.isInteger(input.MemorySize) || input.MemorySize < 128 || input.MemorySize > 10240)) {
      throw new InvalidParameterValueException({
        message: `1 validation error detected: Value '${input.MemorySize}' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    fn.config = {
      ...fn.config,
      memorySize: input.MemorySize ?? fn.config.memorySize,
      timeout: input.Timeout ?? fn.config.timeout,
    };
    fn.revisionId = this.random.uuid();
    fn.lastModified = lambdaTimestamp(this.clock.now());
    fn.lastUpdateStatus = 'InProgress';
    fn.updateCompletesAt = this.clock.now() + (this.options.updateDelayMs ?? 2000);
    const out = this.describe(fn, undefined);
    this.onChange?.({
      functionName: fn.spec.functionName,
      by: 'api',
      operation: 'UpdateFunctionConfiguration',
      requestParameters: {
        functionName: input.FunctionName,
        ...(input.MemorySize !== undefined ? { memorySize: input.MemorySize } : {}),
        ...(input.Timeout !== undefined ? { timeout: input.Timeout } : {}),
        ...(input.RevisionId !== undefined ? { revisionId: input.RevisionId } : {}),
      },
    }, out);
    return out;
  }

  /**
   * https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html: "Lambda doesn't publish
   * a version if the function's configuration and code haven't changed since the last version"
   * (the last version is returned); `RevisionId` and `CodeSha256` make the publish conditional on
   * the `$LATEST` that was read.
   */
  public publishVersion(input: { FunctionName?: string; RevisionId?: string; CodeSha256?: string; Description?: string }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    if (fn.lastUpdateStatus === 'InProgress') {
      throw new ResourceConflictException({ message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, $metadata: { httpStatusCode: 409 } });
    }
    if (input.RevisionId !== undefined && input.RevisionId !== fn.revisionId) {
      throw new PreconditionFailedException({ message: 'The Revision Id provided does not match the latest Revision Id.', $metadata: { httpStatusCode: 412 } });
    }
    if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.config.codeSha256) {
      throw new InvalidParameterValueException({
        message: `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.config.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    return this.describe(fn, this.publish(fn));
  }

  /** Publish `$LATEST` as a version (or return the last version when nothing changed since). */
  private publish(fn: SimFunction): string {
    const last = String(Math.max(0, ...[...fn.versions.keys()].map(Number)));
    if (fn.versions.has(last) && JSON.stringify(fn.versions.get(last)!.config) === JSON.stringify(fn.config)) return last;
    const next = String(Number(last) + 1);
    fn.versions.set(next, { config: { ...fn.config }, revisionId: this.random.uuid() });
    return next;
  }

  /**
   * A deploy by someone else (CloudFormation updating the function from its template): the new
   * memory size and/or code go to `$LATEST` (new RevisionId, LastUpdateStatus InProgress, then
   * Successful); with `moveAlias`, once the update is complete, a version is published and the
   * alias moved to it. CloudFormation waits for an update in progress, so the deploy does too.
   */
  public deploy(change: { functionName: string; memorySizeMb?: number; codeChange?: boolean; moveAlias?: boolean }): DeployRecord | undefined {
    const fn = this.functions.get(change.functionName);
    if (!fn) throw notFound(`Function not found: arn:aws:lambda:${this.region}:${this.account}:function:${change.functionName}`);
    this.settle(fn);
    if (fn.lastUpdateStatus === 'InProgress') return undefined;
    if (change.codeChange) fn.codeRevisions++;
    fn.config = {
      ...fn.config,
      memorySize: change.memorySizeMb ?? fn.config.memorySize,
      codeSha256: change.codeChange ? codeSha(fn.spec.functionName, fn.codeRevisions) : fn.config.codeSha256,
    };
    fn.revisionId = this.random.uuid();
    fn.lastModified = lambdaTimestamp(this.clock.now());
    fn.lastUpdateStatus = 'InProgress';
    fn.updateCompletesAt = this.clock.now() + (this.options.updateDelayMs ?? 2000);
    const record: DeployRecord = {
      at: this.clock.now(),
      functionName: fn.spec.functionName,
      memorySizeMb: change.memorySizeMb,
      codeChange: !!change.codeChange,
    };
    if (change.moveAlias) fn.pendingAliasMove = record;
    // CloudFormation updates the code and the configuration with the two Lambda APIs.
    const now = this.describe(fn, undefined);
    if (change.codeChange) {
      this.onChange?.({ functionName: fn.spec.functionName, by: 'cloudformation', operation: 'UpdateFunctionCode', requestParameters: { functionName: fn.spec.functionName } }, now);
    }
    if (change.memorySizeMb !== undefined) {
      this.onChange?.({
        functionName: fn.spec.functionName,
        by: 'cloudformation',
        operation: 'UpdateFunctionConfiguration',
        requestParameters: { functionName: fn.spec.functionName, memorySize: change.memorySizeMb },
      }, now);
    }
    return record;
  }

  /** The CodeSha256 of the version `alias` points at (undefined without that alias). */
  public aliasCodeSha(functionName: string, alias: string): string | undefined {
    const fn = this.functions.get(functionName);
    const a = fn?.aliases.get(alias);
    if (!fn || !a) return undefined;
    return a.functionVersion === '$LATEST' ? fn.config.codeSha256 : fn.versions.get(a.functionVersion)?.config.codeSha256;
  }

  public getAlias(input: { FunctionName?: string; Name?: string }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    const name = required(input.Name, 'Name');
    const alias = fn.aliases.get(name);
    if (!alias) throw notFound(`Alias not found: ${fn.arn}:${name}`);
    return {
      AliasArn: `${fn.arn}:${name}`,
      Name: name,
      FunctionVersion: alias.functionVersion,
      RevisionId: alias.revisionId,
      // GetAlias returns RoutingConfig only for an alias with weighted routing.
      ...(Object.keys(alias.weights).length ? { RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } } } : {}),
    };
  }

  /**
   * The versions an alias's invocations run and the share of each: the alias's version gets
   * what the additional version's weight leaves
   * (https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html).
   */
  public aliasRoutes(fn: SimFunction, aliasName: string): Array<{ version: string; share: number; config: ConfigSnapshot }> {
    this.settle(fn);
    const alias = fn.aliases.get(aliasName);
    if (!alias) return [];
    const configOf = (v: string) => (v === '$LATEST' ? fn.config : fn.versions.get(v)!.config);
    const extra = Object.entries(alias.weights).filter(([, w]) => w > 0);
    const rest = 1 - extra.reduce((a, [, w]) => a + w, 0);
    return [
      { version: alias.functionVersion, share: rest, config: configOf(alias.functionVersion) },
      ...extra.map(([version, share]) => ({ version, share, config: configOf(version) })),
    ];
  }

  public listAliases(input: { FunctionName?: string }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    return { Aliases: [...fn.aliases.keys()].map((name) => this.getAlias({ FunctionName: fn.spec.functionName, Name: name })) };
  }

  /**
   * UpdateAlias (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html), with
   * `RoutingConfig` as Lambda checks it: `AdditionalVersionWeights` maps a version number
   * (pattern `[0-9]+`) to a weight from 0.0 to 1.0 (API_AliasRoutingConfiguration.html); "you can
   * point an alias to a maximum of two Lambda function versions", both published, so an alias
   * with routing cannot point at `$LATEST` (configuring-alias-routing.html). An empty map clears
   * the routing; without `RoutingConfig` the routing stays as it was.
   */
  public updateAlias(input: {
    FunctionName?: string;
    Name?: string;
    FunctionVersion?: string;
    RevisionId?: string;
    RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    const name = required(input.Name, 'Name');
    const alias = fn.aliases.get(name);
    if (!alias) throw notFound(`Alias not found: ${fn.arn}:${name}`);
    if (input.RevisionId !== undefined && input.RevisionId !== alias.revisionId) {
      throw new PreconditionFailedException({ message: 'The Revision Id provided does not match the latest Revision Id.', $metadata: { httpStatusCode: 412 } });
    }
    const primary = input.FunctionVersion ?? alias.functionVersion;
    if (input.FunctionVersion !== undefined && input.FunctionVersion !== '$LATEST' && !fn.versions.has(input.FunctionVersion)) {
      throw notFound(`Function not found: ${fn.arn}:${input.FunctionVersion}`);
    }
    const weights = input.RoutingConfig ? { ...(input.RoutingConfig.AdditionalVersionWeights ?? {}) } : alias.weights;
    const invalid = (message: string) => new InvalidParameterValueException({ message, $metadata: { httpStatusCode: 400 } });
    const entries = Object.entries(weights);
    if (entries.length > 1) throw invalid(`Number of items in AdditionalVersionWeights exceeds the limit of 1, got ${entries.length}`);
    for (const [v, w] of entries) {
      if (!/^[0-9]+$/.test(v)) throw invalid(`1 validation error detected: Value '${v}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]`);
      if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw invalid(`1 validation error detected: Value '${w}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must be between 0.0 and 1.0`);
      if (!fn.versions.has(v)) throw notFound(`Function not found: ${fn.arn}:${v}`);
      if (v === primary) throw invalid(`Invalid function version ${v}. Function version ${v} is already included in routing configuration.`);
      if (primary === '$LATEST') throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    const changed = primary !== alias.functionVersion || JSON.stringify(weights) !== JSON.stringify(alias.weights);
    alias.functionVersion = primary;
    alias.weights = weights;
    if (changed || input.FunctionVersion !== undefined) {
      alias.revisionId = this.random.uuid();
      fn.memoryHistory.push({ at: this.clock.now(), memorySize: this.effectiveConfig(fn).memorySize, qualifier: name });
    }
    return this.getAlias({ FunctionName: fn.spec.functionName, Name: name });
  }

  public listVersionsByFunction(input: { FunctionName?: string }): Record<string, unknown> {
    const { fn } = this.get(required(input.FunctionName, 'FunctionName'));
    return { Versions: [this.describe(fn, undefined), ...[...fn.versions.keys()].map((v) => this.describe(fn, v))] };
  }

  /** Complete an in-progress update whose virtual delay has passed. */
  private settle(fn: SimFunction): void {
    if (fn.lastUpdateStatus === 'InProgress' && fn.updateCompletesAt !== undefined && this.clock.now() >= fn.updateCompletesAt) {
      fn.lastUpdateStatus = 'Successful';
      fn.updateCompletesAt = undefined;
      if (!fn.spec.alias) fn.memoryHistory.push({ at: this.clock.now(), memorySize: fn.config.memorySize, qualifier: '$LATEST' });
      const deploy = fn.pendingAliasMove;
      if (deploy && fn.spec.alias) {
        fn.pendingAliasMove = undefined;
        const version = this.publish(fn);
        const alias = fn.aliases.get(fn.spec.alias)!;
        alias.functionVersion = version;
        // The template's alias has no routing: the deploy leaves none.
        alias.weights = {};
        alias.revisionId = this.random.uuid();
        deploy.movedAliasTo = version;
        fn.memoryHistory.push({ at: this.clock.now(), memorySize: fn.versions.get(version)!.config.memorySize, qualifier: fn.spec.alias });
      }
    }
  }

  private describe(fn: SimFunction, qualifier: string | undefined): Record<string, unknown> {
    let version = '$LATEST';
    let config = fn.config;
    let revisionId = fn.revisionId;
    if (qualifier && qualifier !== '$LATEST') {
      const alias = fn.aliases.get(qualifier);
      version = alias ? alias.functionVersion : qualifier;
      if (version !== '$LATEST') {
        const v = fn.versions.get(version);
        if (!v) throw notFound(`Function not found: ${fn.arn}:${qualifier}`);
        config = v.config;
        revisionId = v.revisionId;
      }
    }
    const logGroup = fn.spec.logGroupName ?? `/aws/lambda/${fn.spec.functionName}`;
    return {
      FunctionName: fn.spec.functionName,
      FunctionArn: qualifier ? `${fn.arn}:${qualifier}` : fn.arn,
      Runtime: config.runtime,
      Role: `arn:aws:iam::${this.account}:role/${fn.spec.functionName}-role`,
      Handler: 'index.handler',
      CodeSize: 48213,
      Description: '',
      Timeout: config.timeout,
      MemorySize: config.memorySize,
      LastModified: fn.lastModified,
      CodeSha256: config.codeSha256,
      Version: version,
      Environment: { Variables: { ...config.environment } },
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: revisionId,
      State: 'Active',
      LastUpdateStatus: version === '$LATEST' ? fn.lastUpdateStatus : 'Successful',
      PackageType: 'Zip',
      Architectures: [fn.spec.architecture ?? 'x86_64'],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: (fn.spec.logFormat ?? 'text') === 'json' ? 'JSON' : 'Text', LogGroup: logGroup },
    };
  }
}

/** Split a FunctionName parameter (name, `name:qualifier`, full or partial ARN). */
export function parseFunctionRef(ref: string): { name: string; qualifier?: string } {
  const parts = ref.split(':');
  if (ref.startsWith('arn:')) {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    return { name: parts[6], qualifier: parts[7] };
  }
  if (parts.length >= 3 && parts[1] === 'function') return { name: parts[2], qualifier: parts[3] }; // account:function:name
  return { name: parts[0], qualifier: parts[1] };
}

/** A stable, distinct CodeSha256 (base64 SHA-256) per function and code package. */
function codeSha(functionName: string, revision: number): string {
  return createHash('sha256').update(`${functionName}#code#${revision}`).digest('base64');
}

/** Lambda's LastModified format, e.g. `2026-11-28T12:00:00.000+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** An invocation the simulation does not model (a limit of the model, not an AWS error). */
export class UnsupportedInvokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new InvalidParameterValueException({ message: `${name} is required`, $metadata: { httpStatusCode: 400 } });
  return value;
}
