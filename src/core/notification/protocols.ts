/**
 * One SNS message per subscription protocol (Publish with `MessageStructure: 'json'`). Pure: no
 * AWS SDK import.
 *
 * How SNS treats it (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, parameters
 * `Message` and `MessageStructure`): `Message` must be a JSON object with a string `default`;
 * other top-level keys name a transport protocol and must have string values; keys that are no
 * protocol are ignored; a protocol without its own key gets `default`; all values together count
 * against the message size limit (256 KiB unless the topic's `MaximumMessageSize` allows more).
 * The protocols are the subscription protocols of
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html (http, https, email, email-json,
 * sms, sqs, application, lambda, firehose); mobile `application` endpoints take platform keys
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html).
 *
 * What each gets:
 * - `email`: the readable text (plain text e-mail; the `Subject` is the e-mail subject).
 * - `default`, `email-json`, `sqs`, `lambda`, `http`: the seed's notification JSON, for machines.
 *   `firehose` and `application` fall back to `default`, the JSON.
 * - `https`: the custom notification of Amazon Q Developer in chat applications (formerly AWS
 *   Chatbot), https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html. Chatbot
 *   subscribes to the topic over HTTPS and renders only AWS event shapes it knows or this custom
 *   shape; it is JSON, so other HTTPS endpoints can still read `metadata.additionalContext`.
 * - `sms`: the summary line only (an SMS carries 140 bytes a part).
 */
import { NotificationDocument, renderChatDescription, renderShort, renderText } from './document';
import { neutraliseProduct, productLine } from './quote';

/** The keys this library sets. */
export const PROTOCOL_KEYS = ['default', 'email', 'email-json', 'sqs', 'lambda', 'http', 'https', 'sms'] as const;
export type ProtocolKey = (typeof PROTOCOL_KEYS)[number];

/** The keys that get the machine-readable JSON. */
export const JSON_PROTOCOLS: readonly ProtocolKey[] = ['default', 'email-json', 'sqs', 'lambda', 'http'];

/** The `Message` of a Publish with `MessageStructure: 'json'`: a string per protocol, `default` required. */
export type ProtocolMessages = { readonly default: string } & Partial<Record<Exclude<ProtocolKey, 'default'>, string>>;

/** SNS's default maximum message size in bytes (the values of every protocol together). */
export const MAX_MESSAGE_BYTES = 262_144;

/**
 * Amazon Q Developer in chat applications custom notification
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): `version` must be
 * `1.0`, `source` must be `custom`; `textType` `client-markdown` is the only one supported.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly keywords?: string[];
  };
  readonly metadata: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: string[];
    readonly additionalContext?: Record<string, string>;
  };
}

/** Bounds kept well inside what a chat message shows at once. */
export const CHAT_TITLE_MAX = 250;
export const CHAT_DESCRIPTION_MAX = 6000;

/** What identifies a chat notification besides its document. */
export interface ChatMeta {
  /** Unique per notification (execution id and kind). */
  readonly id: string;
  /** OUTCOME, `APPROVAL_REQUEST` or `EXECUTION_ENDED`. */
  readonly eventType: string;
  readonly functionName: string;
  readonly relatedResources: string[];
  /** Flat key facts for machines that read the HTTPS message (strings only, as the schema requires). */
  readonly context: Record<string, string | number | undefined>;
}

/** The chat notification of a document. */
export function chatNotification(doc: NotificationDocument, meta: ChatMeta): ChatNotification {
  let description = renderChatDescription(doc);
  if (description.length > CHAT_DESCRIPTION_MAX) description = `${description.slice(0, CHAT_DESCRIPTION_MAX - 40).trimEnd()}\n[shortened: the e-mail has it all]`;
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.context)) if (v !== undefined) context[k] = String(v);
  return {
    version: '1.0',
    source: 'custom',
    id: productLine(meta.id, 200),
    content: {
      textType: 'client-markdown',
      title: neutraliseProduct(productLine(doc.summary, CHAT_TITLE_MAX)),
      description,
      keywords: [meta.eventType, meta.functionName].map((k) => productLine(k, 64)),
    },
    metadata: {
      // One thread per function: its alarm, approval and result read as one conversation.
      threadId: productLine(`lambda-remediation-${meta.functionName}`, 128),
      summary: productLine(doc.summary, 500),
      eventType: meta.eventType,
      relatedResources: meta.relatedResources.filter((r) => r.startsWith('arn:')),
      additionalContext: context,
    },
  };
}

/** The message for every protocol. */
export function protocolMessages(json: unknown, email: NotificationDocument, chat: ChatNotification): ProtocolMessages {
  const machine = JSON.stringify(json, null, 2);
  const all: Record<ProtocolKey, string> = {
    'default': machine,
    'email': renderText(email),
    'email-json': machine,
    'sqs': machine,
    'lambda': machine,
    'http': machine,
    'https': JSON.stringify(chat),
    'sms': renderShort(email),
  };
  if (messageBytes(all) <= MAX_MESSAGE_BYTES) return all;
  // Too large together: the machine protocols fall back to `default` (same JSON) by themselves.
  const fallback = new Set<ProtocolKey>(JSON_PROTOCOLS.filter((k) => k !== 'default'));
  return Object.fromEntries(Object.entries(all).filter(([k]) => !fallback.has(k as ProtocolKey))) as ProtocolMessages;
}

/** Size in bytes of the `Message` SNS receives. */
export function messageBytes(messages: Partial<Record<ProtocolKey, string>>): number {
  return Buffer.byteLength(JSON.stringify(messages), 'utf8');
}
