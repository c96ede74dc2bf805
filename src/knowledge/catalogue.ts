/**
 * The shipped runbook catalogue: parsing and validation of the runbook documents and the citation
 * of runbooks for a diagnosis (`knowledgeReferences`), so the rule engine cites them without any
 * Bedrock knowledge base.
 *
 * Pure: no AWS SDK import, no file access. The runbooks are bundled as a generated module
 * (`runbooks.generated.ts`, written by `build-catalogue.ts` from `runbooks/*.md`).
 */
import { RUNBOOK_SOURCES, RunbookSource } from './runbooks.generated';
import { EvidencePoint, IncidentCategory, KnowledgeEntry, KnowledgeReference } from '../core/model';

export type { RunbookSource };

/** Runbooks the package must always ship (the issue's minimum set). */
export const REQUIRED_RUNBOOK_IDS: readonly string[] = [
  'rb-oom-kill',
  'rb-gc-nodejs',
  'rb-gc-java',
  'rb-gc-python',
  'rb-gc-dotnet',
  'rb-gc-ruby',
  'rb-gc-go',
  'rb-memory-leak',
  'rb-timeout-not-memory',
  'rb-throttling',
  'rb-init-failure',
  'rb-cpu-bound-low-memory',
  'rb-when-not-to-raise-memory',
  'rb-rollback',
  'rb-stream-consumer-lag',
];

/** Every incident category of the diagnosis model. */
export const INCIDENT_CATEGORIES: readonly IncidentCategory[] = [
  'OUT_OF_MEMORY',
  'MEMORY_PRESSURE',
  'FUNCTION_TIMEOUT',
  'DOWNSTREAM_TIMEOUT',
  'THROTTLING',
  'CODE_ERROR',
  'PERMISSION_ERROR',
  'INIT_FAILURE',
  'CPU_BOUND',
  'INSUFFICIENT_DATA',
  'UNKNOWN',
];

/** Category of runbooks that apply across incidents (rollback, when not to raise memory). */
export const GENERAL_CATEGORY = 'GENERAL';

/** The runtime families runbooks can be specific to (tag `runtime:<family>`). */
export type RuntimeFamily = 'nodejs' | 'java' | 'python' | 'dotnet' | 'ruby' | 'go' | 'provided';

const FRONT_MATTER_FIELDS = ['entryId', 'title', 'category', 'source', 'tags', 'createdAt', 'updatedAt', 'version', 'approvedBy'];
const ENTRY_ID = /^rb-[a-z0-9]+(-[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$/;
const VERSION = /^\d+\.\d+\.\d+$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MIN_CONTENT_CHARS = 400;
const MAX_TITLE_CHARS = 120;

/** A runbook document that does not follow the knowledge-base entry model. */
export class RunbookValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunbookValidationError';
  }
}

/**
 * Parse one runbook document: a `---` front-matter header of `key: value` lines (`tags` as
 * `[a, b]`) followed by the Markdown body, which becomes `content`.
 */
export function parseRunbook(source: RunbookSource): KnowledgeEntry {
  const lines = source.text.replace(/\r\n/g, '\n').split('\n');
  if (lines[0] !== '---') throw new RunbookValidationError(`runbook ${source.file}: must start with a '---' front-matter line`);
  const end = lines.indexOf('---', 1);
  if (end < 0) throw new RunbookValidationError(`runbook ${source.file}: front matter is not closed with '---'`);
  const fields: Record<string, string> = {};
  for (const line of lines.slice(1, end)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RunbookValidationError(`runbook ${source.file}: front-matter line '${line}' is not 'key: value'`);
    const key = line.slice(0, colon).trim();
    if (!FRONT_MATTER_FIELDS.includes(key)) throw new RunbookValidationError(`runbook ${source.file}: unknown front-matter field '${key}'`);
    if (key in fields) throw new RunbookValidationError(`runbook ${source.file}: front-matter field '${key}' appears twice`);
    fields[key] = line.slice(colon + 1).trim();
  }
  const missing = FRONT_MATTER_FIELDS.filter((f) => !(f in fields));
  if (missing.length > 0) throw new RunbookValidationError(`runbook ${source.file}: missing front-matter fields ${missing.join(', ')}`);
  const tagsText = fields.tags;
  if (!tagsText.startsWith('[') || !tagsText.endsWith(']')) {
    throw new RunbookValidationError(`runbook ${source.file}: tags must be a [a, b] list, got '${tagsText}'`);
  }
  const tags = tagsText.slice(1, -1).split(',').map((t) => t.trim()).filter((t) => t !== '');
  const entry: KnowledgeEntry = {
    entryId: fields.entryId,
    title: fields.title,
    category: fields.category,
    content: lines.slice(end + 1).join('\n').trim(),
    source: fields.source,
    tags,
    createdAt: fields.createdAt,
    updatedAt: fields.updatedAt,
    version: fields.version,
    approvedBy: fields.approvedBy,
  };
  const problems = validateEntry(entry);
  if (source.file !== `${entry.entryId}.md`) problems.push(`file name must be '${entry.entryId}.md'`);
  if (problems.length > 0) throw new RunbookValidationError(`runbook ${source.file}: ${problems.join('; ')}`);
  return entry;
}

