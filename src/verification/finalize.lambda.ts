/**
 * Finalize: every path of the workflow ends here. Works out the outcome, writes the records,
 * publishes the notification to SNS (the seed's JSON for machines, readable text for e-mail and
 * chat: core/notification/messages.ts; retried; on failure the EventBridge event and the audit
 * record still carry the outcome), puts the result event, completes the records with how
 * the outcome reached people, and releases the lock. Output at `$.outcome`.
 *
 * Exactly once per execution, whatever is retried. The order, and why:
 * 1. Open the execution's notification marker (one UpdateItem that creates or re-reads it): it
 *    holds the first attempt's time, so records keep the same keys on every attempt, and what
 *    earlier attempts already sent.
 * 2. Write the repair record and the audit entry (notification still PENDING). A failure here (a
 *    throttled write, the common case) fails the attempt before anything is published, so the
 *    state machine's retry publishes once. From the third attempt on, a notification goes out even
 *    if the records cannot be written: a lost notification is worse than a missing record.
 * 3. SNS, then the result event, each behind a claim on the marker: `SENDING` with a short lease,
 *    then `SENT` (or `FAILED`, which a later attempt may retry). A claim found `SENT` is not sent
 *    again; one found `SENDING` whose lease is still running is waited out, then taken over (its
 *    holder died, maybe after sending: a duplicate then, never a lost notification).
 * 4. Complete the records with the notification status (same keys: an overwrite), release the lock.
 */
import { recordCase, scheduleFollowUp } from './case-followup';
import type { RepairRecord } from '../core/model';
import { outcomeMessage } from '../core/notification/messages';
import { decideOutcome, isQuiet } from '../core/notification/outcome';
import { now, sleep } from '../runtime/clock';
import { envOptional, envString } from '../runtime/env';
import { ServiceUnavailableError } from '../runtime/errors';
import { LockFollowUp, releaseAndReexamine } from '../runtime/lock-followup';
import { publishToTopic, putResultEvent, SendResult } from '../runtime/notifier';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { ChannelState, NotificationChannel, NotificationMarker, Store } from '../runtime/store';
import { requireObject } from '../runtime/validate';
import {
  ENV,
  FinalizeOutput,
  HANDLERS,
  NotificationStatus,
  Outcome,
  ResultEventDetail,
  WorkflowState,
} from '../workflow/contract';

/**
 * How long a claim to send holds, ms: longer than one publish with its retries takes (three
 * attempts, 200 + 400 ms backoff), far shorter than the handler's 60 s timeout, so a retry can
 * wait out the claim of an attempt that crashed.
 */
export const NOTIFY_LEASE_MS = 10_000;
/** From this finalize attempt on, notify even when the records cannot be written. */
export const NOTIFY_DESPITE_RECORDS_FROM_ATTEMPT = 3;

