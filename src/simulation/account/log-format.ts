/**
 * The log events Lambda writes for an invocation, in the exact text and JSON formats of the
 * platform (START / END / REPORT, `platform.*` records) and of each runtime's error output.
 */
import { Invocation, runtimeFamily } from './workload';

/** A CloudWatch Logs event. */
export interface SimLogEvent {
  /** Epoch ms. */
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName: string;
  /** Epoch ms when CloudWatch Logs received it. */
  readonly ingestionTime: number;
  /** How many events the service had received when this one arrived; FilterLogEvents makes the event id of it (logs-service.ts). */
  readonly sequence: number;
}

/** Lambda's function log format (`LoggingConfig.LogFormat`). */
export type LambdaLogFormat = 'text' | 'json';

/** The log lines (message, offset from start in ms) of one invocation. */
export function invocationLogLines(inv: Invocation, runtime: string, format: LambdaLogFormat, version = '$LATEST'): Array<{ offsetMs: number; message: string }> {
  if (inv.outcome === 'throttled') return []; // throttled requests never reach a sandbox: no logs
  const lines: Array<{ offsetMs: number; message: string }> = [];
  const end = Math.max(1, Math.round(inv.durationMs));
  const iso = (offset: number) => new Date(inv.start + offset).toISOString();
  const id = inv.requestId;
  const family = runtimeFamily(runtime);

  if (format === 'text') {
    lines.push({ offsetMs: 0, message: `START RequestId: ${id} Version: ${version}` });
    lines.push({ offsetMs: 1, message: appInfoText(family, iso(1), id) });
    for (const m of errorTextLines(inv, family, iso(end), id)) lines.push({ offsetMs: end, message: m });
    lines.push({ offsetMs: end, message: `END RequestId: ${id}` });
    lines.push({ offsetMs: end, message: reportText(inv, runtime) });
    return lines;
  }

  lines.push({ offsetMs: 0, message: JSON.stringify({ time: iso(0), type: 'platform.start', record: { requestId: id, version } }) });
  lines.push({ offsetMs: 1, message: JSON.stringify({ timestamp: iso(1), level: 'INFO', requestId: id, message: 'processing request' }) });
  for (const m of errorJsonLines(inv, family, iso(end), id)) lines.push({ offsetMs: end, message: m });
  const status = platformStatus(inv, runtime);
  const errorType = platformErrorType(inv, runtime);
  lines.push({
    offsetMs: end,
    message: JSON.stringify({
      time: iso(end),
      type: 'platform.runtimeDone',
      record: { requestId: id, status, ...(errorType ? { errorType } : {}), metrics: { durationMs: inv.durationMs, producedBytes: 0 } },
    }),
  });
  lines.push({
    offsetMs: end,
    message: JSON.stringify({
      time: iso(end),
      type: 'platform.report',
      record: {
        requestId: id,
        metrics: {
          durationMs: inv.durationMs,
          billedDurationMs: inv.billedDurationMs,
          memorySizeMB: inv.memorySizeMb,
          maxMemoryUsedMB: inv.maxMemoryUsedMb,
          ...(inv.initDurationMs !== undefined ? { initDurationMs: inv.initDurationMs } : {}),
        },
        status,
        ...(errorType ? { errorType } : {}),
      },
    }),
  });
  return lines;
}

/**
 * An application log line as the function's code writes it through the runtime's logger, in the
 * function's log format (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html):
 * text lines carry the runtime's prefix (Node.js `<time>\t<request id>\t<LEVEL>\t`, Python
 * `[LEVEL]\t<time>\t<request id>\t`), JSON lines are `{timestamp, level, requestId, message}`.
 */
export function applicationLogLine(runtime: string, format: LambdaLogFormat, iso: string, requestId: string, level: string, text: string): string {
  if (format === 'json') return JSON.stringify({ timestamp: iso, level, requestId, message: text });
  switch (runtimeFamily(runtime)) {
    case 'python': return `[${level}]\t${iso}\t${requestId}\t${text}`;
    case 'java': return `${iso} ${requestId} ${level} Handler - ${text}`;
    default: return `${iso}\t${requestId}\t${level}\t${text}`;
  }
}

/** The text REPORT line, tab-separated with a trailing tab as Lambda writes it. */
export function reportText(inv: Invocation, runtime?: string): string {
  const parts = [
    `REPORT RequestId: ${inv.requestId}`,
    `Duration: ${inv.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${inv.billedDurationMs} ms`,
    `Memory Size: ${inv.memorySizeMb} MB`,
    `Max Memory Used: ${inv.maxMemoryUsedMb} MB`,
  ];
  if (inv.initDurationMs !== undefined) parts.push(`Init Duration: ${inv.initDurationMs.toFixed(2)} ms`);
  const errorType = platformErrorType(inv, runtime);
  if (inv.outcome === 'timeout') parts.push('Status: timeout');
  else if (errorType) parts.push('Status: error', `Error Type: ${errorType}`);
  return parts.join('\t') + '\t';
}

function platformStatus(inv: Invocation, runtime: string): string {
  if (inv.outcome === 'timeout') return 'timeout';
  if (inv.outcome === 'success') return 'success';
  return platformErrorType(inv, runtime) ? 'error' : 'success';
}