/** The problems of one knowledge-base entry (empty when valid). */
export function validateEntry(entry: KnowledgeEntry): string[] {
  const problems: string[] = [];
  if (!ENTRY_ID.test(entry.entryId)) problems.push(`entryId '${entry.entryId}' must look like 'rb-some-name'`);
  if (entry.title.length === 0 || entry.title.length > MAX_TITLE_CHARS) {
    problems.push(`title must have 1 to ${MAX_TITLE_CHARS} characters, got ${entry.title.length}`);
  }
  if (entry.category !== GENERAL_CATEGORY && !(INCIDENT_CATEGORIES as readonly string[]).includes(entry.category)) {
    problems.push(`category '${entry.category}' is not an incident category or ${GENERAL_CATEGORY}`);
  }
  if (entry.content.length < MIN_CONTENT_CHARS) {
    problems.push(`content must have at least ${MIN_CONTENT_CHARS} characters, got ${entry.content.length}`);
  }
  if (entry.source.trim() === '') problems.push('source must not be empty');
  if (entry.approvedBy.trim() === '') problems.push('approvedBy must not be empty');
  if (entry.tags.length === 0) problems.push('tags must not be empty');
  for (const tag of entry.tags) {
    if (!TAG.test(tag)) problems.push(`tag '${tag}' must be a word or 'kind:value'`);
    if (tag.startsWith('related:') && !(INCIDENT_CATEGORIES as readonly string[]).includes(tag.slice(8))) {
      problems.push(`tag '${tag}' names no incident category`);
    }
  }
  for (const field of ['createdAt', 'updatedAt'] as const) {
    if (!ISO_INSTANT.test(entry[field]) || Number.isNaN(Date.parse(entry[field]))) {
      problems.push(`${field} '${entry[field]}' must be an ISO-8601 UTC instant`);
    }
  }
  if (Date.parse(entry.updatedAt) < Date.parse(entry.createdAt)) problems.push(`updatedAt '${entry.updatedAt}' is before createdAt`);
  if (!VERSION.test(entry.version)) problems.push(`version '${entry.version}' must be MAJOR.MINOR.PATCH`);
  return problems;
}

/**
 * Parse and validate a set of runbook documents. Throws `RunbookValidationError` naming every
 * broken document, a duplicate id, or a required runbook that is missing.
 */
export function loadCatalogue(
  sources: readonly RunbookSource[] = RUNBOOK_SOURCES,
  required: readonly string[] = REQUIRED_RUNBOOK_IDS,
): KnowledgeEntry[] {
  const problems: string[] = [];
  const entries: KnowledgeEntry[] = [];
  for (const source of sources) {
    try {
      entries.push(parseRunbook(source));
    } catch (e) {
      if (!(e instanceof RunbookValidationError)) throw e;
      problems.push(e.message);
    }
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.entryId)) problems.push(`runbook id '${entry.entryId}' is used twice`);
    seen.add(entry.entryId);
  }
  for (const id of required) {
    if (!seen.has(id)) problems.push(`required runbook '${id}' is missing`);
  }
  if (problems.length > 0) throw new RunbookValidationError(`invalid runbook catalogue: ${problems.join(' | ')}`);
  return entries.sort((a, b) => a.entryId.localeCompare(b.entryId));
}

let shipped: KnowledgeEntry[] | undefined;

/** The runbooks shipped in this package, parsed once. */
export function shippedRunbooks(): KnowledgeEntry[] {
  shipped ??= loadCatalogue();
  return shipped;
}

/** One shipped runbook by id, or undefined. */
export function findRunbook(entryId: string): KnowledgeEntry | undefined {
  return shippedRunbooks().find((e) => e.entryId === entryId);
}

/**
 * The runtime family of a Lambda runtime identifier (`nodejs22.x` -> `nodejs`). `provided.*`
 * (OS-only runtimes) is reported as `provided`; Go runbooks carry that tag as well.
 */
export function runtimeFamily(runtime: string | undefined): RuntimeFamily | undefined {
  if (!runtime) return undefined;
  const r = runtime.toLowerCase();
  if (r.startsWith('nodejs')) return 'nodejs';
  if (r.startsWith('java')) return 'java';
  if (r.startsWith('python')) return 'python';
  if (r.startsWith('dotnet')) return 'dotnet';
  if (r.startsWith('ruby')) return 'ruby';
  if (r.startsWith('go')) return 'go';
  if (r.startsWith('provided')) return 'provided';
  return undefined;
}

/** Language-level out-of-memory signatures that name the runtime when the configuration does not. */
const RUNTIME_SIGNATURES: ReadonlyArray<[RegExp, RuntimeFamily]> = [
  [/javascript heap|reached heap limit|ineffective mark-compacts/i, 'nodejs'],
  [/java\.lang\.outofmemoryerror|gc overhead limit/i, 'java'],
  [/system\.outofmemoryexception/i, 'dotnet'],
  [/nomemoryerror/i, 'ruby'],
  [/runtime: out of memory/i, 'go'],
  [/\bmemoryerror\b/i, 'python'],
];

