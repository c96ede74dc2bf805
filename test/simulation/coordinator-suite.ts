/**
 * Every bundled scenario without approval, run again with `Workflow.lambdaCoordinator()`: the same
 * expectations (outcomes, final memory, update calls, notifications, records, IAM) must hold.
 * Approval needs the Step Functions workflow (synthesis fails with the coordinator), so approval
 * scenarios are not run here; a scenario that cannot run, or ends otherwise by design, is listed
 * with the reason. Split over coordinator-scenarios-<n>.test.ts like the scenarios themselves
 * (scenario-suite.ts), each calling `describeCoordinatorShard(n, of)`; SIM_SCENARIO=<name> runs one.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile, Scenario } from '../../src/simulation/scenario';

const DIR = join(__dirname, '..', '..', 'scenarios');

/** Scenarios whose file describes something only a state machine has, and why. */
export const STEP_FUNCTIONS_ONLY: Readonly<Record<string, string>> = {
  'execution-aborted-after-repair': 'StopExecution of a running execution: a coordinator run has no execution to stop',
  'progressive-promotes': 'RepairStrategy.progressive() bakes and promotes the canary in states of the workflow: synthesis refuses it with the coordinator',
  'progressive-rolls-back': 'RepairStrategy.progressive() bakes and removes the canary in states of the workflow: synthesis refuses it with the coordinator',
  'environments-prod-and-dev': 'its production environment requires approval and a progressive repair, both of which need the Step Functions workflow',
};

/**
 * Scenarios where the coordinator ends differently by design, with the outcomes it must reach and
 * why; every other expectation of the file still holds.
 */
export const COORDINATOR_OUTCOMES: Readonly<Record<string, { outcomes: Record<string, number>; why: string }>> = {
  'finalize-crash': {
    outcomes: { REPAIRED: 1 },
    why: 'the crash fails the coordinator invocation; Lambda retries the event a minute later, the retry resumes at finalize (the repair and verification are in the checkpoint), and finalize notifies REPAIRED once: the state machine has no such retry, its execution fails and the cleanup notifies',
  },
};

/** The scenarios of coordinator shard `shard` (1-based) of `of`: every `of`-th that runs in both modes, in name order. */
export function coordinatorShard(shard: number, of: number, only = process.env.SIM_SCENARIO): Scenario[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
    .map((f) => loadScenarioFile(join(DIR, f)))
    .filter((s) => (s.stack?.approval ?? 'none') === 'none' && !STEP_FUNCTIONS_ONLY[s.name])
    .filter((_, i) => i % of === shard - 1)
    .filter((s) => !only || s.name === only);
}

function inCoordinatorMode(s: Scenario): Scenario {
  const outcomes = COORDINATOR_OUTCOMES[s.name]?.outcomes;
  return { ...s, stack: { ...(s.stack ?? {}), workflow: 'lambdaCoordinator' }, ...(outcomes ? { expect: { ...s.expect, outcomes } } : {}) };
}

/** Describe the scenarios of one coordinator shard (see `coordinatorShard`). */
export function describeCoordinatorShard(shard: number, of: number): void {
  const scenarios = coordinatorShard(shard, of);
  jest.setTimeout(600_000);

  let env: SimulationEnvironment;
  beforeAll(async () => {
    if (scenarios.length > 0) env = await SimulationEnvironment.start();
  });
  afterAll(async () => {
    await env?.stop();
  });

  if (scenarios.length === 0) {
    test.skip(`no scenario in coordinator shard ${shard} of ${of}${process.env.SIM_SCENARIO ? ` (SIM_SCENARIO=${process.env.SIM_SCENARIO})` : ''}`, () => undefined);
    return;
  }

  describe.each(scenarios.map((s) => [s.name, s] as const))('scenario %s with Workflow.lambdaCoordinator()', (_name, scenario) => {
    let result: ScenarioResult;
    beforeAll(async () => {
      result = await runScenario(inCoordinatorMode(scenario), env);
    });

    test('WHEN simulated THEN it runs to the end without an error, with no state machine', () => {
      expect(result.error).toBeUndefined();
      expect(result.notes.filter((n) => n.startsWith('no EventBridge rule'))).toEqual([]);
    });

    test('THEN IAM authorized every call and denied none the file does not expect', () => {
      expect(result.iamEvaluated).toBe(true);
      expect(result.authorizedCalls).toBeGreaterThan(0);
      expect(result.expectations.filter((e) => e.name === 'no unexpected denied call' || e.name.startsWith('denied ')).filter((e) => !e.passed)).toEqual([]);
    });

    (scenario.knownIssue ? test.failing : test)(`THEN every expectation of the file holds${scenario.knownIssue ? ' — fails while the known issue lasts' : ''}`, () => {
      expect(result.expectations.filter((e) => !e.passed)).toEqual([]);
    });
  });
}
