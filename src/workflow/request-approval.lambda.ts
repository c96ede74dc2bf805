/**
 * Request approval: the `.waitForTaskToken` step. Publishes the approval request (what would
 * change, why, a link to the execution and the exact commands to approve or reject with the task
 * token; core/notification/messages.ts) to the topic and records it. The state machine then waits; the operator's `send-task-success` output lands at
 * `$.approval`. A task token is issued by Step Functions per task, cannot be forged, and is
 * accepted once.
 *
 * The token is a bearer credential for this one decision. It goes to the topic only, in the e-mail
 * and the JSON but not in the chat (HTTPS) message (by design: whoever receives the message can
 * approve, so subscribe only the people who may approve, and grant sns:Subscribe on the topic to
 * no one else); it is never logged here, and the state
 * machine logs without execution data so the task input (which holds it) is not logged there
 * either. Principals with states:GetExecutionHistory on the state machine can still read it.
 */
import { ApprovalRequestInput, ENV, HANDLERS } from './contract';
import { approvalMessage } from '../core/notification/messages';
import { now } from '../runtime/clock';
import { envString } from '../runtime/env';
import { ServiceUnavailableError } from '../runtime/errors';
import { publishToTopic } from '../runtime/notifier';
import { HandlerContext, logger, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';

/** What the handler returns to Lambda (the task's real output is the operator's answer). */
export interface ApprovalRequested {
  readonly requested: true;
  readonly messageId?: string;
}

export async function handler(input: ApprovalRequestInput, context?: HandlerContext): Promise<ApprovalRequested> {
  return runHandler('requestApproval', HANDLERS.requestApproval.requiredEnv, context, async () => {
    const payload = requireObject<ApprovalRequestInput>(input, 'approval input');
    requireFields(payload, ['taskToken', 'state.executionId', 'state.alarm.functionName', 'state.diagnosis.targetMemoryMb'], 'approval input');
    const message = approvalMessage(payload.state, payload.taskToken);
    const body = message.body;
    const fn = body.functionName;
    const sent = await publishToTopic(envString(ENV.TOPIC_ARN), message.subject, message.messages, message.attributes);
    // Without the message nobody can answer: fail so the state machine retries, then finalizes.
    if (!sent.ok) throw new ServiceUnavailableError(`approval request for ${fn} could not be published: ${sent.error}`);
    await new Store(envString(ENV.TABLE_NAME)).putAudit({
      executionId: payload.state.executionId,
      functionName: fn,
      step: 'requestApproval',
      actor: 'lambda-auto-remediation',
      action: 'approval requested',
      before: { memorySize: body.originalMemory },
      after: { memorySize: body.proposedMemory },
      why: payload.state.diagnosis?.reason ?? '',
      at: now().toISOString(),
    });
    // The token is a bearer credential for this decision: never logged.
    logger.info('approval requested', { functionName: fn, messageId: sent.messageId });
    return { requested: true, ...(sent.messageId ? { messageId: sent.messageId } : {}) };
  });
}
