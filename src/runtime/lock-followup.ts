/**
 * What keeps the per-function lock from being held silently, and alarms from being lost while it
 * is held. Same table as the lock (`store.ts`), items keyed by the contract:
 *
 * - the intake record (`EXECUTION#<id>` / `INTAKE`): which function's lock an execution is about to
 *   take, written before the lock, so the cleanup after a failed, timed-out or aborted execution
 *   finds the lock from the execution id alone;
 * - pending alarms on the lock item (a string set): alarms that arrived while it was held;
 * - the re-examination record (`EXECUTION#<id>` / `REEXAMINE`): the pending alarms copied off the
 *   lock before it is released, until the re-examination execution has been started;
 * - the cleanup record (`EXECUTION#<id>` / `CLEANUP`): the cleanup handler's idempotency marker.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { client } from './clients';
import { ServiceUnavailableError, toNamedError } from './errors';
import { executionName, intakeInput, startExecutionOnce } from './executions';
import { logger } from './powertools';
import './store'; // registers the DynamoDB client
import { currentRemote, TargetEnv } from './target-account';
import {
  executionCleanupKey,
  executionIntakeKey,
  functionPk,
  LOCK_PENDING_ATTRIBUTE,
  lockKey,
  Outcome,
  outcomeOf,
  PendingAlarm,
  RECORD_SORT_KEY_PREFIX,
  REEXAMINE_DETAIL_TYPE,
  ReexamineDetail,
  TABLE_TTL_ATTRIBUTE,
} from '../workflow/contract';

/** Most alarms remembered on one lock (one per alarm and contributor; a function has a handful). */
const MAX_PENDING = 20;
/** Attempts at releasing while alarms keep arriving. */
const RELEASE_ATTEMPTS = 5;

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Key of the re-examination record of the execution that held a lock. */
export function executionReexamineKey(executionId: string): { pk: string; sk: string } {
  return { pk: `EXECUTION#${executionId}`, sk: 'REEXAMINE' };
}

/** The lock item as the follow-up needs it. */
export interface LockState {
  readonly owner: string;
  readonly expiresAt?: number;
  readonly pending: PendingAlarm[];
}

/** The re-examination an execution promised when it released its lock. */
export interface ReexamineRecord {
  readonly functionName: string;
  readonly alarms: PendingAlarm[];
  readonly previousOutcome?: Outcome;
  /** Name of the re-examination execution, once started. */
  readonly startedAs?: string;
}

/** What the cleanup handler has done for one execution. */
export interface CleanupRecord {
  readonly functionName: string;
  readonly status: string;
  readonly releasedAt: string;
  readonly notified: boolean;
}

/** A repair record as the cleanup needs it. */
export interface RepairRecordView {
  readonly originalMemory?: number;
  readonly newMemory?: number;
  readonly status?: string;
}

/** The pending alarm's set element: JSON with a fixed key order, so equal alarms are equal strings. */
export function pendingElement(a: PendingAlarm): string {
  return JSON.stringify({ alarmName: a.alarmName, ...(a.contributorId ? { contributorId: a.contributorId } : {}) });
}

function parsePending(values: unknown): PendingAlarm[] {
  const list = values instanceof Set ? [...values] : Array.isArray(values) ? values : [];
  const out: PendingAlarm[] = [];
  for (const v of list) {
    try {
      const p = JSON.parse(String(v)) as PendingAlarm;
      if (typeof p.alarmName === 'string') out.push({ alarmName: p.alarmName, ...(typeof p.contributorId === 'string' ? { contributorId: p.contributorId } : {}) });
    } catch {
      // not ours: skip
    }
  }
  // Sorted so the re-examination's input (and so its execution name) is the same on every attempt.
  return out.sort((a, b) => pendingElement(a).localeCompare(pendingElement(b)));
}

/** The lock's companion items in one table. */
export class LockFollowUp {
  constructor(private readonly tableName: string) {}

