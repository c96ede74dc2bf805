/**
 * Out-of-memory errors of the managed runtimes' own languages, as the runtimes print them:
 *
 * - Node.js: `FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory`,
 *   `FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - ...`,
 *   `RangeError: Array buffer allocation failed`
 * - Python: `[ERROR] MemoryError`, a traceback ending in `MemoryError: ...`
 * - Java: `java.lang.OutOfMemoryError: Java heap space` / `GC overhead limit exceeded` / `Metaspace`,
 *   also wrapped in another exception (`Caused by: java.lang.OutOfMemoryError: ...`,
 *   `java.util.concurrent.ExecutionException: java.lang.OutOfMemoryError: ...`)
 * - .NET: `System.OutOfMemoryException` (errorType `OutOfMemoryException`)
 * - Ruby: `NoMemoryError`, `failed to allocate memory` (errorType `Function<NoMemoryError>`)
 * - Go: `fatal error: runtime: out of memory`
 * - Rust: `memory allocation of 268435456 bytes failed`
 * - the operating system refusing memory to a process (`os`): Node.js `Error: spawn ENOMEM`,
 *   Python `OSError: [Errno 12] Cannot allocate memory`, Go `fork/exec ...: cannot allocate memory`
 *
 * Each pattern must start a line, a tab-separated field or a JSON string (where runtimes put an
 * error type or the first stack line). A sentence that merely mentions memory ("this is a memory
 * issue") matches nothing.
 */
import { LanguageOomRuntime } from './types';

// Where a runtime's error text can start: the message, a line, a tab field, a JSON string, or
// after a `[ERROR] ` / `[FATAL] ` level tag.
const S = '(?:^|[\\n\\t"]|\\] )';
// Java errors are also printed indented (`\tCaused by: ...`) and wrapped in the message of
// another exception (`ExecutionException: java.lang.OutOfMemoryError`); the fully qualified class
// name is specific enough to be read after a wrapper's `Name: `.
// `Caused by: ` is Java's own phrase, so it also counts after a space (a table cell of a copy
// flattens the lines of a stack trace).
const JAVA_S = '(?:^|[\\n\\t"]|\\] |\\n[ \\t]+| (?=Caused by: ))(?:Caused by: |Exception in thread "[^"\\n]{0,200}" )?(?:[\\w$.]{1,200}(?:Exception|Error|Throwable): ){0,4}';

const PATTERNS: ReadonlyArray<readonly [LanguageOomRuntime, RegExp]> = [
  ['nodejs', new RegExp(`${S}FATAL ERROR: [^\\n]{0,200}?(?:JavaScript heap out of memory|Allocation failed)`)],
  ['nodejs', new RegExp(`${S}(?:RangeError: )?Array buffer allocation failed`)],
  ['java', new RegExp(`${JAVA_S}java\\.lang\\.OutOfMemoryError\\b`)],
  // The Java runtime's own summary line: `Java heap space: java.lang.OutOfMemoryError`.
  ['java', new RegExp(`${S}(?:Java heap space|GC overhead limit exceeded|Metaspace|Direct buffer memory|Requested array size exceeds VM limit): java\\.lang\\.OutOfMemoryError\\b`)],
  ['dotnet', new RegExp(`${S}(?:Unhandled exception\\. )?(?:System\\.)?OutOfMemoryException\\b`)],
  ['ruby', new RegExp(`${S}(?:Function<)?NoMemoryError\\b`)],
  ['ruby', new RegExp(`${S}failed to allocate memory\\b`)],
  ['go', new RegExp(`${S}(?:fatal error: )?runtime: out of memory\\b`)],
  ['python', new RegExp(`${S}MemoryError\\b`)],
  ['rust', new RegExp(`${S}memory allocation of \\d+ bytes failed`)],
  // ENOMEM: fork / spawn / mmap refused by the kernel, in each runtime's words.
  ['os', new RegExp(`${S}(?:Error: )?spawn(?:Sync)?(?: [^\\s"]{1,200})? ENOMEM\\b`)],
  ['os', new RegExp(`${S}(?:[\\w.]{1,100}: )?\\[Errno 12\\] Cannot allocate memory`)],
  ['os', new RegExp(`${S}(?:[\\w.:]{1,100}: )?(?:fork/exec [^\\n:]{1,200}: )?cannot allocate memory\\b`)],
  ['os', new RegExp(`${S}(?:Errno::ENOMEM|ENOMEM: not enough memory)\\b`)],
];

// Cheap gate so that ordinary lines skip the patterns entirely.
const GATE = /Memory|memory|heap|allocation failed|ENOMEM/;

/**
 * The runtime whose out-of-memory error `text` is, or `undefined`.
 *
 * @param text one log message (possibly several lines), or an error type / message / stack
 *   joined with newlines
 */
export function detectLanguageOom(text: string): LanguageOomRuntime | undefined {
  if (!GATE.test(text)) return undefined;
  for (const [runtime, pattern] of PATTERNS) {
    if (pattern.test(text)) return runtime;
  }
  return undefined;
}
