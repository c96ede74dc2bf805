/**
 * The manual repair of the Automation runbook, pure: its input (the runbook's parameters as the
 * `aws:invokeLambdaFunction` step passes them), its output, and its notification.
 */
import { subjectLine } from '../core/notification/build';
import { bullet, code, NotificationDocument, renderText } from '../core/notification/document';
import type { SnsMessage } from '../core/notification/messages';
import { chatNotification, protocolMessages } from '../core/notification/protocols';
import { quote } from '../core/notification/quote';
import { InvalidInputError } from '../runtime/errors';

/** What the runbook step passes (`InputPayload`). */
export interface ManualRepairInput {
  readonly functionName: string;
  readonly memorySizeMb: number;
  /** Why the operator applies it (kept in the records, quoted in the notification). */
  readonly reason: string;
  /** `{{automation:EXECUTION_ID}}`: the records' execution id. */
  readonly automationExecutionId: string;
}

/** What the step returns (the runbook's output). */
export interface ManualRepairOutput {
  readonly status: 'SUCCEEDED' | 'DRY_RUN' | 'CHANGED_BY_OTHERS';
  readonly reason: string;
  readonly functionName: string;
  readonly originalMemoryMb: number;
  readonly newMemoryMb: number;
  readonly repairId: string;
  readonly iacChange: string;
}


/**
 * Read the step's payload. Automation substitutes an `Integer` parameter as a number or, inside a
 * string map, as its decimal text: both are accepted.
 */
export function parseManualRepairInput(event: unknown): ManualRepairInput {
  const e = (event ?? {}) as Record<string, unknown>;
  const fn = e.functionName;
  if (typeof fn !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn)) throw new InvalidInputError(`functionName must be a function name, got ${JSON.stringify(fn)}`);
  const size = typeof e.memorySize === 'string' && /^\d+$/.test(e.memorySize) ? Number(e.memorySize) : e.memorySize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 128 || size > 10240) {
    throw new InvalidInputError(`memorySize must be a whole number of MB from 128 to 10240, got ${JSON.stringify(e.memorySize)}`);
  }
  const id = e.automationExecutionId;
  if (typeof id !== 'string' || id.trim() === '') throw new InvalidInputError(`automationExecutionId is required, got ${JSON.stringify(id)}`);
  const reason = typeof e.reason === 'string' && e.reason.trim() !== '' ? e.reason.trim().slice(0, 300) : 'applied by hand';
  return { functionName: fn, memorySizeMb: size, reason, automationExecutionId: id };
}

/** The notification of a manual repair. */
export function manualRepairMessage(r: {
  functionName: string; fromMb: number; toMb: number; requestedMb: number; status: ManualRepairOutput['status']; reason: string; automationExecutionId: string;
}): SnsMessage<Record<string, unknown>> {
  const what = r.status === 'SUCCEEDED' ? `raised by hand ${r.fromMb} -> ${r.toMb} MB`
    : r.status === 'DRY_RUN' ? `dry run: would raise ${r.fromMb} -> ${r.requestedMb} MB`
      : `not changed: someone else changed it since it was read (asked ${r.requestedMb} MB)`;
  const document: NotificationDocument = {
    summary: `${r.functionName}: MANUAL_REPAIR ${what}.`,
    sections: [
      {
        heading: 'What happened',
        blocks: [
          bullet('The Automation runbook execution ', code(r.automationExecutionId), ' asked for ', code(`${r.requestedMb} MB`), ' within the policy.'),
          bullet(`Result: ${what}. Nobody compared the function before and after: watch its alarms.`),
        ],
      },
      ...(r.status === 'SUCCEEDED' ? [{
        heading: 'Change your infrastructure code',
        blocks: [bullet('Set ', code(`memorySize: ${r.toMb}`), ' for ', code(r.functionName), ' so the next deploy keeps it.')],
      }] : []),
    ],
    quotations: [quote('Reason given by the operator', r.reason, { maxChars: 300, maxLines: 3 })],
    footer: [`lambda-auto-remediation · manual repair · ${r.automationExecutionId}`],
  };
  const body = {
    type: 'MANUAL_REPAIR',
    functionName: r.functionName,
    status: r.status,
    originalMemory: r.fromMb,
    newMemory: r.toMb,
    automationExecutionId: r.automationExecutionId,
    ...(r.status === 'SUCCEEDED' ? { iacChange: `memorySize: ${r.toMb}` } : {}),
  };
  const chat = chatNotification(document, {
    id: `${r.automationExecutionId}#MANUAL_REPAIR`,
    eventType: 'MANUAL_REPAIR',
    functionName: r.functionName,
    relatedResources: [],
    context: { functionName: r.functionName, status: r.status, originalMemoryMb: r.fromMb, newMemoryMb: r.toMb },
  });
  return {
    subject: subjectLine(r.functionName, `MANUAL_REPAIR ${r.status === 'SUCCEEDED' ? `${r.fromMb}->${r.toMb} MB` : r.status}`),
    messages: protocolMessages(body, document, chat),
    attributes: {
      outcome: { DataType: 'String', StringValue: 'MANUAL_REPAIR' },
      functionName: { DataType: 'String', StringValue: r.functionName },
      type: { DataType: 'String', StringValue: 'MANUAL_REPAIR' },
    },
    body,
    text: renderText(document),
    document,
  };
}
