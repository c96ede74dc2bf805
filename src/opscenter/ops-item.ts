/**
 * OpsCenter OpsItems for the outcomes a person must act on, pure: which events open one, and the
 * CreateOpsItem request (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateOpsItem.html).
 *
 * - Deduplicated per function and kind of incident with the `/aws/dedup` operational data
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/OpsCenter-working-deduplication.html):
 *   while an OpsItem with the same deduplication string is open or in progress, no new one is
 *   created; once it is resolved, the next incident opens a new one.
 * - `/aws/resources` names the function, `/aws/automations` the Automation runbook that applies the
 *   recommendation by hand (when the stack has one).
 * - `Source` may not contain `aws`, `amazon` or `amzn`; operational data keys other than the
 *   documented `/aws/...` ones may not begin with `amazon`, `aws`, `amzn`, `ssm` or those with `/`.
 *
 * Text from the diagnosis (reasoning, evidence written by a model or an analyzer) is data: it is
 * shortened and put under its own heading, never in the title.
 */
import { EvidencePoint, KnowledgeReference } from '../core/model';
import { DRIFT_EVENT_DETAIL_TYPE, DriftEventDetail } from '../drift/drift-contract';
import { RESULT_EVENT_DETAIL_TYPE, RESULT_EVENT_SOURCE, ResultEventDetail } from '../workflow/contract';

/** The outcomes of the workflow that open an OpsItem. */
export const OPS_ITEM_OUTCOMES: readonly string[] = ['HUMAN_REVIEW', 'FAILED'];

/** `Source` of the OpsItems. */
export const OPS_ITEM_SOURCE = 'lambda-auto-remediation';

/** Where the shipped runbooks are published (the package's repository). */
export const RUNBOOK_BASE_URL = 'https://github.com/lambda-auto-remediation/lambda-auto-remediation/blob/main/runbooks';

/** Limits of CreateOpsItem (API_CreateOpsItem.html, API_OpsItemDataValue.html). */
export const OPS_ITEM_LIMITS = { title: 1024, description: 2048, source: 128, dataKey: 128, dataValueBytes: 20 * 1024 } as const;

/** The EventBridge pattern of the OpsItem rule: the workflow's results that need a person, and drifts. */
export const OPS_ITEM_EVENT_PATTERN = {
  'source': [RESULT_EVENT_SOURCE],
  'detail-type': [RESULT_EVENT_DETAIL_TYPE, DRIFT_EVENT_DETAIL_TYPE],
} as const;

/** What opened the OpsItem. */
export type OpsItemKind = 'review' | 'failed' | 'drift';

/** What the OpsItem tells about the diagnosis (from its record), when there is one. */
export interface DiagnosisFacts {
  readonly category?: string;
  readonly confidence?: number;
  readonly reasoning?: string;
  readonly evidencePoints?: EvidencePoint[];
  readonly knowledgeReferences?: KnowledgeReference[];
}

/** One event the handler may act on. */
export type OpsItemTrigger =
  | { readonly kind: 'review' | 'failed'; readonly functionName: string; readonly detail: ResultEventDetail; readonly functionArn?: string }
  | { readonly kind: 'drift'; readonly functionName: string; readonly detail: DriftEventDetail; readonly functionArn?: string }
  | { readonly kind: 'ignore'; readonly reason: string };

/** Read an EventBridge event: a result that needs a person, a drift, or something to ignore. */
export function readTrigger(event: unknown): OpsItemTrigger {
  const e = (event ?? {}) as Record<string, any>;
  if (e.source !== RESULT_EVENT_SOURCE) return { kind: 'ignore', reason: `source ${JSON.stringify(e.source)} is not ${RESULT_EVENT_SOURCE}` };
  const resources = Array.isArray(e.resources) ? (e.resources as unknown[]).filter((r): r is string => typeof r === 'string' && r.includes(':function:')) : [];
  const functionArn = resources[0];
  if (e['detail-type'] === DRIFT_EVENT_DETAIL_TYPE) {
    const d = e.detail as DriftEventDetail;
    if (!d?.functionName) return { kind: 'ignore', reason: 'the drift event names no function' };
    return { kind: 'drift', functionName: d.functionName, detail: d, ...(functionArn ? { functionArn } : {}) };
  }
  if (e['detail-type'] !== RESULT_EVENT_DETAIL_TYPE) return { kind: 'ignore', reason: `detail-type ${JSON.stringify(e['detail-type'])} opens no OpsItem` };
  const d = e.detail as ResultEventDetail;
  if (!d || !OPS_ITEM_OUTCOMES.includes(d.outcome)) return { kind: 'ignore', reason: `outcome ${JSON.stringify(d?.outcome)} needs no person` };
  if (!d.functionName) return { kind: 'ignore', reason: `the ${d.outcome} result names no function` };
  return { kind: d.outcome === 'FAILED' ? 'failed' : 'review', functionName: d.functionName, detail: d, ...(functionArn ? { functionArn } : {}) };
}

/** The deduplication string: one open OpsItem per function and kind of incident. */
export function dedupString(account: string, region: string, functionName: string, kind: OpsItemKind): string {
  return `lambda-auto-remediation:${account}:${region}:${functionName}:${kind}`;
}

/** What the construct tells the handler. */
export interface OpsItemSettings {
  readonly account: string;
  readonly region: string;
  readonly priority: number;
  readonly severity: string;
  /** The Automation runbook that applies a recommendation by hand, when the stack has one. */
  readonly automationDocument?: string;
}