  /**
   * Note which function's lock `executionId` is about to take (before taking it). On a hub, a
   * spoke's function is noted with its account and region: its lock is keyed by them, and the
   * cleanup must find that lock without the alarm event.
   */
  async recordIntake(executionId: string, functionName: string, at: Date, ttlSeconds: number): Promise<void> {
    const remote = currentRemote();
    await this.put({
      ...executionIntakeKey(executionId),
      recordType: 'INTAKE',
      executionId,
      functionName,
      ...(remote ? { account: remote.account, region: remote.region } : {}),
      at: at.toISOString(),
      [TABLE_TTL_ATTRIBUTE]: Math.floor(at.getTime() / 1000) + ttlSeconds,
    }, `intake record of ${executionId}`);
  }

  /** The function whose lock `executionId` took (or tried to take). */
  async intakeOf(executionId: string): Promise<string | undefined> {
    return (await this.intakeTargetOf(executionId))?.functionName;
  }

  /** The function whose lock `executionId` took (or tried to take), and the spoke it lives in (none: the hub's own, or no hub). */
  async intakeTargetOf(executionId: string): Promise<{ functionName: string; target?: TargetEnv } | undefined> {
    const item = await this.get(executionIntakeKey(executionId), `intake record of ${executionId}`);
    if (typeof item?.functionName !== 'string') return undefined;
    const target = typeof item.account === 'string' && typeof item.region === 'string' ? { account: item.account, region: item.region } : undefined;
    return { functionName: item.functionName, ...(target ? { target } : {}) };
  }

  /** The lock of `functionName`, or undefined when none. */
  async lockOf(functionName: string): Promise<LockState | undefined> {
    const item = await this.get(lockKey(functionName), `lock for ${functionName}`);
    if (!item) return undefined;
    return {
      owner: String(item.owner ?? ''),
      ...(typeof item[TABLE_TTL_ATTRIBUTE] === 'number' ? { expiresAt: item[TABLE_TTL_ATTRIBUTE] as number } : {}),
      pending: parsePending(item[LOCK_PENDING_ATTRIBUTE]),
    };
  }

