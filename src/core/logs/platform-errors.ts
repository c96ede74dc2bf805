/**
 * Error lines the Lambda platform and runtime interface print in text form:
 *
 *     RequestId: <id> Error: Runtime exited with error: signal: killed
 *     Runtime.ExitError
 *     Error: Runtime exited with error: signal: killed Runtime.ExitError    (pasted: no request id)
 *     Runtime exited with error: exit status 137
 *     RequestId: <id> Process exited before completing request
 *     2026-11-20T10:48:32.136Z <id> Task timed out after 3.00 seconds
 *     Runtime.OutOfMemory
 *     [ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'x'
 *
 * Every pattern is anchored to the start of a line (or of a JSON string / tab field for the
 * `Runtime.*` init error types), because these are what the platform prints, not words an
 * application happens to log.
 */
import { LineFacts, LogSignal } from './types';

// A cheap gate: only lines containing one of these go through the anchored patterns below.
const GATE = /Runtime|Process exited|Task timed out/;
// Colons are optional: pasted and re-typed kill lines often lose them.
const REQUEST_ID_PREFIX = /^RequestId:? ([\w-]+) /;
const RUNTIME_EXITED = /(?:^|\n)(?:RequestId:? [\w-]+ )?(?:Error:? )?Runtime exited with error:? (?:signal:? ([a-z]+)|exit status:? (\d+))/;
const EXIT_ERROR = /(?:^|\n)(?:RequestId: [\w-]+ )?(?:Error: )?Runtime\.ExitError\b/;
const PROCESS_EXITED = /(?:^|\n)(?:RequestId: [\w-]+ )?Process exited before completing request/;
const TASK_TIMED_OUT = /(?:^|\n)(?:\d{4}-\d\d-\d\dT[\d:.]+Z )?(?:([\w-]+) )?Task timed out after (\d+(?:\.\d+)?) seconds/;
const RUNTIME_OOM = /(?:^|\n)(?:RequestId: [\w-]+ )?(?:Error: )?Runtime\.OutOfMemory\b/;
const INIT_ERROR = /(?:^|[\n\t"]|\] )(Runtime\.(?:ImportModuleError|HandlerNotFound|UserCodeSyntaxError|MalformedHandlerName|InvalidEntrypoint|BadFunctionCode))\b/;

/**
 * Recognise a platform / runtime-interface error line. Returns `undefined` when the message is
 * none of them.
 */
export function parsePlatformErrorLine(message: string): LineFacts | undefined {
  if (!GATE.test(message)) return undefined;
  const signals: LogSignal[] = [];
  let requestId = REQUEST_ID_PREFIX.exec(message)?.[1];
  let timeoutSeconds: number | undefined;

  const exited = RUNTIME_EXITED.exec(message);
  if (exited) {
    // SIGKILL is what the sandbox sends when the process crosses its memory limit. Exit status
    // 137 (128 + 9) is a wrapper script reporting that its child got SIGKILL, for whatever reason:
    // a kill that needs memory figures to be an out-of-memory. Any other signal or exit status is
    // a crash of the process itself.
    if (exited[1] === 'killed') signals.push('killed');
    else if (exited[2] === '137') signals.push('exitStatus137', 'exitError');
    else signals.push('exitError');
  }
  if (EXIT_ERROR.test(message) || PROCESS_EXITED.test(message)) signals.push('exitError');
  if (RUNTIME_OOM.test(message)) signals.push('platformOom');
  const timedOut = TASK_TIMED_OUT.exec(message);
  if (timedOut) {
    signals.push('timeout');
    requestId = requestId ?? timedOut[1];
    timeoutSeconds = Number(timedOut[2]);
  }
  const initErrorType = findInitErrorType(message);
  if (initErrorType) signals.push('initFailure');

  if (signals.length === 0) return undefined;
  return { kind: 'other', requestId, signals: dedupe(signals), timeoutSeconds, initErrorType };
}

/**
 * The `Runtime.*` init error type (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, ...)
 * that starts a line, tab field or JSON string of `text`, if any.
 */
export function findInitErrorType(text: string): string | undefined {
  return text.includes('Runtime.') ? INIT_ERROR.exec(text)?.[1] : undefined;
}

function dedupe(signals: LogSignal[]): LogSignal[] {
  return signals.length < 2 ? signals : [...new Set(signals)];
}
