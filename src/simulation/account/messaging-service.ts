/**
 * The simulated SNS and EventBridge: every publish and event recorded as sent, with scripted
 * delivery failures (SNS) so the notification fallback can be exercised.
 */
import { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InternalErrorException, NotFoundException } from '@aws-sdk/client-sns';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

/** One SNS message as published. */
export interface PublishedMessage {
  readonly time: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  /** `message` parsed as JSON when it is JSON. */
  readonly json?: unknown;
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
  private snsFailuresLeft: number;

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom, private readonly options: MessagingOptions = {}) {
    this.snsFailuresLeft = options.snsFailures ?? 0;
  }

  public publish(input: {
    TopicArn?: string;
    Subject?: string;
    Message?: string;
    MessageAttributes?: Record<string, { StringValue?: string }>;
  }): Record<string, unknown> {
    if (this.options.topics && !this.options.topics.includes(input.TopicArn ?? '')) {
      throw new NotFoundException({ message: `Topic does not exist: ${input.TopicArn}`, $metadata: { httpStatusCode: 404 } });
    }
    if (this.snsFailuresLeft > 0) {
      this.snsFailuresLeft--;
      throw new InternalErrorException({ message: 'Internal Error', $metadata: { httpStatusCode: 500 } });
    }
    const message = input.Message ?? '';
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
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: this.random.uuid() })) };
  }
}
