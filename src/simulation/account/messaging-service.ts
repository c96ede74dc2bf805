/**
 * The simulated SNS and EventBridge: every publish and event recorded as sent, with scripted
 * delivery failures (SNS) so the notification fallback can be exercised.
 */
import { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InternalErrorException, InvalidParameterException, NotFoundException } from '@aws-sdk/client-sns';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

/** One SNS message as published. */
export interface PublishedMessage {
  readonly time: string;
  readonly topicArn: string;
  readonly subject?: string;
  /** The message; with `MessageStructure: 'json'`, its `default` entry. */
  readonly message: string;
  /** `message` parsed as JSON when it is JSON. */
  readonly json?: unknown;
  /** With `MessageStructure: 'json'`: the message of each protocol key (`email`, `sqs`, `https`...). */
  readonly protocols?: Record<string, string>;
  readonly attributes: Record<string, string>;
}

/** One event put on a bus. */
export interface PutEvent {
  readonly time: string;
  readonly eventBusName: string;
  readonly source?: string;
  readonly detailType?: string;
  readonly detail?: unknown;
}

export interface MessagingOptions {
  /** The first N Publish calls fail with InternalErrorException. @default 0 */
  readonly snsFailures?: number;
  /** Topic ARNs that exist; others get NotFoundException. @default - any topic exists */
  readonly topics?: string[];
}

export class MessagingService {
  public readonly messages: PublishedMessage[] = [];
  public readonly events: PutEvent[] = [];
  /**
   * Events put on the default bus, as EventBridge hands them to its rules
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html: `version`,
   * `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`), until the
   * simulation delivers them.
   */
  public readonly busEvents: Array<Record<string, unknown>> = [];
  private snsFailuresLeft: number;

  /**
   * @param busRandom where the ids of events handed to the default bus's rules come from (a stream
   * apart from `random`, so delivering them draws nothing a workload would have drawn)
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly random: SeededRandom,
    private readonly options: MessagingOptions = {},
    private readonly busRandom: SeededRandom = random,
  ) {
    this.snsFailuresLeft = options.snsFailures ?? 0;
  }

  public publish(input: {
    TopicArn?: string;
    Subject?: string;
    Message?: string;
    MessageStructure?: string;
    MessageAttributes?: Record<string, { StringValue?: string }>;
  }): Record<string, unknown> {
    if (this.options.topics && !this.options.topics.includes(input.TopicArn ?? '')) {
      throw new NotFoundException({ message: `Topic does not exist: ${input.TopicArn}`, $metadata: { httpStatusCode: 404 } });
    }
    const protocols = input.MessageStructure === undefined ? undefined : protocolMessages(input.MessageStructure, input.Message ?? '');
    if (this.snsFailuresLeft > 0) {
      this.snsFailuresLeft--;
      throw new InternalErrorException({ message: 'Internal Error', $metadata: { httpStatusCode: 500 } });
    }
    const message = protocols ? protocols.default : input.Message ?? '';
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      json = undefined;
    }
    this.messages.push({
      time: this.clock.nowIso(),
      topicArn: input.TopicArn ?? '',
      subject: input.Subject,
      message,
      ...(json !== undefined ? { json } : {}),
      ...(protocols ? { protocols } : {}),
      attributes: Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
    });
    return { MessageId: this.random.uuid() };
  }

  public putEvents(input: { Entries?: PutEventsRequestEntry[] }): Record<string, unknown> {
    const entries = input.Entries ?? [];
    for (const e of entries) {
      let detail: unknown = e.Detail;
      try {
        detail = JSON.parse(e.Detail ?? 'null');
      } catch {
        // keep the raw text
      }
      this.events.push({ time: this.clock.nowIso(), eventBusName: e.EventBusName ?? 'default', source: e.Source, detailType: e.DetailType, detail });
      if ((e.EventBusName ?? 'default') === 'default' || (e.EventBusName ?? '').endsWith(':event-bus/default')) {
        this.busEvents.push({
          'version': '0',
          'id': this.busRandom.uuid(),
          'detail-type': e.DetailType,
          'source': e.Source,
          'account': '123456789012',
          'time': this.clock.nowIso().replace(/\.\d{3}Z$/, 'Z'),
          'region': 'us-east-1',
          'resources': e.Resources ?? [],
          'detail': detail,
        });
      }
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: this.random.uuid() })) };
  }
}

/**
 * The per-protocol messages of a Publish with `MessageStructure` (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html):
 * the only valid value is `json`; `Message` must then be a JSON object with a top-level string
 * `default`; failing to parse or validate it fails the whole call with InvalidParameter (no partial
 * delivery). Keys that are no protocol, and non-string values, are ignored.
 */
function protocolMessages(structure: string, message: string): Record<string, string> & { default: string } {
  const invalid = (what: string) => new InvalidParameterException({ message: `Invalid parameter: ${what}`, $metadata: { httpStatusCode: 400 } });
  if (structure !== 'json') throw invalid(`MessageStructure must be json, got '${structure}'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalid('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('Message Structure - JSON message body failed to parse');
  const entries = Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && SNS_PROTOCOL_KEYS.has(e[0]));
  const out = Object.fromEntries(entries);
  if (typeof out.default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
  return out as Record<string, string> & { default: string };
}

/** `default` and the subscription protocols (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html), plus mobile platform keys. */
const SNS_PROTOCOL_KEYS = new Set([
  'default', 'http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose',
  'APNS', 'APNS_SANDBOX', 'APNS_VOIP', 'APNS_VOIP_SANDBOX', 'MACOS', 'MACOS_SANDBOX', 'GCM', 'ADM', 'BAIDU', 'MPNS', 'WNS',
]);
