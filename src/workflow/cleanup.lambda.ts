/**
 * Cleanup: runs when an execution of the remediation state machine ends FAILED, TIMED_OUT or
 * ABORTED (EventBridge `Step Functions Execution Status Change`,
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html), or, with
 * `Workflow.lambdaCoordinator()`, when Lambda gives up on a coordinator event (its on-failure
 * destination record: the run ended FAILED). An execution-level timeout
 * or StopExecution runs no further state, and a failed Finalize never reached its release: without
 * this the lock would stay held until its TTL, and every alarm for the function would end
 * ALREADY_IN_PROGRESS in silence.
 *
 * It finds the lock from the execution id (the intake record normalize writes before locking),
 * releases it if that execution still holds it, starts the re-examination of alarms that waited
 * on it, and notifies: "execution X ended STATUS; the lock on F was released; memory is N MB
 * (was M MB before the repair)" (text and JSON: core/notification/messages.ts). The memory comes from the repair record the execution wrote
 * (one Query on the table; DescribeExecution / GetExecutionHistory would cost more calls and
 * rights and say less about what the repair actually set).
 *
 * Idempotent: the cleanup record is written before the release, and marked notified after the
 * notification, so a retried invocation neither loses nor repeats the notice (a crash between
 * publishing and marking can repeat it once; losing it would be worse).
 */
import {
  CleanupOutput,
  CLEANUP_STATUSES,
  ENV,
  ExecutionStatusChangeEvent,
  HANDLERS,
  ResultEventDetail,
} from './contract';
import { AsyncFailureRecord, coordinatorExecutionId, isAsyncFailureRecord } from './coordinator-contract';
import { cleanupMessage } from '../core/notification/messages';
import { memorySentence as memorySentenceOf } from '../core/notification/render';
import { now } from '../runtime/clock';
import { envOptional, envString } from '../runtime/env';
import { ServiceUnavailableError } from '../runtime/errors';
import { CleanupRecord, LockFollowUp, releaseAndReexamine, RepairRecordView } from '../runtime/lock-followup';
import { publishToTopic, putResultEvent } from '../runtime/notifier';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { inTarget } from '../runtime/target-account';
import { requireFields, requireObject } from '../runtime/validate';

export async function handler(input: ExecutionStatusChangeEvent | AsyncFailureRecord, context?: HandlerContext): Promise<CleanupOutput> {
  return runHandler('cleanup', HANDLERS.cleanup.requiredEnv, context, async () => {
    const { executionArn, status, stateMachineArn } = isAsyncFailureRecord(input) ? coordinatorGaveUp(input) : executionEnded(input);
    const base = { executionArn, status, lockReleased: false, notified: false };
    if (!CLEANUP_STATUSES.includes(status)) return base;
    const at = now();
    const table = envString(ENV.TABLE_NAME);
    const follow = new LockFollowUp(table);
    const intake = await follow.intakeTargetOf(executionArn);
    if (!intake) {
      logger.info('execution ended before it chose a function: no lock to release', { executionArn, status });
      return base;
    }
    // A spoke's function (on a hub): its lock, records and further runs are keyed by its account
    // and region, as when normalize took the lock.
    return inTarget(intake.target, () => releaseAfter(intake.functionName), context?.functionName);

    async function releaseAfter(functionName: string): Promise<CleanupOutput> {
      let record = await follow.cleanupOf(executionArn);
      if (!record) {
        const lock = await follow.lockOf(functionName);
        if (lock && lock.owner === executionArn) {
          record = { functionName, status, releasedAt: at.toISOString(), notified: false };
          // Before the release: if this invocation dies after releasing, the retry still notifies.
          await follow.putCleanup(executionArn, record, at);
        }
      }
      const released = await releaseAndReexamine(follow, functionName, executionArn, stateMachineArn, at);
      const common = { ...base, functionName, ...(released.reexamination ? { reexamination: released.reexamination } : {}) };
      if (!record) {
        // Finalize had released it already (and notified): nothing left to say.
        logger.info('execution ended without holding the lock', { executionArn, status, functionName });
        return common;
      }
      if (record.notified) return { ...common, lockReleased: true, notified: true };

      const repair = await follow.repairRecordOf(functionName, executionArn);
      await notify(table, executionArn, record, repair, at);
      await follow.markCleanupNotified(executionArn);
      metrics.addMetric('LocksReleasedByCleanup', MetricUnit.Count, 1);
      return { ...common, lockReleased: true, notified: true };
    }
  });
}

