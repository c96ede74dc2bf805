import { GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { setClients } from '../../src/runtime/clients';
import { setClock } from '../../src/runtime/clock';
import { SafeFunctionConfig } from '../../src/runtime/function-config';
import {
  applyMemoryChange, classifyChange, getAliasTarget, isAlias, MemoryChange, moveAlias, publishVersion, readAliasRelease, readConfig,
  releaseDifferences,
  RevisionChangedError, routeAlias, toReleaseFingerprint, waitUntilUpdated,
} from '../../src/runtime/lambda-config';
import { FakeLambda } from '../handlers/lambda-fake';
import { awsError, VirtualClock } from '../handlers/support';

const lambda = mockClient(LambdaClient);
let clock: VirtualClock;
let fake: FakeLambda;

beforeEach(() => {
  lambda.reset();
  setClients({}, { region: 'us-east-1' });
  clock = new VirtualClock(new Date('2026-11-20T10:50:00.000Z'));
  setClock(clock);
  fake = new FakeLambda('orders', 256);
  fake.install(lambda);
});

function config(memorySize: number, revisionId: string | undefined, lastUpdateStatus = 'Successful'): SafeFunctionConfig {
  return { functionName: 'orders', summary: { memorySize, timeout: 30 }, revisionId, logGroup: '/aws/lambda/orders', lastUpdateStatus };
}

describe('classifyChange: whose state is the function in', () => {
  const change: MemoryChange = { functionName: 'orders', fromMb: 256, toMb: 384, fromRevisionId: 'rev-1' };
  const unconditional: MemoryChange = { functionName: 'orders', fromMb: 256, toMb: 384 };

  test.each([
    ['the target size on a newer revision is our change', change, config(384, 'rev-2'), 'ours'],
    ['the target size on the revision we updated from is not ours (someone set it before us)', change, config(384, 'rev-1'), 'others'],
    ['the original size on the original revision: not applied yet', change, config(256, 'rev-1'), 'not-applied'],
    ['the original size on a newer revision after a Failed update: our update did not take', change, config(256, 'rev-2', 'Failed'), 'failed'],
    ['the original size on a newer revision, Successful: someone else deployed', change, config(256, 'rev-2'), 'others'],
    ['a third size: someone else', change, config(512, 'rev-2'), 'others'],
    ['a third size after a Failed update: someone else', change, config(512, 'rev-2', 'Failed'), 'others'],
    ['without a revision, the target size counts as ours', unconditional, config(384, 'rev-9'), 'ours'],
    ['without a revision, the original size is not applied', unconditional, config(256, 'rev-9'), 'not-applied'],
    ['without a revision, a third size is someone else\'s', unconditional, config(512, 'rev-9'), 'others'],
  ])('%s', (_label, c, current, expected) => {
    expect(classifyChange(c, current)).toBe(expected);
  });
});

describe('isAlias', () => {
  test.each([
    [undefined, false], ['', false], ['$LATEST', false], ['7', false], ['12', false],
    ['live', true], ['v2', true], ['2v', true], ['blue-7', true],
  ])('%p -> %p', (qualifier, expected) => {
    expect(isAlias(qualifier)).toBe(expected);
  });
});

describe('release fingerprints: what a publish of $LATEST would release besides memory', () => {
  const base = {
    Version: '7',
    CodeSha256: 'sha',
    PackageType: 'Zip',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Architectures: ['x86_64'],
    Timeout: 30,
    Role: 'arn:aws:iam::123456789012:role/r',
    MemorySize: 256,
    Layers: [{ Arn: 'arn:aws:lambda:us-east-1:123456789012:layer:l:1', CodeSize: 10 }],
    Environment: { Variables: { A: 'one', B: 'two' } },
    VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'], VpcId: 'vpc-1' },
  };

  test('memory, the version, layer sizes, environment values and the order of environment names are not differences', () => {
    const latest = { ...base, Version: '$LATEST', MemorySize: 384, Layers: [{ Arn: base.Layers[0].Arn, CodeSize: 99 }], Environment: { Variables: { B: 'changed', A: 'one' } } };
    expect(releaseDifferences(toReleaseFingerprint(base as never), toReleaseFingerprint(latest as never))).toEqual([]);
  });

  test.each([
    ['Layers', { Layers: [{ Arn: 'arn:aws:lambda:us-east-1:123456789012:layer:l:2' }] }],
    ['Layers', { Layers: undefined }],
    ['Environment variable names', { Environment: { Variables: { A: 'one' } } }],
    ['Environment variable names', { Environment: undefined }],
    ['VpcConfig', { VpcConfig: { SubnetIds: ['subnet-2'], SecurityGroupIds: ['sg-1'] } }],
    ['VpcConfig', { VpcConfig: undefined }],
  ])('a change of %s is named', (field, change) => {
    expect(releaseDifferences(toReleaseFingerprint(base as never), toReleaseFingerprint({ ...base, ...change } as never))).toEqual([field]);
  });

  test('the fingerprint keeps the version and the code hash, never an environment value', () => {
    const f = toReleaseFingerprint(base as never);
    expect(f).toMatchObject({ version: '7', codeSha256: 'sha' });
    expect(JSON.stringify(f)).not.toContain('one');
    expect(toReleaseFingerprint({} as never).version).toBe('$LATEST');
  });
});

describe('applyMemoryChange', () => {
  test('without a revision the update is unconditional, and finishes once Successful', async () => {
    const out = await applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384 });
    expect(out).toMatchObject({ kind: 'applied', config: { summary: { memorySize: 384 }, revisionId: 'rev-2' } });
    const sent = lambda.commandCalls(UpdateFunctionConfigurationCommand)[0].args[0].input;
    expect(sent).toEqual({ FunctionName: 'orders', MemorySize: 384 });
  });

  test('a function that keeps changing under the update (PreconditionFailed every time) stops with RevisionChangedError', async () => {
    for (let i = 0; i < 3; i++) fake.faults.update.push(awsError('PreconditionFailedException', 'revision', 412));
    await expect(applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384, fromRevisionId: 'rev-1' }, { conflictAttempts: 3 }))
      .rejects.toThrow(new RevisionChangedError('function orders kept changing since it was read (revision rev-1)'));
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(3);
    expect(fake.latest.MemorySize).toBe(256);
  });

  test('conflicts back off exponentially, and the last one is an UpdateConflictError naming the attempts', async () => {
    for (let i = 0; i < 3; i++) fake.faults.update.push(awsError('ResourceConflictException', 'in progress', 409));
    await expect(applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384 }, { conflictAttempts: 3, backoffMs: 100 }))
      .rejects.toMatchObject({ name: 'UpdateConflictError', message: 'lambda:UpdateFunctionConfiguration on orders kept conflicting after 3 attempts: in progress' });
    expect(clock.slept).toEqual([100, 200]);
  });

  test('a function someone else changed while our update ran is reported, not claimed', async () => {
    fake.inProgressReads = 1;
    lambda.on(GetFunctionConfigurationCommand).callsFakeOnce(async (i) => fake.getFunctionConfiguration(i)).callsFake(async (i) => {
      if (fake.lastUpdateStatus === 'InProgress') fake.deploy({ MemorySize: 1024 });
      return fake.getFunctionConfiguration(i);
    });
    const out = await applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384, fromRevisionId: 'rev-1' });
    expect(out).toMatchObject({ kind: 'changed-by-others', current: { summary: { memorySize: 1024 } } });
    expect(out.kind === 'changed-by-others' && out.reason).toBe('function orders was changed by someone else (e.g. a deploy): its memory is 1024 MB, neither 256 MB nor 384 MB; not overwriting it');
  });

  test('an update of ours that ended Failed is a RepairFailedError, and nothing is sent again', async () => {
    const current = config(256, 'rev-2', 'Failed');
    await expect(applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384, fromRevisionId: 'rev-1' }, { current }))
      .rejects.toMatchObject({ name: 'RepairFailedError', message: 'update of orders ended Failed: Failed' });
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)).toHaveLength(0);
  });

  test('any other error is a named error', async () => {
    fake.faults.update.push(awsError('InvalidParameterValueException', 'MemorySize must be between 128 and 10240', 400));
    await expect(applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 20000 }))
      .rejects.toMatchObject({ name: 'InvalidInputError', message: 'lambda:UpdateFunctionConfiguration on orders failed: InvalidParameterValueException: MemorySize must be between 128 and 10240' });
  });
});

