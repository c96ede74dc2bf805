import {
  expectedDurationMs,
  gcSlowdown,
  newEnvironmentState,
  simulateMinute,
  streamMinute,
  vcpusFor,
  WorkloadSpec,
} from '../../../src/simulation/account/workload';
import { SeededRandom } from '../../../src/simulation/random';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const spec: WorkloadSpec = { invocationsPerMinute: 60, memoryNeedMb: 300, cpuMsAt1Vcpu: 400, ioMs: 50, memoryNeedSpread: 0.05 };
const node = (memorySizeMb: number, timeoutSeconds = 30) => ({ memorySizeMb, timeoutSeconds, runtime: 'nodejs22.x' });

describe('workload', () => {
  test('GIVEN more memory WHEN below 1,769 MB THEN CPU grows in proportion and duration falls', () => {
    expect(vcpusFor(1769)).toBe(1);
    expect(vcpusFor(3538)).toBe(2);
    expect(vcpusFor(10240)).toBeCloseTo(5.79, 2);
    // 512 MB -> 0.289 vCPU: 400 ms of CPU takes ~1382 ms; 1024 MB -> ~691 ms.
    expect(expectedDurationMs(spec, node(512))).toBeCloseTo(50 + 400 / (512 / 1769), 1);
    expect(expectedDurationMs(spec, node(1024))).toBeCloseTo(50 + 400 / (1024 / 1769), 1);
  });

  test('GIVEN single-threaded work WHEN above 1,769 MB THEN no faster; parallel work keeps speeding up', () => {
    expect(expectedDurationMs(spec, node(3538))).toBeCloseTo(expectedDurationMs(spec, node(1769)), 5);
    const parallel = { ...spec, parallelism: 4 };
    expect(expectedDurationMs(parallel, node(3538))).toBeCloseTo(50 + 400 / 2, 5);
  });

  test('GIVEN memory use near the limit WHEN the runtime has a GC THEN invocations slow down', () => {
    expect(gcSlowdown(spec, node(1024), 300)).toBe(1);
    expect(gcSlowdown(spec, node(320), 300)).toBeGreaterThan(1.8);
    expect(gcSlowdown({ ...spec, gcPressure: 0 }, node(320), 300)).toBe(1);
  });

  test('GIVEN a need above memory WHEN killed behaviour THEN every invocation is OOM-killed with Max Memory Used at the limit', () => {
    const inv = simulateMinute({ ...spec, memoryNeedMb: 400 }, node(256), START, new SeededRandom(1));
    expect(inv).toHaveLength(60);
    expect(inv.every((i) => i.outcome === 'oom-killed')).toBe(true);
    expect(inv.every((i) => i.maxMemoryUsedMb >= 256 && i.maxMemoryUsedMb <= 258)).toBe(true);
  });

  test('GIVEN the same need WHEN memory is raised above it THEN invocations succeed', () => {
    const inv = simulateMinute({ ...spec, memoryNeedMb: 400 }, node(768), START, new SeededRandom(1));
    expect(inv.filter((i) => i.outcome !== 'success')).toHaveLength(0);
    expect(Math.max(...inv.map((i) => i.maxMemoryUsedMb))).toBeLessThan(520);
  });

  test('GIVEN a Node.js workload with language OOM WHEN the heap limit (90 %) is passed THEN language-oom before the sandbox limit', () => {
    const inv = simulateMinute({ ...spec, memoryNeedMb: 240, memoryNeedSpread: 0, oomBehaviour: 'language' }, node(256), START, new SeededRandom(3));
    expect(inv.every((i) => i.outcome === 'language-oom')).toBe(true);
    expect(inv.every((i) => i.maxMemoryUsedMb <= 256)).toBe(true);
  });

  test('GIVEN CPU work beyond the timeout WHEN memory is low THEN timeouts at exactly the timeout', () => {
    const inv = simulateMinute({ ...spec, cpuMsAt1Vcpu: 3000 }, node(512, 5), START, new SeededRandom(4));
    expect(inv.every((i) => i.outcome === 'timeout')).toBe(true);
    expect(inv.every((i) => i.durationMs >= 5000 && i.durationMs < 5030)).toBe(true);
  });

  test('GIVEN a concurrency limit below demand WHEN a minute runs THEN some invocations are throttled', () => {
    const inv = simulateMinute({ ...spec, invocationsPerMinute: 600, concurrencyLimit: 2 }, node(512), START, new SeededRandom(5));
    const throttled = inv.filter((i) => i.outcome === 'throttled').length;
    expect(throttled).toBeGreaterThan(400);
    expect(throttled).toBeLessThan(600);
  });

  test('GIVEN the same seed WHEN generated twice THEN identical invocations', () => {
    const a = simulateMinute(spec, node(512), START, new SeededRandom(9));
    const b = simulateMinute(spec, node(512), START, new SeededRandom(9));
    expect(a).toEqual(b);
  });
});