/**
 * With `Workflow.lambdaCoordinator()` the cleanup is the coordinator's on-failure destination:
 * Lambda sends it this record once it gives up on an event (the invocation failed and was retried,
 * or the event grew too old; https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 * The run is the one the event names, exactly as the coordinator names it; it ended FAILED.
 */
export function coordinatorGaveUp(record: AsyncFailureRecord): EndedRun {
  const functionArn = record.requestContext.functionArn;
  return {
    executionArn: coordinatorExecutionId(functionArn, record.requestPayload),
    status: 'FAILED',
    // The coordinator's unqualified ARN: re-examinations start on it, as the run itself does.
    stateMachineArn: functionArn.split(':').slice(0, 7).join(':'),
  };
}

/** The run that ended: the execution (or coordinator run), how it ended, what started it. */
export interface EndedRun {
  readonly executionArn: string;
  readonly status: string;
  readonly stateMachineArn: string;
}

function executionEnded(input: unknown): EndedRun {
  const event = requireObject<ExecutionStatusChangeEvent>(input, 'cleanup input');
  requireFields(event, ['detail.executionArn', 'detail.status', 'detail.stateMachineArn'], 'cleanup input');
  return event.detail;
}

/** The memory sentence, from the repair record this execution wrote (if any). */
export function memorySentence(repair: RepairRecordView | undefined): string {
  return memorySentenceOf(repair);
}

/** The notice: SNS (paged), the result event, and an audit entry; at least one must get through. */
async function notify(table: string, executionArn: string, record: CleanupRecord, repair: RepairRecordView | undefined, at: Date): Promise<void> {
  const fn = record.functionName;
  const message = cleanupMessage({ executionArn, status: record.status, functionName: fn, ...(repair ? { repair } : {}) });
  const { body } = message;
  const reason = body.reason;
  const sns = await publishToTopic(envString(ENV.TOPIC_ARN), message.subject, message.messages, message.attributes);
  const detail: ResultEventDetail = {
    executionId: executionArn,
    functionName: fn,
    outcome: 'FAILED',
    reason,
    ...(repair?.originalMemory !== undefined ? { originalMemoryMb: repair.originalMemory } : {}),
    ...(repair?.newMemory !== undefined ? { newMemoryMb: repair.newMemory } : {}),
    notificationStatus: sns.ok ? 'SENT' : 'FALLBACK_EVENT_ONLY',
  };
  const event = await putResultEvent(envOptional(ENV.EVENT_BUS_NAME) ?? 'default', detail);
  try {
    await new Store(table).putAudit({
      executionId: executionArn,
      functionName: fn,
      step: 'cleanup',
      actor: 'lambda-auto-remediation',
      action: `lock released after ${record.status}`,
      why: reason,
      at: at.toISOString(),
      details: { notificationStatus: sns.ok ? 'SENT' : event.ok ? 'FALLBACK_EVENT_ONLY' : 'FAILED', ...(sns.ok ? {} : { notification: body, notificationError: sns.error }) },
    });
  } catch (err) {
    if (!sns.ok && !event.ok) throw err;
    logger.warn('cleanup audit entry not written', { error: (err as Error).message });
  }
  if (!sns.ok && !event.ok) {
    // Nobody heard of it: let Lambda's asynchronous retry try again (the record is not marked notified).
    throw new ServiceUnavailableError(`cleanup of ${executionArn} could not notify: ${sns.error}`);
  }
  logger.warn('lock released after the execution ended without finalize', { executionArn, status: record.status, functionName: fn, reason });
}