describe('waitUntilUpdated', () => {
  test('an answer without LastUpdateStatus counts as Successful', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: 'orders', MemorySize: 512, RevisionId: 'rev-5' });
    await expect(waitUntilUpdated('orders')).resolves.toMatchObject({ summary: { memorySize: 512 } });
    expect(clock.slept).toEqual([]);
  });

  test('polls every pollMs until Successful', async () => {
    lambda.on(GetFunctionConfigurationCommand)
      .resolvesOnce({ MemorySize: 512, LastUpdateStatus: 'InProgress' })
      .resolvesOnce({ MemorySize: 512, LastUpdateStatus: 'InProgress' })
      .resolves({ MemorySize: 512, LastUpdateStatus: 'Successful' });
    await waitUntilUpdated('orders', { pollMs: 500, waitTimeoutMs: 1000 });
    expect(clock.slept).toEqual([500, 500]);
  });

  test('gives up after waitTimeoutMs with a DependencyTimeoutError naming the time waited', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ MemorySize: 512, LastUpdateStatus: 'InProgress' });
    await expect(waitUntilUpdated('orders', { pollMs: 1500, waitTimeoutMs: 3000 }))
      .rejects.toMatchObject({ name: 'DependencyTimeoutError', message: 'update of orders still InProgress after 3 s' });
    expect(clock.slept).toEqual([1500, 1500]);
  });

  test('Failed is a RepairFailedError with Lambda\'s reason', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InsufficientRolePermissions', LastUpdateStatusReason: 'The role cannot be assumed' });
    await expect(waitUntilUpdated('orders')).rejects.toMatchObject({ name: 'RepairFailedError', message: 'update of orders ended Failed: InsufficientRolePermissions The role cannot be assumed' });
    lambda.on(GetFunctionConfigurationCommand).resolves({ LastUpdateStatus: 'Failed' });
    await expect(waitUntilUpdated('orders')).rejects.toMatchObject({ message: 'update of orders ended Failed:' });
  });
});

