import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runSimulate } from '../../src/cli/simulate-command';
import { AutoRemediation } from '../../src/index';
import { AppStackError, listAssemblyStacks, loadAppStack, scenarioForApp } from '../../src/simulation/app-stack';

jest.setTimeout(600_000);

/** A user's app as `cdk synth` writes it: returns the cloud assembly directory. */
function synthUserApp(build: (app: App) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'user-cdk-out-'));
  // The CDK CLI writes each resource's construct path (`aws:cdk:path`) unless told not to.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  build(app);
  app.synth();
  return outdir;
}

function fn(scope: Stack, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    memorySize: 512,
    timeout: Duration.seconds(30),
    ...props,
  });
}

function capture() {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** A workload that runs out of memory at 512 MB from minute 5 on. */
const OOM_WORKLOAD = {
  workload: { invocationsPerMinute: 30, memoryNeedMb: 300, cpuMsAt1Vcpu: 150, ioMs: 40 },
  incidents: [{ atMinute: 5, workload: { memoryNeedMb: 600 } }],
};

describe('simulate --app: reading the user\'s cloud assembly', () => {
  // GIVEN an app with an unrelated stack, a stack with AutoRemediation (one named function, one
  // with a generated name) and a stage whose stack has none
  const dir = synthUserApp((app) => {
    fn(new Stack(app, 'Network'), 'Probe');
    const stack = new Stack(app, 'Orders');
    const api = fn(stack, 'Api', { functionName: 'orders-api' });
    const worker = fn(stack, 'Worker', { memorySize: 1024, timeout: Duration.seconds(60), architecture: lambda.Architecture.ARM_64, loggingFormat: lambda.LoggingFormat.JSON, environment: { MODE: 'batch' } });
    new AutoRemediation(stack, 'AutoRemediation', { functions: [api, worker] });
    const stage = new Stage(app, 'Prod');
    fn(new Stack(stage, 'Edge'), 'Handler');
  });

  test('lists every stack, a stage\'s stacks by their display name', () => {
    expect(listAssemblyStacks(dir).map((s) => s.displayName).sort()).toEqual(['Network', 'Orders', 'Prod/Edge']);
  });

  test('picks the only stack with an AutoRemediation, and finds its state machine', () => {
    const app = loadAppStack(dir);
    expect(app.displayName).toBe('Orders');
    expect(app.stack.stackName).toBe('Orders');
    expect(app.stack.stateMachineLogicalId).toMatch(/^AutoRemediation/);
    // the user's functions, not AutoRemediation's handlers
    expect(app.functions.map((f) => f.logicalId).sort()).toEqual([expect.stringMatching(/^Api/), expect.stringMatching(/^Worker/)]);
  });

  test('fails when --stack names a stack without AutoRemediation, or no stack, naming the stacks', () => {
    expect(() => loadAppStack(dir, 'Network')).toThrow("stack Network has no AutoRemediation (no state machine runs its handlers); add 'new AutoRemediation(...)' to it, or choose another stack with --stack");
    expect(() => loadAppStack(dir, 'Nope')).toThrow(`--stack Nope: no such stack in ${dir} (stacks: Network, Orders, Prod/Edge)`);
    expect(() => loadAppStack(dir, 'Prod/Edge')).toThrow('stack Prod/Edge has no AutoRemediation');
    expect(loadAppStack(dir, 'Orders').displayName).toBe('Orders');
  });

  test('fails when the folder is not a cloud assembly', () => {
    const empty = mkdtempSync(join(tmpdir(), 'not-cdk-out-'));
    expect(() => loadAppStack(empty)).toThrow(AppStackError);
    expect(() => loadAppStack(empty)).toThrow('no manifest.json in');
    expect(() => loadAppStack(join(empty, 'missing'))).toThrow("not a directory; give the cloud assembly your app synthesizes (run 'npx cdk synth', then --app cdk.out)");
  });

  test('a scenario function is matched by its functionName, logical id or construct path, and takes the template\'s settings', () => {
    const app = loadAppStack(dir);
    const worker = app.functions.find((f) => f.logicalId.startsWith('Worker'))!;
    for (const name of ['orders-api', 'Api', 'Api/Resource', 'Orders/Api/Resource']) {
      const { scenario } = scenarioForApp({ name: 's', description: 'd', durationMinutes: 5, expect: {}, functions: [{ functionName: name, ...OOM_WORKLOAD }] }, app, 's.json');
      expect(scenario.functions[0]).toMatchObject({ functionName: 'orders-api', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, architecture: 'x86_64', logFormat: 'text' });
    }
    const { scenario, notes } = scenarioForApp({
      name: 's',
      description: 'd',
      durationMinutes: 5,
      functions: [{ functionName: 'Worker', memorySizeMb: 128, runtime: 'python3.12', managed: false, ...OOM_WORKLOAD }],
      stack: { approval: 'all' },
      expect: { functions: { Worker: { finalMemoryMb: 1024 } } },
    }, app, 's.json');
    // the generated name CloudFormation would give it, and the template's settings
    expect(scenario.functions[0]).toMatchObject({
      functionName: worker.functionName, runtime: 'nodejs22.x', memorySizeMb: 1024, timeoutSeconds: 60, architecture: 'arm64', logFormat: 'json', environment: { MODE: 'batch' },
    });
    expect(worker.functionName).toMatch(/^Orders-Worker/);
    expect(scenario.expect.functions).toEqual({ [worker.functionName]: { finalMemoryMb: 1024 } });
    expect(scenario.stack).toBeUndefined();
    expect(notes).toEqual([
      "Worker: the scenario's runtime is not used; the template's \"nodejs22.x\" is",
      "Worker: the scenario's memorySizeMb is not used; the template's 1024 is",
      "Worker: 'managed' is not used; the app's AutoRemediation decides what is managed and what needs approval",
      "the scenario's 'stack' settings are not used; the app's AutoRemediation is simulated as synthesized",
    ]);
  });

  test('fails when a scenario function is not in the stack, listing the stack\'s functions', () => {
    const app = loadAppStack(dir);
    expect(() => scenarioForApp({ name: 's', description: 'd', durationMinutes: 5, expect: {}, functions: [{ functionName: 'payments', ...OOM_WORKLOAD }] }, app, 'mine.json'))
      .toThrow("mine.json: functions[0] 'payments' is not a function of stack Orders (its functions: orders-api, Worker); name one by its functionName, logical id or construct path");
  });

  test('a stack bound to an account and region is simulated in the simulated account, and says so', () => {
    const bound = synthUserApp((a) => {
      const stack = new Stack(a, 'Bound', { env: { account: '111122223333', region: 'eu-west-1' } });
      new AutoRemediation(stack, 'AutoRemediation', { functions: [fn(stack, 'Api', { functionName: 'bound-api' })] });
    });
    const app = loadAppStack(bound);
    expect(JSON.stringify(app.stack.template)).not.toContain('111122223333');
    expect(app.notes).toEqual(['stack Bound is bound to account 111122223333 in eu-west-1: simulated as account 123456789012 in us-east-1']);
  });
});

describe('simulate --app: a scenario against the user\'s own stack', () => {
  async function simulate(dir: string, scenario: object) {
    const scenarioFile = join(mkdtempSync(join(tmpdir(), 'user-scenario-')), 'oom.json');
    writeFileSync(scenarioFile, JSON.stringify(scenario));
    const report = join(mkdtempSync(join(tmpdir(), 'user-report-')), 'report.json');
    const io = capture();
    const code = await runSimulate(['--app', dir, '--scenario', scenarioFile, '--report', report], io);
    return { code, io, report: JSON.parse(readFileSync(report, 'utf8')) };
  }

  test('GIVEN an app whose function (name generated by CloudFormation) runs out of memory WHEN simulated THEN the app\'s AutoRemediation repairs it', async () => {
    // GIVEN
    const dir = synthUserApp((app) => {
      const stack = new Stack(app, 'ShopApp');
      const checkout = fn(stack, 'Checkout');
      new AutoRemediation(stack, 'Remediation', { functions: [fn(stack, 'Search', { functionName: 'shop-search' }), checkout], policy: { verificationWindow: Duration.minutes(10) } });
    });
    // WHEN
    const { code, io, report } = await simulate(dir, {
      name: 'checkout-oom',
      description: 'Checkout runs out of memory.',
      durationMinutes: 30,
      functions: [{ functionName: 'Checkout', ...OOM_WORKLOAD }, { functionName: 'shop-search', workload: OOM_WORKLOAD.workload }],
      expect: { outcomes: { REPAIRED: 1 }, otherOutcomesAllowed: ['IGNORED', 'ALREADY_IN_PROGRESS', 'COOLDOWN'], functions: { 'Checkout': { finalMemoryMb: 768 }, 'shop-search': { finalMemoryMb: 512 } } },
    });
    // THEN
    expect(io.err).toBe('');
    expect(io.out).toContain(`stack ShopApp (ShopApp) from ${dir}`);
    expect(io.out).toContain('== checkout-oom: PASS');
    expect(code).toBe(0);
    const [s] = report.scenarios;
    const checkout = Object.keys(s.finalMemory).find((n) => n.startsWith('ShopApp-Checkout'))!;
    expect(s.finalMemory).toEqual({ [checkout]: 768, 'shop-search': 512 });
    expect(s.apiCalls.filter((c: any) => c.operation === 'UpdateFunctionConfiguration').map((c: any) => c.input))
      .toEqual([expect.objectContaining({ FunctionName: checkout, MemorySize: 768 })]);
  });

  describe('GIVEN 51 functions: the 51st\'s alarms in a nested stack, the managed list in the table', () => {
    let run: Awaited<ReturnType<typeof simulate>>;
    beforeAll(async () => {
      const dir = synthUserApp((app) => {
        const stack = new Stack(app, 'UserApp');
        const functions = Array.from({ length: 51 }, (_, i) => fn(stack, `Fn${i + 1}`, i < 50 ? { functionName: `user-fn-${i + 1}` } : {}));
        new AutoRemediation(stack, 'Remediation', { functions, policy: { verificationWindow: Duration.minutes(10) } });
      });
      run = await simulate(dir, {
        name: 'user-oom',
        description: 'The 51st function runs out of memory.',
        durationMinutes: 30,
        functions: [{ functionName: 'Fn51', ...OOM_WORKLOAD }],
        expect: { outcomes: { REPAIRED: 1 }, otherOutcomesAllowed: ['IGNORED', 'ALREADY_IN_PROGRESS', 'COOLDOWN'], functions: { Fn51: { finalMemoryMb: 768 } } },
      });
    });

    test('THEN the nested stack\'s alarm of the function is deployed and fires (its template found through the asset manifest)', () => {
      const [s] = run.report.scenarios;
      const name = s.functions[0].functionName;
      expect(name).toMatch(/^UserApp-Fn51/);
      expect(s.alarmTransitions.some((t: any) => t.to === 'ALARM' && t.alarmName.endsWith(`-fn-Errors-${name}`))).toBe(true);
      expect(s.notes.some((n: string) => n.includes('nested stack'))).toBe(false);
    });

    test('THEN the deploy-time setup wrote the managed functions to the table', () => {
      const [s] = run.report.scenarios;
      expect(s.records.find((r: any) => r.pk === 'CONFIG' && r.sk === 'MANAGED_FUNCTIONS').functions).toHaveLength(51);
    });

    // With more managed functions than fit the environment (MANAGED_FUNCTIONS=table), normalize
    // reads the list the setup wrote.
    test('THEN normalize finds the 51st function in that list and it is repaired', () => {
      expect(run.io.out).toContain('== user-oom: PASS');
      const [s] = run.report.scenarios;
      expect(s.finalMemory[s.functions[0].functionName]).toBe(768);
      expect(run.code).toBe(0);
    });
  });

  test('fails with exit 2 and one line when --app is given without --scenario, or a scenario names no function of the stack', async () => {
    let io = capture();
    expect(await runSimulate(['--app', 'cdk.out'], io)).toBe(2);
    expect(io.err).toContain('--app needs --scenario FILE');
    const dir = synthUserApp((app) => {
      const stack = new Stack(app, 'Small');
      new AutoRemediation(stack, 'AutoRemediation', { functions: [fn(stack, 'Api', { functionName: 'small-api' })] });
    });
    io = capture();
    expect(await runSimulate(['--app', dir, '--scenario', 'oom-recovered'], io)).toBe(2);
    expect(io.err).toBe("lambda-remediation simulate: oom-recovered.json: functions[0] 'orders-api' is not a function of stack Small (its functions: small-api); "
      + 'name one by its functionName, logical id or construct path\n');
  });
});
