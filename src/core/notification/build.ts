/**
 * Building the seed's notification (JSON body), a readable SNS subject, the message attributes
 * for subscription filters, and the approval request. Pure: no AWS SDK import.
 *
 * What goes in: only fields of the workflow state, which never holds environment variables or
 * other secret-bearing configuration (the collector drops them at the source).
 */
import { consoleLinks } from './links';
import type { OutcomeFacts } from './outcome';
import { approvalCommands, approvalSummary, APPROVER_PLACEHOLDER, outcomeSummary, reasonIsOwn } from './render';
import type { Outcome, VerificationStatus, WorkflowState } from '../../workflow/contract';
import { displayNumber, Notification } from '../model';

/** The body published to SNS: the seed's format plus what to do next. */
export interface NotificationBody extends Notification {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly executionId: string;
  /** On a hub: the account and region of the function (or of the alarm not admitted). */
  readonly account?: string;
  readonly region?: string;
  /** The summary line people read first (function, outcome, old -> new size, why): product words only. */
  readonly summary?: string;
  /** The infrastructure-code change that keeps the new size on the next deploy, when memory changed. */
  readonly iacChange?: string;
  readonly actionRequired?: string;
  readonly decidedBy?: string;
  /**
   * Paths of the fields above that hold text from outside the product (a model's reasoning, an
   * operator's comment, an error message, CloudWatch's state reason): show them quoted, never as
   * the product's own words.
   */
  readonly untrustedText?: string[];
}

/** SNS subject limit: "less than 100 characters" (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
export const MAX_SUBJECT_LENGTH = 99;

/** The subject's words for each outcome, after the outcome code. */
const SUBJECT_WORDS: Record<Outcome, string> = {
  REPAIRED: 'memory raised',
  REPAIRED_UNVERIFIED: 'memory raised, not verified',
  REPAIRED_DRY_RUN: 'dry run, would raise',
  ROLLED_BACK: 'rolled back',
  NO_ACTION: 'not memory, no change',
  HUMAN_REVIEW: 'review needed',
  CANNOT_INCREASE: 'memory issue, cannot raise',
  ALREADY_IN_PROGRESS: 'already being handled',
  COOLDOWN: 'skipped, cooldown',
  DAILY_BUDGET_EXHAUSTED: 'skipped, daily budget used',
  IGNORED: 'alarm ignored',
  NOT_ADMITTED: 'account not admitted, no change',
  SUPPRESSED: 'alarm muted, no change',
  REJECTED: 'repair rejected',
  APPROVAL_TIMED_OUT: 'nobody answered',
  FAILED: 'a step failed',
};

/** The infrastructure-code change for a new size, e.g. `memorySize: 1024`. */
export function iacChangeFor(memoryMb: number): string {
  return `memorySize: ${memoryMb}`;
}

/** Build the notification for the final state (the seed's JSON, for machines). */
export function buildNotification(state: WorkflowState, outcome: Outcome, reason: string, now: string, facts: OutcomeFacts = {}): NotificationBody {
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
  const place = state.alarm?.account && state.alarm.region ? { account: state.alarm.account, region: state.alarm.region } : {};
  return {
    type: outcome,
    functionName,
    ...place,
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
    summary: outcomeSummary({
      state, outcome, reason, ...(iacChange ? { iacChange } : {}), ...(facts.repairIntent ? { repairIntent: facts.repairIntent } : {}),
    }),
    untrustedText: [
      ...(alarmEvent ? ['issue.description'] : reasonIsOwn(state, outcome, reason) ? [] : ['issue.description']),
      ...(d && d.decidedBy !== 'rules' ? ['diagnosis.reasoning'] : []),
      ...(reasonIsOwn(state, outcome, reason) ? [] : ['reason']),
    ],
  };
}

/**
 * One-line subject: function, outcome, old -> new size. ASCII, no line breaks, under 100
 * characters (SNS rules); a long function name is shortened, the outcome and sizes never are.
 */