describe('a stream consumer (streamMinute)', () => {
  const env = { memorySizeMb: 512, timeoutSeconds: 60, runtime: 'python3.12' };
  const consumer = (memoryNeedMb: number, recordsPerMinute = 4000): WorkloadSpec => ({
    invocationsPerMinute: 0,
    memoryNeedMb,
    memoryNeedSpread: 0.02,
    cpuMsAt1Vcpu: 500,
    ioMs: 200,
    coldStartRate: 0,
    stream: { recordsPerMinute, shards: 2, batchSize: 100 },
  });
  /** Run `minutes` minutes from an empty stream; the IteratorAge maximum of each minute and the final backlog. */
  function run(consumerSpec: WorkloadSpec, minutes: number): { maxAges: number[]; backlog: number; batches: number[] } {
    const random = new SeededRandom(3);
    let backlog = 0;
    const maxAges: number[] = [];
    const batches: number[] = [];
    for (let m = 0; m < minutes; m++) {
      const out = streamMinute(consumerSpec, env, m * 60_000, random, backlog);
      backlog = out.backlogAfter;
      maxAges.push(Math.max(0, ...out.iteratorAges.map((a) => a.ageMs)));
      batches.push(out.invocations.length);
    }
    return { maxAges, backlog, batches };
  }

  test('GIVEN memory to spare WHEN records arrive at 4,000 a minute THEN 2 shards keep up: about 40 batches a minute, no growing backlog, ages of seconds', () => {
    const r = run(consumer(300), 10);
    // What arrived after the minute's last batch waits for the next minute: under 15 s of records.
    expect(r.backlog).toBeLessThan(1000);
    expect(Math.max(...r.maxAges)).toBeLessThan(30_000);
    expect(r.batches.slice(2).every((b) => b >= 38 && b <= 45)).toBe(true);
  });

  test('GIVEN the heap at 92 % of memory (GC pressure: each batch about 1.8x slower) THEN the shards fall behind: the backlog grows and the age climbs minute after minute', () => {
    const r = run(consumer(470), 10);
    expect(r.backlog).toBeGreaterThan(3000);
    for (let m = 3; m < 10; m++) expect(r.maxAges[m]).toBeGreaterThan(r.maxAges[m - 1]);
    expect(r.maxAges[9]).toBeGreaterThan(60_000);
  });

  test('GIVEN batches killed for memory THEN their records are not consumed (retried), so the backlog grows', () => {
    const r = run({ ...consumer(300), memoryNeedMb: 560, oomBehaviour: 'killed' }, 5);
    expect(r.backlog).toBeGreaterThan(4 * 4000);
  });
});

describe('a leaking workload (leakMbPerInvocation)', () => {
  const leaking: WorkloadSpec = {
    invocationsPerMinute: 10, memoryNeedMb: 200, memoryNeedSpread: 0, cpuMsAt1Vcpu: 50, coldStartRate: 0, leakMbPerInvocation: 5,
  };

  test('GIVEN a warm environment WHEN minutes pass THEN the need climbs by the leak per invocation across minutes, from a cold start', () => {
    const state = newEnvironmentState();
    const random = new SeededRandom(1);
    const first = simulateMinute(leaking, node(1024), START, random, state);
    const second = simulateMinute(leaking, node(1024), START + 60_000, random, state);
    const needs = [...first, ...second].map((i) => i.memoryNeedMb);
    expect(needs).toEqual(Array.from({ length: 20 }, (_, i) => 200 + 5 * i));
    expect(first[0].initDurationMs).toBeDefined();
    expect([...first.slice(1), ...second].every((i) => i.initDurationMs === undefined)).toBe(true);
  });

  test('GIVEN the need reaches the limit WHEN killed THEN the next invocation starts cold and low again: a saw-tooth', () => {
    const state = newEnvironmentState();
    const random = new SeededRandom(2);
    const out = Array.from({ length: 8 }, (_, m) => simulateMinute(leaking, node(256), START + m * 60_000, random, state)).flat();
    const killed = out.findIndex((i) => i.outcome === 'oom-killed');
    expect(killed).toBe(12); // 200 + 5 x 12 = 260 > 256
    expect(out[killed + 1]).toMatchObject({ memoryNeedMb: 200, outcome: 'success' });
    expect(out[killed + 1].initDurationMs).toBeDefined();
  });

  test('GIVEN a memory change WHEN the next invocation runs THEN the environment was replaced: cold, the need back at its base', () => {
    const state = newEnvironmentState();
    const random = new SeededRandom(3);
    simulateMinute(leaking, node(1024), START, random, state);
    const after = simulateMinute(leaking, node(1536), START + 60_000, random, state);
    expect(after[0].memoryNeedMb).toBe(200);
    expect(after[0].initDurationMs).toBeDefined();
  });

  test('GIVEN no leak WHEN simulated with or without an environment state THEN the invocations are the same (other scenarios unchanged)', () => {
    const a = simulateMinute(spec, node(512), START, new SeededRandom(9));
    const b = simulateMinute(spec, node(512), START, new SeededRandom(9), newEnvironmentState());
    expect(b).toEqual(a);
  });
});
