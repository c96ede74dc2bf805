import { spawnSync } from 'child_process';
import * as path from 'path';
import { CliIo } from '../../src/cli/io';
import { ModuleLoader, run } from '../../src/cli/main';

const ROOT = path.join(__dirname, '..', '..');

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (s) => {
        out += s;
      },
      stderr: (s) => {
        err += s;
      },
    },
    out: () => out,
    err: () => err,
  };
}

function moduleNotFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module './${name}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('lambda-remediation (main dispatch)', () => {
  test('--help lists every subcommand', async () => {
    const c = capture();
    const code = await run(['--help'], c.io);
    expect(code).toBe(0);
    expect(c.out()).toContain('diagnose FILE...');
    expect(c.out()).toContain('diagnose --samples');
    expect(c.out()).toContain('diagnose --function NAME');
    expect(c.out()).toContain('simulate');
  });

  test('help diagnose shows the diagnose options', async () => {
    const c = capture();
    expect(await run(['help', 'diagnose'], c.io)).toBe(0);
    expect(c.out()).toContain('--max-memory MB');
  });

  test('fails when no command is given: usage on stderr, exit code 2', async () => {
    const c = capture();
    expect(await run([], c.io)).toBe(2);
    expect(c.err()).toContain('usage: lambda-remediation <command>');
    expect(c.out()).toBe('');
  });

  test('fails when the command is unknown, naming it', async () => {
    const c = capture();
    expect(await run(['repair', 'orders'], c.io)).toBe(2);
    expect(c.err()).toContain("unknown command 'repair'");
  });

  test('diagnose --function dispatches to runLiveDiagnose with the diagnose arguments', async () => {
    // GIVEN a live-diagnose module
    const calls: Array<{ args: string[]; io: CliIo }> = [];
    const load: ModuleLoader = (name) => {
      expect(name).toBe('live-diagnose');
      return { runLiveDiagnose: async (args: string[], io: CliIo) => (calls.push({ args, io }), 0) };
    };
    const c = capture();
    // WHEN
    const code = await run(['diagnose', '--function', 'orders', '--region', 'eu-west-1', '--since', '30m'], c.io, { load });
    // THEN
    expect(code).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0].args).toEqual(['--function', 'orders', '--region', 'eu-west-1', '--since', '30m']);
    expect(calls[0].io).toBe(c.io);
  });

  test('simulate dispatches to runSimulate and returns its exit code', async () => {
    const load: ModuleLoader = (name) => {
      expect(name).toBe('simulate-command');
      return { runSimulate: async (args: string[]) => (args[0] === 'oom' ? 3 : 0) };
    };
    expect(await run(['simulate', 'oom'], capture().io, { load })).toBe(3);
  });

  test('fails with a clear message when the live-diagnose module is not in the build', async () => {
    const c = capture();
    const load: ModuleLoader = (name) => {
      throw moduleNotFound(name);
    };
    const code = await run(['diagnose', '--function=orders'], c.io, { load });
    expect(code).toBe(1);
    expect(c.err()).toBe("lambda-remediation: 'diagnose --function' is not available in this build (module ./live-diagnose is missing)\n");
  });

  test('fails with a clear message when the simulate module exports no runSimulate', async () => {
    const c = capture();
    const code = await run(['simulate'], c.io, { load: () => ({}) });
    expect(code).toBe(1);
    expect(c.err()).toContain("'simulate' is not available in this build (./simulate-command does not export runSimulate)");
  });

  test('fails loudly when a subcommand module is present but broken', async () => {
    // GIVEN a module that fails to load because one of ITS imports is missing
    const load: ModuleLoader = () => {
      throw moduleNotFound('@aws-sdk/client-nothing');
    };
    // WHEN / THEN the real cause is not hidden behind "not available"
    await expect(run(['simulate'], capture().io, { load })).rejects.toThrow("Cannot find module './@aws-sdk/client-nothing'");
  });

  test('fails loudly when live-diagnose is present but one of its own imports is missing', async () => {
    // GIVEN Node's error for a missing SDK client required by lib/cli/live-diagnose.js
    const load: ModuleLoader = () => {
      throw Object.assign(new Error("Cannot find module '@aws-sdk/client-lambda'\nRequire stack:\n- /pkg/lib/cli/live-diagnose.js\n- /pkg/lib/cli/main.js"), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    // WHEN / THEN
    await expect(run(['diagnose', '--function', 'orders'], capture().io, { load })).rejects.toThrow("Cannot find module '@aws-sdk/client-lambda'");
  });

  test('the entry point runs as a program: prints results and sets the exit code', () => {
    // GIVEN the real process entry point under ts-node, one good and one missing file
    const result = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/cli/main.ts', 'diagnose', 'samples/oom-killed-python.json', 'missing.json'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    // THEN
    expect(result.status).toBe(2);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ file: 'samples/oom-killed-python.json', functionName: 'ingest-2' });
    expect(lines[1]).toEqual({ file: 'missing.json', error: 'file not found: missing.json' });
  }, 60_000);
});