describe('aliases', () => {
  test('an alias that moves while it is read is read again; one that keeps moving is an UpdateConflictError', async () => {
    fake.withAlias('live', '7');
    fake.versions.set('8', { ...fake.latest });
    let moves = 1;
    lambda.on(GetAliasCommand).callsFake(async (i) => {
      const answer = fake.getAlias(i);
      if (moves-- > 0) fake.aliases.set('live', { FunctionVersion: '8', RevisionId: 'alias-rev-2' });
      return answer;
    });
    await expect(readAliasRelease('orders', 'live')).resolves.toMatchObject({ name: 'live', version: '8', aliasRevisionId: 'alias-rev-2' });
    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(2);

    lambda.resetHistory();
    moves = 2;
    fake.aliases.set('live', { FunctionVersion: '7', RevisionId: 'alias-rev-3' });
    lambda.on(GetAliasCommand).callsFake(async (i) => {
      const answer = fake.getAlias(i);
      fake.aliases.set('live', { FunctionVersion: answer.FunctionVersion === '7' ? '8' : '7', RevisionId: `alias-rev-${moves--}` });
      return answer;
    });
    await expect(readAliasRelease('orders', 'live')).rejects.toMatchObject({ name: 'UpdateConflictError', message: 'alias orders:live moved while it was read (8 -> 7)' });
    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(2);
  });

  test('a missing alias is a named error', async () => {
    await expect(readAliasRelease('orders', 'gone')).rejects.toMatchObject({ name: 'FunctionNotFoundError', message: expect.stringContaining('lambda:GetAlias on orders:gone failed: ResourceNotFoundException') });
  });

  test('publish and move are conditional only on what they are given, and a precondition failure is a RevisionChangedError', async () => {
    fake.withAlias('live', '7');
    await publishVersion('orders', undefined, undefined);
    expect(lambda.commandCalls(PublishVersionCommand)[0].args[0].input).toEqual({ FunctionName: 'orders', Description: 'lambda-auto-remediation memory increase' });
    fake.deploy({ MemorySize: 384 });
    await expect(publishVersion('orders', 'rev-1', 'sha-code-1')).rejects.toThrow(new RevisionChangedError('$LATEST of orders changed after the memory update (revision rev-1): not published'));
    fake.faults.publish.push(awsError('ServiceException', 'internal', 500));
    await expect(publishVersion('orders', 'rev-2', 'sha-code-1')).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining('lambda:PublishVersion on orders failed') });

    await moveAlias('orders', 'live', '7', undefined);
    expect(lambda.commandCalls(UpdateAliasCommand)[0].args[0].input).toEqual({ FunctionName: 'orders', Name: 'live', FunctionVersion: '7' });
    await expect(moveAlias('orders', 'live', '7', 'alias-rev-old')).rejects.toThrow(new RevisionChangedError('alias orders:live moved since it was read: not moved to version 7'));
    fake.faults.updateAlias.push(awsError('AccessDeniedException', 'no', 403));
    await expect(moveAlias('orders', 'live', '7', undefined)).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringContaining('lambda:UpdateAlias on orders:live failed') });
  });

  test('a routing change is conditional on the alias revision read; a precondition failure is a RevisionChangedError, another failure is named', async () => {
    fake.withAlias('live', '7');
    fake.versions.set('8', { ...fake.latest });
    await expect(routeAlias('orders', 'live', '7', { 8: 0.1 }, 'alias-rev-old'))
      .rejects.toThrow(new RevisionChangedError('alias orders:live changed since it was read: its routing was not changed'));
    fake.faults.updateAlias.push(awsError('AccessDeniedException', 'no', 403));
    await expect(routeAlias('orders', 'live', '7', { 8: 0.1 }, undefined))
      .rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringMatching(/^lambda:UpdateAlias on orders:live failed: AccessDeniedException: no/) });
    lambda.on(UpdateAliasCommand).callsFake(async () => {
      throw null;
    });
    await expect(routeAlias('orders', 'live', '7', { 8: 0.1 }, undefined))
      .rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringMatching(/^lambda:UpdateAlias on orders:live failed/) });
  });
});

