/**
 * Publishing to SNS (retried with backoff) and putting result events on EventBridge. Failures
 * are returned, not thrown: Finalize falls back to the event and the audit record so an outcome
 * is never lost because one channel is down.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { client, registerClient } from './clients';
import { sleep } from './clock';
import { toNamedError } from './errors';
import { logger } from './powertools';
import type { ProtocolMessages } from '../core/notification/protocols';
import { RESULT_EVENT_DETAIL_TYPE, RESULT_EVENT_SOURCE, ResultEventDetail } from '../workflow/contract';

registerClient('sns', (o) => new SNSClient({ region: o.region, maxAttempts: 3 }));
registerClient('events', (o) => new EventBridgeClient({ region: o.region, maxAttempts: 3 }));

/** How a send went. */
export interface SendResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
  readonly messageId?: string;
}

/** Attempts per channel; backoff doubles from 200 ms. */
export const SEND_ATTEMPTS = 3;

async function withRetry(what: string, send: () => Promise<string | undefined>): Promise<SendResult> {
  let lastError = '';
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
    try {
      const messageId = await send();
      return { ok: true, attempts: attempt, ...(messageId ? { messageId } : {}) };
    } catch (err) {
      const named = toNamedError(err, what);
      lastError = `${named.name}: ${named.message}`;
      logger.warn('send failed', { what, attempt, error: lastError });
      // Access denied or a bad request will not get better by waiting.
      if (named.name === 'AccessDeniedError' || named.name === 'InvalidInputError') break;
      if (attempt < SEND_ATTEMPTS) await sleep(200 * 2 ** (attempt - 1));
    }
  }
  return { ok: false, attempts: SEND_ATTEMPTS, error: lastError };
}

/**
 * Publish one message to the topic, a text per subscription protocol: `MessageStructure: 'json'`
 * with `Message` a JSON object whose `default` is required and whose other keys name protocols
 * (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html; what each protocol gets:
 * core/notification/protocols.ts).
 */
export function publishToTopic(
  topicArn: string, subject: string, messages: ProtocolMessages, attributes: Record<string, { DataType: 'String'; StringValue: string }>,
): Promise<SendResult> {
  return withRetry(`sns:Publish to ${topicArn}`, async () => {
    const out = await client('sns').send(new PublishCommand({
      TopicArn: topicArn,
      Subject: subject,
      MessageStructure: 'json',
      Message: JSON.stringify(messages),
      MessageAttributes: attributes,
    }));
    return out.MessageId;
  });
}

/** Put the result event on the bus. */
export function putResultEvent(busName: string, detail: ResultEventDetail, resources: string[] = []): Promise<SendResult> {
  return putEvent(busName, RESULT_EVENT_SOURCE, RESULT_EVENT_DETAIL_TYPE, detail, resources);
}

/** Put one event of the library on the bus (retried like a publish). */
export function putEvent(busName: string, source: string, detailType: string, detail: unknown, resources: string[] = []): Promise<SendResult> {
  return withRetry(`events:PutEvents on ${busName}`, async () => {
    const out = await client('events').send(new PutEventsCommand({
      Entries: [{
        EventBusName: busName,
        Source: source,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
        Resources: resources,
      }],
    }));
    // PutEvents reports per-entry failures in a 200 answer.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const e = out.Entries?.[0];
      throw Object.assign(new Error(`${e?.ErrorCode ?? 'unknown'}: ${e?.ErrorMessage ?? ''}`), { name: e?.ErrorCode ?? 'PutEventsFailed', $fault: 'server' });
    }
    return out.Entries?.[0]?.EventId;
  });
}
