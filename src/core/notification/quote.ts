/**
 * Text that did not come from the product (a model's reasoning, evidence a model wrote, titles of
 * knowledge-base passages, an operator's comment, an AWS error message) reaches people only as a
 * quotation: labelled with where it came from, every line prefixed with `> `, shortened, and with
 * the characters that could make it look like something else neutralised. It is never the summary,
 * the decision or the reason. Pure: no AWS SDK import.
 *
 * Why each step:
 * - control characters (C0, C1, DEL), bidirectional overrides and zero-width characters are
 *   dropped: they can hide or reorder text, fake line breaks in a subject, or ring terminals;
 * - markdown- and HTML-significant ASCII (`* _ ~ \` | [ ] < > # & \ !`) becomes its full-width
 *   form (U+FF01..U+FF5E): chat clients render markdown, and a quoted `<!channel>`, `**Approved**`,
 *   link or code fence would otherwise render as the product's own formatting;
 * - `scheme://` is defanged (`https［:］//`), so a quoted link is not clickable;
 * - length and line count are bounded, so a quotation cannot push the product's text out of view.
 */

/** One quotation: where it came from and its (already neutralised) lines, each to be shown after `> `. */
export interface Quotation {
  /** What the text is and where it came from, e.g. `Model's reasoning (quoted, not verified)`. */
  readonly label: string;
  readonly lines: readonly string[];
  /** True when the text was longer than the bound and was shortened. */
  readonly shortened: boolean;
}

/** Bounds of a quotation. */
export interface QuoteLimits {
  /** Most characters kept (after neutralising). @default 400 */
  readonly maxChars?: number;
  /** Most lines kept. @default 6 */
  readonly maxLines?: number;
  /** Longest line; longer lines are wrapped at spaces when possible. @default 100 */
  readonly lineWidth?: number;
}

export const DEFAULT_QUOTE_LIMITS: Required<QuoteLimits> = { maxChars: 400, maxLines: 6, lineWidth: 100 };

/* eslint-disable no-control-regex */
/** C0 controls except tab and line breaks, DEL, C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Bidirectional embeddings, overrides and isolates; zero-width characters; the BOM; line and paragraph separators. */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const UNICODE_BREAKS = /[\u2028\u2029\u0085]/g;
/* eslint-enable no-control-regex */

/** Characters that mean something to markdown (Slack, Teams, GitHub) or HTML. */
const SIGNIFICANT = /[*_~`|[\]<>#&\\!]/g;

/** URL schemes a mail or chat client would turn into a link. */
const SCHEME = /\b([a-z][a-z0-9+.-]{1,15}):\/\//gi;

/** The same for the product's own text in chat: names may hold `*` or `<`; intraword `_` is left alone. */
const SIGNIFICANT_IN_PRODUCT_TEXT = /[*~`|[\]<>&\\]/g;

/**
 * Drop control and invisible characters; turn tabs into spaces and every line break form into `\n`.
 * For text the product wrote itself that may hold names people chose (alarm names, error messages).
 */
export function stripControl(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(UNICODE_BREAKS, '\n')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '');
}

/** Full-width form of a printable ASCII character (U+0021..U+007E map to U+FF01..U+FF5E). */
function fullWidth(ch: string): string {
  return String.fromCharCode(ch.charCodeAt(0) + 0xFEE0);
}

/**
 * Make untrusted text inert for plain text, markdown and HTML readers: {@link stripControl}, then
 * defang URL schemes and replace the significant characters with their full-width forms.
 */
export function neutralise(text: string): string {
  return stripControl(text)
    .replace(SCHEME, (_m, scheme: string) => `${scheme}[:]//`)
    .replace(SIGNIFICANT, fullWidth);
}

/** Text on one line: control characters dropped, line breaks folded into spaces; nothing trimmed. */
export function oneLine(text: string): string {
  return stripControl(text).replace(/\n/g, ' ');
}

/**
 * The product's own text for a markdown reader: control characters dropped and the characters
 * that open markup (`* ~ \` | [ ] < > & \`) in full-width form. Not for untrusted text: use
 * {@link neutralise}.
 */
export function neutraliseProduct(text: string): string {
  return stripControl(text).replace(SIGNIFICANT_IN_PRODUCT_TEXT, fullWidth);
}

/**
 * One line of text the product wrote (which may hold names people chose): control characters
 * dropped, line breaks folded into spaces, at most `max` characters.
 */
export function productLine(text: string, max = 500): string {
  const one = stripControl(text).replace(/\s*\n\s*/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 3).trimEnd()}...`;
}

/** Wrap one line at spaces (or hard, when a word is longer than the width). */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let rest = line.trimEnd();
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}

/**
 * Quote untrusted text: neutralised, wrapped, and cut to the limits. A shortened quotation ends
 * with `[shortened: N of M characters]`, so the reader knows there was more (it stays in the
 * machine-readable notification and the records).
 */
export function quote(label: string, text: string, limits: QuoteLimits = {}): Quotation {
  const { maxChars, maxLines, lineWidth } = { ...DEFAULT_QUOTE_LIMITS, ...limits };
  const clean = neutralise(text).replace(/[ ]{2,}/g, ' ').trim();
  const total = clean.length;
  let kept = clean;
  if (clean.length > maxChars) {
    // Cut at a word boundary when there is one near the bound.
    const space = clean.lastIndexOf(' ', maxChars);
    kept = clean.slice(0, space > maxChars * 0.8 ? space : maxChars);
  }
  const lines: string[] = [];
  for (const raw of kept.split('\n')) {
    if (raw.trim() === '') continue;
    lines.push(...wrap(raw.trim(), lineWidth));
  }
  let shortened = total > maxChars;
  if (lines.length > maxLines) {
    lines.length = maxLines;
    shortened = true;
  }
  if (shortened) {
    const shown = Math.min(total, lines.reduce((n, l) => n + l.length + 1, -1));
    lines.push(`[shortened: ${shown} of ${total} characters shown]`);
  }
  return { label: productLine(label, 200), lines, shortened };
}