export function buildSubject(body: NotificationBody): string {
  const r = body.repair;
  let sizes = '';
  if (r && ['REPAIRED', 'REPAIRED_UNVERIFIED', 'REPAIRED_DRY_RUN', 'ROLLED_BACK'].includes(body.outcome)) {
    sizes = body.outcome === 'ROLLED_BACK' ? ` to ${r.newMemory} MB` : ` ${r.originalMemory}->${r.newMemory} MB`;
  }
  return subjectLine(body.functionName, `${body.outcome} ${SUBJECT_WORDS[body.outcome]}${sizes}`);
}

/** `[Lambda remediation] <fn>: <rest>`, shortened to the SNS limit by shortening the function name. */
export function subjectLine(functionName: string, rest: string): string {
  const ascii = (t: string) => t.replace(/[^\x20-\x7E]/g, '?');
  const prefix = '[Lambda remediation] ';
  const tail = `: ${ascii(rest)}`;
  let fn = ascii(functionName);
  const room = MAX_SUBJECT_LENGTH - prefix.length - tail.length;
  if (fn.length > room) fn = room > 3 ? `${fn.slice(0, room - 3)}...` : '';
  const line = `${prefix}${fn}${tail}`;
  return line.length <= MAX_SUBJECT_LENGTH ? line : `${line.slice(0, MAX_SUBJECT_LENGTH - 3)}...`;
}

/** SNS message attributes for subscription filter policies. */
export function buildMessageAttributes(body: NotificationBody): Record<string, { DataType: 'String'; StringValue: string }> {
  return {
    outcome: { DataType: 'String', StringValue: body.outcome },
    functionName: { DataType: 'String', StringValue: body.functionName },
    type: { DataType: 'String', StringValue: body.type },
    ...(body.account ? { account: { DataType: 'String' as const, StringValue: body.account } } : {}),
    ...(body.region ? { region: { DataType: 'String' as const, StringValue: body.region } } : {}),
  };
}

/** The approval request: what would change, why, and the two commands that answer it. */
export interface ApprovalRequestBody {
  readonly type: 'APPROVAL_REQUEST';
  readonly functionName: string;
  readonly executionId: string;
  readonly summary: string;
  readonly originalMemory: number;
  readonly proposedMemory: number;
  readonly diagnosis: { readonly result: string; readonly confidence: number; readonly reasoning: string };
  readonly decidedBy: string;
  /** The execution in the Step Functions console, when its ARN names a known partition. */
  readonly executionUrl?: string;
  readonly approveCommand: string;
  readonly rejectCommand: string;
  readonly instructions: string;
  /** See {@link NotificationBody.untrustedText}. */
  readonly untrustedText: string[];
}

/** Build the approval request for `state` with `taskToken`. */
export function buildApprovalRequest(state: WorkflowState, taskToken: string): ApprovalRequestBody {
  const d = state.diagnosis!;
  const fn = state.alarm?.functionName ?? state.collection?.functionName ?? 'unknown';
  const commands = approvalCommands(taskToken, state.executionId);
  const url = consoleLinks(state.executionId, fn).execution;
  return {
    type: 'APPROVAL_REQUEST',
    functionName: fn,
    executionId: state.executionId,
    summary: approvalSummary(state),
    originalMemory: d.originalMemoryMb,
    proposedMemory: d.targetMemoryMb,
    diagnosis: { result: `${d.result.category}: ${d.result.recommendedAction}`, confidence: d.result.confidence, reasoning: d.result.reasoning },
    decidedBy: d.decidedBy,
    ...(url ? { executionUrl: url } : {}),
    approveCommand: commands.approve,
    rejectCommand: commands.reject,
    instructions: `Approve raising ${fn} from ${d.originalMemoryMb} MB to ${d.targetMemoryMb} MB with the first command, or reject with the second `
      + `(replace ${APPROVER_PLACEHOLDER} with your name). The token works once and only for this execution; without an answer the request times out and nothing changes.`,
    untrustedText: d.decidedBy !== 'rules' ? ['diagnosis.reasoning'] : [],
  };
}
