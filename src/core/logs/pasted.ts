/**
 * Log text as people paste it, read back into the records Lambda writes (issue 11 item 8).
 *
 * Users hand over log excerpts copied from the CloudWatch console, a terminal or a Logs Insights
 * table, and the copy changes the layout the parsers expect:
 *
 *     2026-11-28T12:00:00.123Z  REPORT RequestId: 3f2a...  Duration: 812.33 ms  ...   (console copy)
 *     REPORT RequestId: 3f2a1b7c-5d4e-4f3a-9b8c-         (tabs turned into spaces, id wrapped)
 *     7d6e5f4a3b2c Duration: 812.33 ms ...
 *     REPORT RequestId: 3f2a...                            (one field per line)
 *     Duration: 812.33 ms
 *     Max Memory Used: 128 MB
 *     | 2026-11-28 12:00:00.123 | REPORT RequestId: ... |  (Logs Insights table, markdown)
 *     @timestamp<TAB>@message                              (Logs Insights table, tab separated)
 *     {                                                    (a JSON record pretty-printed over lines)
 *       "type": "platform.report", ...
 *
 * `reassemblePastedLogs` splits records holding several log events, strips console timestamps and
 * table columns, joins what a copy wrapped over lines or records, and rewrites platform lines
 * (START / END / REPORT / INIT_REPORT) in Lambda's own tab-separated layout, so every other parser
 * reads them unchanged. Records already in Lambda's layout are passed through untouched and cost
 * a few character checks each.
 *
 * What was reassembled is counted: the engine treats platform lines read back from a paste as a
 * person's copy of the evidence, not the platform's own records (it asks for review).
 */
import { LogRecord } from '../model';

/** The records in Lambda's own layout, and how many platform lines had to be read back from a paste. */
export interface ReassembledLogs {
  readonly records: LogRecord[];
  /** Platform lines (START / END / REPORT / INIT_REPORT / kill lines / platform.* records) rewritten from a pasted layout. */
  readonly pastedPlatformLines: number;
}

/** REPORT fields, in the order Lambda writes them. */
const REPORT_FIELDS = ['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used', 'Init Duration', 'Restore Duration', 'Billed Restore Duration', 'Status', 'Error Type'];
/** A line holding only REPORT / INIT_REPORT fields (one field per line). */
const FIELD_LINE = /^(?:Duration|Billed Duration|Memory Size|Max Memory Used|Init Duration|Restore Duration|Billed Restore Duration|Status|Error Type|Phase|XRAY TraceId|SegmentId|Sampled):/;
/** Lines that start a new log event. */
const PLATFORM_START = /^(?:START RequestId|END RequestId|REPORT RequestId|REPORT |INIT_START|INIT_REPORT|RequestId:? [\w-]|Error:? Runtime exited|Runtime exited with error|EXTENSION|TELEMETRY)/;
const LEVEL_START = /^\[(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\]/;
/**
 * A console or Logs Insights timestamp at the start of a line, and the separator after it:
 * `2026-11-28T12:00:00.123Z`, `2026-11-28T12:00:00.123+01:00`, `2026-11-28 12:00:00.123` (Logs
 * Insights shows this form), optionally followed by `|` or `,` (table and CSV copies).
 */
const CONSOLE_TIMESTAMP = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d| ?UTC)?)(?:[ \t]*[|,][ \t]*|[ \t]+)/;
/** A request-id token followed by whitespace: the line is a runtime's own `<time> <id> ...` line, not a console prefix. */
const REQUEST_ID_TOKEN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}[ \t]/;
const MARKDOWN_RULE = /^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$/;
const ROW_NUMBER = /^\d{1,7}$/;
const CELL_TIMESTAMP = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/;
/** Most lines a pretty-printed JSON record may span. */
const MAX_JSON_LINES = 400;

/**
 * Read pasted log text back into Lambda's own record layout. Returns the input array itself when
 * nothing had to change.
 */