  /**
   * Remember on the lock that `alarm` arrived while it was held. False when there is no lock any
   * more (it was released meanwhile: the caller can take it itself).
   */
  async recordPendingAlarm(functionName: string, alarm: PendingAlarm): Promise<boolean> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: lockKey(functionName),
        UpdateExpression: 'ADD #p :alarm',
        // Only onto a lock that still exists: an UpdateItem would otherwise create a lock-less item.
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#p) OR size(#p) < :max)',
        ExpressionAttributeNames: { '#p': LOCK_PENDING_ATTRIBUTE },
        ExpressionAttributeValues: { ':alarm': new Set([pendingElement(alarm)]), ':max': MAX_PENDING },
      }));
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw toNamedError(err, `dynamodb:UpdateItem pending alarm on the lock for ${functionName}`);
      // Full (the holder re-examines the function anyway) or gone (the caller may take it).
      return (await this.lockOf(functionName)) !== undefined;
    }
  }

  /**
   * Delete the lock if `owner` holds it and no alarm was added since `pendingSeen` were read.
   * `CHANGED`: an alarm arrived in between (read again, so it is not lost).
   */
  async releaseIfUnchanged(functionName: string, owner: string, pendingSeen: number): Promise<'RELEASED' | 'NOT_OWNER' | 'CHANGED'> {
    try {
      await client('dynamo').send(new DeleteCommand({
        TableName: this.tableName,
        Key: lockKey(functionName),
        // The set is only ever added to, so an unchanged size is an unchanged set.
        ConditionExpression: pendingSeen === 0
          ? '#owner = :owner AND attribute_not_exists(#p)'
          : '#owner = :owner AND size(#p) = :n',
        ExpressionAttributeNames: { '#owner': 'owner', '#p': LOCK_PENDING_ATTRIBUTE },
        ExpressionAttributeValues: { ':owner': owner, ...(pendingSeen === 0 ? {} : { ':n': pendingSeen }) },
      }));
      return 'RELEASED';
    } catch (err) {
      if (!isConditionFailure(err)) throw toNamedError(err, `dynamodb:DeleteItem lock for ${functionName}`);
      const now = await this.lockOf(functionName);
      return now && now.owner === owner ? 'CHANGED' : 'NOT_OWNER';
    }
  }

  /** Copy the pending alarms off the lock before releasing it (kept until the re-examination started). */
  async putReexamine(executionId: string, functionName: string, alarms: PendingAlarm[], at: Date, previousOutcome?: Outcome): Promise<void> {
    await this.put({
      ...executionReexamineKey(executionId),
      recordType: 'REEXAMINE',
      executionId,
      functionName,
      alarms,
      ...(previousOutcome ? { previousOutcome } : {}),
      at: at.toISOString(),
      [TABLE_TTL_ATTRIBUTE]: Math.floor(at.getTime() / 1000) + 7 * 86400,
    }, `re-examination record of ${executionId}`);
  }

  /** The re-examination promised by `executionId`, if any. */
  async reexamineOf(executionId: string): Promise<ReexamineRecord | undefined> {
    const item = await this.get(executionReexamineKey(executionId), `re-examination record of ${executionId}`);
    if (!item || typeof item.functionName !== 'string') return undefined;
    const outcome = outcomeOf(item.previousOutcome);
    return {
      functionName: item.functionName,
      alarms: parsePending((Array.isArray(item.alarms) ? item.alarms : []).map((a) => JSON.stringify(a))),
      ...(outcome ? { previousOutcome: outcome } : {}),
      ...(typeof item.startedAs === 'string' ? { startedAs: item.startedAs } : {}),
    };
  }

  /** Note that the re-examination of `executionId` was started as `name`. */
  async markReexamineStarted(executionId: string, name: string): Promise<void> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: executionReexamineKey(executionId),
        UpdateExpression: 'SET startedAs = :name',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':name': name },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw toNamedError(err, `dynamodb:UpdateItem re-examination record of ${executionId}`);
    }
  }

  /** The cleanup record of `executionId`. */
  async cleanupOf(executionId: string): Promise<CleanupRecord | undefined> {
    const item = await this.get(executionCleanupKey(executionId), `cleanup record of ${executionId}`);
    if (!item) return undefined;
    return {
      functionName: String(item.functionName ?? ''),
      status: String(item.status ?? ''),
      releasedAt: String(item.releasedAt ?? ''),
      notified: item.notified === true,
    };
  }

  /** Write the cleanup record (before releasing, so a retry still notifies). */
  async putCleanup(executionId: string, record: CleanupRecord, at: Date): Promise<void> {
    await this.put({
      ...executionCleanupKey(executionId),
      recordType: 'CLEANUP',
      executionId,
      ...record,
      [TABLE_TTL_ATTRIBUTE]: Math.floor(at.getTime() / 1000) + 30 * 86400,
    }, `cleanup record of ${executionId}`);
  }

  /** Note that the cleanup of `executionId` has notified. */
  async markCleanupNotified(executionId: string): Promise<void> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: executionCleanupKey(executionId),
        UpdateExpression: 'SET notified = :t',
        ExpressionAttributeValues: { ':t': true },
      }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:UpdateItem cleanup record of ${executionId}`);
    }
  }

  /** The newest repair record `executionId` wrote for `functionName`, if any. */
  async repairRecordOf(functionName: string, executionId: string): Promise<RepairRecordView | undefined> {
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      let out;
      try {
        out = await client('dynamo').send(new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'executionId = :id',
          ExpressionAttributeValues: { ':pk': functionPk(functionName), ':prefix': RECORD_SORT_KEY_PREFIX.REPAIR, ':id': executionId },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }));
      } catch (err) {
        throw toNamedError(err, `dynamodb:Query repair records of ${functionName}`);
      }
      const item = out.Items?.[0];
      if (item) {
        return {
          ...(typeof item.originalMemory === 'number' ? { originalMemory: item.originalMemory } : {}),
          ...(typeof item.newMemory === 'number' ? { newMemory: item.newMemory } : {}),
          ...(typeof item.status === 'string' ? { status: item.status } : {}),
        };
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && ++pages < 20);
    return undefined;
  }

  private async put(item: Record<string, unknown>, what: string): Promise<void> {
    try {
      await client('dynamo').send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:PutItem ${what}`);
    }
  }

  private async get(key: { pk: string; sk: string }, what: string): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await client('dynamo').send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return out.Item;
    } catch (err) {
      throw toNamedError(err, `dynamodb:GetItem ${what}`);
    }
  }
}

