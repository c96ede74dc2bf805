/**
 * Finalize: every path of the workflow ends here. Works out the outcome, publishes the seed's
 * notification to SNS (retried; on failure the EventBridge event and the audit record still carry
 * the outcome), puts the result event, writes the final repair record and an audit entry, and
 * releases the lock. Output at `$.outcome`.
 */
import { buildMessageAttributes, buildNotification, buildSubject } from '../core/notification/build';
import { decideOutcome, QUIET_OUTCOMES } from '../core/notification/outcome';
import { now } from '../runtime/clock';
import { envOptional, envString } from '../runtime/env';
import { ServiceUnavailableError } from '../runtime/errors';
import { LockFollowUp, releaseAndReexamine } from '../runtime/lock-followup';
import { publishToTopic, putResultEvent, SendResult } from '../runtime/notifier';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireObject } from '../runtime/validate';
import {
  ENV,
  FinalizeOutput,
  HANDLERS,
  NotificationStatus,
  ResultEventDetail,
  WorkflowState,
} from '../workflow/contract';

export async function handler(input: WorkflowState, context?: HandlerContext): Promise<FinalizeOutput> {
  return runHandler('finalize', HANDLERS.finalize.requiredEnv, context, async () => {
    const state = requireObject<WorkflowState>(input, 'finalize input');
    const at = now().toISOString();
    const { outcome, reason } = decideOutcome(state);
    const functionName = state.alarm?.functionName ?? state.collection?.functionName;
    const executionId = state.executionId ?? 'unknown';
    const store = new Store(envString(ENV.TABLE_NAME));
    const failures: string[] = [];

    const body = buildNotification({ ...state, executionId }, outcome, reason, at);
    // Refusals of a second alarm for a function already handled are frequent during storms;
    // they are recorded and put on the bus, but do not page anyone.
    const quiet = QUIET_OUTCOMES.includes(outcome);
    let sns: SendResult = { ok: true, attempts: 0 };
    if (!quiet) sns = await publishToTopic(envString(ENV.TOPIC_ARN), buildSubject(body), body, buildMessageAttributes(body));

    const detailBase = {
      executionId,
      ...(functionName ? { functionName } : {}),
      outcome,
      reason,
      ...(state.repair ? { originalMemoryMb: state.repair.originalMemoryMb, newMemoryMb: body.repair?.newMemory } : {}),
      ...(body.iacChange ? { iacChange: body.iacChange } : {}),
      ...(state.verification ? { verificationStatus: state.verification.status } : {}),
    };
    const provisional: NotificationStatus = sns.ok ? 'SENT' : 'FALLBACK_EVENT_ONLY';
    const detail: ResultEventDetail = { ...detailBase, notificationStatus: provisional };
    const event = await putResultEvent(envOptional(ENV.EVENT_BUS_NAME) ?? 'default', detail, state.collection?.functionArn ? [state.collection.functionArn] : []);
    const notificationStatus: NotificationStatus = sns.ok ? 'SENT' : event.ok ? 'FALLBACK_EVENT_ONLY' : 'FAILED';
    if (!sns.ok) {
      metrics.addMetric('NotificationFallback', MetricUnit.Count, 1);
      logger.error('notification failed, outcome kept in the event and the audit record', { error: sns.error, eventPublished: event.ok });
    }

    // Records: each write is attempted even when another failed; failures are raised at the end.
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    if (state.repair) {
      const r = state.repair;
      await attempt('repair record', () => store.putRepairRecord({
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
      }, { outcome, reason, dryRun: r.status === 'DRY_RUN' }));
    }
    await attempt('audit entry', () => store.putAudit({
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
      details: sns.ok ? { notificationStatus } : { notificationStatus, notificationError: sns.error, notification: body },
    }));

    let lockReleased = false;
    await attempt('lock release', async () => {
      lockReleased = await releaseLock(state, new Date(at));
    });
    metrics.addMetric(`Outcome${outcome}`, MetricUnit.Count, 1);
    logger.info('workflow finished', { functionName, outcome, reason, notificationStatus, lockReleased });
    if (failures.length > 0) {
      // Retried by the state machine; the notification may then be sent twice, which is better than a lost record.
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
  });
}

/**
 * Release the lock this execution holds and, when alarms arrived while it was held, start one
 * re-examination of the function (`releaseAndReexamine` explains the order of the writes).
 * Also covers a normalize that took the lock but died before answering: the intake record names
 * the function then.
 */
async function releaseLock(state: WorkflowState, at: Date): Promise<boolean> {
  const follow = new LockFollowUp(envString(ENV.TABLE_NAME));
  const functionName = state.alarm?.lock?.functionName
    ?? (state.executionId ? await follow.intakeOf(state.executionId) : undefined);
  if (!functionName || !state.executionId) return false;
  const result = await releaseAndReexamine(follow, functionName, state.alarm?.lock?.owner ?? state.executionId, state.stateMachineArn, at);
  if (result.reexamination) logger.info('function re-examined after the lock', { functionName, execution: result.reexamination });
  return result.released;
}