export function reassemblePastedLogs(records: readonly LogRecord[]): ReassembledLogs {
  let reader: Reader | undefined;
  for (let i = 0; i < records.length; i++) {
    const message = records[i].message;
    if (reader === undefined) {
      if (!needsReassembly(message)) continue;
      reader = new Reader(records.slice(0, i));
    }
    if (reader.continuesWith(message) || reader.inTable() || needsReassembly(message)) reader.read(records[i]);
    else reader.keep(records[i]);
  }
  if (reader === undefined) return { records: records as LogRecord[], pastedPlatformLines: 0 };
  return reader.finish();
}

/** Whether a record is not in Lambda's own layout (or holds several events). Cheap on the usual lines. */
export function needsReassembly(message: string): boolean {
  const c0 = message.charCodeAt(0);
  if (isSpace(c0)) {
    // Lambda starts no platform line with whitespace: a copy with leading blank lines or indentation.
    const t = message.trimStart();
    return t !== '' && (needsReassembly(t) || isPasteHead(t.split('\n', 1)[0]));
  }
  // Lambda writes JSON records on one line: one spread over lines (or cut) was pretty-printed by a copy.
  if (c0 === 123 /* { */) return !endsWithBrace(message) || hasInnerNewline(message);
  if (c0 === 124 /* | */ || c0 === 64 /* @ */) return true;
  if (c0 === 35 /* # */) return isHeaderLine(message.split('\n', 1)[0].trim());
  // Lambda's own START / END / REPORT lines are settled with one prefix check each (a call of
  // startsWith costs as much as reading a few dozen characters).
  if (c0 === 83 /* S */) {
    if (message.startsWith('START RequestId: ')) return hasInnerNewline(message);
    if (message.startsWith('START')) return true;
  }
  if (c0 === 69 /* E */) {
    if (message.startsWith('END RequestId: ')) return hasInnerNewline(message);
    if (message.startsWith('END')) return true;
  }
  if (c0 === 82 /* R */ && message.startsWith('REPORT')) return !isLambdaReport(message) || hasEventBreak(message);
  if (c0 === 73 /* I */ && message.startsWith('INIT_REPORT')) return message.indexOf('\t') < 0 || hasEventBreak(message);
  if (c0 >= 48 && c0 <= 57 /* digit */ && consolePrefixLength(message) > 0) return true;
  return hasEventBreak(message);
}

/**
 * Whether a record may hold several pasted events: its first line must itself start a pasted
 * event (a platform line, a console timestamp, a table). A record that starts as an application
 * line is one event, whatever its later lines say: application text must not pose as the platform.
 */
function isPasteHead(line: string): boolean {
  const t = line.trim();
  return PLATFORM_START.test(t) || consolePrefixLength(t) > 0 || t.startsWith('|') || t === '{' || isHeaderLine(t);
}

/** `REPORT RequestId: <id>\t...`: the id is followed by a tab as Lambda writes it. */
export function isLambdaReport(message: string): boolean {
  const prefix = 'REPORT RequestId: ';
  if (!message.startsWith(prefix)) return false;
  const i = idEnd(message, prefix.length);
  return i > prefix.length && message.charCodeAt(i) === 9;
}

/** Whether a line after the first starts another log event (several events pasted into one record). */
export function hasEventBreak(message: string): boolean {
  let at = message.indexOf('\n');
  if (at < 0 || !isPasteHead(message.slice(0, at))) return false;
  while (at >= 0 && at < message.length - 1) {
    const rest = message.slice(at + 1, at + 64).replace(/^\r/, '');
    if (startsEvent(rest)) return true;
    at = message.indexOf('\n', at + 1);
  }
  return false;
}

/** Whether text follows the first line break (a START or END line Lambda writes has none). */
export function hasInnerNewline(message: string): boolean {
  const at = message.indexOf('\n');
  return at >= 0 && message.slice(at).trim() !== '';
}

/** Whether a line starts a log event (after any console timestamp); a table row is one event. */
function startsEvent(line: string): boolean {
  return PLATFORM_START.test(line) || LEVEL_START.test(line) || consolePrefixLength(line) > 0 || line.startsWith('{"time"') || line.startsWith('|');
}

/**
 * Length of a console timestamp prefix to strip, or 0. A runtime's own `<time>\t<id>\t...` or
 * `<time> <id> Task timed out` line keeps its timestamp: the request id after it is part of the line.
 */
