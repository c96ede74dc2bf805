import { parseJsonRecord } from '../../../src/core/logs';

const ID = '3c9490df-8fc5-454a-b539-3fcd966ea432';
const TIME = '2026-11-20T10:48:12.763Z';

describe('parseJsonRecord', () => {
  test('GIVEN a platform.report with status error and Runtime.OutOfMemory WHEN parsed THEN figures and the OOM are read', () => {
    const facts = parseJsonRecord(JSON.stringify({
      time: TIME,
      type: 'platform.report',
      record: { requestId: ID, metrics: { durationMs: 965.84, billedDurationMs: 966, memorySizeMB: 256, maxMemoryUsedMB: 256, initDurationMs: 240.5 }, status: 'error', errorType: 'Runtime.OutOfMemory' },
    }));
    expect(facts).toEqual({
      kind: 'report',
      requestId: ID,
      json: true,
      signals: ['platformOom'],
      report: { durationMs: 965.84, billedDurationMs: 966, memorySizeMb: 256, maxMemoryUsedMb: 256, initDurationMs: 240.5, status: 'error', errorType: 'Runtime.OutOfMemory' },
    });
  });

  test('GIVEN a successful platform.report without initDurationMs WHEN parsed THEN it carries no signal', () => {
    const facts = parseJsonRecord(`{"time":"${TIME}","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":128,"maxMemoryUsedMB":68},"status":"success"}}`);
    expect(facts?.signals).toEqual([]);
    expect(facts?.report).toMatchObject({ maxMemoryUsedMb: 68, memorySizeMb: 128, initDurationMs: undefined, status: 'success' });
  });

  test('GIVEN platform.runtimeDone with status timeout WHEN parsed THEN it is a timeout of the named invocation', () => {
    expect(parseJsonRecord(`{"time":"${TIME}","type":"platform.runtimeDone","record":{"requestId":"${ID}","status":"timeout"}}`))
      .toMatchObject({ kind: 'other', requestId: ID, signals: ['timeout'] });
  });

  test('GIVEN platform.runtimeDone with Runtime.ExitError WHEN parsed THEN it is an exit error', () => {
    expect(parseJsonRecord(`{"time":"${TIME}","type":"platform.runtimeDone","record":{"requestId":"${ID}","status":"error","errorType":"Runtime.ExitError"}}`)?.signals).toEqual(['exitError']);
  });

  test('GIVEN platform.start WHEN parsed THEN it opens the invocation', () => {
    expect(parseJsonRecord(`{"time":"${TIME}","type":"platform.start","record":{"requestId":"${ID}","version":"$LATEST"}}`)).toEqual({ kind: 'start', requestId: ID, signals: [], json: true });
  });

  test('GIVEN a failed platform.initReport WHEN parsed THEN it is an init failure with its error type', () => {
    expect(parseJsonRecord(`{"time":"${TIME}","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"error","errorType":"Runtime.HandlerNotFound","metrics":{"durationMs":120.3}}}`))
      .toMatchObject({ signals: ['initFailure'], initErrorType: 'Runtime.HandlerNotFound' });
  });

  test('GIVEN a JSON application record with a Python MemoryError WHEN parsed THEN it is a language OOM of that invocation', () => {
    const facts = parseJsonRecord(JSON.stringify({
      timestamp: TIME,
      level: 'ERROR',
      requestId: ID,
      errorType: 'MemoryError',
      errorMessage: 'Unable to allocate 512. MiB',
      stackTrace: ['  File "/var/task/app.py", line 9, in handler\n'],
    }));
    expect(facts).toMatchObject({ requestId: ID, signals: ['languageOom', 'appError'], languageOomRuntime: 'python', json: true });
  });

  test('GIVEN a JSON Node.js Invoke Error with RangeError WHEN parsed THEN it is a Node.js OOM', () => {
    const facts = parseJsonRecord(JSON.stringify({
      timestamp: TIME,
      level: 'ERROR',
      requestId: ID,
      message: 'Invoke Error',
      errorType: 'RangeError',
      errorMessage: 'Array buffer allocation failed',
      stackTrace: ['RangeError: Array buffer allocation failed', '    at new ArrayBuffer (<anonymous>)'],
    }));
    expect(facts?.languageOomRuntime).toBe('nodejs');
  });

  test('GIVEN a Powertools logger.exception record WHEN parsed THEN the exception and the request id are read', () => {
    const facts = parseJsonRecord(JSON.stringify({
      level: 'ERROR',
      location: 'handler:12',
      message: 'failed to build report',
      timestamp: TIME,
      service: 'reports',
      function_request_id: ID,
      exception_name: 'MemoryError',
      exception: 'Traceback (most recent call last):\n  File "/var/task/app.py", line 12, in handler\nMemoryError',
    }));
    expect(facts).toMatchObject({ requestId: ID, languageOomRuntime: 'python', signals: ['languageOom', 'appError'] });
  });

  test('GIVEN a JSON INFO record quoting an OOM WHEN parsed THEN it carries no signal', () => {
    const facts = parseJsonRecord(JSON.stringify({ timestamp: TIME, level: 'INFO', requestId: ID, message: 'java.lang.OutOfMemoryError: Java heap space (from the user manual)' }));
    expect(facts?.signals).toEqual([]);
  });

  test('GIVEN text that is not JSON WHEN parsed THEN nothing is returned', () => {
    expect(parseJsonRecord('{not json')).toBeUndefined();
    expect(parseJsonRecord('[1,2]')).toBeUndefined();
  });
});
