/**
 * The drift notification: JSON for machines, text for e-mail, the chat shape for HTTPS, like the
 * workflow's own messages (core/notification/messages.ts). The product's sentences are built from
 * the numbers it computed; the caller's user agent (set by whoever made the call) is only quoted.
 * Pure: no AWS SDK import.
 */
import { actorWords } from './drift';
import { DRIFT_NOTIFICATION_TYPE, DriftRecord } from './drift-contract';
import { subjectLine } from '../core/notification/build';
import { bullet, code, NotificationDocument, renderText } from '../core/notification/document';
import type { SnsMessage } from '../core/notification/messages';
import { chatNotification, protocolMessages } from '../core/notification/protocols';
import { quote } from '../core/notification/quote';

/** The JSON body of a drift notification. */
export interface DriftNotificationBody {
  readonly type: typeof DRIFT_NOTIFICATION_TYPE;
  readonly functionName: string;
  readonly summary: string;
  readonly memorySizeMb: number;
  readonly verifiedMemoryMb: number;
  readonly verifiedRepairId: string;
  readonly changedAt: string;
  readonly changedBy?: string;
  readonly iacChange: string;
  readonly source: DriftRecord['source'];
}

/** The message for one drift. */
export function driftMessage(d: Omit<DriftRecord, 'notificationStatus'>): SnsMessage<DriftNotificationBody> {
  const summary = `${d.functionName}: DRIFT, memory set to ${d.memorySizeMb} MB, below the ${d.verifiedMemoryMb} MB its last verified repair established; set ${d.iacChange} in the infrastructure code so the fix is not lost.`;
  const document: NotificationDocument = {
    summary,
    sections: [
      {
        heading: 'What happened',
        blocks: [
          bullet('At ', code(d.changedAt), ' ', code(d.functionName), ' was set to ', code(`${d.memorySizeMb} MB`), ' by ', code(actorWords(d.changedBy)), '.'),
          bullet('Its last verified repair (', code(d.verifiedRepairId), ') raised it to ', code(`${d.verifiedMemoryMb} MB`), ' and the verification showed that size works.'),
          bullet('Below that size the out-of-memory failures it fixed are likely to come back.'),
        ],
      },
      {
        heading: 'Change your infrastructure code',
        blocks: [
          bullet('Set ', code(d.iacChange), ' for ', code(d.functionName), ' (CloudFormation and SAM: ', code(`MemorySize: ${d.verifiedMemoryMb}`), ') and deploy.'),
          bullet('If the lower size is intended (the code needs less memory now), nothing to do: the next alarm is diagnosed afresh.'),
        ],
      },
    ],
    quotations: d.changedBy?.userAgent ? [quote('User agent of the call (as the caller sent it)', d.changedBy.userAgent, { maxChars: 200, maxLines: 2 })] : [],
    footer: [`lambda-auto-remediation · drift · ${d.source === 'cloudtrail' ? `CloudTrail event ${d.eventId}` : 'AWS Config evaluation'}`],
  };
  const body: DriftNotificationBody = {
    type: DRIFT_NOTIFICATION_TYPE,
    functionName: d.functionName,
    summary,
    memorySizeMb: d.memorySizeMb,
    verifiedMemoryMb: d.verifiedMemoryMb,
    verifiedRepairId: d.verifiedRepairId,
    changedAt: d.changedAt,
    ...(d.changedBy?.arn || d.changedBy?.invokedBy ? { changedBy: actorWords(d.changedBy) } : {}),
    iacChange: d.iacChange,
    source: d.source,
  };
  const chat = chatNotification(document, {
    id: `${d.functionName}#DRIFT#${d.eventId}`,
    eventType: DRIFT_NOTIFICATION_TYPE,
    functionName: d.functionName,
    relatedResources: [],
    context: {
      outcome: DRIFT_NOTIFICATION_TYPE,
      functionName: d.functionName,
      memorySizeMb: d.memorySizeMb,
      verifiedMemoryMb: d.verifiedMemoryMb,
      iacChange: d.iacChange,
    },
  });
  return {
    subject: subjectLine(d.functionName, `DRIFT ${d.memorySizeMb} MB is below the verified ${d.verifiedMemoryMb} MB`),
    messages: protocolMessages(body, document, chat),
    attributes: {
      outcome: { DataType: 'String', StringValue: DRIFT_NOTIFICATION_TYPE },
      functionName: { DataType: 'String', StringValue: d.functionName },
      type: { DataType: 'String', StringValue: DRIFT_NOTIFICATION_TYPE },
    },
    body,
    text: renderText(document),
    document,
  };
}