export function consolePrefixLength(line: string): number {
  const c0 = line.charCodeAt(0);
  if (c0 < 48 || c0 > 57 || line.charCodeAt(4) !== 45 /* - */) return 0;
  // The runtimes' own `<time>\t<id>\t` lines are the most common lines of all: settle them by position.
  if (line.charCodeAt(24) === 9 && isUuidAt(line, 25)) return 0;
  const m = CONSOLE_TIMESTAMP.exec(line);
  if (!m) return 0;
  const rest = line.slice(m[0].length);
  if (rest === '' || REQUEST_ID_TOKEN.test(rest)) return 0;
  return m[0].length;
}

type EntryKind = 'report' | 'init-report' | 'start' | 'end' | 'json' | 'other';

interface Entry {
  readonly timestamp: string;
  readonly kind: EntryKind;
  readonly lines: string[];
  /** True when the layout was changed (timestamp stripped, table cell, split, joined across records). */
  reassembled: boolean;
}

interface Table {
  readonly separator: '\t' | '|';
  readonly columns: number;
  readonly message: number;
  /** Index of the @timestamp column, or -1. */
  readonly timestamp: number;
}

/**
 * Reads pasted records line by line. A platform event stays open across records while a copy
 * may still continue it (a field per line, a wrapped request id, a pretty-printed JSON record).
 */
class Reader {
  private readonly out: LogRecord[];
  private pasted = 0;
  private open: Entry | undefined;
  private table: Table | undefined;
  private synthetic = 0;

  constructor(before: LogRecord[]) {
    this.out = before;
  }

  inTable(): boolean {
    return this.table !== undefined;
  }

  /** Whether the first line of `message` continues the open event. */
  continuesWith(message: string): boolean {
    if (this.open === undefined) return false;
    const first = message.split('\n', 1)[0].trim();
    const prefix = consolePrefixLength(first);
    return this.continues(prefix > 0 ? first.slice(prefix) : first, prefix > 0);
  }

  /** A record already in Lambda's layout. */
  keep(record: LogRecord): void {
    this.close();
    this.out.push(record);
  }

  read(record: LogRecord): void {
    const split = hasEventBreak(record.message);
    const lines = record.message.replace(/^(?:[ \t]*\r?\n)+/, '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i].replace(/\r$/, '');
      // One event (not a paste of several): its later lines belong to it, whatever they look like.
      if (i > 0 && !split && this.open !== undefined) this.open.lines.push(raw);
      else this.line(record.timestamp, raw, split);
    }
    this.tryCloseJson();
    // Only platform events and JSON records may continue in the next record.
    const open = this.open;
    if (open && (open.kind === 'other' || ((open.kind === 'start' || open.kind === 'end') && !needsIdTail(open)))) this.close();
  }

  finish(): ReassembledLogs {
    this.close();
    return { records: this.out, pastedPlatformLines: this.pasted };
  }