/** The platform-level error type, when the platform (not the function code) saw the failure. */
function platformErrorType(inv: Invocation, runtime?: string): string | undefined {
  switch (inv.outcome) {
    case 'oom-killed': return 'Runtime.ExitError';
    case 'runtime-oom': return 'Runtime.OutOfMemory';
    // Node.js aborts the process at its heap limit; Java and Python report a function error.
    case 'language-oom': return runtime && (runtime.startsWith('java') || runtime.startsWith('python')) ? undefined : 'Runtime.ExitError';
    default: return undefined;
  }
}

function appInfoText(family: string, iso: string, id: string): string {
  switch (family) {
    case 'python': return `[INFO]\t${iso}\t${id}\tprocessing request`;
    case 'java': return `${iso} ${id} INFO  Handler - processing request`;
    default: return `${iso}\t${id}\tINFO\tprocessing request`;
  }
}

function errorTextLines(inv: Invocation, family: string, iso: string, id: string): string[] {
  switch (inv.outcome) {
    case 'oom-killed':
      return [`RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`];
    case 'runtime-oom':
      return [`RequestId: ${id} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory`];
    case 'language-oom':
      return languageOomText(family, iso, id);
    case 'timeout':
      return [`${iso} ${id} Task timed out after ${(Math.round(inv.durationMs / 10) / 100).toFixed(2)} seconds`];
    case 'downstream-timeout':
      return [downstreamTimeoutText(family, iso, id)];
    case 'code-error':
      return [codeErrorText(family, iso, id)];
    default:
      return [];
  }
}

function languageOomText(family: string, iso: string, id: string): string[] {
  switch (family) {
    case 'node':
      return [
        '<--- Last few GCs --->\n\n[8:0x5a8e2c0]    41253 ms: Mark-Compact 228.1 (235.4) -> 227.6 (236.1) MB, 310.55 / 0.00 ms  (average mu = 0.161, current mu = 0.012) allocation failure; scavenge might not succeed',
        'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
        `RequestId: ${id} Error: Runtime exited with error: signal: aborted (core dumped)\nRuntime.ExitError`,
      ];
    case 'python':
      // The Python runtime reports the MemoryError as a function error; the process lives on.
      return ['[ERROR] MemoryError\nTraceback (most recent call last):\n  File "/var/task/app.py", line 41, in handler\n    rows = load_all(event)'];
    case 'java':
      // The Java runtime catches the Throwable and reports it as a function error in one event:
      // `<message>: <class>` then the stack trace.
      return ['Java heap space: java.lang.OutOfMemoryError\njava.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n\tat com.example.Handler.handleRequest(Handler.java:57)'];
    case 'dotnet':
      return [`${iso}\t${id}\tfail\tSystem.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.`];
    case 'ruby':
      return [`${iso}\t${id}\tERROR\tfailed to allocate memory (NoMemoryError)`];
    default:
      return ['fatal error: runtime: out of memory', `RequestId: ${id} Error: Runtime exited with error: exit status 2\nRuntime.ExitError`];
  }
}

function downstreamTimeoutText(family: string, iso: string, id: string): string {
  switch (family) {
    case 'python':
      return '[ERROR] ReadTimeoutError: HTTPSConnectionPool(host=\'api.partner.example.com\', port=443): Read timed out. (read timeout=5)\nTraceback (most recent call last):\n  File "/var/task/app.py", line 30, in handler';
    case 'java':
      return `${iso} ${id} ERROR Handler - java.net.SocketTimeoutException: Read timed out calling https://api.partner.example.com/orders`;
    default:
      return `${iso}\t${id}\tERROR\tInvoke Error \t{"errorType":"TimeoutError","errorMessage":"Connection timed out after 5000 ms calling api.partner.example.com","stack":["TimeoutError: Connection timed out after 5000 ms","    at ClientRequest.<anonymous> (/var/task/index.js:88:19)"]}`;
  }
}

function codeErrorText(family: string, iso: string, id: string): string {
  switch (family) {
    case 'python':
      return '[ERROR] KeyError: \'customer_id\'\nTraceback (most recent call last):\n  File "/var/task/app.py", line 22, in handler';
    case 'java':
      return `${iso} ${id} ERROR Handler - java.lang.NullPointerException: Cannot invoke "String.length()" because "id" is null`;
    default:
      return `${iso}\t${id}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"Cannot read properties of undefined (reading 'customerId')","stack":["TypeError: Cannot read properties of undefined (reading 'customerId')","    at Runtime.handler (/var/task/index.js:22:31)"]}`;
  }
}

function errorJsonLines(inv: Invocation, family: string, iso: string, id: string): string[] {
  const text = errorTextLines(inv, family, iso, id);
  if (inv.outcome === 'oom-killed' || inv.outcome === 'runtime-oom') return []; // reported by platform.* records
  if (inv.outcome === 'timeout') return []; // platform.report status: timeout carries it
  return text.filter((t) => !t.startsWith('RequestId:')).map((t) => JSON.stringify({
    timestamp: iso,
    level: 'ERROR',
    requestId: id,
    message: t,
  }));
}
