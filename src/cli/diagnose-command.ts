/**
 * `lambda-remediation diagnose FILE...`: runs the rule engine on diagnosis requests stored as
 * JSON files (or read from standard input) and prints one compact JSON diagnosis result per line,
 * in input order, each naming the file it answers. The live mode (`--function NAME`) is dispatched by main.ts, not here.
 */
import { promises as fs, readdirSync } from 'fs';
import * as path from 'path';
import { diagnose, parseDiagnosisRequest } from '../core';
import { CliIo, EXIT_OK, EXIT_USAGE, UsageError } from './io';
import { DiagnosisResult } from '../core/model';
import { PolicySettings, resolvePolicy } from '../core/policy';

/** One input of the command, in the order it was given. */
export type DiagnoseInput =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' };

/** The parsed command line of `diagnose` in file mode. */
export interface DiagnoseOptions {
  readonly inputs: DiagnoseInput[];
  /** Policy overrides from `--min-confidence` and `--max-memory`. */
  readonly policy: Partial<PolicySettings>;
  readonly help: boolean;
}

/** What one input produced: a result, or the reason it could not be diagnosed. */
export type DiagnoseOutcome =
  | { readonly ok: true; readonly file: string; readonly result: DiagnosisResult }
  | { readonly ok: false; readonly file: string; readonly error: string };

export const DIAGNOSE_USAGE = `usage: lambda-remediation diagnose [options] FILE...
       lambda-remediation diagnose [options] -            (read one request from standard input)
       lambda-remediation diagnose [options] --samples    (the sample incidents bundled with the package)
       lambda-remediation diagnose --function NAME [--region R] [--since 30m]   (live: collect from AWS, then diagnose)

Reads diagnosis requests (JSON: functionName, alarmDetails, metrics, logs, functionConfig,
metricSeries) and prints one compact JSON diagnosis result per line, in input order, each
starting with the file it answers ({"file": ..., "functionName": ..., ...}; "-" for standard
input). An input that is missing, not JSON or not a valid request prints
{"file": ..., "error": ...} instead; the other inputs are still diagnosed and the exit code is 2.

options:
  --min-confidence N   minimum confidence (0..1) to recommend a memory increase (default 0.7)
  --max-memory MB      never recommend more than MB of memory (default 10240)
  --samples            diagnose the bundled sample incidents
  -h, --help           show this help
`;

/** Parse the arguments that follow `diagnose` (file mode). Throws UsageError. */
export function parseDiagnoseArgs(argv: readonly string[]): DiagnoseOptions {
  const inputs: DiagnoseInput[] = [];
  const policy: { -readonly [K in keyof PolicySettings]?: PolicySettings[K] } = {};
  let help = false;
  let onlyFiles = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyFiles || arg === '-' || !arg.startsWith('-')) {
      inputs.push(arg === '-' && !onlyFiles ? { kind: 'stdin' } : { kind: 'file', path: arg });
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inlineValue = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`option ${name} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case '--':
        onlyFiles = true;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      case '--samples':
        for (const file of bundledSampleFiles()) inputs.push({ kind: 'file', path: file });
        break;
      case '--min-confidence':
        policy.minConfidence = parseNumber(name, value());
        break;
      case '--max-memory':
        policy.maxMemoryMb = parseNumber(name, value());
        break;
      default:
        throw new UsageError(`unknown option '${arg}' for diagnose`);
    }
  }
  return { inputs, policy, help };
}

/**
 * Run `diagnose` in file mode. Prints one line per input on stdout and returns the exit code:
 * 0 when every input was diagnosed, 2 on bad usage or when at least one input failed.
 */
export async function runDiagnose(argv: readonly string[], io: CliIo): Promise<number> {
  let options: DiagnoseOptions;
  let policy: PolicySettings;
  try {
    options = parseDiagnoseArgs(argv);
    if (options.help) {
      io.stdout(DIAGNOSE_USAGE);
      return EXIT_OK;
    }
    if (options.inputs.length === 0) throw new UsageError('no input: give one or more FILEs, - for standard input, or --samples');
    policy = toPolicy(options.policy);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`lambda-remediation diagnose: ${e.message}\n${DIAGNOSE_USAGE}`);
    return EXIT_USAGE;
  }

  let stdinText: Promise<string> | undefined;
  const readStdin = (): Promise<string> => {
    // Standard input can be read once; a second `-` diagnoses the same text again.
    if (!stdinText) stdinText = io.stdin ? io.stdin() : Promise.reject(new Error('no standard input available'));
    return stdinText;
  };

  let failed = false;
  for (const input of options.inputs) {
    const outcome = await diagnoseInput(input, policy, readStdin);
    if (outcome.ok) {
      io.stdout(JSON.stringify({ file: outcome.file, ...outcome.result }) + '\n');
    } else {
      failed = true;
      io.stdout(JSON.stringify({ file: outcome.file, error: outcome.error }) + '\n');
    }
  }
  return failed ? EXIT_USAGE : EXIT_OK;
}

/** Diagnose one input; never throws: every problem becomes an outcome naming the input. */
export async function diagnoseInput(
  input: DiagnoseInput,
  policy: PolicySettings,
  readStdin: () => Promise<string>,
): Promise<DiagnoseOutcome> {
  const file = input.kind === 'stdin' ? '-' : input.path;
  let text: string;
  try {
    text = input.kind === 'stdin' ? await readStdin() : await fs.readFile(input.path, 'utf8');
  } catch (e) {
    return { ok: false, file, error: describeReadError(file, e) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, file, error: `malformed JSON in ${file}: ${errorMessage(e)}` };
  }
  try {
    const request = parseDiagnosisRequest(withoutLabel(value));
    return { ok: true, file, result: diagnose(request, policy) };
  } catch (e) {
    return { ok: false, file, error: `invalid diagnosis request in ${file}: ${errorMessage(e)}` };
  }
}

/** The folder of the sample incidents shipped with the package (`samples/` at the package root). */
export function bundledSamplesDir(): string {
  // Two levels up from this file: lib/cli/ once compiled, src/cli/ under ts-node; both sit
  // beside `samples/` at the package root.
  return path.resolve(__dirname, '..', '..', 'samples');
}

/** The bundled sample incident files, sorted by name. Throws UsageError when none are found. */
export function bundledSampleFiles(): string[] {
  const dir = bundledSamplesDir();
  let names: string[];
  try {
    // Sync: argument parsing is synchronous and the folder holds a handful of files.
    names = readdirSync(dir);
  } catch (e) {
    throw new UsageError(`no bundled samples: cannot read ${dir}: ${errorMessage(e)}`);
  }
  const files = names.filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));
  if (files.length === 0) throw new UsageError(`no bundled samples: ${dir} holds no .json file`);
  return files;
}

function toPolicy(overrides: Partial<PolicySettings>): PolicySettings {
  try {
    return resolvePolicy(overrides);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
}

function parseNumber(option: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option ${option} needs a number, got '${raw}'`);
  return n;
}

/**
 * Labelled corpus files carry a `label` (the expected decision) beside the request; the engine
 * must never see it, so the CLI drops it and the files can be fed to `diagnose` as they are.
 */
function withoutLabel(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('label' in value)) return value;
  const { label: _label, ...request } = value as Record<string, unknown>;
  return request;
}

function describeReadError(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `file not found: ${file}`;
  if (code === 'EISDIR') return `not a file: ${file} is a directory`;
  if (code === 'EACCES') return `permission denied reading ${file}`;
  return `cannot read ${file}: ${errorMessage(e)}`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