/** What releasing did. */
export interface ReleaseResult {
  /** True when this call deleted the lock (false: it was not held by `owner` any more). */
  readonly released: boolean;
  /** Name of the re-examination execution, when alarms were waiting on the lock. */
  readonly reexamination?: string;
}

/**
 * Release `owner`'s lock on `functionName`; when alarms arrived while it was held, start one
 * re-examination of the function. `concluded`: what the owner concluded (finalize knows; the
 * cleanup after a failed execution does not), handed to the re-examination.
 *
 * Order, so that a crash at any point loses no alarm (finalize is retried on transient errors, and
 * after any other failure the cleanup handler runs this again for the same execution):
 * 1. read the lock and its pending alarms;
 * 2. copy them to the re-examination record of this execution (before the lock goes);
 * 3. delete the lock only if still ours and no alarm was added since step 1 (else back to 1);
 * 4. start the re-examination under a name derived from this execution and those alarms, so a
 *    second attempt gets ExecutionAlreadyExists (done) instead of a second execution;
 * 5. mark the record started.
 * A crash after 2 leaves the record; after 3 the lock is gone but the record still promises the
 * re-examination, which the next attempt (step 1 sees no lock of ours) starts from the record.
 * Starting after the release (not before) matters: started earlier, the re-examination could find
 * the lock still held and end ALREADY_IN_PROGRESS, adding nothing new to a lock about to go.
 */
export async function releaseAndReexamine(
  follow: LockFollowUp, functionName: string, owner: string, stateMachineArn: string | undefined, at: Date,
  concluded?: Outcome,
): Promise<ReleaseResult> {
  for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
    const lock = await follow.lockOf(functionName);
    if (!lock || lock.owner !== owner) {
      return { released: false, ...(await startPromised(follow, owner, stateMachineArn)) };
    }
    if (lock.pending.length > 0) await follow.putReexamine(owner, functionName, lock.pending, at, concluded);
    const result = await follow.releaseIfUnchanged(functionName, owner, lock.pending.length);
    if (result === 'RELEASED' || result === 'NOT_OWNER') {
      return { released: result === 'RELEASED', ...(await startPromised(follow, owner, stateMachineArn)) };
    }
  }
  throw new ServiceUnavailableError(`the lock on ${functionName} kept changing while ${owner} released it`);
}

async function startPromised(follow: LockFollowUp, owner: string, stateMachineArn: string | undefined): Promise<{ reexamination?: string }> {
  const promised = await follow.reexamineOf(owner);
  if (!promised) return {};
  if (promised.startedAs) return { reexamination: promised.startedAs };
  if (!stateMachineArn) {
    logger.error('alarms waited on the lock but the state machine is unknown: no re-examination', { functionName: promised.functionName, alarms: promised.alarms });
    return {};
  }
  const name = executionName('reexamine', [owner, ...promised.alarms.map(pendingElement)]);
  const detail: ReexamineDetail = {
    functionName: promised.functionName,
    alarms: promised.alarms,
    previousExecutionId: owner,
    ...(promised.previousOutcome ? { previousOutcome: promised.previousOutcome } : {}),
    reason: `${promised.alarms.length} alarm(s) arrived while ${owner} held the lock on ${promised.functionName}`,
  };
  await startExecutionOnce(stateMachineArn, name, intakeInput(REEXAMINE_DETAIL_TYPE, detail));
  await follow.markReexamineStarted(owner, name);
  logger.info('re-examination started', { functionName: promised.functionName, execution: name });
  return { reexamination: name };
}
