/**
 * CloudTrail management events of the simulated account, as EventBridge receives them.
 *
 * Follows:
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html and
 *   .../event-types.html: CloudTrail sends `AWS API Call via CloudTrail` events to the default
 *   bus, and "To record events with a detail-type value of AWS API Call via CloudTrail, a
 *   CloudTrail trail with logging enabled is required": without a trail nothing is delivered.
 *   Delivery is best effort.
 * - https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-lambda.html: Lambda's events
 *   have `source` `aws.lambda` and `detail.eventSource` `lambda.amazonaws.com`; Lambda names its
 *   events after the API version (`UpdateFunctionConfiguration20150331v2`).
 * - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html:
 *   `userIdentity` (an assumed-role session: `type` AssumedRole, `arn` of the session,
 *   `sessionContext.sessionIssuer` the role; `invokedBy` when an AWS service made the call),
 *   `eventTime`, `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`,
 *   `requestParameters`, `responseElements`, `requestID`, `eventID`, `readOnly`, `eventType`,
 *   `managementEvent`, `recipientAccountId`, `eventCategory`.
 *
 * Not modelled: read-only events, data events, failed calls (a call the simulated service
 * rejects records nothing here), and how late CloudTrail delivers: events arrive one minute after
 * the call (`deliveryDelayMs`), a choice, not a documented figure. `responseElements` keeps the
 * configuration fields a reader of the event uses, never environment variables.
 */
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

/** Who made a call, as CloudTrail identifies it. */
export type CallIdentity =
  | { readonly kind: 'role'; readonly roleArn: string; readonly sessionName: string }
  | { readonly kind: 'service'; readonly service: string; readonly roleArn: string; readonly sessionName: string };

/** One recorded management event (the CloudTrail record). */
export interface CloudTrailRecord {
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly eventID: string;
  readonly [field: string]: unknown;
}

export interface CloudTrailOptions {
  /** A trail logs management events (without one, EventBridge receives no API call events). @default false */
  readonly trail?: boolean;
  /** Virtual ms between a call and its event on the bus. @default 60000 */
  readonly deliveryDelayMs?: number;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export class CloudTrailService {
  /** Every management event recorded (CloudTrail's event history keeps them with or without a trail). */
  public readonly records: CloudTrailRecord[] = [];
  private readonly pending: Array<{ at: number; event: Record<string, unknown> }> = [];

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom, private readonly options: CloudTrailOptions = {}) {}

  /** Record a successful write call of `service` (e.g. `lambda`). */
  public record(
    service: string, eventName: string, identity: CallIdentity, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown>,
  ): void {
    const now = this.clock.now();
    const eventTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const roleName = identity.roleArn.split('/').pop() ?? identity.roleArn;
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${identity.sessionName}`;
    const viaService = identity.kind === 'service';
    const record: CloudTrailRecord = {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROA${this.random.uuid().replace(/-/g, '').slice(0, 17).toUpperCase()}:${identity.sessionName}`,
        arn: sessionArn,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: `AROA${this.random.uuid().replace(/-/g, '').slice(0, 17).toUpperCase()}`, arn: identity.roleArn, accountId: ACCOUNT, userName: roleName },
          attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
        },
        ...(viaService ? { invokedBy: identity.service } : {}),
      },
      eventTime,
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: REGION,
      sourceIPAddress: viaService ? identity.service : '3.92.17.201',
      userAgent: viaService ? identity.service : 'aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#22 api/lambda exec-env/AWS_Lambda_nodejs22.x',
      requestParameters,
      responseElements,
      requestID: this.random.uuid(),
      eventID: this.random.uuid(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    };
    this.records.push(record);
    if (!this.options.trail) return;
    this.pending.push({
      at: now + (this.options.deliveryDelayMs ?? 60_000),
      event: {
        'version': '0',
        'id': this.random.uuid(),
        'detail-type': 'AWS API Call via CloudTrail',
        'source': `aws.${service}`,
        'account': ACCOUNT,
        'time': eventTime,
        'region': REGION,
        'resources': [],
        'detail': record,
      },
    });
  }

  /** Events due on the bus by `now`, in order (each returned once). */
  public due(now: number): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    while (this.pending.length && this.pending[0].at <= now) out.push(this.pending.shift()!.event);
    return out;
  }

  /** When the next event is due, if any. */
  public nextDue(): number | undefined {
    return this.pending[0]?.at;
  }
}
