/**
 * Past incidents as historical cases for the knowledge base (the case history).
 *
 * Contract: when a knowledge base records cases (`AutoRemediation.knowledgeBase`), finalize writes
 * one case document and its metadata sidecar for every diagnosed incident (a repair, a review, a
 * no-action outcome) into the knowledge-base bucket:
 *
 *   s3://$KNOWLEDGE_CASES_BUCKET/$KNOWLEDGE_CASES_PREFIX<functionName>/<execution name>.md
 *   s3://$KNOWLEDGE_CASES_BUCKET/$KNOWLEDGE_CASES_PREFIX<functionName>/<execution name>.md.metadata.json
 *
 * (bodies from `renderHistoryCase`; `renderCaseDocument` / `renderCaseMetadata` render a repair
 * record alone), then calls `StartIngestionJob` for `$KNOWLEDGE_BASE_ID` /
 * `$KNOWLEDGE_CASES_DATA_SOURCE_ID`. Writing a case is best effort: a failure never changes the
 * outcome. The diagnosis reads the sidecars back (`readCaseMetadata`) as the function's history.
 *
 * A case carries no environment variables, no log text, no model text and no payloads: only the
 * decision, sizes, figures and outcome, so nothing secret or instructing reaches the index.
 *
 * Pure: no AWS SDK import.
 */
import { DiagnosisResult, EvidencePoint, PastCase, RepairRecord } from '../core/model';

/** Environment variable names set by `RemediationKnowledgeBase.enableCaseRecording`. */
export const CASES_ENV = {
  bucket: 'KNOWLEDGE_CASES_BUCKET',
  prefix: 'KNOWLEDGE_CASES_PREFIX',
  knowledgeBaseId: 'KNOWLEDGE_BASE_ID',
  dataSourceId: 'KNOWLEDGE_CASES_DATA_SOURCE_ID',
} as const;

/** The bucket prefix of the historical cases. */
export const CASES_PREFIX = 'cases/';
/** The bucket prefix of the shipped runbooks. */
export const RUNBOOKS_PREFIX = 'runbooks/';

/** What a historical case is made of. */
export interface CaseInput {
  readonly repair: RepairRecord;
  readonly diagnosis: Pick<DiagnosisResult, 'category' | 'confidence' | 'reasoning' | 'decidedBy' | 'evidencePoints'>;
  /** The function's runtime, e.g. `python3.12`. */
  readonly runtime?: string;
}

/** A case input that cannot be written (a key part that is not safe in an S3 key). */
export class CaseDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaseDocumentError';
  }
}

const SAFE_KEY_PART = /^[A-Za-z0-9._:-]{1,140}$/;
const MAX_EVIDENCE_POINTS = 8;
const MAX_TEXT = 400;

/** The object key of a case document. */
export function caseDocumentKey(functionName: string, repairId: string, prefix: string = CASES_PREFIX): string {
  for (const [what, value] of [['function name', functionName], ['repair id', repairId]]) {
    if (!SAFE_KEY_PART.test(value) || value.includes('..')) throw new CaseDocumentError(`${what} '${value}' is not usable in a case key`);
  }
  return `${prefix}${functionName}/${repairId}.md`;
}

/** The object key of a case document's metadata sidecar. */
export function caseMetadataKey(functionName: string, repairId: string, prefix: string = CASES_PREFIX): string {
  return `${caseDocumentKey(functionName, repairId, prefix)}.metadata.json`;
}

/** The Markdown document of one historical case. */
export function renderCaseDocument(input: CaseInput): string {
  const { repair, diagnosis } = input;
  const evidence = diagnosis.evidencePoints.slice(0, MAX_EVIDENCE_POINTS).map((p: EvidencePoint) => `- ${oneLine(p.type)}: ${oneLine(p.description)}`);
  return [
    `# Case ${repair.repairId}: ${diagnosis.category} on ${repair.functionName}`,
    '',
    `- Function: ${repair.functionName}${input.runtime ? ` (${input.runtime})` : ''}`,
    `- Category: ${diagnosis.category}; decided by ${diagnosis.decidedBy} with confidence ${diagnosis.confidence}`,
    `- Memory: ${repair.originalMemory} MB -> ${repair.newMemory} MB; repair status ${repair.status}`,
    `- Verification: ${repair.verificationStatus}`,
    `- Period: ${repair.startTime} to ${repair.endTime}`,
    '',
    '## Reasoning',
    oneLine(diagnosis.reasoning),
    '',
    '## Evidence',
    ...(evidence.length > 0 ? evidence : ['- none recorded']),
    '',
    '## Outcome',
    outcome(repair),
    '',
  ].join('\n');
}

/** The metadata sidecar of one historical case (small: S3 Vectors limits filterable metadata). */
export function renderCaseMetadata(input: CaseInput): string {
  return JSON.stringify({
    metadataAttributes: {
      entryId: `case-${input.repair.repairId}`,
      documentType: 'case',
      functionName: input.repair.functionName,
      category: input.diagnosis.category,
      status: input.repair.status,
      verificationStatus: input.repair.verificationStatus,
    },
  });
}

function outcome(repair: RepairRecord): string {
  if (repair.status === 'ROLLED_BACK') return `The increase did not help and was rolled back to ${repair.originalMemory} MB: look for another cause next time.`;
  if (repair.verificationStatus === 'PASSED' || repair.verificationStatus === 'SUCCEEDED') {
    return `The increase to ${repair.newMemory} MB resolved the alarm.`;
  }
  return `Repair ${repair.status}, verification ${repair.verificationStatus}.`;
}

