#!/usr/bin/env node
/**
 * `lambda-remediation`: the operator command line. This file only dispatches subcommands; each
 * subcommand lives in its own module and takes the same injectable console (`CliIo`).
 */
import { runDiagnose } from './diagnose-command';
import { CliIo, EXIT_FAILURE, EXIT_USAGE, processIo, UsageError } from './io';

export const USAGE = `usage: lambda-remediation <command> [options]

commands:
  diagnose FILE...        diagnose stored requests (JSON files, - for standard input) and print
                          one JSON diagnosis result per line
  diagnose --samples      diagnose the sample incidents bundled with the package
  diagnose --function NAME [--region R] [--since 30m]
                          collect metrics and logs of a deployed function, then diagnose it
  simulate ...            run the remediation loop locally on simulated incidents
  help [command]          show this help, or the help of a command

Run 'lambda-remediation <command> --help' for the options of a command.
`;

/** Loads a subcommand module that may not be part of this build (see `run`). */
export type ModuleLoader = (name: 'live-diagnose' | 'simulate-command') => unknown;

/** Optional seams for tests. */
export interface RunDependencies {
  /** How optional subcommand modules are loaded. @default require from this folder */
  readonly load?: ModuleLoader;
}

/**
 * Run the command line `argv` (without `node` and the script) against `io`; resolves to the
 * exit code: 0 success, 1 failure while running, 2 bad usage or an input that failed.
 */
export async function run(argv: readonly string[], io: CliIo, deps: RunDependencies = {}): Promise<number> {
  const load = deps.load ?? loadSibling;
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(USAGE);
        return EXIT_USAGE;
      case '-h':
      case '--help':
      case 'help':
        return await help(rest, io, load);
      case 'diagnose':
        if (rest.some((a) => a === '--function' || a.startsWith('--function='))) {
          const live = optionalModule(load, 'live-diagnose', 'runLiveDiagnose', 'diagnose --function');
          return await live(rest, io);
        }
        return await runDiagnose(rest, io);
      case 'simulate': {
        const simulate = optionalModule(load, 'simulate-command', 'runSimulate', 'simulate');
        return await simulate(rest, io);
      }
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`lambda-remediation: ${e.message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (e instanceof SubcommandUnavailableError) {
      io.stderr(`lambda-remediation: ${e.message}\n`);
      return EXIT_FAILURE;
    }
    throw e;
  }
}

/** A subcommand whose module is not part of this build. */
export class SubcommandUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubcommandUnavailableError';
  }
}

type Subcommand = (argv: string[], io: CliIo) => Promise<number> | number;

function optionalModule(load: ModuleLoader, name: 'live-diagnose' | 'simulate-command', exportName: string, what: string): Subcommand {
  let mod: unknown;
  try {
    mod = load(name);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Only "this very module is absent" means unavailable; a module it imports being absent must
    // surface (Node's message then names ./<name> only in the "Require stack" lines below).
    if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).split('\n')[0].includes(`'./${name}'`)) {
      throw new SubcommandUnavailableError(`'${what}' is not available in this build (module ./${name} is missing)`);
    }
    throw e;
  }
  const fn = (mod as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') {
    throw new SubcommandUnavailableError(`'${what}' is not available in this build (./${name} does not export ${exportName})`);
  }
  return fn as Subcommand;
}

function help(rest: readonly string[], io: CliIo, load: ModuleLoader): number | Promise<number> {
  const topic = rest[0];
  if (topic === undefined) {
    io.stdout(USAGE);
    return 0;
  }
  if (topic === 'diagnose') return runDiagnose(['--help'], io);
  if (topic === 'simulate') return run(['simulate', '--help'], io, { load });
  throw new UsageError(`unknown command '${topic}'`);
}

/**
 * Subcommands with heavy dependencies (the AWS SDK, the simulation) are loaded on demand, so
 * `diagnose FILE` and `--help` start fast, and this entry point says clearly what is missing in a
 * build that lacks one. Each is a `require` of a literal path so that esbuild puts it into the
 * command-line bundle.
 */
function loadSibling(name: 'live-diagnose' | 'simulate-command'): unknown {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (name) {
    case 'live-diagnose': return require('./live-diagnose');
    case 'simulate-command': return require('./simulate-command');
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

if (require.main === module) {
  // The SDK warns on Node.js < 22 that its future releases will need 22. This command ships the
  // SDK it was built with, so the warning is for this package's maintainers, not its users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  run(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`lambda-remediation: unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
