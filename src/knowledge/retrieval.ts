/**
 * Knowledge-base retrieval for the diagnose handler, pure: the query to send to Bedrock
 * `Retrieve`, the mapping of its results to `knowledgeReferences` and prompt passages, and the
 * merge with the runbooks the rules cited.
 *
 * Retrieved text is data: passages are quoted with their id and any tag that could close the quote
 * is neutralised, so a document (or a recorded case) cannot pose as instructions.
 */
import { findRunbook, MAX_KNOWLEDGE_REFERENCES } from './catalogue';
import { BedrockLimits, DEFAULT_BEDROCK_LIMITS, truncateText } from './limits';
import { EvidencePoint, IncidentCategory, KnowledgeReference } from '../core/model';

/** The part of one `Retrieve` result this module reads (structurally the SDK's `KnowledgeBaseRetrievalResult`). */
export interface RetrievalResultLike {
  readonly content?: { readonly text?: string };
  readonly score?: number;
  readonly metadata?: Record<string, unknown>;
  readonly location?: { readonly s3Location?: { readonly uri?: string } };
}

/** One passage ready for a prompt. */
export interface KnowledgePassage {
  readonly id: string;
  readonly title: string;
  readonly relevance: number;
  readonly text: string;
}

/** Longest query text sent to `Retrieve`. */
export const MAX_QUERY_CHARS = 500;

/**
 * The retrieval query for a diagnosis: the category, the runtime and the evidence types and
 * descriptions, in that order, bounded. Built from the rule engine's findings, never from raw log
 * text alone.
 */
export function retrievalQuery(input: { category: IncidentCategory; evidencePoints: readonly EvidencePoint[] }, runtime?: string): string {
  const parts = [
    `AWS Lambda ${input.category.toLowerCase().replace(/_/g, ' ')}`,
    runtime ? `runtime ${runtime}` : '',
    ...input.evidencePoints.map((p) => `${p.type}: ${p.description}`),
  ].filter((p) => p !== '');
  const text = parts.join('. ').replace(/\s+/g, ' ').trim();
  return text.length > MAX_QUERY_CHARS ? text.slice(0, MAX_QUERY_CHARS) : text;
}

/**
 * Map `Retrieve` results to passages (best first, one per document, bounded by the limits) and
 * their `knowledgeReferences`. A result's id comes from its metadata sidecar (`entryId`), else
 * from its object key (`runbooks/rb-x.md` -> `rb-x`, `cases/fn/r1.md` -> `case-r1`).
 */
export function fromRetrievalResults(
  results: readonly RetrievalResultLike[],
  limits: Pick<BedrockLimits, 'maxRetrievedPassages' | 'maxPassageChars'> = DEFAULT_BEDROCK_LIMITS,
): { passages: KnowledgePassage[]; references: KnowledgeReference[] } {
  const best = new Map<string, KnowledgePassage>();
  results.forEach((r, i) => {
    const text = r.content?.text?.trim();
    if (!text) return;
    const id = resultId(r, i);
    const relevance = clamp01(r.score ?? 0);
    const title = stringOf(r.metadata?.title) ?? findRunbook(id)?.title ?? id;
    const previous = best.get(id);
    if (!previous || previous.relevance < relevance) best.set(id, { id, title, relevance, text: truncateText(text, limits.maxPassageChars) });
  });
  const passages = [...best.values()]
    .sort((a, b) => b.relevance - a.relevance || a.id.localeCompare(b.id))
    .slice(0, limits.maxRetrievedPassages);
  return { passages, references: passages.map((p) => ({ id: p.id, title: p.title, relevance: p.relevance })) };
}

/** The rules' citations and the retrieved ones together: one per id (highest relevance), best first. */
export function mergeKnowledgeReferences(...lists: ReadonlyArray<readonly KnowledgeReference[] | undefined>): KnowledgeReference[] {
  const byId = new Map<string, KnowledgeReference>();
  for (const list of lists) {
    for (const ref of list ?? []) {
      const previous = byId.get(ref.id);
      if (!previous || previous.relevance < ref.relevance) byId.set(ref.id, ref);
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.relevance - a.relevance || a.id.localeCompare(b.id))
    .slice(0, MAX_KNOWLEDGE_REFERENCES);
}

/**
 * Passages as quoted data for a prompt. Each sits in a `<passage>` element; text that could
 * close or open one is defused, so a document cannot step outside its quote.
 */
export function renderPassages(passages: readonly KnowledgePassage[]): string {
  return passages
    .map((p) => `<passage id="${attr(p.id)}" title="${attr(p.title)}" relevance="${p.relevance}">\n${p.text.replace(/<(\/?)passage/gi, '‹$1passage')}\n</passage>`)
    .join('\n');
}

function resultId(r: RetrievalResultLike, index: number): string {
  const fromMetadata = stringOf(r.metadata?.entryId);
  if (fromMetadata) return fromMetadata;
  const uri = r.location?.s3Location?.uri ?? stringOf(r.metadata?.['x-amz-bedrock-kb-source-uri']);
  const match = uri?.match(/\/(runbooks|cases)\/(?:.*\/)?([^/]+)\.[a-z]+$/i);
  if (match) return match[1] === 'cases' ? `case-${match[2]}` : match[2];
  return `kb-passage-${index + 1}`;
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function clamp01(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
}

function attr(s: string): string {
  return s.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' }[c] as string));
}
