/**
 * Past repairs as historical cases for the knowledge base.
 *
 * Contract: after a repair completes (verified, failed or rolled back), the finalize handler may
 * write one case document and its metadata sidecar into the knowledge-base bucket:
 *
 *   s3://$KNOWLEDGE_CASES_BUCKET/$KNOWLEDGE_CASES_PREFIX<functionName>/<repairId>.md
 *   s3://$KNOWLEDGE_CASES_BUCKET/$KNOWLEDGE_CASES_PREFIX<functionName>/<repairId>.md.metadata.json
 *
 * (keys from `caseDocumentKey` / `caseMetadataKey`, bodies from `renderCaseDocument` /
 * `renderCaseMetadata`), then optionally call `StartIngestionJob` for
 * `$KNOWLEDGE_BASE_ID` / `$KNOWLEDGE_CASES_DATA_SOURCE_ID`. Writing a case is best effort: a
 * failure never changes the repair's outcome. The construct grants exactly `s3:PutObject` on the
 * prefix and `bedrock:StartIngestionJob` on the knowledge base.
 *
 * A case carries no environment variables, no log text and no payloads: only the decision,
 * sizes and outcome, so nothing secret reaches the index.
 *
 * Pure: no AWS SDK import.
 */
import { DiagnosisResult, EvidencePoint, RepairRecord } from '../core/model';

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
