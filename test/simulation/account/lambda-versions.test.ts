import { LambdaService } from '../../../src/simulation/account/lambda-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const workload = { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 };

function service(latestDiffersFromAlias = false) {
  const clock = new VirtualClock(T0);
  const lambda = new LambdaService(clock, new SeededRandom(3), { updateDelayMs: 2000 });
  lambda.addFunction({ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload, alias: 'live', latestDiffersFromAlias });
  return { clock, lambda };
}

describe('versions, aliases and code (Lambda)', () => {
  test('GIVEN $LATEST with unreleased code THEN its CodeSha256 differs from the alias version\'s; publishing it would release that code', () => {
    const { lambda } = service(true);
    const latest = lambda.getFunctionConfiguration({ FunctionName: 'orders' });
    const live = lambda.getFunctionConfiguration({ FunctionName: 'orders', Qualifier: 'live' });
    expect(live.Version).toBe('1');
    expect(latest.CodeSha256).not.toBe(live.CodeSha256);
    expect(lambda.aliasCodeSha('orders', 'live')).toBe(live.CodeSha256);
  });

  test('GIVEN nothing changed since the last version THEN PublishVersion returns that version (API_PublishVersion: "Lambda doesn\'t publish a version if ... haven\'t changed")', () => {
    const { lambda } = service(false);
    expect(lambda.publishVersion({ FunctionName: 'orders' }).Version).toBe('1');
    const { lambda: diverged } = service(true);
    expect(diverged.publishVersion({ FunctionName: 'orders' }).Version).toBe('2');
    expect(diverged.publishVersion({ FunctionName: 'orders' }).Version).toBe('2');
  });

  test('GIVEN a CodeSha256 that is not $LATEST\'s THEN PublishVersion is refused', () => {
    const { lambda } = service(true);
    expect(() => lambda.publishVersion({ FunctionName: 'orders', CodeSha256: String(lambda.aliasCodeSha('orders', 'live')) })).toThrow(/is different from current CodeSHA256 in \$LATEST/);
  });

  test('GIVEN a deploy with new code and moveAlias THEN a new RevisionId, InProgress, then the alias moves to a published version with that code', () => {
    const { clock, lambda } = service(false);
    const before = lambda.getFunctionConfiguration({ FunctionName: 'orders' });
    const record = lambda.deploy({ functionName: 'orders', memorySizeMb: 768, codeChange: true, moveAlias: true })!;
    const during = lambda.getFunctionConfiguration({ FunctionName: 'orders' });
    expect(during).toMatchObject({ LastUpdateStatus: 'InProgress', MemorySize: 768 });
    expect(during.RevisionId).not.toBe(before.RevisionId);
    expect(during.CodeSha256).not.toBe(before.CodeSha256);
    // CloudFormation waits for an update in progress: a second deploy now does not apply.
    expect(lambda.deploy({ functionName: 'orders', memorySizeMb: 1024 })).toBeUndefined();
    clock.advanceTo(T0 + 2000);
    expect(lambda.getAlias({ FunctionName: 'orders', Name: 'live' }).FunctionVersion).toBe('2');
    expect(record.movedAliasTo).toBe('2');
    expect(lambda.aliasCodeSha('orders', 'live')).toBe(during.CodeSha256);
  });
});

describe('weighted alias routing (configuring-alias-routing.html, API_AliasRoutingConfiguration.html)', () => {
  function withVersion2() {
    const s = service(false);
    s.lambda.updateFunctionConfiguration({ FunctionName: 'orders', MemorySize: 1024 });
    s.clock.advanceTo(T0 + 2000);
    expect(s.lambda.publishVersion({ FunctionName: 'orders' }).Version).toBe('2');
    return s;
  }

  test('GIVEN a 0.2 weight for version 2 THEN GetAlias shows it and the invocations split 80/20 between 512 MB and 1,024 MB', () => {
    const { lambda } = withVersion2();
    lambda.updateAlias({ FunctionName: 'orders', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { 2: 0.2 } } });
    expect(lambda.getAlias({ FunctionName: 'orders', Name: 'live' })).toMatchObject({ FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { 2: 0.2 } } });
    const fn = lambda.get('orders').fn;
    expect(lambda.aliasRoutes(fn, 'live').map((r) => [r.version, r.share, r.config.memorySize])).toEqual([['1', 0.8, 512], ['2', 0.2, 1024]]);
  });

  test('GIVEN an empty map THEN the routing is cleared; without RoutingConfig it stays', () => {
    const { lambda } = withVersion2();
    lambda.updateAlias({ FunctionName: 'orders', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { 2: 0.2 } } });
    lambda.updateAlias({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1' });
    expect(lambda.getAlias({ FunctionName: 'orders', Name: 'live' }).RoutingConfig).toBeDefined();
    lambda.updateAlias({ FunctionName: 'orders', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } });
    expect(lambda.getAlias({ FunctionName: 'orders', Name: 'live' })).toEqual(expect.not.objectContaining({ RoutingConfig: expect.anything() }));
    expect(lambda.aliasRoutes(lambda.get('orders').fn, 'live').map((r) => r.version)).toEqual(['2']);
  });

  test.each([
    ['a weight above 1.0', { 2: 1.5 }, undefined, /Map value must be between 0.0 and 1.0/],
    ['two additional versions', { 2: 0.1, 3: 0.1 }, undefined, /exceeds the limit of 1/],
    ['an unpublished version', { 5: 0.1 }, undefined, /Function not found/],
    ['$LATEST as a key', { $LATEST: 0.1 }, undefined, /regular expression pattern: \[0-9\]\+/],
    ['the alias\'s own version', { 1: 0.1 }, undefined, /already included in routing configuration/],
    ['an alias on $LATEST with routing', { 2: 0.1 }, '$LATEST', /\$LATEST is not supported for an alias pointing to more than 1 version/],
  ])('fails as Lambda does for %s', (_label, weights, functionVersion, error) => {
    const { lambda } = withVersion2();
    expect(() => lambda.updateAlias({ FunctionName: 'orders', Name: 'live', ...(functionVersion ? { FunctionVersion: functionVersion } : {}), RoutingConfig: { AdditionalVersionWeights: weights as Record<string, number> } })).toThrow(error);
    expect(lambda.getAlias({ FunctionName: 'orders', Name: 'live' }).RoutingConfig).toBeUndefined();
  });
});
