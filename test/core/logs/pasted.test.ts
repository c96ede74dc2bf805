import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { LogRecord, parseLogs, reassemblePastedLogs } from '../../../src/core';
import { needsReassembly } from '../../../src/core/logs/pasted';
import { rid, textInvocation } from '../support';

const ID = '3f2a1b7c-5d4e-4f3a-9b8c-7d6e5f4a3b2c';
/** A REPORT exactly as Lambda writes it. */
const REPORT = `REPORT RequestId: ${ID}\tDuration: 2812.33 ms\tBilled Duration: 2813 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t`
  + 'Init Duration: 245.17 ms\tStatus: error\tError Type: Runtime.OutOfMemory\t';
const FIGURES = {
  requestId: ID,
  durationMs: 2812.33,
  billedDurationMs: 2813,
  memorySizeMb: 128,
  maxMemoryUsedMb: 128,
  initDurationMs: 245.17,
  status: 'error',
  errorType: 'Runtime.OutOfMemory',
};

const at = (i: number) => new Date(Date.parse('2026-11-28T12:00:00.000Z') + i * 10).toISOString();
const records = (messages: readonly string[]): LogRecord[] => messages.map((message, i) => ({ timestamp: at(i), message }));

/** What one REPORT became after parsing: its figures and how the parser counted it. */
function readBack(messages: readonly string[]) {
  const evidence = parseLogs(records(messages));
  const reports = evidence.invocations.filter(i => i.hasReport);
  const inv = reports[0];
  return {
    reports: reports.length,
    figures: inv && {
      requestId: inv.requestId,
      durationMs: inv.durationMs,
      billedDurationMs: inv.billedDurationMs,
      memorySizeMb: inv.memorySizeMb,
      maxMemoryUsedMb: inv.maxMemoryUsedMb,
      initDurationMs: inv.initDurationMs,
      status: inv.status,
      errorType: inv.errorType,
    },
    platformOom: evidence.counts.platformOom,
    pasted: evidence.pastedPlatformLines,
  };
}

// The ways a copy changes whitespace: between fields, inside the request id, around the line.
const SEPARATORS: Record<string, (line: string) => string> = {
  'tabs': l => l,
  'tabs turned into one space': l => l.replace(/\t/g, ' '),
  'tabs turned into several spaces': l => l.replace(/\t/g, '    '),
  'one field per line': l => l.replace(/\t/g, '\n'),
  'one field per line, indented': l => l.replace(/\t/g, '\n   '),
  'Windows line ends, one field per line': l => l.replace(/\t/g, '\r\n'),
};
const ID_WRAPS: Record<string, (line: string) => string> = {
  'id on one line': l => l,
  'id wrapped after a dash': l => l.replace('9b8c-', '9b8c-\n'),
  'id wrapped inside a group': l => l.replace('4f3a-9b', '4f3a-9b\n'),
  'id on the next line': l => l.replace('RequestId: ', 'RequestId:\n'),
};
const PREFIXES: Record<string, (line: string) => string> = {
  'no prefix': l => l,
  'console timestamp': l => `2026-11-28T12:00:00.123Z ${l}`,
  'console timestamp and a tab': l => `2026-11-28T12:00:00.123Z\t${l}`,
  'console timestamp with an offset': l => `2026-11-28T13:00:00.123+01:00 ${l}`,
  'Logs Insights timestamp': l => `2026-11-28 12:00:00.123 ${l}`,
  'leading and trailing blank lines': l => `\n\n${l}\n\n`,
};

