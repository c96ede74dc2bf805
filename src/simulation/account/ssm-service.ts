/**
 * AWS Systems Manager OpsCenter in the simulated account: CreateOpsItem with its checks and
 * deduplication, GetOpsItem, and UpdateOpsItem for an operator resolving one.
 *
 * Follows:
 * - https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateOpsItem.html:
 *   `Description`, `Source` and `Title` required; `Priority` 1-5; the source "can't contain the
 *   following strings: aws, amazon, and amzn"; operational data keys at most 128 characters,
 *   values at most 20 KB, `Type` `SearchableString` or `String`; keys "can't begin with the
 *   following: amazon, aws, amzn, ssm, /amazon, /aws, /amzn, /ssm" apart from the documented
 *   `/aws/resources` and `/aws/automations` (and `/aws/dedup`, below). A rejected request is
 *   `OpsItemInvalidParameterException` naming the parameters. Description 1-2,048 and title
 *   1-1,024 characters, category and severity 1-64 (API_OpsItem.html).
 * - https://docs.aws.amazon.com/systems-manager/latest/userguide/OpsCenter-working-deduplication.html:
 *   "If a matching hash exists for this deduplication string, Systems Manager checks the status of
 *   the existing OpsItem. If the status of an existing OpsItem is open or in progress, the OpsItem
 *   is not created. If the existing OpsItem is resolved, Systems Manager creates a new OpsItem."
 *   The simulation answers that case with `OpsItemAlreadyExistsException` carrying the existing
 *   `OpsItemId` (the SDK model's exception for "The OpsItem already exists"); the hash is taken over
 *   the deduplication string alone (the page's "resource that initiated the OpsItem" is the caller
 *   here, always the same handler).
 *
 * Not modelled: OpsItem quotas, tags, related OpsItems, notifications to SNS on edits, cross-account
 * OpsItems, and OpsItem types other than the default `/aws/issue`.
 */
import { OpsItemAlreadyExistsException, OpsItemInvalidParameterException, OpsItemNotFoundException } from '@aws-sdk/client-ssm';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const DOCUMENTED_AWS_KEYS = ['/aws/resources', '/aws/automations', '/aws/dedup'];
const RESERVED_PREFIXES = ['amazon', 'aws', 'amzn', 'ssm', '/amazon', '/aws', '/amzn', '/ssm'];

/** One OpsItem as OpsCenter keeps it. */
export interface SimOpsItem {
  readonly opsItemId: string;
  readonly title: string;
  readonly description: string;
  readonly source: string;
  readonly priority?: number;
  readonly severity?: string;
  readonly category?: string;
  readonly operationalData: Record<string, { Type?: string; Value?: string }>;
  status: 'Open' | 'InProgress' | 'Resolved';
  readonly createdTime: string;
  readonly dedupString?: string;
}

export class SsmService {
  public readonly opsItems: SimOpsItem[] = [];

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom) {}

  public createOpsItem(input: Record<string, any>): Record<string, unknown> {
    const bad: string[] = [];
    const len = (v: unknown, min: number, max: number) => typeof v === 'string' && v.length >= min && v.length <= max;
    if (!len(input.Description, 1, 2048)) bad.push('Description');
    if (!len(input.Title, 1, 1024)) bad.push('Title');
    if (!len(input.Source, 1, 128) || /aws|amazon|amzn/i.test(String(input.Source))) bad.push('Source');
    if (input.Priority !== undefined && !(Number.isInteger(input.Priority) && input.Priority >= 1 && input.Priority <= 5)) bad.push('Priority');
    if (input.Severity !== undefined && !len(input.Severity, 1, 64)) bad.push('Severity');
    if (input.Category !== undefined && !len(input.Category, 1, 64)) bad.push('Category');
    const data = (input.OperationalData ?? {}) as Record<string, { Type?: string; Value?: string }>;
    for (const [key, value] of Object.entries(data)) {
      const reserved = RESERVED_PREFIXES.some((p) => key.toLowerCase().startsWith(p)) && !DOCUMENTED_AWS_KEYS.includes(key);
      if (key.length < 1 || key.length > 128 || reserved) bad.push(`OperationalData.${key}`);
      if (value?.Type !== undefined && !['SearchableString', 'String'].includes(value.Type)) bad.push(`OperationalData.${key}.Type`);
      if (Buffer.byteLength(String(value?.Value ?? ''), 'utf8') > 20 * 1024) bad.push(`OperationalData.${key}.Value`);
    }
    let dedup: string | undefined;
    if (data['/aws/dedup']) {
      try {
        dedup = (JSON.parse(String(data['/aws/dedup'].Value)) as { dedupString?: string }).dedupString;
      } catch {
        // not JSON
      }
      if (typeof dedup !== 'string' || dedup.length === 0) bad.push('OperationalData./aws/dedup');
    }
    if (bad.length) {
      throw new OpsItemInvalidParameterException({ message: `A specified parameter argument isn't valid: ${bad.join(', ')}`, ParameterNames: bad, $metadata: { httpStatusCode: 400 } });
    }
    const open = dedup ? this.opsItems.find((o) => o.dedupString === dedup && o.status !== 'Resolved') : undefined;
    if (open) {
      throw new OpsItemAlreadyExistsException({ message: 'The OpsItem already exists.', OpsItemId: open.opsItemId, $metadata: { httpStatusCode: 400 } });
    }
    const opsItemId = `oi-${this.random.uuid().replace(/-/g, '').slice(0, 12)}`;
    this.opsItems.push({
      opsItemId,
      title: input.Title,
      description: input.Description,
      source: input.Source,
      ...(input.Priority !== undefined ? { priority: input.Priority } : {}),
      ...(input.Severity !== undefined ? { severity: input.Severity } : {}),
      ...(input.Category !== undefined ? { category: input.Category } : {}),
      operationalData: data,
      status: 'Open',
      createdTime: this.clock.nowIso(),
      ...(dedup ? { dedupString: dedup } : {}),
    });
    return { OpsItemId: opsItemId, OpsItemArn: `arn:aws:ssm:${REGION}:${ACCOUNT}:opsitem/${opsItemId}` };
  }

  public getOpsItem(input: { OpsItemId?: string }): Record<string, unknown> {
    const o = this.find(input.OpsItemId);
    return {
      OpsItem: {
        OpsItemId: o.opsItemId,
        Title: o.title,
        Description: o.description,
        Source: o.source,
        Status: o.status,
        OperationalData: o.operationalData,
      },
    };
  }

  /** UpdateOpsItem: only the status is modelled (an operator resolving the OpsItem). */
  public updateOpsItem(input: { OpsItemId?: string; Status?: string }): Record<string, unknown> {
    const o = this.find(input.OpsItemId);
    if (input.Status !== undefined) {
      if (!['Open', 'InProgress', 'Resolved'].includes(input.Status)) {
        throw new OpsItemInvalidParameterException({ message: `A specified parameter argument isn't valid: Status ${input.Status}`, ParameterNames: ['Status'], $metadata: { httpStatusCode: 400 } });
      }
      o.status = input.Status as SimOpsItem['status'];
    }
    return {};
  }

  private find(id: string | undefined): SimOpsItem {
    const o = this.opsItems.find((x) => x.opsItemId === id);
    if (!o) throw new OpsItemNotFoundException({ message: `The specified OpsItem ID doesn't exist: ${String(id)}`, $metadata: { httpStatusCode: 400 } });
    return o;
  }
}
