import { DynamoDBServiceException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient, LambdaServiceException, TooManyRequestsException, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { InternalErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SimulatedAccount } from '../../../src/simulation/account/account';
import { runAsCaller } from '../../../src/simulation/account/caller';
import { FaultInjector, serviceError, serviceErrorProblem } from '../../../src/simulation/account/faults';
import { retryErrorType, SdkRetryModel } from '../../../src/simulation/account/sdk-retry';
import { VirtualClock } from '../../../src/simulation/clock';
import { VirtualScheduler } from '../../../src/simulation/scheduler';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const MIN = 60_000;

/** Drive virtual time until `p` settles. */
async function drive<T>(scheduler: VirtualScheduler, p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  while (!done) {
    await scheduler.idle();
    const next = scheduler.nextWake();
    if (next !== undefined) scheduler.wakeUntil(next);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

describe('service errors as the SDK deserializes them', () => {
  test('GIVEN a modeled exception THEN its class, fault and the HTTP status of the service model', () => {
    const throttled = serviceError('Lambda', 'TooManyRequestsException', 'UpdateFunctionConfiguration', 'req-1');
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(throttled).toMatchObject({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429, requestId: 'req-1' } });
    // awsJson without an httpError trait: 400 for a client error (Smithy awsJson1_0 protocol).
    expect(serviceError('DynamoDB', 'ProvisionedThroughputExceededException', 'PutItem', 'r')).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(serviceError('DynamoDB', 'ProvisionedThroughputExceededException', 'PutItem', 'r')).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    // awsQuery: the status of the wire code.
    expect(serviceError('SNS', 'InternalErrorException', 'Publish', 'r')).toBeInstanceOf(InternalErrorException);
    expect(serviceError('SNS', 'InternalErrorException', 'Publish', 'r')).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  test('GIVEN a common error every API documents THEN the service exception base with its status', () => {
    const e = serviceError('Lambda', 'ThrottlingException', 'UpdateFunctionConfiguration', 'r');
    expect(e).toBeInstanceOf(LambdaServiceException);
    expect(e).toMatchObject({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(serviceError('DynamoDB', 'ServiceUnavailable', 'GetItem', 'r')).toBeInstanceOf(DynamoDBServiceException);
    expect(serviceError('DynamoDB', 'ServiceUnavailable', 'GetItem', 'r')).toMatchObject({ $metadata: { httpStatusCode: 503 } });
    // CloudWatch (awsQuery) sends throttling as the code Throttling.
    expect(serviceError('CloudWatch', 'Throttling', 'GetMetricData', 'r')).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
  });

  test('GIVEN a lost response THEN the client-side TimeoutError / ECONNRESET', () => {
    expect(serviceError('Lambda', 'TimeoutError', 'UpdateFunctionConfiguration', 'r')).toMatchObject({ name: 'TimeoutError' });
    expect(serviceError('SNS', 'ECONNRESET', 'Publish', 'r')).toMatchObject({ code: 'ECONNRESET' });
  });

  test('GIVEN an error the service never returns THEN it is rejected, naming the service', () => {
    expect(serviceErrorProblem('lambda', 'ThrottlingException')).toBeUndefined();
    expect(serviceErrorProblem('sns', 'Throttling')).toBeUndefined();
    expect(serviceErrorProblem('lambda', 'ProvisionedThroughputExceededException')).toMatch(/'ProvisionedThroughputExceededException' is not an error lambda returns/);
    expect(serviceErrorProblem('dynamodb', 'ThrottlingExceptoin')).toMatch(/is not an error dynamodb returns/);
    expect(serviceErrorProblem('lambda', 'Throttling')).toMatch(/not an error lambda returns/);
  });
});

describe('the SDK retry model', () => {
  // @smithy/core is the SDK's own implementation: the model must classify as it does.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const smithy = require('@smithy/core/retry') as {
    isThrottlingError(e: unknown): boolean; isTransientError(e: unknown): boolean; isServerError(e: unknown): boolean;
  };
  const smithyType = (e: unknown) => (smithy.isThrottlingError(e) ? 'THROTTLING' : smithy.isTransientError(e) ? 'TRANSIENT' : smithy.isServerError(e) ? 'SERVER_ERROR' : 'CLIENT_ERROR');

  test.each([
    ['Lambda', 'TooManyRequestsException'],
    ['Lambda', 'ThrottlingException'],
    ['Lambda', 'ServiceException'],
    ['Lambda', 'ResourceConflictException'],
    ['Lambda', 'PreconditionFailedException'],
    ['Lambda', 'EC2UnexpectedException'],
    ['DynamoDB', 'ProvisionedThroughputExceededException'],
    ['DynamoDB', 'InternalServerError'],
    ['SNS', 'InternalErrorException'],
    ['SNS', 'ThrottledException'],
    ['CloudWatch', 'Throttling'],
    ['Lambda', 'TimeoutError'],
    ['Lambda', 'ECONNRESET'],
    ['Lambda', 'ServiceUnavailable'],
    ['Lambda', 'InternalFailure'],
  ])('GIVEN %s %s THEN classified as @smithy/core classifies it', (service, name) => {
    const e = serviceError(service, name, 'Op', 'r');
    expect(retryErrorType(e)).toBe(smithyType(e));
  });

  test('GIVEN throttling on every attempt THEN maxAttempts attempts, delays slept on the virtual clock within full jitter, then the error with the attempt count', async () => {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    const model = new SdkRetryModel(1, (ms) => scheduler.sleep(ms));
    const times: number[] = [];
    const call = () => model.send({}, { maxAttempts: 5, retryMode: 'adaptive' }, async () => {
      times.push(scheduler.clock.now());
      throw serviceError('Lambda', 'TooManyRequestsException', 'Op', 'r');
    });
    const error = await drive(scheduler, scheduler.participate('x', call)).catch((e) => e);
    expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { attempts: 5 } });
    expect(times).toHaveLength(5);
    // Retry i waits floor(random * min(1000 * 2^i, 20000)) ms after a throttling error.
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    gaps.forEach((g, i) => expect(g).toBeLessThan(1000 * 2 ** i));
    expect(error.$metadata.totalRetryDelay).toBe(gaps.reduce((a, b) => a + b, 0));
  });

  test('GIVEN a client error THEN one attempt; GIVEN a transient error once THEN the second attempt answers', async () => {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    const model = new SdkRetryModel(1, (ms) => scheduler.sleep(ms));
    let n = 0;
    await expect(model.send({}, { maxAttempts: 5, retryMode: 'standard' }, async () => {
      n++;
      throw serviceError('Lambda', 'ResourceConflictException', 'Op', 'r');
    })).rejects.toMatchObject({ name: 'ResourceConflictException', $metadata: { attempts: 1 } });
    expect(n).toBe(1);
    let m = 0;
    const out = await drive(scheduler, scheduler.participate('y', () => model.send({}, { maxAttempts: 3, retryMode: 'standard' }, async () => {
      if (++m === 1) throw serviceError('SNS', 'InternalErrorException', 'Publish', 'r');
      return 'ok';
    })));
    expect(out).toMatchObject({ output: 'ok', attempts: 2 });
  });

  test('GIVEN a client whose retry quota is spent THEN it stops retrying (500 tokens, 14 per transient retry)', async () => {
    const scheduler = new VirtualScheduler(new VirtualClock(T0));
    const model = new SdkRetryModel(1, (ms) => scheduler.sleep(ms));
    const client = {};
    let attempts = 0;
    const failing = () => model.send(client, { maxAttempts: 2, retryMode: 'standard' }, async () => {
      attempts++;
      throw serviceError('Lambda', 'ServiceException', 'Op', 'r');
    }).catch(() => undefined);
    // 35 retries of 14 tokens spend 490 of 500: the 36th call has no retry left.
    for (let i = 0; i < 36; i++) await drive(scheduler, scheduler.participate(`c${i}`, failing));
    expect(attempts).toBe(35 * 2 + 1);
  });
});

describe('fault injector', () => {
  test('GIVEN afterCalls, times and fromMinute THEN the matching calls after the skipped ones fail, and each firing is recorded', () => {
    const f = new FaultInjector(T0, [
      { service: 'lambda', operation: 'UpdateFunctionConfiguration', error: 'ThrottlingException', times: 2, afterCalls: 1, fromMinute: 5 },
      { service: 'dynamodb', operation: 'PutItem', error: 'ThrottlingException', handler: 'finalize' },
    ]);
    const at = (m: number) => T0 + m * MIN;
    expect(f.onCall('Lambda', 'UpdateFunctionConfiguration', at(1), 'sim-1')).toBeUndefined(); // before minute 5: not counted
    expect(f.onCall('Lambda', 'UpdateFunctionConfiguration', at(5), 'sim-1')).toBeUndefined(); // skipped (afterCalls 1)
    expect(f.onCall('Lambda', 'GetFunctionConfiguration', at(5), 'sim-1')).toBeUndefined();
    expect(f.onCall('Lambda', 'UpdateFunctionConfiguration', at(6), 'sim-1')?.error).toBe('ThrottlingException');
    expect(f.onCall('Lambda', 'UpdateFunctionConfiguration', at(6), 'sim-2')?.error).toBe('ThrottlingException');
    expect(f.onCall('Lambda', 'UpdateFunctionConfiguration', at(7), 'sim-2')).toBeUndefined(); // times used up
    expect(f.onCall('DynamoDB', 'PutItem', at(7), 'sim-2', 'verify')).toBeUndefined(); // another handler
    expect(f.unfired()).toEqual(['account.faults[1] (dynamodb:PutItem ThrottlingException) fired 0 of 1 time(s); 0 matching call(s) seen']);
    expect(f.onCall('DynamoDB', 'PutItem', at(8), 'sim-2', 'finalize')?.error).toBe('ThrottlingException');
    expect(f.unfired()).toEqual([]);
    expect(f.fired).toEqual([
      { minute: 6, target: 'lambda:UpdateFunctionConfiguration', effect: 'ThrottlingException', executionId: 'sim-1' },
      { minute: 6, target: 'lambda:UpdateFunctionConfiguration', effect: 'ThrottlingException', executionId: 'sim-2' },
      { minute: 8, target: 'dynamodb:PutItem by finalize', effect: 'ThrottlingException', executionId: 'sim-2' },
    ]);
  });

  test('GIVEN a handler fault whose invocation ended before its point THEN it stays for a later invocation; an execution fault that hit nothing is named', () => {
    const f = new FaultInjector(T0, [], [{ handler: 'finalize', effect: 'crash', times: 1 }], [{ effect: 'abort', atMinute: 12 }]);
    const first = f.onInvocation('finalize', T0)!;
    expect(f.onInvocation('finalize', T0)).toBeUndefined(); // reserved by the invocation in flight
    f.handlerMissed(first.index);
    const second = f.onInvocation('finalize', T0 + MIN)!;
    f.handlerFired(second.index, T0 + MIN, 'sim-3');
    expect(f.onInvocation('finalize', T0 + 2 * MIN)).toBeUndefined();
    expect(f.unfired()).toEqual(['executionFaults[0] (abort at minute 12) hit no running execution']);
  });
});

describe('faults through the simulated account and the client\'s own retry', () => {
  function account(faults: ConstructorParameters<typeof FaultInjector>[1]) {
    const acc = new SimulatedAccount({
      start: T0,
      seed: 7,
      lambda: { updateDelayMs: 2000 },
      functions: [{ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } }],
    });
    acc.useFaults(new FaultInjector(T0, faults));
    return acc;
  }
  const caller = { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:repair', functionName: 'repair' };
  // As src/runtime/lambda-config.ts configures it.
  const lambda = () => new LambdaClient({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 5 });

  test('GIVEN two throttled attempts THEN the third attempt of the same call succeeds: three calls reach Lambda, one change', async () => {
    const acc = account([{ service: 'lambda', operation: 'UpdateFunctionConfiguration', error: 'ThrottlingException', times: 2 }]);
    const restore = acc.install();
    try {
      const out = await drive(acc.scheduler, acc.scheduler.participate('x', () => runAsCaller(caller, () => lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 768 })))));
      expect(out.$metadata.attempts).toBe(3);
      expect(acc.recorder.filter('Lambda', 'UpdateFunctionConfiguration').map((c) => c.error ?? 'ok')).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
      expect(acc.functionNamed('orders').config.memorySize).toBe(768);
    } finally {
      restore();
    }
  });

  test('GIVEN the response of an applied update lost THEN the change is made, the SDK retries into the update in progress and the caller sees ResourceConflictException', async () => {
    const acc = account([{ service: 'lambda', operation: 'UpdateFunctionConfiguration', error: 'TimeoutError', effect: 'applyThenFail' }]);
    const restore = acc.install();
    try {
      const config = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
      const update = () => lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', MemorySize: 768, RevisionId: config.RevisionId }));
      const error = await drive(acc.scheduler, acc.scheduler.participate('x', () => runAsCaller(caller, update))).catch((e) => e);
      expect(error).toMatchObject({ name: 'ResourceConflictException', $metadata: { attempts: 2 } });
      expect(acc.recorder.filter('Lambda', 'UpdateFunctionConfiguration').map((c) => c.error)).toEqual(['TimeoutError', 'ResourceConflictException']);
      expect(acc.functionNamed('orders').config.memorySize).toBe(768);
    } finally {
      restore();
    }
  });

  test('GIVEN SNS failing more often than the client retries (3 attempts) THEN the publish fails; nothing is published', async () => {
    const acc = account([{ service: 'sns', operation: 'Publish', error: 'InternalErrorException', times: 3 }]);
    const restore = acc.install();
    try {
      const sns = new SNSClient({ region: 'us-east-1', maxAttempts: 3 });
      const error = await drive(acc.scheduler, acc.scheduler.participate('x', () => sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })))).catch((e) => e);
      expect(error).toMatchObject({ name: 'InternalErrorException', $metadata: { attempts: 3 } });
      expect(acc.messaging.messages).toEqual([]);
    } finally {
      restore();
    }
  });
});