describe('reassemblePastedLogs: a REPORT line survives every whitespace variant', () => {
  const cases: Array<[string, string]> = [];
  for (const [sepName, sep] of Object.entries(SEPARATORS)) {
    for (const [wrapName, wrap] of Object.entries(ID_WRAPS)) {
      for (const [prefixName, prefix] of Object.entries(PREFIXES)) {
        cases.push([`${sepName}, ${wrapName}, ${prefixName}`, prefix(sep(wrap(REPORT)))]);
      }
    }
  }

  test.each(cases)('%s, in one record', (_name, text) => {
    expect(readBack([text])).toMatchObject({ reports: 1, figures: FIGURES, platformOom: 1 });
  });

  test.each(cases)('%s, one record per line', (_name, text) => {
    const lines = text.split('\n').filter(l => l.trim() !== '');
    expect(readBack(lines)).toMatchObject({ reports: 1, figures: FIGURES, platformOom: 1 });
  });

  test('GIVEN the REPORT exactly as Lambda writes it WHEN read THEN nothing is rewritten or counted as pasted', () => {
    const input = records([REPORT]);
    const out = reassemblePastedLogs(input);
    expect(out.records).toBe(input);
    expect(out.pastedPlatformLines).toBe(0);
    expect(readBack([REPORT]).pasted).toBe(0);
  });

  test('GIVEN any changed layout WHEN read THEN the line is counted as pasted platform text', () => {
    expect(readBack([REPORT.replace(/\t/g, ' ')]).pasted).toBe(1);
    expect(readBack([`2026-11-28T12:00:00.123Z ${REPORT}`]).pasted).toBe(1);
  });
});

