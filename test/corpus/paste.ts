/**
 * Log records as people paste them (issue 11 item 8): the layouts a copy from the CloudWatch
 * console, a terminal or a Logs Insights table gives the records LambdaLog writes. The diagnosis
 * core must read the same events back from each.
 */
import { LogRecord } from '../../src/core/model';

export type PasteLayout =
  /** Console copy: each event behind its timestamp, tabs turned into spaces, all in one block of text. */
  | 'console'
  /** A terminal copy: tabs turned into spaces, REPORT fields one per line, request ids wrapped; one record per line. */
  | 'wrapped-lines'
  /** Logs Insights results copied as a markdown table, one block of text. */
  | 'insights-markdown'
  /** Logs Insights results copied tab-separated, one record per row, header first. */
  | 'insights-tab'
  /** JSON records pretty-printed by the console's expanded view, behind console timestamps, one block of text. */
  | 'console-json';

/** The records as a person would paste them in `layout`. */
export function pasteAs(records: readonly LogRecord[], layout: PasteLayout): LogRecord[] {
  const first = records[0]?.timestamp ?? '2026-11-20T00:00:00.000Z';
  const block = (lines: string[]): LogRecord[] => [{ timestamp: first, message: lines.join('\n') }];
  switch (layout) {
    case 'console':
      return block(records.map((r) => `${r.timestamp} ${r.message.replace(/\t/g, ' ').replace(/\s+$/, '')}`));
    case 'wrapped-lines': {
      const out: LogRecord[] = [];
      for (const r of records) {
        let text = r.message.replace(/\s+$/, '');
        if (text.startsWith('REPORT ')) text = wrapId(text).replace(/\t/g, '\n');
        else text = text.replace(/\t/g, '  ');
        for (const line of text.split('\n')) out.push({ timestamp: r.timestamp, message: line });
      }
      return out;
    }
    case 'insights-markdown':
      return block(['| @timestamp | @message |', '|---|---|',
        ...records.map((r) => `| ${insightsTime(r.timestamp)} | ${r.message.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')} |`)]);
    case 'insights-tab':
      return [{ timestamp: first, message: '@timestamp\t@message' },
        ...records.map((r) => ({ timestamp: r.timestamp, message: `${insightsTime(r.timestamp)}\t${r.message.replace(/\n/g, ' ').replace(/\s+$/, '')}` }))];
    case 'console-json':
      return block(records.map((r) => `${r.timestamp} ${r.message.startsWith('{') ? JSON.stringify(JSON.parse(r.message), null, 4) : r.message}`));
  }
}

/** Logs Insights shows timestamps as `2026-11-20 06:12:00.123` (UTC, no zone). */
function insightsTime(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

/** Wrap a REPORT's request id after its third dash, as a narrow terminal does. */
function wrapId(report: string): string {
  return report.replace(/(RequestId: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-)/, '$1\n');
}
