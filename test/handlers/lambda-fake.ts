/**
 * A small stateful Lambda for the repair and rollback tests: `$LATEST` with RevisionId and
 * LastUpdateStatus, published versions, aliases with their own RevisionId, and scripted faults.
 * It follows the documented behaviour the handlers rely on:
 * - UpdateFunctionConfiguration changes `$LATEST` only, gives it a new RevisionId, is conditional
 *   on `RevisionId` (PreconditionFailedException) and refused while an update is in progress
 *   (ResourceConflictException); LastUpdateStatus is InProgress for a few reads, then Successful.
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 * - PublishVersion is conditional on RevisionId and CodeSha256, and returns the latest version
 *   when `$LATEST` has not changed since it was published. Versions are immutable.
 *   https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
 * - UpdateAlias is conditional on the alias's RevisionId; `RoutingConfig.AdditionalVersionWeights`
 *   routes a share of the alias's traffic to a second published version (`{}` clears it; without
 *   RoutingConfig it stays as it was).
 *   https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html
 */
import {
  GetAliasCommand, GetFunctionConfigurationCommand, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { AwsStub } from 'aws-sdk-client-mock';
import { awsError, SECRET } from './support';

/** The fields of a configuration the fake keeps (values of the environment included, as Lambda does). */
export interface FakeConfig {
  MemorySize: number;
  RevisionId: string;
  CodeSha256: string;
  Handler: string;
  Runtime: string;
  Timeout: number;
  Architectures: string[];
  Environment: { Variables: Record<string, string> };
  Layers?: Array<{ Arn: string }>;
}

/** A fault for the next call of an operation. */
export type Fault =
  /** The call takes effect, then its response is lost (the caller sees a network timeout). */
  | 'apply-then-lose-response'
  /** The call takes effect, and the SDK's own retry of it then meets PreconditionFailed. */
  | 'apply-then-precondition-failed'
  /** The call fails with this error and changes nothing. */
  | Error;

type Op = 'update' | 'publish' | 'updateAlias';

export class FakeLambda {
  public latest: FakeConfig;
  public lastUpdateStatus: 'Successful' | 'InProgress' | 'Failed' = 'Successful';
  /** Reads that still show InProgress after an update. */
  public inProgressReads = 2;
  /** How the next updates end: Failed keeps the previous configuration, as Lambda does. */
  public updateOutcome: 'Successful' | 'Failed' = 'Successful';
  private beforeUpdate?: FakeConfig;
  public readonly versions = new Map<string, FakeConfig>();
  public readonly aliases = new Map<string, { FunctionVersion: string; RevisionId: string; Weights?: Record<string, number> }>();
  public readonly faults: Record<Op, Fault[]> = { update: [], publish: [], updateAlias: [] };
  /** Memory sizes `$LATEST` had, in order. */
  public readonly memoryHistory: number[];
  private pendingReads = 0;
  private revisions = 1;
  private publishedRevision?: string;

  constructor(public readonly functionName: string, memorySize: number, overrides: Partial<FakeConfig> = {}) {
    this.latest = {
      MemorySize: memorySize,
      RevisionId: 'rev-1',
      CodeSha256: 'sha-code-1',
      Handler: 'index.handler',
      Runtime: 'nodejs20.x',
      Timeout: 30,
      Architectures: ['x86_64'],
      Environment: { Variables: { STRIPE_KEY: SECRET, DB_PASSWORD: SECRET } },
      ...overrides,
    };
    this.memoryHistory = [memorySize];
  }

  /** Publish the current `$LATEST` as version `n` and point `alias` at it (the state before an incident). */
  withAlias(alias: string, version = '7'): this {
    this.versions.set(version, { ...this.latest, RevisionId: `vrev-${version}` });
    this.aliases.set(alias, { FunctionVersion: version, RevisionId: 'alias-rev-1' });
    this.publishedRevision = this.latest.RevisionId;
    return this;
  }

  /** Someone else (an IaC deploy) changes `$LATEST`. */
  deploy(change: Partial<Pick<FakeConfig, 'MemorySize' | 'CodeSha256' | 'Handler'>>): void {
    this.latest = { ...this.latest, ...change, RevisionId: this.nextRevision() };
    if (change.MemorySize !== undefined) this.memoryHistory.push(change.MemorySize);
  }

  /** Route the Lambda client mock to this fake. */
  install(mock: AwsStub<any, any, any>): void {
    mock.on(GetFunctionConfigurationCommand).callsFake(async (i) => this.getFunctionConfiguration(i));
    mock.on(UpdateFunctionConfigurationCommand).callsFake(async (i) => this.updateFunctionConfiguration(i));
    mock.on(PublishVersionCommand).callsFake(async (i) => this.publishVersion(i));
    mock.on(GetAliasCommand).callsFake(async (i) => this.getAlias(i));
    mock.on(UpdateAliasCommand).callsFake(async (i) => this.updateAlias(i));
  }

  getFunctionConfiguration(input: { FunctionName?: string; Qualifier?: string }): Record<string, unknown> {
    const q = input.Qualifier;
    if (q && q !== '$LATEST') {
      const version = this.aliases.get(q)?.FunctionVersion ?? q;
      const v = this.versions.get(version);
      if (!v) throw awsError('ResourceNotFoundException', `Function not found: ${this.functionName}:${q}`, 404);
      return this.describe(v, version, 'Successful');
    }
    let status = this.lastUpdateStatus;
    if (status === 'InProgress') {
      if (this.pendingReads > 0) {
        this.pendingReads--;
      } else if (this.updateOutcome === 'Failed') {
        status = this.lastUpdateStatus = 'Failed';
        this.latest = { ...this.beforeUpdate!, RevisionId: this.latest.RevisionId };
        this.memoryHistory.push(this.latest.MemorySize);
      } else {
        status = this.lastUpdateStatus = 'Successful';
      }
    }
    return this.describe(this.latest, '$LATEST', status);
  }

  updateFunctionConfiguration(input: { MemorySize?: number; RevisionId?: string }): Record<string, unknown> {
    const fault = this.faults.update.shift();
    if (fault instanceof Error) throw fault;
    if (this.lastUpdateStatus === 'InProgress' && this.pendingReads > 0) {
      throw awsError('ResourceConflictException', 'The operation cannot be performed at this time. An update is in progress', 409);
    }
    if (input.RevisionId !== undefined && input.RevisionId !== this.latest.RevisionId) {
      throw awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412);
    }
    this.beforeUpdate = this.latest;
    this.latest = { ...this.latest, MemorySize: input.MemorySize ?? this.latest.MemorySize, RevisionId: this.nextRevision() };
    this.memoryHistory.push(this.latest.MemorySize);
    this.lastUpdateStatus = 'InProgress';
    this.pendingReads = this.inProgressReads;
    if (fault === 'apply-then-lose-response') throw awsError('TimeoutError', 'socket hang up', 0);
    if (fault === 'apply-then-precondition-failed') {
      throw awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412);
    }
    return this.describe(this.latest, '$LATEST', 'InProgress');
  }

  publishVersion(input: { RevisionId?: string; CodeSha256?: string }): Record<string, unknown> {
    const fault = this.faults.publish.shift();
    if (fault instanceof Error) throw fault;
    if (this.lastUpdateStatus === 'InProgress' && this.pendingReads > 0) throw awsError('ResourceConflictException', 'update in progress', 409);
    const revisionChanged = input.RevisionId !== undefined && input.RevisionId !== this.latest.RevisionId;
    if (revisionChanged || (input.CodeSha256 !== undefined && input.CodeSha256 !== this.latest.CodeSha256)) {
      throw awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412);
    }
    const existing = Math.max(0, ...[...this.versions.keys()].map(Number));
    const version = this.publishedRevision === this.latest.RevisionId ? String(existing) : String(existing + 1);
    if (!this.versions.has(version)) this.versions.set(version, { ...this.latest, RevisionId: `vrev-${version}` });
    this.publishedRevision = this.latest.RevisionId;
    if (fault === 'apply-then-lose-response') throw awsError('TimeoutError', 'socket hang up', 0);
    return { ...this.describe(this.versions.get(version)!, version, 'Successful') };
  }

  getAlias(input: { Name?: string }): Record<string, unknown> {
    const a = this.aliases.get(input.Name!);
    if (!a) throw awsError('ResourceNotFoundException', `Alias not found: ${input.Name}`, 404);
    return {
      Name: input.Name,
      FunctionVersion: a.FunctionVersion,
      RevisionId: a.RevisionId,
      ...(a.Weights && Object.keys(a.Weights).length ? { RoutingConfig: { AdditionalVersionWeights: { ...a.Weights } } } : {}),
    };
  }

  updateAlias(input: {
    Name?: string; FunctionVersion?: string; RevisionId?: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  }): Record<string, unknown> {
    const fault = this.faults.updateAlias.shift();
    if (fault instanceof Error) throw fault;
    const a = this.aliases.get(input.Name!);
    if (!a) throw awsError('ResourceNotFoundException', `Alias not found: ${input.Name}`, 404);
    if (input.RevisionId !== undefined && input.RevisionId !== a.RevisionId) {
      throw awsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412);
    }
    if (!this.versions.has(input.FunctionVersion!)) throw awsError('ResourceNotFoundException', `version ${input.FunctionVersion}`, 404);
    for (const v of Object.keys(input.RoutingConfig?.AdditionalVersionWeights ?? {})) {
      if (!this.versions.has(v)) throw awsError('ResourceNotFoundException', `version ${v}`, 404);
    }
    a.FunctionVersion = input.FunctionVersion!;
    if (input.RoutingConfig) a.Weights = { ...(input.RoutingConfig.AdditionalVersionWeights ?? {}) };
    a.RevisionId = `alias-rev-${this.nextRevision()}`;
    if (fault === 'apply-then-lose-response') throw awsError('TimeoutError', 'socket hang up', 0);
    return this.getAlias(input);
  }

  private nextRevision(): string {
    return `rev-${++this.revisions}`;
  }

  private describe(c: FakeConfig, version: string, status: string): Record<string, unknown> {
    return {
      FunctionName: this.functionName,
      FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${this.functionName}${version === '$LATEST' ? '' : `:${version}`}`,
      ...c,
      Version: version,
      State: 'Active',
      LastUpdateStatus: status,
      PackageType: 'Zip',
      LoggingConfig: { LogGroup: `/aws/lambda/${this.functionName}`, LogFormat: 'Text' },
    };
  }
}
