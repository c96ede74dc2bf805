/**
 * The three SNS messages of the workflow, ready to publish with `MessageStructure: 'json'`: the
 * outcome notification (Finalize), the approval request (RequestApproval) and the cleanup notice
 * (Cleanup). Each is the seed's JSON for machines, readable text for e-mail, the chat shape for
 * HTTPS (protocols.ts), a subject and the message attributes subscription filters use. Pure: no
 * AWS SDK import.
 */
import { ApprovalRequestBody, buildApprovalRequest, buildMessageAttributes, buildNotification, buildSubject, NotificationBody, subjectLine } from './build';
import { NotificationDocument, renderText } from './document';
import type { OutcomeFacts } from './outcome';
import { chatNotification, ProtocolMessages, protocolMessages } from './protocols';
import { approvalDocument, CleanupFacts, cleanupDocument, executionStatusWords, memorySentence, outcomeDocument, RepairRecordSummary } from './render';
import type { Outcome, WorkflowState } from '../../workflow/contract';

/** SNS message attributes (for subscription filter policies). */
export type MessageAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

/** One message to publish. */
export interface SnsMessage<B> {
  readonly subject: string;
  /** The `Message` per protocol (`default` required). */
  readonly messages: ProtocolMessages;
  readonly attributes: MessageAttributes;
  /** The JSON machines receive (also kept in the audit record when SNS fails). */
  readonly body: B;
  /** The e-mail text (the `email` protocol's message). */
  readonly text: string;
  readonly document: NotificationDocument;
}

/** The outcome notification of Finalize. */
export function outcomeMessage(
  state: WorkflowState, outcome: Outcome, reason: string, now: string, facts: OutcomeFacts = {},
): SnsMessage<NotificationBody> {
  const body = buildNotification(state, outcome, reason, now, facts);
  const document = outcomeDocument({
    state,
    outcome,
    reason,
    ...(body.iacChange ? { iacChange: body.iacChange } : {}),
    ...(facts.repairIntent ? { repairIntent: facts.repairIntent } : {}),
  });
  const chat = chatNotification(document, {
    id: `${state.executionId}#${outcome}`,
    eventType: outcome,
    functionName: body.functionName,
    relatedResources: [state.collection?.functionArn ?? '', state.executionId],
    context: {
      outcome,
      functionName: body.functionName,
      executionId: state.executionId,
      originalMemoryMb: body.repair?.originalMemory,
      newMemoryMb: body.repair?.newMemory,
      iacChange: body.iacChange,
    },
  });
  return {
    subject: buildSubject(body),
    messages: protocolMessages(body, document, chat),
    attributes: buildMessageAttributes(body),
    body,
    text: renderText(document),
    document,
  };
}

/**
 * The approval request. The task token is in the e-mail and the JSON (by design: whoever can
 * read the topic can answer), not in the chat message.
 */
export function approvalMessage(state: WorkflowState, taskToken: string): SnsMessage<ApprovalRequestBody> {
  const body = buildApprovalRequest(state, taskToken);
  const document = approvalDocument(state, taskToken, true);
  const chat = chatNotification(approvalDocument(state, taskToken, false), {
    id: `${state.executionId}#APPROVAL_REQUEST`,
    eventType: 'APPROVAL_REQUEST',
    functionName: body.functionName,
    relatedResources: [state.collection?.functionArn ?? '', state.executionId],
    context: {
      functionName: body.functionName,
      executionId: state.executionId,
      originalMemoryMb: body.originalMemory,
      proposedMemoryMb: body.proposedMemory,
    },
  });
  return {
    subject: subjectLine(body.functionName, `APPROVAL_REQUEST approve ${body.originalMemory}->${body.proposedMemory} MB?`),
    messages: protocolMessages(body, document, chat),
    attributes: {
      type: { DataType: 'String', StringValue: 'APPROVAL_REQUEST' },
      functionName: { DataType: 'String', StringValue: body.functionName },
    },
    body,
    text: renderText(document),
    document,
  };
}

/** The JSON of a cleanup notice. */
export interface CleanupNoticeBody {
  readonly type: 'EXECUTION_ENDED';
  readonly outcome: 'FAILED';
  readonly functionName: string;
  readonly executionId: string;
  readonly executionStatus: string;
  readonly summary: string;
  readonly reason: string;
  readonly repair?: RepairRecordSummary;
  readonly actionRequired?: string;
}

/** The cleanup notice: an execution ended without Finalize; its lock was released. */
export function cleanupMessage(facts: CleanupFacts): SnsMessage<CleanupNoticeBody> {
  const { executionArn, status, functionName: fn, repair } = facts;
  const document = cleanupDocument(facts);
  const changed = repair?.status === 'SUCCEEDED' && repair.newMemory !== undefined;
  const body: CleanupNoticeBody = {
    type: 'EXECUTION_ENDED',
    outcome: 'FAILED',
    functionName: fn,
    executionId: executionArn,
    executionStatus: status,
    summary: document.summary,
    reason: `execution ${executionArn} ended ${status}; the lock on ${fn} was released; ${memorySentence(repair)}`,
    ...(repair ? { repair: { originalMemory: repair.originalMemory, newMemory: repair.newMemory, status: repair.status } } : {}),
    ...(changed ? { actionRequired: `check ${fn}: set memorySize: ${repair.newMemory} in your infrastructure code to keep the repair, or restore ${repair.originalMemory} MB` } : {}),
  };
  const chat = chatNotification(document, {
    id: `${executionArn}#EXECUTION_ENDED`,
    eventType: 'EXECUTION_ENDED',
    functionName: fn,
    relatedResources: [executionArn],
    context: { outcome: 'FAILED', functionName: fn, executionId: executionArn, executionStatus: status },
  });
  return {
    subject: subjectLine(fn, `execution ${executionStatusWords(status)}, lock released`),
    messages: protocolMessages(body, document, chat),
    attributes: {
      outcome: { DataType: 'String', StringValue: 'FAILED' },
      functionName: { DataType: 'String', StringValue: fn },
      type: { DataType: 'String', StringValue: 'EXECUTION_ENDED' },
    },
    body,
    text: renderText(document),
    document,
  };
}