export async function handler(input: WorkflowState, context?: HandlerContext): Promise<FinalizeOutput> {
  return runHandler('finalize', HANDLERS.finalize.requiredEnv, context, async () => {
    const state = requireObject<WorkflowState>(input, 'finalize input');
    const functionName = state.alarm?.functionName ?? state.collection?.functionName;
    const executionId = state.executionId ?? 'unknown';
    const store = new Store(envString(ENV.TABLE_NAME));
    const failures: string[] = [];
    // A repair that failed without returning may still have changed the function: its intent says.
    const repairMayHaveRun = !state.repair && state.error && (state.diagnosis?.action === 'REPAIR' || state.diagnosis?.action === 'REQUEST_APPROVAL');
    const repairIntent = repairMayHaveRun ? await store.seeRepairIntent(executionId, now()).catch(() => undefined) : undefined;
    const { outcome, reason } = decideOutcome(state, repairIntent ? { repairIntent } : {});
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
        return false;
      }
    };

    // 1. The marker (without it, DynamoDB is down: notify anyway, maybe more than once).
    let marker: NotificationMarker | undefined;
    await attempt('notification marker', async () => {
      marker = await store.openNotificationMarker(executionId, now());
    });
    const at = marker?.firstAt ?? now().toISOString();
    const message = outcomeMessage({ ...state, executionId }, outcome, reason, at, repairIntent ? { repairIntent } : {});
    const body = message.body;
    // Refusals of a second alarm for a function already handled are frequent during storms;
    // they are recorded and put on the bus, but do not page anyone.
    const quiet = isQuiet(outcome, state);

    const writeRecords = async (notificationStatus: NotificationStatus | 'PENDING', sns?: SendResult): Promise<boolean> => {
      let ok = true;
      if (state.repair) {
        const r = state.repair;
        const record: RepairRecord = {
          repairId: r.repairId,
          functionName: functionName ?? r.result.functionName,
          diagnosisId: state.diagnosis?.diagnosisId ?? '',
          executionId,
          // Same key as the record the repair step wrote: this write completes it.
          startTime: r.startedAt ?? r.repairedAt,
          endTime: at,
          originalMemory: r.originalMemoryMb,
          newMemory: body.repair?.newMemory ?? r.newMemoryMb,
          status: outcome === 'ROLLED_BACK' ? 'ROLLED_BACK' : r.status,
          verificationStatus: state.verification?.status ?? 'NOT_VERIFIED',
          notificationStatus,
        };
        ok = await attempt('repair record', () => store.putRepairRecord(record, {
          outcome,
          reason,
          dryRun: r.status === 'DRY_RUN',
          // What the case history reads back from the table (TableCaseHistory).
          ...(state.diagnosis ? { category: state.diagnosis.result.category } : {}),
          ...(state.diagnosis?.signals ? { memoryClimbing: state.diagnosis.signals.memoryClimbing } : {}),
        })) && ok;
      }
      const failed = sns && !sns.ok;
      ok = await attempt('audit entry', () => store.putAudit({
        executionId,
        functionName,
        step: 'finalize',
        actor: 'lambda-auto-remediation',
        action: `outcome ${outcome}`,
        before: state.repair ? { memorySize: state.repair.originalMemoryMb } : undefined,
        after: body.repair ? { memorySize: body.repair.newMemory } : undefined,
        why: reason,
        at,
        // When SNS failed the audit record carries the whole notification: the outcome is never lost.
        details: failed ? { notificationStatus, notificationError: sns!.error, notification: body } : { notificationStatus },
      })) && ok;
      return ok;
    };

    // 2. Records first: a throttled write fails this attempt before anyone is paged.
    const earlierStatus = marker ? statusOf(marker.sns, marker.event, quiet) : undefined;
    const recorded = await writeRecords(earlierStatus ?? 'PENDING');
    if (!recorded && marker && marker.attempts < NOTIFY_DESPITE_RECORDS_FROM_ATTEMPT) {
      throw new ServiceUnavailableError(`finalize of ${functionName ?? executionId} could not write its records (nothing published yet): ${failures.join('; ')}`);
    }

    // 3. Each channel once.
    const sendOnce = async (channel: NotificationChannel, send: () => Promise<SendResult>): Promise<SendResult> => {
      if (!marker) return send();
      for (let round = 0; round < 3; round++) {
        const nowMs = now().getTime();
        if (await store.claimChannel(executionId, channel, nowMs, NOTIFY_LEASE_MS)) {
          const result = await send();
          const done: ChannelState = result.ok
            ? { state: 'SENT', ...(result.messageId ? { messageId: result.messageId } : {}) }
            : { state: 'FAILED', ...(result.error ? { error: result.error } : {}) };
          await store.completeChannel(executionId, channel, done);
          return result;
        }
        const seen = (await store.openNotificationMarker(executionId, now(), false))[channel];
        if (seen?.state === 'SENT') {
          logger.info('already sent by an earlier attempt', { channel, executionId });
          return { ok: true, attempts: 0, ...(seen.messageId ? { messageId: seen.messageId } : {}) };
        }
        // A live claim of an attempt that died: wait until it runs out, then take over.
        if (seen?.state === 'SENDING' && seen.leaseUntil !== undefined) await sleep(Math.max(0, seen.leaseUntil - nowMs) + 1);
      }
      throw new ServiceUnavailableError(`could not claim the ${channel} notification of ${executionId}`);
    };

    let sns: SendResult = { ok: true, attempts: 0 };
    if (!quiet) sns = await sendOnce('sns', () => publishToTopic(envString(ENV.TOPIC_ARN), message.subject, message.messages, message.attributes));

    const provisional: NotificationStatus = sns.ok ? 'SENT' : 'FALLBACK_EVENT_ONLY';
    const detail: ResultEventDetail = {
      executionId,
      ...(functionName ? { functionName } : {}),
      ...(input.alarm?.account && input.alarm.region ? { account: input.alarm.account, region: input.alarm.region } : {}),
      outcome,
      reason,
      ...(state.repair ? { originalMemoryMb: state.repair.originalMemoryMb, newMemoryMb: body.repair?.newMemory } : {}),
      ...(body.iacChange ? { iacChange: body.iacChange } : {}),
      ...(state.verification ? { verificationStatus: state.verification.status } : {}),
      notificationStatus: provisional,
    };
    const event = await sendOnce('event', () => putResultEvent(
      envOptional(ENV.EVENT_BUS_NAME) ?? 'default', detail, state.collection?.functionArn ? [state.collection.functionArn] : []));
    const notificationStatus: NotificationStatus = sns.ok ? 'SENT' : event.ok ? 'FALLBACK_EVENT_ONLY' : 'FAILED';
    if (!sns.ok) {
      metrics.addMetric('NotificationFallback', MetricUnit.Count, 1);
      logger.error('notification failed, outcome kept in the event and the audit record', { error: sns.error, eventPublished: event.ok });
    }

    // 4. Complete the records (same keys), then release the lock.
    failures.length = 0;
    if (notificationStatus !== earlierStatus || !recorded) await writeRecords(notificationStatus, sns);

    let lockReleased = false;
    await attempt('lock release', async () => {
      lockReleased = await releaseLock(state, new Date(at), outcome);
    });
    // 5. The case history and the follow-up (issue 11): the case document when a knowledge base
    // records cases (best effort), then the next look at a function left in review or unchanged.
    const caseNote = await recordCase(state, outcome, reason, at);
    let followUp: string | undefined;
    await attempt('follow-up', async () => {
      const f = await scheduleFollowUp(state, outcome, at);
      followUp = f.started ? `${f.started}: ${f.reason}` : f.reason;
    });
    metrics.addMetric(`Outcome${outcome}`, MetricUnit.Count, 1);
    // On a hub the line names the account and region: the dashboard groups the runs by them.
    const place = input.alarm?.account && input.alarm.region ? { account: input.alarm.account, region: input.alarm.region } : {};
    logger.info('workflow finished', { functionName, ...place, outcome, reason, notificationStatus, lockReleased, caseHistory: caseNote, followUp });
    if (failures.length > 0) {
      // Retried by the state machine; the marker keeps the notification and the event to one each.
      throw new ServiceUnavailableError(`finalize of ${functionName ?? executionId} could not write: ${failures.join('; ')}`);
    }
    return {
      outcome,
      reason,
      ...(functionName ? { functionName } : {}),
      notificationStatus,
      eventPublished: event.ok,
      lockReleased,
      finishedAt: at,
    };
  }, input);
}

