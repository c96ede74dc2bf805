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
 *
 * Automation (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html):
 * StartAutomationExecution of an `Automation` document of the template; `Parameters` is a map of
 * string lists; a parameter the document does not declare, a missing one without a default, a
 * value against its `allowedPattern` or not an `Integer` fails with
 * `InvalidAutomationExecutionParametersException`, an unknown document with `InvalidDocument`.
 * `{{ name }}` references are substituted (a value that is exactly one reference keeps the
 * parameter's type), `{{ automation:EXECUTION_ID }}` is the execution's id. The steps run as the
 * document's `assumeRole` (the simulation runs them through `runStep`, which checks the role
 * and invokes). Only `aws:invokeLambdaFunction` steps are modelled.
 */
import {
  AutomationExecutionNotFoundException,
  InvalidAutomationExecutionParametersException,
  InvalidDocument,
  OpsItemAlreadyExistsException,
  OpsItemInvalidParameterException,
  OpsItemNotFoundException,
} from '@aws-sdk/client-ssm';
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

/** An Automation document of the template. */
export interface AutomationDocument {
  readonly name: string;
  readonly content: {
    readonly assumeRole?: string;
    readonly parameters?: Record<string, { type?: string; default?: unknown; allowedPattern?: string }>;
    readonly mainSteps?: Array<{ name: string; action: string; inputs?: Record<string, unknown> }>;
  };
}

/** One step to run, its inputs substituted. */
export interface AutomationStepRun {
  readonly executionId: string;
  readonly documentName: string;
  /** The role the step runs as (`assumeRole` resolved), if any. */
  readonly roleArn?: string;
  readonly step: { name: string; action: string; inputs: Record<string, unknown> };
}

/** An Automation execution as GetAutomationExecution reports it. */
export interface SimAutomationExecution {
  readonly automationExecutionId: string;
  readonly documentName: string;
  readonly parameters: Record<string, string[]>;
  status: 'InProgress' | 'Success' | 'Failed';
  failureMessage?: string;
  outputs?: Record<string, unknown>;
}

export class SsmService {
  public readonly opsItems: SimOpsItem[] = [];
  public readonly automationExecutions: SimAutomationExecution[] = [];
  private readonly documents = new Map<string, AutomationDocument>();
  /** Runs one step (set by the simulation: it checks the role and invokes the function). */
  public runStep?: (run: AutomationStepRun) => Promise<unknown>;

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom) {}

  public addDocument(doc: AutomationDocument): void {
    this.documents.set(doc.name, doc);
  }

  /** StartAutomationExecution: validates, then runs the steps in the background. */
  public startAutomationExecution(input: { DocumentName?: string; Parameters?: Record<string, string[]> }): Record<string, unknown> {
    const doc = this.documents.get(String(input.DocumentName));
    if (!doc) throw new InvalidDocument({ message: `Document with name ${String(input.DocumentName)} does not exist.`, $metadata: { httpStatusCode: 400 } });
    const declared = doc.content.parameters ?? {};
    const given = input.Parameters ?? {};
    const bad = (m: string) => new InvalidAutomationExecutionParametersException({ message: m, $metadata: { httpStatusCode: 400 } });
    for (const k of Object.keys(given)) if (!(k in declared)) throw bad(`Parameter ${k} is not defined in the document.`);
    const values: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(declared)) {
      const v = given[k]?.[0];
      if (v === undefined) {
        if (spec.default === undefined) throw bad(`Parameter ${k} is required.`);
        values[k] = spec.default;
        continue;
      }
      if (spec.allowedPattern && !new RegExp(spec.allowedPattern).test(v)) throw bad(`Parameter ${k} value ${v} does not match the allowed pattern ${spec.allowedPattern}.`);
      if (spec.type === 'Integer') {
        if (!/^-?\d+$/.test(v)) throw bad(`Parameter ${k} value ${v} is not an Integer.`);
        values[k] = Number(v);
      } else {
        values[k] = v;
      }
    }
    const id = this.random.uuid();
    values['automation:EXECUTION_ID'] = id;
    const execution: SimAutomationExecution = { automationExecutionId: id, documentName: doc.name, parameters: given, status: 'InProgress' };
    this.automationExecutions.push(execution);
    const roleArn = doc.content.assumeRole ? String(substitute(doc.content.assumeRole, values)) : undefined;
    void (async () => {
      try {
        let output: unknown;
        for (const step of doc.content.mainSteps ?? []) {
          const inputs = substitute(step.inputs ?? {}, values) as Record<string, unknown>;
          output = await this.runStep!({ executionId: id, documentName: doc.name, ...(roleArn ? { roleArn } : {}), step: { ...step, inputs } });
        }
        execution.status = 'Success';
        execution.outputs = { Payload: output };
      } catch (err) {
        execution.status = 'Failed';
        execution.failureMessage = `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
      }
    })();
    return { AutomationExecutionId: id };
  }

  public getAutomationExecution(input: { AutomationExecutionId?: string }): Record<string, unknown> {
    const e = this.automationExecutions.find((x) => x.automationExecutionId === input.AutomationExecutionId);
    if (!e) throw new AutomationExecutionNotFoundException({ message: `Automation execution ${String(input.AutomationExecutionId)} does not exist.`, $metadata: { httpStatusCode: 400 } });
    return {
      AutomationExecution: {
        AutomationExecutionId: e.automationExecutionId,
        DocumentName: e.documentName,
        AutomationExecutionStatus: e.status,
        FailureMessage: e.failureMessage,
        Outputs: e.outputs,
      },
    };
  }

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

/** Substitute `{{ name }}` references; a string that is exactly one reference becomes its value (typed). */
function substitute(value: unknown, values: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w:]+)\s*\}\}$/.exec(value);
    if (whole && whole[1] in values) return values[whole[1]];
    return value.replace(/\{\{\s*([\w:]+)\s*\}\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}