describe('reassemblePastedLogs: tables and copies of whole excerpts', () => {
  test('GIVEN a Logs Insights table copied as markdown WHEN read THEN each row is the event in its message column', () => {
    const r = readBack(['| @timestamp | @message |', '|---|---|', `| 2026-11-28 12:00:00.123 | ${REPORT.replace(/\t/g, ' ')} |`]);
    expect(r).toMatchObject({ reports: 1, figures: FIGURES, pasted: 1 });
  });

  test('GIVEN a tab-separated Logs Insights table with a row number and @logStream column WHEN read THEN the message keeps its own tabs', () => {
    const table = [
      '#\t@timestamp\t@message\t@logStream',
      `1\t2026-11-28 12:00:00.123\t${REPORT}\t2026/11/28/[$LATEST]0a1b2c3d`,
    ].join('\n');
    expect(readBack([table])).toMatchObject({ reports: 1, figures: FIGURES });
  });

  test('GIVEN a CSV export WHEN read THEN the quoted message is read', () => {
    expect(readBack(['@timestamp,@message', `2026-11-28 12:00:00.123,"${REPORT}"`])).toMatchObject({ reports: 1, figures: FIGURES });
  });

  test('GIVEN a pipe row with no header WHEN read THEN the timestamp cell is dropped', () => {
    expect(readBack([`| 2026-11-28 12:00:00.123 | ${REPORT.replace(/\t/g, ' ')} |`])).toMatchObject({ reports: 1, figures: FIGURES });
  });

  test('GIVEN a whole invocation pasted into one record WHEN read THEN START, the kill, END and REPORT are separate events of one invocation', () => {
    const paste = [
      `2026-11-28T12:00:00.000Z START RequestId: ${ID} Version: $LATEST`,
      `2026-11-28T12:00:00.100Z 2026-11-28T12:00:00.100Z\t${ID}\tINFO\tresizing image`,
      `2026-11-28T12:00:02.800Z RequestId: ${ID} Error: Runtime exited with error: signal: killed`,
      '2026-11-28T12:00:02.800Z Runtime.ExitError',
      `2026-11-28T12:00:02.810Z END RequestId: ${ID}`,
      `2026-11-28T12:00:02.810Z ${REPORT.replace(/\t/g, ' ')}`,
    ].join('\n');
    const evidence = parseLogs(records([paste]));
    expect(evidence.invocations).toHaveLength(1);
    expect(evidence.invocations[0]).toMatchObject({ requestId: ID, killed: true, platformOom: true, maxMemoryUsedMb: 128 });
    // START, the kill line, Runtime.ExitError, END and REPORT; the INFO line is the application's.
    expect(evidence.pastedPlatformLines).toBe(5);
  });

  test('GIVEN START, END or REPORT in Lambda\'s layout holding further events, after records that need nothing WHEN read THEN the whole request is read back', () => {
    const start = `START RequestId: ${ID} Version: $LATEST`;
    const end = `END RequestId: ${ID}`;
    const kill = `RequestId: ${ID} Error: Runtime exited with error: signal: killed`;
    const before = textInvocation({ id: rid(3), memorySizeMb: 128, maxMemoryUsedMb: 60 });
    for (const pasted of [`${start}\n${kill}`, `${end}\n${REPORT}`, `${REPORT}\n${kill}`]) {
      const evidence = parseLogs([...before, ...records(start === pasted.split('\n')[0] ? [pasted, end, REPORT] : [start, pasted])]);
      const inv = evidence.invocations.find(i => i.requestId === ID);
      expect({ pasted, reports: evidence.invocations.filter(i => i.hasReport).length, maxMemoryUsedMb: inv?.maxMemoryUsedMb })
        .toEqual({ pasted, reports: 2, maxMemoryUsedMb: 128 });
      expect({ pasted, lines: evidence.pastedPlatformLines > 0, events: evidence.eventCount }).toEqual({ pasted, lines: true, events: before.length + (pasted.startsWith('START') ? 3 : 2) });
    }
  });

  test('GIVEN console timestamps WHEN read THEN they become the records\' timestamps', () => {
    const out = reassemblePastedLogs(records([`2026-11-28T13:00:00.250+01:00 ${REPORT}`, `2026-11-28 12:00:01.500 START RequestId: ${ID} Version: $LATEST`]));
    expect(out.records.map(r => r.timestamp)).toEqual(['2026-11-28T12:00:00.250Z', '2026-11-28T12:00:01.500Z']);
  });

  test('GIVEN a platform.report pretty-printed over lines or records WHEN read THEN it is one JSON record', () => {
    const record = { time: '2026-11-28T12:00:00.123Z', type: 'platform.report', record: { requestId: ID, metrics: { durationMs: 2812.33, memorySizeMB: 128, maxMemoryUsedMB: 128 }, status: 'error', errorType: 'Runtime.OutOfMemory' } };
    const pretty = JSON.stringify(record, null, 2);
    for (const messages of [[pretty], pretty.split('\n'), [`2026-11-28T12:00:00.123Z ${pretty}`]]) {
      expect(readBack(messages)).toMatchObject({ reports: 1, figures: { requestId: ID, maxMemoryUsedMb: 128, errorType: 'Runtime.OutOfMemory' }, pasted: 1 });
    }
  });

  test('GIVEN an INIT_REPORT with spaces instead of tabs WHEN read THEN its status and error type are read', () => {
    const evidence = parseLogs(records(['INIT_REPORT Init Duration: 9999.98 ms Phase: init Status: error Error Type: Runtime.OutOfMemory']));
    expect(evidence.counts.platformOom).toBe(1);
    const timeout = parseLogs(records(['2026-11-28T12:00:00.123Z INIT_REPORT Init Duration: 10000.03 ms  Phase: init  Status: timeout']));
    expect(timeout.init.failures).toBe(1);
  });

  test('GIVEN a Java OutOfMemoryError behind a console timestamp WHEN read THEN it is a language out-of-memory error', () => {
    const evidence = parseLogs(records([
      '2026-11-28T12:00:00.123Z java.util.concurrent.ExecutionException: java.lang.OutOfMemoryError: Metaspace',
      '2026-11-28T12:00:00.124Z \tat java.base/java.util.concurrent.FutureTask.report(Unknown Source)',
    ]));
    expect(evidence.counts.languageOom).toBe(1);
    expect(evidence.pastedPlatformLines).toBe(0);
  });
});