/** The CreateOpsItem request for a trigger. */
export function opsItemRequest(
  trigger: Exclude<OpsItemTrigger, { kind: 'ignore' }>, settings: OpsItemSettings, diagnosis?: DiagnosisFacts,
): Record<string, any> {
  const fn = trigger.functionName;
  const functionArn = trigger.functionArn ?? `arn:aws:lambda:${settings.region}:${settings.account}:function:${fn}`;
  const title = trigger.kind === 'drift'
    ? `${fn}: memory ${trigger.detail.memorySizeMb} MB is below its verified repair (${trigger.detail.verifiedMemoryMb} MB)`
    : trigger.kind === 'review'
      ? `${fn}: memory remediation needs a person (HUMAN_REVIEW)`
      : `${fn}: memory remediation FAILED`;
  const data: Record<string, { Type: 'SearchableString' | 'String'; Value: string }> = {
    '/aws/dedup': { Type: 'SearchableString', Value: JSON.stringify({ dedupString: dedupString(settings.account, settings.region, fn, trigger.kind) }) },
    '/aws/resources': { Type: 'SearchableString', Value: JSON.stringify([{ arn: functionArn }]) },
    'lambdaRemediationFunction': { Type: 'SearchableString', Value: fn },
    'lambdaRemediationKind': { Type: 'SearchableString', Value: trigger.kind },
  };
  if (settings.automationDocument) {
    data['/aws/automations'] = { Type: 'SearchableString', Value: JSON.stringify([{ automationType: 'AWS:SSM:Automation', automationId: settings.automationDocument }]) };
  }
  if (trigger.kind !== 'drift') data.lambdaRemediationExecution = { Type: 'String', Value: trigger.detail.executionId };
  if (diagnosis?.evidencePoints?.length) {
    data.lambdaRemediationEvidence = { Type: 'String', Value: fitBytes(JSON.stringify(diagnosis.evidencePoints), OPS_ITEM_LIMITS.dataValueBytes) };
  }
  return {
    Title: title.slice(0, OPS_ITEM_LIMITS.title),
    Description: description(trigger, diagnosis, settings).slice(0, OPS_ITEM_LIMITS.description),
    Source: OPS_ITEM_SOURCE,
    Category: 'Performance',
    Priority: settings.priority,
    Severity: settings.severity,
    OperationalData: data,
  };
}

/** The OpsItem description (Markdown): what happened, what to do, the evidence and runbooks. */
function description(trigger: Exclude<OpsItemTrigger, { kind: 'ignore' }>, diagnosis: DiagnosisFacts | undefined, settings: OpsItemSettings): string {
  const lines: string[] = [];
  if (trigger.kind === 'drift') {
    const d = trigger.detail;
    lines.push(`**What happened**: ${d.changedAt} a configuration change set \`${d.functionName}\` to ${d.memorySizeMb} MB, below the ${d.verifiedMemoryMb} MB its last verified repair (${d.verifiedRepairId}) established.`);
    lines.push(`**What to do**: set \`${d.iacChange}\` in the infrastructure code and deploy, or resolve this OpsItem if the lower size is intended.`);
  } else {
    const d = trigger.detail;
    lines.push(`**What happened**: ${d.outcome} for \`${d.functionName}\` (execution ${d.executionId}).`);
    lines.push(`**Why**: ${oneLine(d.reason, 500)}`);
    if (trigger.kind === 'failed') {
      lines.push('**What to do**: open the execution to see which step failed; the function\'s memory is as the reason says.');
    } else {
      lines.push(settings.automationDocument
        ? '**What to do**: read the evidence below; to apply the recommendation by hand within the policy, run the Automation runbook named at the end.'
        : '**What to do**: read the evidence below; if you agree with a raise, set the memory in the infrastructure code and deploy.');
    }
  }
  if (diagnosis?.category) lines.push(`**Diagnosis**: ${diagnosis.category}, confidence ${diagnosis.confidence ?? 'unknown'}.`);
  if (diagnosis?.evidencePoints?.length) {
    lines.push('**Evidence** (from the diagnosis record; text written by a model or an analyzer is quoted as data):');
    for (const p of diagnosis.evidencePoints.slice(0, 6)) lines.push(`- ${oneLine(p.type, 60)}: ${oneLine(p.description, 200)}`);
  }
  const refs = (diagnosis?.knowledgeReferences ?? []).filter((r) => /^rb-[a-z0-9-]+$/.test(r.id)).slice(0, 3);
  if (refs.length) lines.push(`**Runbooks**: ${refs.map((r) => `[${r.id}](${RUNBOOK_BASE_URL}/${r.id}.md)`).join(', ')}`);
  if (settings.automationDocument) lines.push(`**Apply by hand**: Automation runbook \`${settings.automationDocument}\` (same guardrails and records as the workflow).`);
  return lines.join('\n\n');
}

function oneLine(text: string | undefined, max: number): string {
  // eslint-disable-next-line no-control-regex
  return String(text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[`*_[\]<>#|]/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, max);
}

/** Cut a string to at most `bytes` UTF-8 bytes. */
function fitBytes(text: string, bytes: number): string {
  let t = text;
  while (Buffer.byteLength(t, 'utf8') > bytes) t = t.slice(0, Math.floor(t.length * 0.9));
  return t;
}
