/**
 * `lambda-remediation simulate`: run the remediation loop locally — the synthesized state
 * machine and the real handlers against a simulated AWS account in virtual time — on the
 * scenarios bundled in `scenarios/` or on scenario files, print a timeline per scenario and
 * optionally write a JSON report. With `--app cdk.out`, the stack is the user's own synthesized
 * app instead of the scenario's example stack.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './io';
import { iamEvaluationLine, iamEvaluatorInstalled } from './optional-iam';
import type { RunOptions } from '../simulation/runner';

export const SIMULATE_USAGE = `usage: lambda-remediation simulate [--scenario NAME|FILE]... [--all] [--report FILE]
       lambda-remediation simulate --app cdk.out [--stack NAME] --scenario FILE... [--report FILE]

Runs the remediation workflow (the synthesized state machine and the real handlers) against a
simulated AWS account in virtual time, and checks each scenario's expectations. Without --app,
each scenario declares its own example stack; with --app, the scenarios run against the
AutoRemediation of your synthesized app.

options:
  --scenario NAME|FILE  a bundled scenario by name (see --list) or a scenario JSON file;
                        repeatable. Default: ${'oom-recovered'}
  --all                 every bundled scenario
  --list                list the bundled scenarios
  --app DIR             the cloud assembly of your app ('npx cdk synth' writes cdk.out); each
                        scenario function names a function of the stack (functionName, logical
                        id or construct path) and gives its workload; runtime, memory, timeout,
                        logging and environment come from your template
  --stack NAME          the stack of --app to simulate (default: the one with an AutoRemediation)
  --report FILE         write the JSON report (outcome, final memory, every AWS API call,
                        notifications, records) to FILE
  -h, --help            show this help

exit code: 0 when every scenario ran and met its expectations, 1 otherwise, 2 for bad usage.
`;

/** The scenario the README's main-job command runs. */
export const DEFAULT_SCENARIO = 'oom-recovered';

/** Where the bundled scenarios live (the package root's `scenarios/`, from src/cli, lib/cli or assets/cli). */
export function bundledScenarioDir(): string {
  return resolve(__dirname, '..', '..', 'scenarios');
}

