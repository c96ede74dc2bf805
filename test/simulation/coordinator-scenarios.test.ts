/**
 * Every bundled scenario without approval, run again with `Workflow.lambdaCoordinator()`: the same
 * expectations (outcomes, final memory, update calls, notifications, records, IAM) must hold.
 * Approval needs the Step Functions workflow (synthesis fails with the coordinator), so approval
 * scenarios are not run here; the others that cannot hold are listed with the reason.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, ScenarioResult, SimulationEnvironment } from '../../src/simulation/runner';
import { loadScenarioFile, Scenario } from '../../src/simulation/scenario';

const DIR = join(__dirname, '..', '..', 'scenarios');
const only = process.env.SIM_SCENARIO;

/** Scenarios whose file describes something only a state machine has, and why. */
export const STEP_FUNCTIONS_ONLY: Readonly<Record<string, string>> = {
  'execution-aborted-after-repair': 'StopExecution of a running execution: a coordinator run has no execution to stop',
};

const scenarios = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => loadScenarioFile(join(DIR, f)))
  .filter((s) => (s.stack?.approval ?? 'none') === 'none' && !STEP_FUNCTIONS_ONLY[s.name] && (!only || s.name === only));

jest.setTimeout(600_000);

let env: SimulationEnvironment;
beforeAll(async () => {
  env = await SimulationEnvironment.start();
});
afterAll(async () => {
  await env?.stop();
});

function inCoordinatorMode(s: Scenario): Scenario {
  return { ...s, stack: { ...(s.stack ?? {}), workflow: 'lambdaCoordinator' } };
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
