import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, SimulationEnvironment } from './src/simulation/runner';
import { loadScenarioFile } from './src/simulation/scenario';
(async () => {
  const env = await SimulationEnvironment.start();
  const names = (process.env.NAMES ?? '').split(',');
  await runScenario(loadScenarioFile(join('scenarios', 'oom-recovered.json')), env);
  const s = new Session(); s.connect();
  await s.post('Profiler.enable'); await s.post('Profiler.start');
  const t = Date.now();
  for (const n of names) {
    const sc = loadScenarioFile(join('scenarios', `${n}.json`));
    await runScenario(process.env.COORD ? { ...sc, stack: { ...(sc.stack ?? {}), workflow: 'lambdaCoordinator' } } : sc, env);
  }
  const { profile } = await s.post('Profiler.stop');
  writeFileSync('/tmp/prof/run.cpuprofile', JSON.stringify(profile));
  console.log('ms', Date.now() - t);
  await env.stop();
})();