describe('pasted error results', () => {
  test('GIVEN the error an Invoke returned (the console test result) WHEN read THEN its kill line is a kill of the named invocation', () => {
    const evidence = parseLogs(records([JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${ID} Error: Runtime exited with error: signal: killed` })]));
    expect(evidence.counts.killed).toBe(1);
    expect(evidence.invocations.map(i => i.requestId)).toEqual([ID]);
  });

  test('GIVEN an application JSON log line with a level WHEN read THEN a Runtime.* error type in it is application text', () => {
    const evidence = parseLogs(records([JSON.stringify({ level: 'INFO', errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: signal: killed' })]));
    expect(evidence.counts.killed).toBe(0);
  });
});

describe('reassemblePastedLogs: what it must not do', () => {
  test('GIVEN an application line that embeds platform-looking lines after newlines WHEN read THEN it stays one application event', () => {
    const id = rid(7);
    const evidence = parseLogs(textInvocation({
      id,
      memorySizeMb: 512,
      maxMemoryUsedMb: 100,
      lines: [
        `[INFO]\t2026-11-20T10:00:00.000Z\t${id}\tpayload:\nREPORT RequestId: ${ID} Duration: 1 ms Memory Size: 512 MB Max Memory Used: 512 MB Status: error Error Type: Runtime.OutOfMemory\nRequestId: ${ID} Error: Runtime exited with error: signal: killed`,
        `2026-11-20T10:00:00.000Z\t${id}\tINFO\tuser wrote:\n2026-11-20T10:00:00.000Z REPORT RequestId: ${ID} Max Memory Used: 512 MB Status: error Error Type: Runtime.OutOfMemory`,
      ],
    }));
    expect(evidence.invocations).toHaveLength(1);
    expect(evidence.counts).toMatchObject({ platformOom: 0, killed: 0 });
    expect(evidence.pastedPlatformLines).toBe(0);
  });

  test("GIVEN a runtime's own timestamped lines (Node.js, timed out) WHEN read THEN their timestamps stay", () => {
    const lines = [
      `2026-11-20T10:00:00.000Z\t${ID}\tERROR\tInvoke Error \t{"errorType":"TypeError"}`,
      `2026-11-20T10:00:03.000Z ${ID} Task timed out after 3.00 seconds`,
    ];
    const out = reassemblePastedLogs(records(lines));
    expect(out.records.map(r => r.message)).toEqual(lines);
    expect(out.pastedPlatformLines).toBe(0);
  });

  test('GIVEN runtime lines and REPORTs whose request id is or is not one WHEN read THEN only ids of hex digits (either case) in 8-4-4-4-12 keep their line', () => {
    const runtime = (id: string) => `2026-11-20T10:00:00.000Z\t${id}\tERROR\tboom`;
    const keeps = (message: string) => reassemblePastedLogs(records([message])).records[0].message === message;
    for (const id of [ID, ID.toUpperCase(), '0123abcd-ABCD-ef09-AF00-9f9F9f9F9f9F']) expect({ id, kept: keeps(runtime(id)) }).toEqual({ id, kept: true });
    // Not a request id: a letter after f, a character outside ASCII (a fullwidth digit), a dash moved, a character missing.
    for (const id of [`g${ID.slice(1)}`, `${ID.slice(0, 35)}G`, `${ID.slice(0, 5)}\uff10${ID.slice(6)}`, `${ID.slice(0, 7)}-${ID.slice(7, 8)}${ID.slice(9)}`, ID.slice(1)]) {
      expect({ id, kept: keeps(runtime(id)) }).toEqual({ id, kept: false });
    }
    // A REPORT's id runs over letters, digits, '-' and '_' up to a tab; anything else there is a copy to read back.
    expect(keeps('REPORT RequestId: a_b-C9\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t')).toBe(true);
    for (const id of [`${ID}!`, `${ID}\u00e9`, `${ID}.`]) {
      expect({ id, kept: keeps(`REPORT RequestId: ${id}\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t`) }).toEqual({ id, kept: false });
    }
    // START / END lines not in Lambda's layout are read by the reader (which keeps what it cannot place).
    expect(['START RequestId: x Version: $LATEST', 'START x Version: $LATEST', 'END RequestId: x', 'END x', 'START RequestId: x\nEND RequestId: x'].map(needsReassembly))
      .toEqual([false, true, false, true, true]);
  });

  test('GIVEN every committed corpus incident WHEN read THEN records in Lambda\'s layout come back as the same array', () => {
    const dir = path.join(__dirname, '..', '..', 'corpus', 'incidents');
    for (const file of readdirSync(dir).filter(f => f.endsWith('.json') && !f.startsWith('pasted-'))) {
      const { logs } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { logs: LogRecord[] };
      const out = reassemblePastedLogs(logs);
      expect({ file, pasted: out.pastedPlatformLines }).toEqual({ file, pasted: 0 });
    }
  });
});
