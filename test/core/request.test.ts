import { fixture } from './support';
import { parseDiagnosisRequest, RequestValidationError } from '../../src/core';

function valid(): Record<string, any> {
  return {
    functionName: 'orders-api',
    alarmDetails: { alarmName: 'orders-api-errors', metricName: 'Errors', threshold: 1, evaluationPeriods: 2 },
    metrics: [{ timestamp: '2026-11-20T10:00:00.000Z', value: 3 }],
    logs: [{ timestamp: '2026-11-20T10:00:00.000Z', message: 'START RequestId: abc Version: $LATEST' }],
    functionConfig: { memorySize: 512, timeout: 30, runtime: 'python3.12', architecture: 'arm64' },
    metricSeries: { Invocations: [{ timestamp: '2026-11-20T10:00:00.000Z', value: 60 }] },
  };
}

describe('parseDiagnosisRequest', () => {
  test('GIVEN each shared sample WHEN parsed THEN it is accepted with its logs and config', () => {
    const r = fixture('oom-killed-python');
    expect(r.functionName).toBe('ingest-2');
    expect(r.functionConfig).toEqual({ memorySize: 256, timeout: 120, runtime: 'python3.12', architecture: 'arm64' });
    expect(r.logs).toHaveLength(40);
    expect(Object.keys(r.metricSeries ?? {})).toEqual(['Invocations', 'Errors', 'Duration', 'Throttles', 'ConcurrentExecutions']);
  });

  test('GIVEN epoch-millisecond timestamps WHEN parsed THEN they become ISO-8601', () => {
    const v = valid();
    v.logs[0].timestamp = Date.parse('2026-11-20T10:00:00.000Z');
    expect(parseDiagnosisRequest(v).logs[0].timestamp).toBe('2026-11-20T10:00:00.000Z');
  });

  test('GIVEN missing logs and metrics WHEN parsed THEN they are empty (partial data is not fatal)', () => {
    const v = valid();
    delete v.logs;
    delete v.metrics;
    const r = parseDiagnosisRequest(v);
    expect(r.logs).toEqual([]);
    expect(r.metrics).toEqual([]);
  });

  test('GIVEN unknown fields such as environment variables WHEN parsed THEN they are dropped', () => {
    const v = valid();
    v.functionConfig.environment = { Variables: { DB_PASSWORD: 'secret' } };
    v.secret = 'x';
    const r = parseDiagnosisRequest(v) as unknown as Record<string, any>;
    expect(r.secret).toBeUndefined();
    expect(r.functionConfig.environment).toBeUndefined();
  });

  test.each([
    [(v: any) => { v.functionConfig.memorySize = 'abc'; }, 'functionConfig.memorySize must be a number between 128 and 10240, got "abc"'],
    [(v: any) => { v.functionConfig.memorySize = 20000; }, 'functionConfig.memorySize must be a number between 128 and 10240, got 20000'],
    [(v: any) => { v.functionConfig.timeout = 0; }, 'functionConfig.timeout must be a number between 1 and 900, got 0'],
    [(v: any) => { delete v.functionName; }, 'functionName must be a non-empty string, got nothing'],
    [(v: any) => { v.alarmDetails.threshold = '1'; }, 'alarmDetails.threshold must be a number, got "1"'],
    [(v: any) => { v.alarmDetails = null; }, 'alarmDetails must be an object, got null'],
    [(v: any) => { v.logs = 'REPORT'; }, 'logs must be an array, got "REPORT"'],
    [(v: any) => { v.logs[0].message = 5; }, 'logs[0].message must be a string, got 5'],
    [(v: any) => { v.logs[0].timestamp = 'yesterday'; }, 'logs[0].timestamp must be an ISO-8601 timestamp or epoch milliseconds, got "yesterday"'],
    [(v: any) => { v.metricSeries.Invocations[0].value = null; }, 'metricSeries.Invocations[0].value must be a number, got null'],
    [(v: any) => { v.incomplete = 'yes'; }, 'incomplete must be a boolean, got "yes"'],
  ])('fails when a field is malformed (%#)', (mutate, message) => {
    const v = valid();
    mutate(v);
    expect(() => parseDiagnosisRequest(v)).toThrow(RequestValidationError);
    expect(() => parseDiagnosisRequest(v)).toThrow(message);
  });

  test('fails when the request is not an object, naming the field in the error', () => {
    let error: unknown;
    try {
      parseDiagnosisRequest([]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RequestValidationError);
    expect((error as RequestValidationError).name).toBe('RequestValidationError');
    expect((error as RequestValidationError).field).toBe('request');
    expect((error as Error).message).toBe('request must be an object, got an array');
  });
});