/** Names of the bundled scenarios. */
export function bundledScenarios(dir = bundledScenarioDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

interface Options {
  scenarios: string[];
  all: boolean;
  list: boolean;
  app?: string;
  stack?: string;
  report?: string;
  help: boolean;
}

function parseArgs(argv: string[]): Options | string {
  const o: Options = { scenarios: [], all: false, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`option ${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case '--scenario': o.scenarios.push(value()); break;
        case '--report': o.report = value(); break;
        case '--app': o.app = value(); break;
        case '--stack': o.stack = value(); break;
        case '--all': o.all = true; break;
        case '--list': o.list = true; break;
        case '-h':
        case '--help': o.help = true; break;
        default: return `unknown option '${a}'`;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (o.stack !== undefined && o.app === undefined) return '--stack needs --app';
  if (o.app !== undefined && o.all) return '--all runs the bundled scenarios on their own stacks; with --app, give --scenario FILE';
  if (o.app !== undefined && o.scenarios.length === 0) {
    return '--app needs --scenario FILE: a scenario whose functions are functions of your stack (see scenarios/README.md)';
  }
  return o;
}

/** Resolve `NAME|FILE` to a scenario file path, or undefined. */
export function scenarioPath(ref: string, dir = bundledScenarioDir()): string | undefined {
  if (ref.endsWith('.json') || ref.includes('/') || ref.includes('\\')) return existsSync(ref) ? resolve(ref) : undefined;
  const p = join(dir, `${ref}.json`);
  return existsSync(p) ? p : undefined;
}

type SimulationModules = typeof import('../simulation/scenario') & typeof import('../simulation/runner') & typeof import('../simulation/report')
& typeof import('../simulation/app-stack');

function loadSimulation(): SimulationModules {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../simulation/scenario') as typeof import('../simulation/scenario')),
    ...(require('../simulation/runner') as typeof import('../simulation/runner')),
    ...(require('../simulation/report') as typeof import('../simulation/report')),
    ...(require('../simulation/app-stack') as typeof import('../simulation/app-stack')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Optional seams for tests. */
export interface SimulateDependencies {
  /** Whether the optional IAM evaluator is installed. @default looked up with require.resolve */
  readonly iamEvaluatorInstalled?: () => boolean;
}

/** Run `simulate` with `argv` (after the subcommand); resolves to the exit code. */
export async function runSimulate(argv: string[], io: CliIo, deps: SimulateDependencies = {}): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`lambda-remediation simulate: ${parsed}\n${SIMULATE_USAGE}`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.stdout(SIMULATE_USAGE);
    return EXIT_OK;
  }
  const names = bundledScenarios();
  if (parsed.list) {
    io.stdout(names.map((n) => `${n}\n`).join(''));
    return EXIT_OK;
  }
  const refs = parsed.all ? names : parsed.scenarios.length ? parsed.scenarios : [DEFAULT_SCENARIO];
  const files: string[] = [];
  for (const ref of refs) {
    const p = scenarioPath(ref);
    if (!p) {
      io.stderr(`lambda-remediation simulate: no scenario '${ref}' (bundled: ${names.join(', ') || 'none'}; or give a .json file)\n`);
      return EXIT_USAGE;
    }
    files.push(p);
  }

  // Loaded here, not at the top: the simulation pulls in aws-cdk-lib, the SDK mocks and dynalite,
  // which `--help` and the other subcommands do not need.
  let sim: SimulationModules;
  try {
    sim = loadSimulation();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code !== 'MODULE_NOT_FOUND') throw e;
    io.stderr(`lambda-remediation simulate: a package the simulation needs is not installed (${String(err.message).split('\n')[0]}). `
      + 'aws-cdk-lib and constructs are peer dependencies: install them beside lambda-auto-remediation.\n');
    return EXIT_FAILURE;
  }
  const { loadScenarioFile, runScenario, SimulationEnvironment, buildReport, formatTimeline, loadAppStack, loadAppScenarioFile } = sim;

  type Loaded = { scenario: ReturnType<typeof loadScenarioFile>; notes: string[] };
  let app: ReturnType<typeof loadAppStack> | undefined;
  const scenarios: Loaded[] = [];
  try {
    if (parsed.app !== undefined) app = loadAppStack(parsed.app, parsed.stack);
    for (const f of files) scenarios.push(app ? loadAppScenarioFile(f, app) : { scenario: loadScenarioFile(f), notes: [] });
  } catch (e) {
    io.stderr(`lambda-remediation simulate: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (app) io.stdout(`stack ${app.displayName} (${app.stack.stackName}) from ${parsed.app}\n`);

  const installed = (deps.iamEvaluatorInstalled ?? iamEvaluatorInstalled)();
  // `iam` is the runner's switch for the IAM evaluator (account/iam.ts); without the evaluator
  // installed the simulation runs with every call allowed and says so.
  const runOptions: RunOptions = { stack: app?.stack, iam: installed };
  const env = await SimulationEnvironment.start();
  const results = [];
  try {
    for (const { scenario, notes } of scenarios) {
      const r = await runScenario(scenario, env, runOptions);
      const withNotes = notes.length ? { ...r, notes: [...notes, ...r.notes] } : r;
      results.push(withNotes);
      io.stdout(formatTimeline(withNotes) + '\n');
    }
  } finally {
    await env.stop();
  }
  const iamLine = iamEvaluationLine(installed, results);
  const passed = results.filter((r) => r.passed).length;
  io.stdout(`${iamLine}\n`);
  io.stdout(`${passed}/${results.length} scenario(s) met their expectations\n`);
  if (parsed.report) {
    writeFileSync(parsed.report, JSON.stringify({ ...buildReport(results), iamEvaluation: iamLine }, null, 2) + '\n');
    io.stdout(`report written to ${parsed.report}\n`);
  }
  return passed === results.length ? EXIT_OK : EXIT_FAILURE;
}