  private line(timestamp: string, raw: string, split: boolean): void {
    const trimmed = raw.trim();
    let text = trimmed;
    let changed = split;
    if (trimmed === '') {
      if (this.open?.kind === 'json') this.open.lines.push('');
      return;
    }
    if (this.open?.kind !== 'json') {
      // Logs Insights tables: a header names the columns, markdown adds a rule line.
      if (isHeaderLine(trimmed)) {
        this.close();
        this.table = readHeader(trimmed);
        return;
      }
      if (MARKDOWN_RULE.test(trimmed)) return;
      const cell = this.tableMessage(trimmed);
      if (cell !== undefined) {
        text = cell;
        changed = true;
      }
    }
    const prefix = consolePrefixLength(text);
    let time = timestamp;
    if (prefix > 0) {
      time = isoTime(text.slice(0, prefix)) ?? timestamp;
      text = text.slice(prefix);
      changed = true;
    }
    // A CSV export quotes the message after the timestamp column.
    if (prefix > 0 && text.length > 1 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replace(/""/g, '"');
    if (this.continues(text, prefix > 0)) {
      this.open!.lines.push(text);
      this.open!.reassembled = true;
      this.tryCloseJson();
      return;
    }
    this.close();
    const kind = kindOf(text);
    this.open = { timestamp: time, kind, lines: [text], reassembled: changed };
    if (kind === 'json') this.tryCloseJson();
  }

  /** The message cell of a table row, or undefined when the line is not one. */
  private tableMessage(line: string): string | undefined {
    const t = this.table;
    if (t) {
      const cells = splitRow(line, t.separator);
      const isRow = cells.length >= t.columns && (t.timestamp < 0 || CELL_TIMESTAMP.test(cells[t.timestamp]))
        && (t.separator === '\t' || line.startsWith('|'));
      if (isRow) {
        const extra = cells.length - t.columns;
        return cells.slice(t.message, t.message + 1 + extra).join(t.separator).trim();
      }
      this.table = undefined;
    }
    // A pipe row with no header: drop a leading row number and timestamp cell.
    if (line.startsWith('|') && line.length > 2) {
      const cells = splitRow(line, '|');
      let first = 0;
      if (first < cells.length - 1 && ROW_NUMBER.test(cells[first])) first++;
      if (first < cells.length - 1 && CELL_TIMESTAMP.test(cells[first])) first++;
      return cells.slice(first).join('|').trim();
    }
    return undefined;
  }

  /** Whether `text` continues the open event (a wrapped line, a field per line, a pretty-printed JSON line). */
  private continues(text: string, hadTimestamp: boolean): boolean {
    const open = this.open;
    if (!open) return false;
    // A pretty-printed record's lines never start with a console timestamp: that is the next event.
    if (open.kind === 'json') return !hadTimestamp && open.lines.length < MAX_JSON_LINES;
    if (hadTimestamp || startsEvent(text)) return false;
    switch (open.kind) {
      case 'report':
      case 'init-report':
      case 'start':
      case 'end':
        return FIELD_LINE.test(text) || (needsIdTail(open) && /^-?[0-9a-fA-F]/.test(text.trim()));
      default:
        // Stack frames and wrapped text belong to the event they follow (within one record).
        return true;
    }
  }

  private tryCloseJson(): void {
    const open = this.open;
    if (open?.kind !== 'json') return;
    const text = open.lines.join('\n').trim();
    if (!text.endsWith('}')) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return; // not complete yet: keep reading lines
    }
    this.open = undefined;
    const message = JSON.stringify(value);
    if (isPlatformText(message)) this.pasted++;
    this.out.push({ timestamp: open.timestamp, message });
  }

  private close(): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const joined = open.lines.join('\n');
    let message: string;
    switch (open.kind) {
      case 'report':
        message = canonicalReport(squash(joined), () => this.syntheticId());
        break;
      case 'init-report':
        message = canonicalInitReport(squash(joined));
        break;
      case 'start':
      case 'end': {
        const flat = squash(joined);
        const id = readRequestId(flat, flat.indexOf('RequestId:') + 'RequestId:'.length) ?? this.syntheticId();
        const version = /Version: ?(\S+)/.exec(flat)?.[1];
        message = open.kind === 'start' ? `START RequestId: ${id} Version: ${version ?? '$LATEST'}` : `END RequestId: ${id}`;
        break;
      }
      default:
        // Never became valid JSON, or not a platform line: the text as it was.
        message = joined;
    }
    const changed = open.reassembled || message !== joined;
    if (changed && (open.kind === 'report' || open.kind === 'init-report' || open.kind === 'start' || open.kind === 'end' || isPlatformText(joined))) {
      this.pasted++;
    }
    this.out.push({ timestamp: open.timestamp, message });
  }

  private syntheticId(): string {
    this.synthetic++;
    return `pasted-${this.synthetic}`;
  }
}

