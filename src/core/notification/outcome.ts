/**
 * The final outcome of one workflow execution, worked out from whatever the state holds. Every
 * path (normal ends, refusals, caught errors) reaches Finalize, which asks this function. Pure.
 */
import { FOLLOW_UP_DETAIL_TYPE, OUTCOMES, Outcome, REEXAMINE_DETAIL_TYPE, RepairIntent, WorkflowState } from '../../workflow/contract';

/**
 * Outcomes recorded and put on the bus but not paged: refusals of a second alarm for a function
 * already handled and ignored alarms are frequent during storms; a muted or suppressed alarm was
 * silenced by an operator (or a suppressor alarm), so paging about it would undo the mute.
 */
export const QUIET_OUTCOMES: readonly Outcome[] = [OUTCOMES.ALREADY_IN_PROGRESS, OUTCOMES.IGNORED, OUTCOMES.SUPPRESSED];

/**
 * Whether an outcome is recorded and put on the bus without paging anyone: the quiet outcomes;
 * a re-examination (an alarm that waited on the lock) that ends in the cooldown or the daily
 * budget of the repair it waited for, or a follow-up that ends in a repair's cooldown — the same
 * incident, already notified by that repair; and a follow-up whose evidence did not change since
 * the case it follows (issue 11 item 3: page again only when it changed).
 */
export function isQuiet(outcome: Outcome, state: WorkflowState): boolean {
  if (QUIET_OUTCOMES.includes(outcome)) return true;
  const detailType = (state.event as { 'detail-type'?: unknown } | undefined)?.['detail-type'];
  if (outcome === OUTCOMES.COOLDOWN && (detailType === REEXAMINE_DETAIL_TYPE || detailType === FOLLOW_UP_DETAIL_TYPE)) return true;
  if (outcome === OUTCOMES.DAILY_BUDGET_EXHAUSTED && detailType === REEXAMINE_DETAIL_TYPE) return true;
  const unchanged = state.diagnosis?.followUp?.changed === false;
  return unchanged && !state.repair && !state.error
    && (outcome === OUTCOMES.HUMAN_REVIEW || outcome === OUTCOMES.NO_ACTION || outcome === OUTCOMES.CANNOT_INCREASE);
}

/** The outcome and the one-line reason behind it. */
export interface OutcomeDecision {
  readonly outcome: Outcome;
  readonly reason: string;
}

function errorText(state: WorkflowState): string {
  const e = state.error;
  if (!e) return '';
  let cause = e.Cause ?? '';
  // Lambda errors arrive as a JSON Cause {errorType, errorMessage, trace}; keep the message only.
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed && typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // not JSON: keep as is
  }
  return `${e.Error}${cause ? `: ${cause.slice(0, 500)}` : ''}`;
}

/** What finalize knows beyond the state. */
export interface OutcomeFacts {
  /**
   * The repair intent of this execution, when one was recorded: a repair that failed without
   * returning (its retries exhausted) may still have changed the function.
   */
  readonly repairIntent?: RepairIntent;
}