/** Single line, bounded: a case is a summary, never a copy of log text. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

/**
 * What finalize records for any diagnosed incident (a repair, a review, a no-action outcome), so
 * the case history holds reviews as well as repairs: the leak rule counts the raises, a
 * follow-up compares against the review it follows.
 */
export interface HistoryCaseInput {
  readonly functionName: string;
  /** The case as the history reads it back (`caseId` is the execution name). */
  readonly case: PastCase;
  /** Why it ended as it did (the outcome's reason). */
  readonly reason: string;
  /** The diagnosis it rests on, when one ran. */
  readonly diagnosis?: Pick<DiagnosisResult, 'category' | 'confidence' | 'decidedBy' | 'evidencePoints'>;
  /** The repair record, when a repair ran. */
  readonly repair?: RepairRecord;
  readonly runtime?: string;
}

/** A case document and its metadata sidecar, with their object keys. */
export interface RenderedCase {
  readonly documentKey: string;
  readonly document: string;
  readonly metadataKey: string;
  readonly metadata: string;
}

/**
 * The `cases/` document of one incident and its metadata sidecar. The sidecar's attributes carry
 * the case's figures (what `readCaseMetadata` reads back); the document is what retrieval
 * indexes. Only figures and the product's own words: no log text, and no model text (a model's
 * reasoning may quote log lines, which must not come back as a passage).
 */
export function renderHistoryCase(input: HistoryCaseInput, prefix: string = CASES_PREFIX): RenderedCase {
  const c = input.case;
  const d = input.diagnosis;
  const evidence = d && d.decidedBy === 'rules'
    ? d.evidencePoints.slice(0, MAX_EVIDENCE_POINTS).map((p: EvidencePoint) => `- ${oneLine(p.type)}: ${oneLine(p.description)}`)
    : [];
  const failures = c.memoryFailures !== undefined && c.invocations !== undefined ? `${c.memoryFailures} of ${c.invocations} invocations failed for memory` : undefined;
  const document = [
    `# Case ${c.caseId}: ${c.outcome}${c.category ? ` (${c.category})` : ''} on ${input.functionName}`,
    '',
    `- Function: ${input.functionName}${input.runtime ? ` (${input.runtime})` : ''}`,
    `- Ended: ${c.at}; outcome ${c.outcome}`,
    ...(d ? [`- Diagnosis: ${d.category}, decided by ${d.decidedBy} with confidence ${d.confidence}`] : []),
    `- Memory: ${c.originalMemory} MB -> ${c.newMemory} MB${input.repair ? `; repair status ${input.repair.status}, verification ${input.repair.verificationStatus}` : ''}`,
    ...(failures ? [`- Evidence: ${failures}${c.memoryClimbing ? '; the memory need was climbing (a leak)' : ''}`] : []),
    '',
    '## Why',
    oneLine(d && d.decidedBy !== 'rules' ? `${c.outcome}: decided with a ${d.decidedBy}; its text is not kept in the case history.` : input.reason),
    '',
    '## Evidence',
    ...(evidence.length > 0 ? evidence : ['- none recorded']),
    '',
  ].join('\n');
  const metadata = JSON.stringify({
    metadataAttributes: {
      entryId: `case-${c.caseId}`,
      documentType: 'case',
      functionName: input.functionName,
      caseId: c.caseId,
      at: c.at,
      outcome: c.outcome,
      ...(c.category ? { category: c.category } : {}),
      originalMemory: c.originalMemory,
      newMemory: c.newMemory,
      ...(c.memoryClimbing !== undefined ? { memoryClimbing: c.memoryClimbing } : {}),
      ...(c.memoryFailures !== undefined ? { memoryFailures: c.memoryFailures } : {}),
      ...(c.invocations !== undefined ? { invocations: c.invocations } : {}),
      ...(input.repair ? { status: input.repair.status, verificationStatus: input.repair.verificationStatus } : {}),
    },
  });
  return {
    documentKey: caseDocumentKey(input.functionName, c.caseId, prefix),
    document,
    metadataKey: caseMetadataKey(input.functionName, c.caseId, prefix),
    metadata,
  };
}

/**
 * The case a metadata sidecar describes, or undefined when it is not one `renderHistoryCase`
 * wrote for `functionName` (an older case without figures, another function's, not JSON).
 */
export function readCaseMetadata(text: string, functionName: string): PastCase | undefined {
  let attrs: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text) as { metadataAttributes?: Record<string, unknown> };
    attrs = parsed?.metadataAttributes ?? {};
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof attrs[k] === 'string' && attrs[k] !== '' ? attrs[k] as string : undefined);
  const num = (k: string) => (typeof attrs[k] === 'number' && Number.isFinite(attrs[k]) ? attrs[k] as number : undefined);
  const caseId = str('caseId');
  const at = str('at');
  const ended = str('outcome');
  const originalMemory = num('originalMemory');
  const newMemory = num('newMemory');
  if (attrs.documentType !== 'case' || str('functionName') !== functionName || !caseId || !at || Number.isNaN(Date.parse(at))
    || !ended || originalMemory === undefined || newMemory === undefined) {
    return undefined;
  }
  return {
    caseId,
    at,
    outcome: ended,
    ...(str('category') ? { category: str('category') } : {}),
    originalMemory,
    newMemory,
    ...(typeof attrs.memoryClimbing === 'boolean' ? { memoryClimbing: attrs.memoryClimbing } : {}),
    ...(num('memoryFailures') !== undefined ? { memoryFailures: num('memoryFailures') } : {}),
    ...(num('invocations') !== undefined ? { invocations: num('invocations') } : {}),
  };
}