/**
 * Release the lock this execution holds and, when alarms arrived while it was held, start one
 * re-examination of the function (`releaseAndReexamine` explains the order of the writes).
 * Also covers a normalize that took the lock but died before answering: the intake record names
 * the function then.
 */
async function releaseLock(state: WorkflowState, at: Date, outcome: Outcome): Promise<boolean> {
  const follow = new LockFollowUp(envString(ENV.TABLE_NAME));
  const functionName = state.alarm?.lock?.functionName
    ?? (state.executionId ? await follow.intakeOf(state.executionId) : undefined);
  if (!functionName || !state.executionId) return false;
  const result = await releaseAndReexamine(follow, functionName, state.alarm?.lock?.owner ?? state.executionId, state.stateMachineArn, at, outcome);
  if (result.reexamination) logger.info('function re-examined after the lock', { functionName, execution: result.reexamination });
  return result.released;
}

/** The notification status earlier attempts reached, when they reached a final one. */
function statusOf(sns: ChannelState | undefined, event: ChannelState | undefined, quiet: boolean): NotificationStatus | undefined {
  if (quiet) return event?.state === 'SENT' ? 'SENT' : undefined;
  if (sns?.state === 'SENT') return 'SENT';
  if (sns?.state === 'FAILED' && event?.state === 'SENT') return 'FALLBACK_EVENT_ONLY';
  return undefined;
}