describe('failed reads and non-Error failures are named errors', () => {
  test('a failed read names the function and the qualifier', async () => {
    await expect(readAliasRelease('orders', 'live')).rejects.toMatchObject({ name: 'FunctionNotFoundError' });
    lambda.on(GetFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', 'no', 403));
    await expect(readConfig('orders', 'live')).rejects.toMatchObject({ name: 'AccessDeniedError', message: expect.stringMatching(/^lambda:GetFunctionConfiguration on orders:live failed/) });
    await expect(readConfig('orders')).rejects.toMatchObject({ message: expect.stringMatching(/^lambda:GetFunctionConfiguration on orders failed/) });
  });

  test('a missing alias read for the move is named', async () => {
    await expect(getAliasTarget('orders', 'gone')).rejects.toMatchObject({ name: 'FunctionNotFoundError', message: expect.stringMatching(/^lambda:GetAlias on orders:gone failed/) });
  });

  test('a call that fails with something that is not an Error (null) is still a named error, not a TypeError', async () => {
    fake.withAlias('live', '7');
    const nothing = async () => {
      throw null;
    };
    lambda.on(UpdateFunctionConfigurationCommand).callsFake(nothing);
    lambda.on(PublishVersionCommand).callsFake(nothing);
    lambda.on(UpdateAliasCommand).callsFake(nothing);
    await expect(applyMemoryChange({ functionName: 'orders', fromMb: 256, toMb: 384 }))
      .rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringMatching(/^lambda:UpdateFunctionConfiguration on orders failed/) });
    await expect(publishVersion('orders', undefined, undefined)).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringMatching(/^lambda:PublishVersion on orders failed/) });
    await expect(moveAlias('orders', 'live', '7', undefined)).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringMatching(/^lambda:UpdateAlias on orders:live failed/) });
  });
});
