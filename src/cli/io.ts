/**
 * The console a `lambda-remediation` subcommand talks to. Every subcommand takes one, so tests
 * can capture what it prints and feed it standard input without touching the real process.
 */
export interface CliIo {
  /** Read all of standard input; absent when there is no standard input to read. */
  stdin?: () => Promise<string>;
  /** Write text to standard output as given (callers add their own newlines). */
  stdout(text: string): void;
  /** Write text to standard error as given (callers add their own newlines). */
  stderr(text: string): void;
}

/** A command line that cannot be run as written: unknown subcommand or option, missing value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes shared by all subcommands. */
export const EXIT_OK = 0;
/** Something failed while running (a subcommand that is not installed, an unexpected error). */
export const EXIT_FAILURE = 1;
/** Bad usage, or at least one input could not be processed. */
export const EXIT_USAGE = 2;

/** The real process: stdout, stderr and stdin of this Node.js process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    stdin: readProcessStdin,
  };
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