/** Decide the outcome of `state`. */
export function decideOutcome(state: WorkflowState, facts: OutcomeFacts = {}): OutcomeDecision {
  const err = state.error;
  const alarm = state.alarm;
  if (!alarm) {
    return { outcome: OUTCOMES.FAILED, reason: err ? `the alarm event could not be handled: ${errorText(state)}` : 'the alarm event was never normalized' };
  }
  switch (alarm.status) {
    case 'IGNORED': return { outcome: OUTCOMES.IGNORED, reason: alarm.reason };
    case 'NOT_ADMITTED': return { outcome: OUTCOMES.NOT_ADMITTED, reason: alarm.reason };
    case 'SUPPRESSED': return { outcome: OUTCOMES.SUPPRESSED, reason: alarm.reason };
    case 'ALREADY_IN_PROGRESS': return { outcome: OUTCOMES.ALREADY_IN_PROGRESS, reason: alarm.reason };
    case 'COOLDOWN': return { outcome: OUTCOMES.COOLDOWN, reason: alarm.reason };
    case 'DAILY_BUDGET_EXHAUSTED': return { outcome: OUTCOMES.DAILY_BUDGET_EXHAUSTED, reason: alarm.reason };
    default: break;
  }

  const { diagnosis, repair, verification, rollback, approval, promotion } = state;
  if (rollback) {
    if (rollback.status === 'ROLLED_BACK' && repair?.canary) {
      return { outcome: OUTCOMES.ROLLED_BACK, reason: `canary not promoted (${verification?.reason ?? 'no reason'}): ${rollback.reason}` };
    }
    if (rollback.status === 'ROLLED_BACK') {
      return { outcome: OUTCOMES.ROLLED_BACK, reason: `verification failed (${verification?.reason ?? 'no reason'}); memory restored to ${rollback.restoredMemoryMb} MB` };
    }
    if (rollback.status === 'CHANGED_BY_OTHERS') {
      return { outcome: OUTCOMES.HUMAN_REVIEW, reason: `verification failed (${verification?.reason ?? 'no reason'}), but ${rollback.reason}: a person should decide` };
    }
    return { outcome: OUTCOMES.FAILED, reason: `verification failed and the rollback did not complete: ${rollback.reason}` };
  }
  if (err) {
    if (err.Error === 'States.Timeout' && diagnosis?.action === 'REQUEST_APPROVAL' && !repair) {
      return { outcome: OUTCOMES.APPROVAL_TIMED_OUT, reason: `nobody answered the approval request for ${diagnosis.targetMemoryMb} MB in time` };
    }
    if (err.Error === 'ApprovalRejected' && !repair) {
      return { outcome: OUTCOMES.REJECTED, reason: `the approval was rejected: ${errorText(state)}` };
    }
    if (repair?.status === 'SUCCEEDED') {
      return { outcome: OUTCOMES.FAILED, reason: `memory was raised to ${repair.newMemoryMb} MB but a later step failed: ${errorText(state)}` };
    }
    const intent = facts.repairIntent;
    if (!repair && intent) {
      return {
        outcome: OUTCOMES.FAILED,
        reason: `the repair of ${intent.functionName} from ${intent.fromMb} MB to ${intent.toMb} MB started at ${intent.startedAt} and may have taken effect before it failed: `
          + `${errorText(state)}. Check its memory size; memorySize: ${intent.toMb} in your infrastructure code keeps it, ${intent.fromMb} undoes it`,
      };
    }
    return { outcome: OUTCOMES.FAILED, reason: errorText(state) };
  }
  if (promotion) {
    if (promotion.status === 'PROMOTED') return { outcome: OUTCOMES.REPAIRED, reason: `canary verified (${verification?.reason ?? 'no reason'}); ${promotion.reason}` };
    return { outcome: OUTCOMES.HUMAN_REVIEW, reason: `canary verified (${verification?.reason ?? 'no reason'}), but ${promotion.reason}: a person should decide` };
  }
  if (verification) {
    if (verification.status === 'SUCCEEDED') return { outcome: OUTCOMES.REPAIRED, reason: `verified: ${verification.reason}` };
    if (verification.status === 'INCONCLUSIVE' && repair) return unverified(repair, `not verified: ${verification.reason}`);
    return { outcome: OUTCOMES.HUMAN_REVIEW, reason: `verification failed (${verification.reason}) and automatic rollback is off: a person should decide` };
  }
  if (repair) {
    switch (repair.status) {
      case 'DRY_RUN': return { outcome: OUTCOMES.REPAIRED_DRY_RUN, reason: `dry run: would set memory ${repair.originalMemoryMb} -> ${repair.newMemoryMb} MB` };
      case 'SKIPPED': return { outcome: OUTCOMES.NO_ACTION, reason: repair.reason };
      case 'FAILED': return { outcome: OUTCOMES.FAILED, reason: `the memory update failed and the function is as it was: ${repair.reason}` };
      case 'REFUSED': return { outcome: OUTCOMES.HUMAN_REVIEW, reason: `nothing was changed: ${repair.reason}` };
      case 'CHANGED_BY_OTHERS': return { outcome: OUTCOMES.HUMAN_REVIEW, reason: repair.reason };
      default: return unverified(repair, 'no verification ran');
    }
  }
  if (approval && approval.approved !== true) {
    return { outcome: OUTCOMES.REJECTED, reason: `the repair was not approved${approval.approver ? ` by ${approval.approver}` : ''}${approval.comment ? `: ${approval.comment}` : ''}` };
  }
  if (diagnosis) {
    switch (diagnosis.action) {
      case 'NO_ACTION': return { outcome: OUTCOMES.NO_ACTION, reason: diagnosis.reason };
      case 'HUMAN_REVIEW': return { outcome: OUTCOMES.HUMAN_REVIEW, reason: diagnosis.reason };
      case 'CANNOT_INCREASE': return { outcome: OUTCOMES.CANNOT_INCREASE, reason: diagnosis.reason };
      default: return { outcome: OUTCOMES.FAILED, reason: `the diagnosis asked for ${diagnosis.action} but no repair ran` };
    }
  }
  return { outcome: OUTCOMES.FAILED, reason: 'the workflow ended before a diagnosis' };
}

/**
 * A repair that stays without a verdict. Rollback is for a repair shown not to help; too little
 * traffic or data after it shows nothing either way, so the larger size is kept and a person is
 * told what to check.
 */
function unverified(repair: NonNullable<WorkflowState['repair']>, why: string): OutcomeDecision {
  return {
    outcome: OUTCOMES.REPAIRED_UNVERIFIED,
    reason: `memory raised from ${repair.originalMemoryMb} to ${repair.newMemoryMb} MB and kept, but ${why.replace(/\.$/, '')}. `
      + 'Automatic rollback follows only a failed verification, not too little data: check the function\'s errors and memory use.',
  };
}