/** A console or Logs Insights timestamp as ISO-8601 (Logs Insights shows UTC without a zone). */
function isoTime(prefix: string): string | undefined {
  const m = CONSOLE_TIMESTAMP.exec(prefix);
  if (!m) return undefined;
  let t = m[1].replace(' ', 'T').replace(',', '.').replace(/ ?UTC$/, 'Z');
  if (!/(?:Z|[+-]\d\d:?\d\d)$/.test(t)) t += 'Z';
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function kindOf(text: string): EntryKind {
  if (text.startsWith('REPORT')) return 'report';
  if (text.startsWith('INIT_REPORT')) return 'init-report';
  if (text.startsWith('START RequestId')) return 'start';
  if (text.startsWith('END RequestId')) return 'end';
  if (text.startsWith('{') && (!endsWithBrace(text) || text.trim() === '{')) return 'json';
  return 'other';
}

/** A kill, exit or OOM line of the platform, or a platform.* JSON record: its copy counts as pasted platform evidence. */
function isPlatformText(text: string): boolean {
  return /^(?:RequestId:? [\w-]+ )?(?:Error:? )?(?:Runtime exited with error|Runtime\.(?:ExitError|OutOfMemory))/.test(text)
    || (text.startsWith('{') && /"type"\s*:\s*"platform\./.test(text));
}

/** The open START / END / REPORT names a request id that was cut at the end of its line. */
function needsIdTail(open: Entry): boolean {
  const flat = squash(open.lines.join('\n'));
  const at = flat.indexOf('RequestId:');
  if (at < 0) return false;
  const id = readRequestId(flat, at + 'RequestId:'.length);
  return id === undefined || (id.length < 36 && isUuidPrefix(id));
}

/** A table header line: only `@field` names (and a `#` row-number column), with `@message` among them. */
function isHeaderLine(line: string): boolean {
  return line.includes('@message') && /^\|?\s*(?:#|@\w+)(?:\s*[|,\t]\s*(?:#|@\w+))*\s*\|?$/.test(line);
}

/** The columns of a pipe- or tab-separated header; undefined for CSV (its rows start with the timestamp). */
function readHeader(line: string): Table | undefined {
  const separator: '\t' | '|' | undefined = line.includes('|') ? '|' : line.includes('\t') ? '\t' : undefined;
  if (separator === undefined) return undefined;
  const cells = splitRow(line, separator);
  const message = cells.indexOf('@message');
  return message < 0 ? undefined : { separator, columns: cells.length, message, timestamp: cells.indexOf('@timestamp') };
}

/** Cells of a table row; a pipe row's outer pipes are dropped. */
function splitRow(line: string, separator: '\t' | '|'): string[] {
  let row = line;
  if (separator === '|') {
    row = row.trim();
    if (row.startsWith('|')) row = row.slice(1);
    if (row.endsWith('|')) row = row.slice(0, -1);
  }
  return row.split(separator).map((c) => c.trim());
}

/** Every run of whitespace as one space. */
function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The request id after `from`, joining the pieces of an id that a copy wrapped over lines
 * (`3f2a1b7c-5d4e-4f3a-` + `9b8c-7d6e5f4a3b2c`).
 */
function readRequestId(text: string, from: number): string | undefined {
  if (from < 0) return undefined;
  let i = skipSpaces(text, from);
  let id = '';
  for (;;) {
    const end = idEnd(text, i);
    if (end === i) break;
    id += text.slice(i, end);
    i = end;
    if (!(id.length < 36 && isUuidPrefix(id))) break;
    const next = skipSpaces(text, i);
    const nextEnd = idEnd(text, next);
    if (nextEnd === next || !isUuidPrefix(id + text.slice(next, nextEnd))) break;
    i = next;
  }
  return id === '' ? undefined : id;
}

/** Whether a UUID followed by whitespace stands at `from`. */
function isUuidAt(text: string, from: number): boolean {
  if (text.length < from + 37 || !isSpace(text.charCodeAt(from + 36))) return false;
  const dashes = text.charCodeAt(from + 8) === 45 && text.charCodeAt(from + 13) === 45 && text.charCodeAt(from + 18) === 45
    && text.charCodeAt(from + 23) === 45;
  if (!dashes) return false;
  for (let k = 0; k < 36; k++) {
    if (k !== 8 && k !== 13 && k !== 18 && k !== 23 && !isHex(text.charCodeAt(from + k))) return false;
  }
  return true;
}

/** Whether `id` is the start of a UUID (8-4-4-4-12 hexadecimal digits). */
function isUuidPrefix(id: string): boolean {
  if (id.length > 36) return false;
  for (let k = 0; k < id.length; k++) {
    const c = id.charCodeAt(k);
    const dash = k === 8 || k === 13 || k === 18 || k === 23;
    if (dash ? c !== 45 : !isHex(c)) return false;
  }
  return true;
}

/** A REPORT in Lambda's layout, from its fields found anywhere in `flat` (whitespace squashed). */
function canonicalReport(flat: string, syntheticId: () => string): string {
  const at = flat.indexOf('RequestId:');
  const id = (at >= 0 ? readRequestId(flat, at + 'RequestId:'.length) : undefined) ?? syntheticId();
  let line = `REPORT RequestId: ${id}\t`;
  for (const name of REPORT_FIELDS) {
    const value = fieldValue(flat, name);
    if (value === undefined) continue;
    const unit = name === 'Status' || name === 'Error Type' ? '' : name.includes('Memory') ? ' MB' : ' ms';
    line += `${name}: ${value}${unit}\t`;
  }
  return line;
}

/** An INIT_REPORT in Lambda's layout. */
function canonicalInitReport(flat: string): string {
  const parts: string[] = [];
  const duration = fieldValue(flat, 'Init Duration');
  if (duration !== undefined) parts.push(`Init Duration: ${duration} ms`);
  for (const name of ['Phase', 'Status', 'Error Type']) {
    const value = fieldValue(flat, name);
    if (value !== undefined) parts.push(`${name}: ${value}`);
  }
  return `INIT_REPORT ${parts.join('\t')}`;
}

/**
 * The value of one REPORT / INIT_REPORT field in squashed text. `Duration` must not be read out
 * of `Billed Duration`, `Init Duration` or `Restore Duration`.
 */
function fieldValue(flat: string, name: string): string | undefined {
  const pattern = FIELD_PATTERNS[name];
  return pattern?.exec(flat)?.[1];
}

const NUMBER = '(\\d+(?:\\.\\d+)?)';
const FIELD_PATTERNS: Record<string, RegExp> = {
  'Duration': new RegExp(`(?:^| )(?<!(?:Billed|Init|Restore) )Duration: ?${NUMBER}`),
  'Billed Duration': new RegExp(`(?:^| )(?<!Restore )Billed Duration: ?${NUMBER}`),
  'Memory Size': new RegExp(`(?:^| )Memory Size: ?${NUMBER}`),
  'Max Memory Used': new RegExp(`(?:^| )Max Memory Used: ?${NUMBER}`),
  'Init Duration': new RegExp(`(?:^| )Init Duration: ?${NUMBER}`),
  'Restore Duration': new RegExp(`(?:^| )(?<!Billed )Restore Duration: ?${NUMBER}`),
  'Billed Restore Duration': new RegExp(`(?:^| )Billed Restore Duration: ?${NUMBER}`),
  'Status': /(?:^| )Status: ?(success|error|timeout)\b/,
  'Error Type': /(?:^| )Error Type: ?([A-Za-z][\w.]*)/,
  'Phase': /(?:^| )Phase: ?(init|invoke)\b/,
};

function endsWithBrace(text: string): boolean {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end > 0 && text.charCodeAt(end - 1) === 125 /* } */;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Character classes of ASCII codes (1 = in the class), looked up instead of compared range by
 * range: these checks run on every request id of a request (tens of thousands of characters).
 */
const HEX_DIGITS = asciiClass((c) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70));
const ID_CHARS = asciiClass((c) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 /* - */ || c === 95 /* _ */);

function asciiClass(member: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = member(c) ? 1 : 0;
  return table;
}

function isHex(c: number): boolean {
  return c < 128 && HEX_DIGITS[c] === 1;
}

function isIdChar(c: number): boolean {
  return c < 128 && ID_CHARS[c] === 1;
}

/** The end of the run of request-id characters (letters, digits, `-`, `_`) starting at `from`. */
function idEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isIdChar(text.charCodeAt(i))) i++;
  return i;
}
