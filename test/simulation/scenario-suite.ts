/**
 * The scenario tests: every file of scenarios/ run by the simulation, its expectations checked.
 * They are split over the test files scenarios-<n>.test.ts (one jest worker runs one file, so a
 * shard of the scenarios can run beside other tests); each calls `describeScenarioShard(n, of)`.
 * SIM_SCENARIO=<name> runs that scenario only.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { notificationText } from '../../src/simulation/expectations';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile, Scenario } from '../../src/simulation/scenario';

const DIR = join(__dirname, '..', '..', 'scenarios');

/** The scenario files of shard `shard` (1-based) of `of`: every `of`-th file in name order. */
export function scenarioShard(shard: number, of: number, only = process.env.SIM_SCENARIO): string[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json') && (!only || f === `${only}.json`)).sort()
    .filter((_, i) => i % of === shard - 1);
}

/** Describe the scenarios of one shard (see `scenarioShard`). */
export function describeScenarioShard(shard: number, of: number): void {
  const files = scenarioShard(shard, of);
  jest.setTimeout(600_000);

  let env: SimulationEnvironment;
  beforeAll(async () => {
    if (files.length > 0) env = await SimulationEnvironment.start();
  });
  afterAll(async () => {
    await env?.stop();
  });

  if (files.length === 0) {
    test.skip(`no scenario in shard ${shard} of ${of}${process.env.SIM_SCENARIO ? ` (SIM_SCENARIO=${process.env.SIM_SCENARIO})` : ''}`, () => undefined);
    return;
  }

  describe.each(files)('scenario %s', (file) => describeScenario(file, () => env));
}

/**
 * Every message of every notification: the default and each protocol's own (SNS MessageStructure
 * "json": the e-mail text), as the expectations read them (expectations.ts).
 */
/** The checks every scenario file must declare, so each scenario is a full test. */
function declaresEverything(s: Scenario): string[] {
  const missing: string[] = [];
  if (!s.expect.outcomes) missing.push('outcomes');
  if (s.expect.updateFunctionConfigurationCalls === undefined) missing.push('updateFunctionConfigurationCalls');
  if (!Object.values(s.expect.functions ?? {}).some((f) => f.finalMemoryMb !== undefined)) missing.push('functions.*.finalMemoryMb');
  // A scenario that must not page says so with a count of 0.
  if (!s.expect.notifications?.contain?.length && s.expect.notifications?.count !== 0) missing.push('notifications.contain');
  if (!s.expect.records) missing.push('records');
  return missing;
}

function describeScenario(file: string, environment: () => SimulationEnvironment): void {
  const scenario = loadScenarioFile(join(DIR, file));
  let result: ScenarioResult;
  // A scenario with a documented known issue must fail its expectations until the issue is fixed:
  // its checks are not run one by one (some hold, some do not), one failing test stands for them.
  const outcomeTest = scenario.knownIssue ? test.skip : test;
  if (scenario.knownIssue) {
    test.failing(`THEN every expectation holds — fails while the known issue lasts: ${scenario.knownIssue.slice(0, 120)}`, () => {
      expect(result.expectations.filter((e) => !e.passed)).toEqual([]);
    });
  }

  beforeAll(async () => {
    result = await runScenario(scenario, environment());
  });

  test('GIVEN the scenario file THEN it states outcome, final memory, update calls, notification content and records', () => {
    expect(declaresEverything(scenario)).toEqual([]);
  });

  test('WHEN simulated THEN it runs to the end without an error', () => {
    expect(result.error).toBeUndefined();
  });

  outcomeTest('THEN the outcomes are the expected ones', () => {
    for (const [outcome, n] of Object.entries(scenario.expect.outcomes ?? {})) {
      expect({ outcome, n: result.outcomes[outcome] ?? 0 }).toEqual({ outcome, n });
    }
  });

  outcomeTest('THEN every function ends at the expected memory size', () => {
    for (const [fn, e] of Object.entries(scenario.expect.functions ?? {})) {
      if (e.finalMemoryMb === undefined) continue;
      const memory = result.functions.find((f) => f.functionName === fn)?.finalMemoryMb;
      expect({ fn, memory }).toEqual({ fn, memory: e.finalMemoryMb });
    }
  });

  outcomeTest('THEN UpdateFunctionConfiguration was called the expected number of times', () => {
    const calls = result.apiCalls.filter((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration').length;
    expect(calls).toBe(scenario.expect.updateFunctionConfigurationCalls);
  });

  outcomeTest('THEN the notifications say what happened', () => {
    const texts = result.notifications.map(notificationText).join('\n---\n');
    for (const t of scenario.expect.notifications?.contain ?? []) expect(texts).toContain(t);
  });

  test('THEN no secret of the functions leaks into calls, records, notifications or logs', () => {
    const texts = result.notifications.map(notificationText).join('\n---\n');
    for (const t of scenario.expect.notifications?.notContain ?? []) expect(texts).not.toContain(t);
    expect(result.leakedSecrets).toEqual([]);
  });

  test('THEN IAM authorized every handler call and denied none the file does not expect', () => {
    expect(result.iamEvaluated).toBe(true);
    expect(result.authorizedCalls).toBeGreaterThan(0);
    const iamChecks = result.expectations.filter((e) => e.name === 'no unexpected denied call' || e.name.startsWith('denied '));
    expect(iamChecks.map((e) => e.name)).toContain('no unexpected denied call');
    expect(iamChecks.filter((e) => !e.passed)).toEqual([]);
  });

  outcomeTest('THEN every other expectation of the file holds (records, counts, decisions)', () => {
    expect(result.expectations.filter((e) => !e.passed)).toEqual([]);
  });
}
