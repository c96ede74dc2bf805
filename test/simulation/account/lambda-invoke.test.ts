import { InvokeScript, LambdaService } from '../../../src/simulation/account/lambda-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const workload = { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 };

function service(script: InvokeScript = { mode: 'answer', answer: { ok: true } }, timeoutSeconds = 3) {
  const clock = new VirtualClock(T0);
  const slept: number[] = [];
  const lambda = new LambdaService(clock, new SeededRandom(3), { sleep: async (ms) => { slept.push(ms); clock.advanceTo(clock.now() + ms); } });
  lambda.addFunction({ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload });
  lambda.addScriptedFunction({ functionName: 'team-analyzer', timeoutSeconds, script });
  return { clock, lambda, slept };
}

const text = (p: unknown) => new TextDecoder().decode(p as Uint8Array);
const payload = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('Invoke (Lambda) of a user function', () => {
  test('GIVEN a synchronous call THEN 200 with the returned value, after the code\'s run time, and the event is what the code received', async () => {
    const { lambda, slept } = service({ mode: 'answer', answer: { verdict: 'fine' }, latencyMs: 1200 });
    const out = await lambda.invoke({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:team-analyzer', Payload: payload({ functionName: 'orders' }) });
    expect(out).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(text(out.Payload))).toEqual({ verdict: 'fine' });
    expect(slept).toEqual([1200]);
    expect(lambda.invocations).toEqual([{ at: T0, functionName: 'team-analyzer', qualifier: undefined, event: { functionName: 'orders' } }]);
  });

  test('GIVEN code that throws THEN still 200, FunctionError Unhandled and the error object as payload ("The runtime didn\'t handle the error")', async () => {
    const { lambda } = service({ mode: 'error', errorType: 'TypeError' });
    const out = await lambda.invoke({ FunctionName: 'team-analyzer', Payload: payload({}) });
    expect(out).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(text(out.Payload))).toMatchObject({ errorType: 'TypeError', errorMessage: expect.any(String) });
  });

  test('GIVEN code that runs past the function timeout THEN it ends at the timeout with FunctionError Unhandled ("for example, the function ... timed out")', async () => {
    const { lambda, slept } = service({ mode: 'slow' }, 3);
    const out = await lambda.invoke({ FunctionName: 'team-analyzer', Payload: payload({}) });
    expect(slept).toEqual([3000]);
    expect(out).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(text(out.Payload)).toContain('Task timed out after 3.00 seconds');
  });

  test('GIVEN code that returns text THEN the payload is that text (not json)', async () => {
    const { lambda } = service({ mode: 'invalid' });
    const out = await lambda.invoke({ FunctionName: 'team-analyzer', Payload: payload({}) });
    expect(() => JSON.parse(text(out.Payload))).toThrow();
  });

  test('GIVEN DryRun THEN 204 and the code does not run', async () => {
    const { lambda } = service();
    expect(await lambda.invoke({ FunctionName: 'team-analyzer', InvocationType: 'DryRun' })).toEqual({ StatusCode: 204 });
    expect(lambda.invocations).toEqual([]);
  });

  test('fails with RequestTooLargeException over 6 MB ("For synchronous invocations, the maximum payload size is 6 MB")', async () => {
    const { lambda } = service();
    const big = new TextEncoder().encode(JSON.stringify({ x: 'a'.repeat(6 * 1024 * 1024) }));
    await expect(lambda.invoke({ FunctionName: 'team-analyzer', Payload: big })).rejects.toMatchObject({ name: 'RequestTooLargeException', $metadata: { httpStatusCode: 413 } });
    expect(lambda.invocations).toEqual([]);
  });

  test('fails with InvalidRequestContentException when the payload is not json', async () => {
    const { lambda } = service();
    await expect(lambda.invoke({ FunctionName: 'team-analyzer', Payload: new TextEncoder().encode('not json') })).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  test('fails with ResourceNotFoundException for an unknown function or qualifier', async () => {
    const { lambda } = service();
    await expect(lambda.invoke({ FunctionName: 'nobody', Payload: payload({}) })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lambda.invoke({ FunctionName: 'team-analyzer', Qualifier: 'live', Payload: payload({}) })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(lambda.invoke({ FunctionName: 'team-analyzer:live', Payload: payload({}) })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('fails with InvalidParameterValueException for an invocation type Lambda does not know', async () => {
    const { lambda } = service();
    await expect(lambda.invoke({ FunctionName: 'team-analyzer', InvocationType: 'Sync', Payload: payload({}) })).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
  });

  test('invoking a workload function is outside the model and says so', async () => {
    const { lambda } = service();
    await expect(lambda.invoke({ FunctionName: 'orders', Payload: payload({}) })).rejects.toMatchObject({ name: 'UnsupportedOperationError' });
  });
});
