/**
 * The DynamoDB side of the workflow: the per-function lock, the guardrail state (last repair,
 * repairs per day), the evidence of an execution, and the seed's diagnosis / repair records plus
 * audit entries. One table, keys from the workflow contract.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { client, registerClient } from './clients';
import { toNamedError } from './errors';
import { recordPlace } from './target-account';
import type { DiagnosisRecord, DiagnosisRequest, RepairRecord } from '../core/model';
import {
  evidenceKey,
  followUpMarkerKey,
  functionPk,
  functionStateKey,
  IntentKind,
  intentKey,
  lockKey,
  LockInfo,
  notificationMarkerKey,
  RECORD_SORT_KEY_PREFIX,
  RepairIntent,
  RollbackIntent,
  TABLE_TTL_ATTRIBUTE,
} from '../workflow/contract';
import { ManagedSettings, MANAGED_SETTINGS_KEY } from '../workflow/setup-contract';

registerClient('dynamo', (o) => DynamoDBDocumentClient.from(new DynamoDBClient({ region: o.region, maxAttempts: 5 }), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
}));

/** How long evidence and records are kept before DynamoDB's TTL drops them. */
const EVIDENCE_TTL_SECONDS = 30 * 24 * 3600;

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** UTC day of an ISO time, `YYYY-MM-DD`. */
export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** Result of a lock attempt. */
export type LockAttempt =
  | { readonly acquired: true; readonly lock: LockInfo }
  | { readonly acquired: false; readonly heldBy?: string };

/** The DynamoDB store of one table. */
export class Store {
  constructor(private readonly tableName: string) {}

  /**
   * Take the per-function lock with a conditional write. An expired lock (TTL deletion is lazy)
   * counts as free.
   */
  async acquireLock(functionName: string, owner: string, now: Date, ttlSeconds: number): Promise<LockAttempt> {
    const nowSec = Math.floor(now.getTime() / 1000);
    const lock: LockInfo = { functionName, owner, acquiredAt: now.toISOString(), expiresAt: nowSec + ttlSeconds };
    try {
      await client('dynamo').send(new PutCommand({
        TableName: this.tableName,
        Item: { ...lockKey(functionName), recordType: 'LOCK', owner, acquiredAt: lock.acquiredAt, [TABLE_TTL_ATTRIBUTE]: lock.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE, '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': nowSec, ':owner': owner },
      }));
      return { acquired: true, lock };
    } catch (err) {
      if (!isConditionFailure(err)) throw toNamedError(err, `dynamodb:PutItem lock for ${functionName}`);
      const current = await this.get(lockKey(functionName), `lock for ${functionName}`);
      return { acquired: false, heldBy: current?.owner as string | undefined };
    }
  }

