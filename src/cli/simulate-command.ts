/**
 * `lambda-remediation simulate`: run the remediation loop locally — the synthesized state
 * machine and the real handlers against a simulated AWS account in virtual time — on the
 * scenarios bundled in `scenarios/` or on scenario files, print a timeline per scenario and
 * optionally write a JSON report.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './io';

export const SIMULATE_USAGE = `usage: lambda-remediation simulate [--scenario NAME|FILE]... [--all] [--report FILE]

Runs the remediation workflow of an example stack (the synthesized state machine and the real
handlers) against a simulated AWS account in virtual time, and checks each scenario's
expectations.

options:
  --scenario NAME|FILE  a bundled scenario by name (see --list) or a scenario JSON file;
                        repeatable. Default: ${'oom-recovered'}
  --all                 every bundled scenario
  --list                list the bundled scenarios
  --report FILE         write the JSON report (outcome, final memory, every AWS API call,
                        notifications, records) to FILE
  -h, --help            show this help

exit code: 0 when every scenario ran and met its expectations, 1 otherwise, 2 for bad usage.
`;

/** The scenario the README's main-job command runs. */
export const DEFAULT_SCENARIO = 'oom-recovered';

/** Where the bundled scenarios live (the package root's `scenarios/`, from src/cli or lib/cli). */
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
  return o;
}

/** Resolve `NAME|FILE` to a scenario file path, or undefined. */
export function scenarioPath(ref: string, dir = bundledScenarioDir()): string | undefined {
  if (ref.endsWith('.json') || ref.includes('/') || ref.includes('\\')) return existsSync(ref) ? resolve(ref) : undefined;
  const p = join(dir, `${ref}.json`);
  return existsSync(p) ? p : undefined;
}

type SimulationModules = typeof import('../simulation/scenario') & typeof import('../simulation/runner') & typeof import('../simulation/report');

function loadSimulation(): SimulationModules {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../simulation/scenario') as typeof import('../simulation/scenario')),
    ...(require('../simulation/runner') as typeof import('../simulation/runner')),
    ...(require('../simulation/report') as typeof import('../simulation/report')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Run `simulate` with `argv` (after the subcommand); resolves to the exit code. */
export async function runSimulate(argv: string[], io: CliIo): Promise<number> {
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
      + 'The simulation runs from a clone of the repository after `npm ci` (it uses development dependencies: '
      + 'aws-local-stepfunctions, aws-sdk-client-mock, dynalite).\n');
    return EXIT_FAILURE;
  }
  const { loadScenarioFile, runScenario, SimulationEnvironment, buildReport, formatTimeline } = sim;

  const scenarios = [];
  for (const f of files) {
    try {
      scenarios.push(loadScenarioFile(f));
    } catch (e) {
      io.stderr(`lambda-remediation simulate: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const env = await SimulationEnvironment.start();
  const results = [];
  try {
    for (const s of scenarios) {
      const r = await runScenario(s, env);
      results.push(r);
      io.stdout(formatTimeline(r) + '\n');
    }
  } finally {
    await env.stop();
  }
  const passed = results.filter((r) => r.passed).length;
  io.stdout(`${passed}/${results.length} scenario(s) met their expectations\n`);
  if (parsed.report) {
    writeFileSync(parsed.report, JSON.stringify(buildReport(results), null, 2) + '\n');
    io.stdout(`report written to ${parsed.report}\n`);
  }
  return passed === results.length ? EXIT_OK : EXIT_FAILURE;
}
