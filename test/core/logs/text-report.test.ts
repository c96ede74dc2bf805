import { parseTextPlatformLine } from '../../../src/core/logs';

const ID = '3c9490df-8fc5-454a-b539-3fcd966ea432';

describe('parseTextPlatformLine', () => {
  test('GIVEN a plain REPORT line WHEN parsed THEN every figure is read', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tDuration: 4645.30 ms\tBilled Duration: 4646 ms\tMemory Size: 2048 MB\tMax Memory Used: 2017 MB\t`);
    expect(facts).toEqual({
      kind: 'report',
      requestId: ID,
      report: {
        durationMs: 4645.3,
        billedDurationMs: 4646,
        memorySizeMb: 2048,
        maxMemoryUsedMb: 2017,
        initDurationMs: undefined,
        status: undefined,
        errorType: undefined,
      },
      signals: [],
    });
  });

  test('GIVEN a REPORT with Init Duration, Status and Error Type Runtime.OutOfMemory WHEN parsed THEN it signals a platform OOM', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tDuration: 965.84 ms\tBilled Duration: 966 ms\tMemory Size: 256 MB\tMax Memory Used: 257 MB\tInit Duration: 312.44 ms\tStatus: error\tError Type: Runtime.OutOfMemory\t`);
    expect(facts?.report).toMatchObject({ maxMemoryUsedMb: 257, memorySizeMb: 256, initDurationMs: 312.44, status: 'error', errorType: 'Runtime.OutOfMemory' });
    expect(facts?.signals).toEqual(['platformOom']);
  });

  test('GIVEN a REPORT with X-Ray fields on a second line WHEN parsed THEN the figures and the request id are unaffected', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tDuration: 12.01 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t\nXRAY TraceId: 1-5e6f7a8b-1234567890abcdef12345678\tSegmentId: 1a2b3c4d5e6f7a8b\tSampled: true\t\n`);
    expect(facts?.requestId).toBe(ID);
    expect(facts?.report).toMatchObject({ durationMs: 12.01, memorySizeMb: 128, maxMemoryUsedMb: 70, initDurationMs: 150.12 });
  });

  test('GIVEN a REPORT with its fields in another order, restore fields and unknown fields sharing a first letter WHEN parsed THEN each figure comes from its own field', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tMax Memory Used: 300 MB\tMemory Limit: 9 MB\tRestore Duration: 7.5 ms\tBilled Restore Duration: 8 ms\t`
      + 'Memory Size: 512 MB\tDurable: 4 ms\tBilled Duration: 101 ms\tDuration: 100.25 ms\tInit Duration: 40.5 ms\tStatus: timeout\tError Type: Sandbox.Timedout\tSampled: true');
    expect(facts?.report).toEqual({
      durationMs: 100.25, billedDurationMs: 101, memorySizeMb: 512, maxMemoryUsedMb: 300, initDurationMs: 40.5, status: 'timeout', errorType: 'Sandbox.Timedout',
    });
    expect(facts?.signals).toEqual(['timeout']);
  });

  test('GIVEN a REPORT with Status: timeout WHEN parsed THEN it signals a timeout', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 90 MB\tStatus: timeout`);
    expect(facts?.signals).toEqual(['timeout']);
    expect(facts?.report?.status).toBe('timeout');
  });

  test('GIVEN a REPORT with Error Type Runtime.ExitError WHEN parsed THEN it signals an exit error, not an OOM', () => {
    const facts = parseTextPlatformLine(`REPORT RequestId: ${ID}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\tStatus: error\tError Type: Runtime.ExitError`);
    expect(facts?.signals).toEqual(['exitError']);
  });

  test('GIVEN START and END lines WHEN parsed THEN START opens the invocation and END names it', () => {
    expect(parseTextPlatformLine(`START RequestId: ${ID} Version: $LATEST`)).toEqual({ kind: 'start', requestId: ID, signals: [] });
    expect(parseTextPlatformLine(`END RequestId: ${ID}`)).toEqual({ kind: 'other', requestId: ID, signals: [] });
  });

  test('GIVEN INIT_REPORT lines with Status error or timeout WHEN parsed THEN they are init failures, unless the error is Runtime.OutOfMemory', () => {
    expect(parseTextPlatformLine('INIT_REPORT Init Duration: 10007.14 ms\tPhase: init\tStatus: timeout')).toMatchObject({ signals: ['initFailure'], initErrorType: 'init timeout' });
    expect(parseTextPlatformLine('INIT_REPORT Init Duration: 1234.56 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError'))
      .toMatchObject({ signals: ['initFailure'], initErrorType: 'Runtime.ImportModuleError' });
    expect(parseTextPlatformLine('INIT_REPORT Init Duration: 2001.00 ms\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory'))
      .toMatchObject({ signals: ['platformOom'], initErrorType: undefined });
  });

  test('GIVEN an application line WHEN parsed THEN it is not a platform line', () => {
    expect(parseTextPlatformLine('[INFO]\t2026-11-20T12:00:00.000Z\tabc\tREPORT RequestId: fake')).toBeUndefined();
  });
});