  /** Release the lock if `owner` still holds it; false when it was not ours (or already gone). */
  async releaseLock(functionName: string, owner: string): Promise<boolean> {
    try {
      await client('dynamo').send(new DeleteCommand({
        TableName: this.tableName,
        Key: lockKey(functionName),
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toNamedError(err, `dynamodb:DeleteItem lock for ${functionName}`);
    }
  }

  /** Last repair time and the number of repairs on `day`. */
  async functionState(functionName: string, day: string): Promise<{ lastRepairAt?: string; repairsOnDay: number }> {
    const item = await this.get(functionStateKey(functionName), `state of ${functionName}`);
    return {
      lastRepairAt: item?.lastRepairAt as string | undefined,
      repairsOnDay: Number(item?.[`repairs#${day}`] ?? 0),
    };
  }

  /**
   * Count a repair that changed memory, once per execution: sets the cooldown start and the day's
   * count. The executions counted on a day are kept beside the count, so a retried repair (same
   * execution) is not counted twice. `day` is the UTC day the repair started (stable across
   * retries). Returns false when this execution was already counted.
   */
  async noteRepair(functionName: string, at: string, executionId: string, day: string = utcDay(at)): Promise<boolean> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: functionStateKey(functionName),
        UpdateExpression: 'SET lastRepairAt = :at, recordType = :t ADD #day :one, #execs :exec',
        ConditionExpression: 'attribute_not_exists(#execs) OR NOT contains(#execs, :execId)',
        ExpressionAttributeNames: { '#day': `repairs#${day}`, '#execs': `repairExecutions#${day}` },
        ExpressionAttributeValues: { ':at': at, ':one': 1, ':t': 'FUNCTION_STATE', ':exec': new Set([executionId]), ':execId': executionId },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toNamedError(err, `dynamodb:UpdateItem state of ${functionName}`);
    }
  }

  /** The intent of one execution's repair or rollback, when it recorded one. */
  async getIntent<K extends IntentKind>(kind: K, executionId: string): Promise<IntentOf<K> | undefined> {
    const item = await this.get(intentKey(kind, executionId), `${kind.toLowerCase()} intent`);
    return item?.intent as IntentOf<K> | undefined;
  }

  /**
   * Record the intent before the change is made. Conditional: when the execution already has one
   * (a retry raced us), that one is returned and wins.
   */
  async createIntent<K extends IntentKind>(kind: K, intent: IntentOf<K>, now: Date): Promise<{ created: boolean; intent: IntentOf<K> }> {
    try {
      await client('dynamo').send(new PutCommand({
        TableName: this.tableName,
        Item: { ...intentKey(kind, intent.executionId), recordType: `${kind}_INTENT`, functionName: intent.functionName, intent, [TABLE_TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + EVIDENCE_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { created: true, intent };
    } catch (err) {
      if (!isConditionFailure(err)) throw toNamedError(err, `dynamodb:PutItem ${kind.toLowerCase()} intent of ${intent.functionName}`);
      const existing = await this.getIntent(kind, intent.executionId);
      if (!existing) throw toNamedError(err, `dynamodb:PutItem ${kind.toLowerCase()} intent of ${intent.functionName}`);
      return { created: false, intent: existing };
    }
  }

  /**
   * Open (or re-read) the execution's notification marker: creates it on the first finalize
   * attempt, counts attempts (unless `countAttempt` is false: a re-read), and returns it, so every attempt sees the same `firstAt` (stable
   * record keys) and what the earlier attempts already sent. UpdateItem only: it is both the
   * write and the consistent read.
   */
  async openNotificationMarker(executionId: string, now: Date, countAttempt = true): Promise<NotificationMarker> {
    try {
      const out = await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: notificationMarkerKey(executionId),
        UpdateExpression: `SET firstAt = if_not_exists(firstAt, :now), recordType = :t, #ttl = if_not_exists(#ttl, :exp) ADD attempts :${countAttempt ? 'one' : 'zero'}`,
        ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':t': 'NOTIFICATION',
          ':exp': Math.floor(now.getTime() / 1000) + EVIDENCE_TTL_SECONDS,
          [countAttempt ? ':one' : ':zero']: countAttempt ? 1 : 0,
        },
        ReturnValues: 'ALL_NEW',
      }));
      const item = out.Attributes ?? {};
      return {
        firstAt: String(item.firstAt ?? now.toISOString()),
        attempts: Number(item.attempts ?? 1),
        ...(item.sns ? { sns: item.sns as ChannelState } : {}),
        ...(item.event ? { event: item.event as ChannelState } : {}),
      };
    } catch (err) {
      throw toNamedError(err, `dynamodb:UpdateItem notification marker of ${executionId}`);
    }
  }

  /**
   * Claim the right to send on `channel` for this execution: granted when nobody sent yet, when
   * an earlier attempt failed to send, or when an earlier claim's lease ran out (its holder
   * crashed, maybe after sending: a duplicate is better than a lost notification).
   */
  async claimChannel(executionId: string, channel: NotificationChannel, nowMs: number, leaseMs: number): Promise<boolean> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: notificationMarkerKey(executionId),
        UpdateExpression: 'SET #ch = :claim',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ch) OR #ch.#st = :failed OR (#ch.#st = :sending AND #ch.leaseUntil < :now))',
        ExpressionAttributeNames: { '#ch': channel, '#st': 'state' },
        ExpressionAttributeValues: {
          ':claim': { state: 'SENDING', leaseUntil: nowMs + leaseMs },
          ':failed': 'FAILED',
          ':sending': 'SENDING',
          ':now': nowMs,
        },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toNamedError(err, `dynamodb:UpdateItem notification marker of ${executionId}`);
    }
  }

  /** Record how the claimed send went. */
  async completeChannel(executionId: string, channel: NotificationChannel, result: ChannelState): Promise<void> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: notificationMarkerKey(executionId),
        UpdateExpression: 'SET #ch = :result',
        ExpressionAttributeNames: { '#ch': channel },
        ExpressionAttributeValues: { ':result': result },
      }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:UpdateItem notification marker of ${executionId}`);
    }
  }

  /**
   * The repair intent of an execution, read with UpdateItem (finalize may update, not get): it
   * marks the intent as seen and returns it, or undefined when the execution recorded none.
   */
  async seeRepairIntent(executionId: string, now: Date): Promise<RepairIntent | undefined> {
    try {
      const out = await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: intentKey('REPAIR', executionId),
        UpdateExpression: 'SET seenByFinalizeAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }));
      return out.Attributes?.intent as RepairIntent | undefined;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw toNamedError(err, `dynamodb:UpdateItem repair intent of ${executionId}`);
    }
  }

  /** Record progress on a repair intent (the revision our update produced, the version published). */
  async updateRepairIntent(executionId: string, progress: Pick<RepairIntent, 'appliedRevisionId' | 'publishedVersion'>): Promise<void> {
    const fields = Object.entries(progress).filter(([, v]) => v !== undefined);
    if (fields.length === 0) return;
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: intentKey('REPAIR', executionId),
        UpdateExpression: `SET ${fields.map(([k]) => `intent.#${k} = :${k}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(fields.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: Object.fromEntries(fields.map(([k, v]) => [`:${k}`, v])),
      }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:UpdateItem repair intent of ${executionId}`);
    }
  }

  /**
   * Count one model call against the day's budget, atomically; false when the budget is used up
   * (the call must then not be made).
   */
  async reserveModelCall(day: string, budget: number): Promise<boolean> {
    try {
      await client('dynamo').send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'BUDGET#MODEL_CALLS', sk: day },
        UpdateExpression: 'SET recordType = :t, #ttl = :exp ADD calls :one',
        ConditionExpression: 'attribute_not_exists(calls) OR calls < :budget',
        ExpressionAttributeNames: { '#ttl': TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':budget': budget, ':t': 'MODEL_BUDGET', ':exp': Math.floor(new Date(`${day}T00:00:00Z`).getTime() / 1000) + 3 * 86400 },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw toNamedError(err, 'dynamodb:UpdateItem model call budget');
    }
  }

  /**
   * Name the follow-up execution that may look at `functionName` next (`undefined`: none may, the
   * follow-ups end). The latest execution that ran a diagnosis wins.
   */
  async setFollowUpMarker(functionName: string, execution: string | undefined, now: Date): Promise<void> {
    await this.put({
      ...followUpMarkerKey(functionName),
      recordType: 'FOLLOW_UP',
      functionName,
      execution: execution ?? '',
      at: now.toISOString(),
      [TABLE_TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + 2 * 86400,
    }, `follow-up marker of ${functionName}`);
  }

  /** The follow-up execution that may look at `functionName` next ('' when none may), or undefined when no marker exists. */
  async followUpMarker(functionName: string): Promise<string | undefined> {
    const item = await this.get(followUpMarkerKey(functionName), `follow-up marker of ${functionName}`);
    return item ? String(item.execution ?? '') : undefined;
  }

  /** Store the full diagnosis request of one execution (too large for the state). */
  async putEvidence(executionId: string, request: DiagnosisRequest, now: Date): Promise<{ pk: string; sk: string }> {
    const key = evidenceKey(executionId);
    await this.put({
      ...key,
      recordType: 'EVIDENCE',
      functionName: request.functionName,
      request,
      [TABLE_TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + EVIDENCE_TTL_SECONDS,
    }, `evidence of ${request.functionName}`);
    return key;
  }

  /** The stored diagnosis request, or undefined when it is gone. */
  async getEvidence(key: { pk: string; sk: string }): Promise<DiagnosisRequest | undefined> {
    const item = await this.get(key, 'evidence');
    return item?.request as DiagnosisRequest | undefined;
  }

  /** The seed's diagnosis record, plus how it was reached. */
  async putDiagnosisRecord(record: DiagnosisRecord, extra: Record<string, unknown>): Promise<void> {
    await this.put({
      pk: functionPk(record.functionName),
      sk: `${RECORD_SORT_KEY_PREFIX.DIAGNOSIS}${record.endTime}#${record.diagnosisId}`,
      recordType: 'DIAGNOSIS',
      ...recordPlace(),
      ...extra,
      ...record,
    }, `diagnosis record of ${record.functionName}`);
  }

  /** The seed's repair record (written again with the final statuses by finalize). */
  async putRepairRecord(record: RepairRecord, extra: Record<string, unknown> = {}): Promise<void> {
    await this.put({
      pk: functionPk(record.functionName),
      sk: `${RECORD_SORT_KEY_PREFIX.REPAIR}${record.startTime}#${record.repairId}`,
      recordType: 'REPAIR',
      ...recordPlace(),
      ...extra,
      ...record,
    }, `repair record of ${record.functionName}`);
  }

  /** One audit entry: who did what, before, after, why. */
  async putAudit(entry: AuditEntry): Promise<void> {
    await this.put({
      pk: entry.functionName ? functionPk(entry.functionName) : 'FUNCTION#-',
      sk: `${RECORD_SORT_KEY_PREFIX.AUDIT}${entry.at}#${entry.step}#${entry.executionId}`,
      recordType: 'AUDIT',
      ...recordPlace(),
      ...entry,
    }, `audit entry of ${entry.functionName ?? 'unknown function'}`);
  }

  /** The settings item the deploy-time setup writes (managed functions, custom log groups). */
  async managedSettings(): Promise<ManagedSettings | undefined> {
    const item = await this.get({ ...MANAGED_SETTINGS_KEY }, 'managed-function settings');
    if (!item) return undefined;
    const functions = item.functions;
    const groups = item.logGroupFunctions ?? {};
    if (!Array.isArray(functions) || !functions.every((f) => typeof f === 'string')
      || typeof groups !== 'object' || groups === null || !Object.values(groups).every((f) => typeof f === 'string')) {
      throw new Error(`the managed-function settings item in ${this.tableName} is malformed (functions must be a list of names, logGroupFunctions a map of names)`);
    }
    return { functions: functions as string[], logGroupFunctions: groups as Record<string, string> };
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

/** The channels finalize sends on, once each per execution. */
export type NotificationChannel = 'sns' | 'event';

/** What the marker says about one channel. */
export interface ChannelState {
  readonly state: 'SENDING' | 'SENT' | 'FAILED';
  /** While SENDING: until when (epoch ms) the claim holds. */
  readonly leaseUntil?: number;
  readonly messageId?: string;
  readonly error?: string;
}

/** One execution's notification marker. */
export interface NotificationMarker {
  /** When the first finalize attempt ran: the time of its records, on every attempt. */
  readonly firstAt: string;
  /** Finalize attempts so far, this one included. */
  readonly attempts: number;
  readonly sns?: ChannelState;
  readonly event?: ChannelState;
}

/** The intent stored for a kind. */
export type IntentOf<K extends IntentKind> = K extends 'REPAIR' ? RepairIntent : RollbackIntent;

/** An audit entry (who, what, before, after, why). */
export interface AuditEntry {
  readonly executionId: string;
  readonly functionName?: string;
  /** The workflow step, e.g. `normalize`, `repair`, `finalize`. */
  readonly step: string;
  /** Who: the handler's identity, or the approver. */
  readonly actor: string;
  readonly action: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly why: string;
  readonly at: string;
  /** Anything else worth keeping (never environment variables). */
  readonly details?: Record<string, unknown>;
}
