/**
 * A notification for people, as a small document: a summary line, sections of the product's own
 * statements, commands, and quotations of untrusted text. Rendered as plain text (e-mail) and as
 * the markdown of chat clients (Amazon Q Developer in chat applications). Pure: no AWS SDK import.
 *
 * The product's statements are built from fields the workflow computed; anything else enters
 * only through {@link Quotation}s (see quote.ts), which both renderers show as `> ` lines under
 * their label.
 */
import { neutralise, neutraliseProduct, oneLine, productLine, Quotation } from './quote';

/**
 * Part of a line: the product's words, a value shown verbatim (a name, a size, a setting), or a
 * console link the product built from an ARN.
 */
export type Segment = string | { readonly code: string } | { readonly link: string };

/** A bullet of product text; `sub` bullets are indented under it. */
export interface Bullet {
  readonly kind: 'bullet';
  readonly segments: readonly Segment[];
  readonly sub?: readonly (readonly Segment[])[];
}

/** A shell command, shown on its own lines, never wrapped or altered. */
export interface Command {
  readonly kind: 'command';
  readonly label: string;
  readonly command: string;
}

/** A line of product text without a bullet. */
export interface Paragraph {
  readonly kind: 'paragraph';
  readonly segments: readonly Segment[];
}

export type Block = Bullet | Command | Paragraph;

export interface Section {
  readonly heading: string;
  readonly blocks: readonly Block[];
}

export interface NotificationDocument {
  /** The first line: function, outcome, old -> new size, why (product words only). */
  readonly summary: string;
  readonly sections: readonly Section[];
  /** Untrusted text, each under its label, after the product's sections. */
  readonly quotations: readonly Quotation[];
  /** Closing lines (execution id, where the machine-readable copy goes). */
  readonly footer: readonly string[];
}

/** Helpers to build blocks. */
export const bullet = (...segments: Segment[]): Bullet => ({ kind: 'bullet', segments });
export const bulletWith = (segments: Segment[], sub: Segment[][]): Bullet => ({ kind: 'bullet', segments, sub });
export const command = (label: string, text: string): Command => ({ kind: 'command', label, command: text });
export const paragraph = (...segments: Segment[]): Paragraph => ({ kind: 'paragraph', segments });
export const code = (text: string | number): Segment => ({ code: String(text) });
export const link = (url: string): Segment => ({ link: url });

/** The legend printed when a notification quotes untrusted text. */
export const QUOTE_LEGEND = 'Quoted lines come from logs, a model, a knowledge base, a person or an AWS error message: '
  + 'shortened, not verified, and never the decision or its reason.';

// ---------------------------------------------------------------------------------------------
// Plain text (e-mail)
// ---------------------------------------------------------------------------------------------

/** Product text reads arrows as arrows; values (codes) are shown exactly. */
function arrows(text: string): string {
  return text.replace(/ -> /g, ' → ');
}

function plain(segments: readonly Segment[]): string {
  return productLine(segments.map((s) => (typeof s === 'string' ? arrows(oneLine(s)) : 'code' in s ? oneLine(s.code) : linkText(s.link))).join(''), 2000);
}

/** A link as it is printed: only an https URL without spaces (the product builds them from ARNs). */
function linkText(url: string): string {
  return /^https:\/\/[^\s<>`]+$/.test(url) ? url : neutralise(url);
}

/** The e-mail body: plain text, one blank line between sections, 2-space bullets. */
export function renderText(doc: NotificationDocument): string {
  const out: string[] = [productLine(doc.summary, 1000), ''];
  for (const section of doc.sections) {
    if (section.blocks.length === 0) continue;
    out.push(section.heading);
    for (const b of section.blocks) {
      if (b.kind === 'bullet') {
        out.push(`  - ${plain(b.segments)}`);
        for (const s of b.sub ?? []) out.push(`      - ${plain(s)}`);
      } else if (b.kind === 'paragraph') {
        out.push(`  ${plain(b.segments)}`);
      } else {
        out.push(`  ${productLine(b.label, 300)}`, '', `    ${productLine(b.command, 4000)}`, '');
      }
    }
    if (out[out.length - 1] !== '') out.push('');
  }
  for (const q of doc.quotations) {
    out.push(`${q.label}:`);
    for (const l of q.lines) out.push(`> ${l}`);
    out.push('');
  }
  if (doc.quotations.length > 0) out.push(QUOTE_LEGEND, '');
  out.push('--', ...doc.footer.map((l) => productLine(l, 2000)));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Chat (client-markdown of Amazon Q Developer in chat applications)
// ---------------------------------------------------------------------------------------------

/**
 * Product text for a markdown reader: arrows written as such, and the characters that open
 * markup neutralised (an alarm name holding `*` or `<` must not turn the rest of the line bold
 * or into a link). Underscores inside words stay: no markdown reads them as emphasis.
 */
function chatText(text: string): string {
  return neutraliseProduct(arrows(oneLine(text)));
}

/** A value in a code span: markdown does not apply inside it, and it cannot hold a backtick. */
function chatCode(text: string): string {
  return `\`${oneLine(text).replace(/`/g, 'ʼ')}\``;
}

function chat(segments: readonly Segment[]): string {
  return productLine(segments.map((s) => (typeof s === 'string' ? chatText(s) : 'code' in s ? chatCode(s.code) : linkText(s.link))).join(''), 2000);
}

/** The chat description: sections as plain headings, bullets as `•`, commands as code blocks. */
export function renderChatDescription(doc: NotificationDocument): string {
  const out: string[] = [];
  for (const section of doc.sections) {
    if (section.blocks.length === 0) continue;
    out.push(chatText(section.heading.trim()));
    for (const b of section.blocks) {
      if (b.kind === 'bullet') {
        out.push(`• ${chat(b.segments)}`);
        for (const s of b.sub ?? []) out.push(`    ◦ ${chat(s)}`);
      } else if (b.kind === 'paragraph') {
        out.push(chat(b.segments));
      } else {
        out.push(chatText(b.label), '```', productLine(b.command, 4000).replace(/`/g, 'ʼ'), '```');
      }
    }
    out.push('');
  }
  for (const q of doc.quotations) {
    out.push(`${chatText(q.label)}:`);
    // Quotation lines are neutralised already: no markdown in them can reach the renderer.
    for (const l of q.lines) out.push(`> ${l}`);
    out.push('');
  }
  if (doc.quotations.length > 0) out.push(chatText(QUOTE_LEGEND));
  return out.join('\n').trim();
}

/** The first bullet-free lines of product text as one line, for SMS. */
export function renderShort(doc: NotificationDocument, max = 300): string {
  return productLine(doc.summary, max);
}
