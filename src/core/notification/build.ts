/**
 * Building the seed's notification (JSON body), a readable SNS subject, the message attributes
 * for subscription filters, and the approval request. Pure: no AWS SDK import.
 *
 * What goes in: only fields of the workflow state, which never holds environment variables or
 * other secret-bearing configuration (the collector drops them at the source).
 */
import type { Outcome, VerificationStatus, WorkflowState } from '../../workflow/contract';
import { displayNumber, Notification } from '../model';

/** The body published to SNS: the seed's format plus what to do next. */
export interface NotificationBody extends Notification {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly executionId: string;
  /** The infrastructure-code change that keeps the new size on the next deploy, when memory changed. */
  readonly iacChange?: string;
  readonly actionRequired?: string;
  readonly decidedBy?: string;
}

/** SNS subject limit (characters). */
export const MAX_SUBJECT_LENGTH = 100;

/** Human words for each outcome. */
const OUTCOME_WORDS: Record<Outcome, string> = {
  REPAIRED: 'memory raised',
  REPAIRED_UNVERIFIED: 'memory raised, not verified',
  REPAIRED_DRY_RUN: 'dry run: would raise memory',
  ROLLED_BACK: 'repair rolled back',
  NO_ACTION: 'not a memory issue, no action',
  HUMAN_REVIEW: 'needs human review',
  CANNOT_INCREASE: 'memory issue, cannot increase',
  ALREADY_IN_PROGRESS: 'already being handled',
  COOLDOWN: 'skipped (cooldown)',
  DAILY_BUDGET_EXHAUSTED: 'skipped (daily repair budget used)',
  IGNORED: 'alarm ignored',
  SUPPRESSED: 'alarm muted or suppressed, no change',
  REJECTED: 'repair rejected',
  APPROVAL_TIMED_OUT: 'approval timed out',
  FAILED: 'remediation failed',
};

/** The infrastructure-code change for a new size, e.g. `memorySize: 1024`. */
export function iacChangeFor(memoryMb: number): string {
  return `memorySize: ${memoryMb}`;
}

/** Build the notification for the final state. */
export function buildNotification(state: WorkflowState, outcome: Outcome, reason: string, now: string): NotificationBody {
  const alarmEvent = state.alarm?.alarmEvent;
  const functionName = state.alarm?.functionName ?? state.collection?.functionName ?? 'unknown';
  const d = state.diagnosis;
  // The IaC advice only while the function keeps our size: not after a rollback, nor when someone
  // else changed it since (their size is then the one to keep).
  const repaired = state.repair && (state.repair.status === 'SUCCEEDED') && outcome !== 'ROLLED_BACK'
    && state.rollback?.status !== 'CHANGED_BY_OTHERS';
  const iacChange = repaired ? state.repair!.iacChange : undefined;
  const verification = state.verification
    ? { status: state.verification.status as VerificationStatus, metricsComparison: state.verification.metricsComparison }
    : undefined;
  return {
    type: outcome,
    functionName,
    issue: {
      // An unknown threshold or value reads "unknown", never 0 (contributor events carry neither).
      description: alarmEvent
        ? `${alarmEvent.metricName} alarm (value ${displayNumber(alarmEvent.currentValue)}, threshold ${displayNumber(alarmEvent.threshold)}): ${alarmEvent.stateReason}`.slice(0, 500)
        : reason,
      alarmName: alarmEvent?.alarmName ?? 'unknown',
      detectedAt: alarmEvent?.stateChangeTime ?? now,
    },
    diagnosis: {
      result: d ? `${d.result.category}: ${d.result.recommendedAction}` : 'not diagnosed',
      confidence: d?.result.confidence ?? 0,
      reasoning: d?.result.reasoning ?? reason,
    },
    ...(state.repair ? {
      repair: {
        action: state.repair.status === 'DRY_RUN' ? 'DRY_RUN_INCREASE_MEMORY' : 'INCREASE_MEMORY',
        originalMemory: state.repair.originalMemoryMb,
        // After a rollback step, the size it found or restored; else the size the repair left.
        newMemory: state.rollback ? state.rollback.restoredMemoryMb : state.repair.newMemoryMb,
        executedAt: state.repair.repairedAt,
      },
    } : {}),
    ...(verification ? { verification } : {}),
    outcome,
    reason,
    executionId: state.executionId,
    ...(d ? { decidedBy: d.decidedBy } : {}),
    ...(iacChange ? {
      iacChange,
      actionRequired: `set ${iacChange} for ${functionName} in your infrastructure code, or the next deploy reverts the repair`,
    } : {}),
  };
}

/** One-line subject (ASCII, at most 100 characters, no line breaks: SNS rules). */
export function buildSubject(body: NotificationBody): string {
  let memory = '';
  if (body.repair && (body.outcome === 'REPAIRED' || body.outcome === 'REPAIRED_UNVERIFIED' || body.outcome === 'REPAIRED_DRY_RUN')) {
    memory = ` ${body.repair.originalMemory}->${body.repair.newMemory} MB`;
  }
  const raw = `[Lambda remediation] ${body.functionName}: ${OUTCOME_WORDS[body.outcome]}${memory}`;
  // eslint-disable-next-line no-control-regex
  const ascii = raw.replace(/[^\x20-\x7E]/g, '?');
  return ascii.length <= MAX_SUBJECT_LENGTH ? ascii : `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

/** SNS message attributes for subscription filter policies. */
export function buildMessageAttributes(body: NotificationBody): Record<string, { DataType: 'String'; StringValue: string }> {
  return {
    outcome: { DataType: 'String', StringValue: body.outcome },
    functionName: { DataType: 'String', StringValue: body.functionName },
    type: { DataType: 'String', StringValue: body.type },
  };
}

/** The approval request: what would change, why, and the two commands that answer it. */
export interface ApprovalRequestBody {
  readonly type: 'APPROVAL_REQUEST';
  readonly functionName: string;
  readonly executionId: string;
  readonly originalMemory: number;
  readonly proposedMemory: number;
  readonly diagnosis: { readonly result: string; readonly confidence: number; readonly reasoning: string };
  readonly approveCommand: string;
  readonly rejectCommand: string;
  readonly instructions: string;
}

/** Quote for a POSIX shell (single quotes). */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, '\'"\'"\'')}'`;
}

/** Build the approval request for `state` with `taskToken`. */
export function buildApprovalRequest(state: WorkflowState, taskToken: string): ApprovalRequestBody {
  const d = state.diagnosis!;
  const fn = state.alarm?.functionName ?? state.collection?.functionName ?? 'unknown';
  const token = shellQuote(taskToken);
  return {
    type: 'APPROVAL_REQUEST',
    functionName: fn,
    executionId: state.executionId,
    originalMemory: d.originalMemoryMb,
    proposedMemory: d.targetMemoryMb,
    diagnosis: { result: `${d.result.category}: ${d.result.recommendedAction}`, confidence: d.result.confidence, reasoning: d.result.reasoning },
    approveCommand: `aws stepfunctions send-task-success --task-token ${token} --task-output '{"approved":true,"approver":"YOUR_NAME"}'`,
    rejectCommand: `aws stepfunctions send-task-failure --task-token ${token} --error ApprovalRejected --cause 'rejected by YOUR_NAME'`,
    instructions: `Approve raising ${fn} from ${d.originalMemoryMb} MB to ${d.targetMemoryMb} MB with the first command, or reject with the second. The token works once and only for this execution; without an answer the request times out and nothing changes.`,
  };
}