/** The shape of a diagnosis result that citation needs. */
export interface CitationInput {
  readonly category: IncidentCategory;
  readonly isMemoryIssue: boolean;
  readonly evidencePoints: readonly EvidencePoint[];
}

/** How citation weighs a runbook (relevance 0..1). */
const PRIMARY_CATEGORY = 0.9;
const RELATED_CATEGORY = 0.6;
const GENERAL_WHEN_MATCH = 0.5;
const KEYWORD_BOOST = 0.04;
const MAX_KEYWORD_BOOST = 0.08;
const MIN_RELEVANCE = 0.3;
/** At most this many references: a diagnosis cites what to read, not the whole library. */
export const MAX_KNOWLEDGE_REFERENCES = 5;

/**
 * The runbooks a diagnosis should cite, most relevant first.
 *
 * A runbook scores by its category (primary match 0.9, `related:` tag 0.6 unless its `when:` tag
 * contradicts the diagnosis' isMemoryIssue), general runbooks by
 * their `when:memory` / `when:not-memory` tag (0.5), plus a small boost for each tag word found
 * in the evidence. Runtime-specific runbooks (`runtime:` tags) are cited only for that runtime,
 * and runbooks about one kind of evidence (`evidence:<TYPE>` tags) only next to that evidence,
 * taken from `runtime` or, when unknown, from a language out-of-memory message in the evidence.
 *
 * @param result the diagnosis (category, isMemoryIssue, evidencePoints)
 * @param runtime the function's runtime identifier, e.g. `nodejs22.x`
 * @param catalogue the runbooks to choose from; defaults to the shipped ones
 */
export function citeRunbooks(
  result: CitationInput,
  runtime?: string,
  catalogue: readonly KnowledgeEntry[] = shippedRunbooks(),
): KnowledgeReference[] {
  const evidenceText = result.evidencePoints.map((p) => `${p.type} ${p.description}`).join('\n').toLowerCase();
  const families = new Set<RuntimeFamily>();
  const configured = runtimeFamily(runtime);
  if (configured) {
    families.add(configured);
  } else {
    for (const [pattern, family] of RUNTIME_SIGNATURES) if (pattern.test(evidenceText)) families.add(family);
  }

  const references: KnowledgeReference[] = [];
  for (const entry of catalogue) {
    const runtimeTags = entry.tags.filter((t) => t.startsWith('runtime:')).map((t) => t.slice(8));
    if (runtimeTags.length > 0 && !runtimeTags.some((t) => families.has(t as RuntimeFamily))) continue;

    let base = 0;
    if (entry.category === result.category) {
      base = PRIMARY_CATEGORY;
    } else if (entry.tags.includes(`related:${result.category}`) && !contradicts(entry, result.isMemoryIssue)) {
      base = RELATED_CATEGORY;
    } else if (entry.category === GENERAL_CATEGORY && entry.tags.includes(result.isMemoryIssue ? 'when:memory' : 'when:not-memory')) {
      base = GENERAL_WHEN_MATCH;
    }
    if (base === 0) continue;
    // `evidence:<TYPE>`: a runbook about one kind of evidence is cited only when the diagnosis has it.
    const evidenceTags = entry.tags.filter((t) => t.startsWith('evidence:')).map((t) => t.slice(9).toLowerCase());
    if (evidenceTags.length > 0 && !result.evidencePoints.some((p) => evidenceTags.includes(p.type.toLowerCase()))) continue;

    const keywords = entry.tags.filter((t) => !t.includes(':')).map((t) => t.replace(/-/g, ' '));
    const hits = keywords.filter((k) => k.length >= 3 && evidenceText.includes(k)).length;
    const relevance = Math.min(1, base + Math.min(MAX_KEYWORD_BOOST, hits * KEYWORD_BOOST));
    if (relevance >= MIN_RELEVANCE) references.push({ id: entry.entryId, title: entry.title, relevance: round2(relevance) });
  }
  return references
    .sort((a, b) => b.relevance - a.relevance || a.id.localeCompare(b.id))
    .slice(0, MAX_KNOWLEDGE_REFERENCES);
}

/** The document deployed to the knowledge-base bucket for one runbook: title plus body. */
export function renderRunbookDocument(entry: KnowledgeEntry): string {
  return `# ${entry.title}\n\n${entry.content}\n`;
}

/**
 * The Bedrock knowledge-base metadata sidecar (`<document>.metadata.json`) for one runbook, so a
 * `Retrieve` result carries the runbook id the diagnosis cites. Kept small: S3 Vectors limits
 * filterable metadata per vector.
 */
export function renderRunbookMetadata(entry: KnowledgeEntry): string {
  return JSON.stringify({
    metadataAttributes: {
      entryId: entry.entryId,
      title: entry.title,
      category: entry.category,
      version: entry.version,
      documentType: 'runbook',
    },
  });
}

/** A runbook about memory cited for a not-memory diagnosis, or the other way round. */
function contradicts(entry: KnowledgeEntry, isMemoryIssue: boolean): boolean {
  return entry.tags.includes(isMemoryIssue ? 'when:not-memory' : 'when:memory');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
