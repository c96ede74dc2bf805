import { parsePlatformErrorLine } from '../../../src/core/logs';

const ID = 'e9526a69-d97e-467b-ac18-d982d1dcec53';

describe('parsePlatformErrorLine', () => {
  test('GIVEN "Runtime exited with error: signal: killed" WHEN parsed THEN it is a kill of the named invocation', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime exited with error: signal: killed`)).toMatchObject({ requestId: ID, signals: ['killed'] });
  });

  test('GIVEN a kill followed by Runtime.ExitError on the next line WHEN parsed THEN both signals are read', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`)?.signals).toEqual(['killed', 'exitError']);
  });

  test('GIVEN exit status 137 (128 + SIGKILL) WHEN parsed THEN it is a kill of unknown cause, not an out-of-memory kill by itself', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime exited with error: exit status 137\nRuntime.ExitError`)?.signals).toEqual(['exitStatus137', 'exitError']);
  });

  test('GIVEN kill lines as people paste them (no request id, no colons, one line) WHEN parsed THEN each is a kill', () => {
    for (const line of [
      'Runtime exited with error: signal: killed',
      'Error: Runtime exited with error: signal: killed Runtime.ExitError',
      'RequestId 8f5e5c7a-1d2b-4c3d-9e8f-0a1b2c3d4e5f Error Runtime exited with error signal killed',
      'Error: Runtime exited with error: signal killed',
    ]) {
      expect({ line, signals: parsePlatformErrorLine(line)?.signals.includes('killed') }).toEqual({ line, signals: true });
    }
  });

  test('GIVEN an exit with another signal or an exit status WHEN parsed THEN it is an exit error, not a kill', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime exited with error: signal: aborted\nRuntime.ExitError`)?.signals).toEqual(['exitError']);
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime exited with error: exit status 1`)?.signals).toEqual(['exitError']);
  });

  test('GIVEN "Process exited before completing request" WHEN parsed THEN it is an exit error', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Process exited before completing request`)).toMatchObject({ requestId: ID, signals: ['exitError'] });
  });

  test('GIVEN a text Runtime.OutOfMemory line WHEN parsed THEN it is a platform OOM', () => {
    expect(parsePlatformErrorLine(`RequestId: ${ID} Error: Runtime.OutOfMemory`)?.signals).toEqual(['platformOom']);
  });

  test('GIVEN "Task timed out after 3.00 seconds" WHEN parsed THEN the timeout, its seconds and the request id are read', () => {
    expect(parsePlatformErrorLine(`2026-11-20T10:48:32.136Z ${ID} Task timed out after 3.00 seconds`))
      .toEqual({ kind: 'other', requestId: ID, signals: ['timeout'], timeoutSeconds: 3, initErrorType: undefined });
  });

  test('GIVEN a Node.js init error record WHEN parsed THEN it is an init failure with its error type', () => {
    const line = '2026-11-20T10:00:00.000Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module \'app\'","stack":["Runtime.ImportModuleError: Error: Cannot find module \'app\'"]}';
    expect(parsePlatformErrorLine(line)).toMatchObject({ signals: ['initFailure'], initErrorType: 'Runtime.ImportModuleError' });
  });

  test('GIVEN a line that only mentions the words mid-sentence WHEN parsed THEN nothing is read', () => {
    expect(parsePlatformErrorLine('the docs say Runtime exited with error: signal: killed means OOM')).toBeUndefined();
    expect(parsePlatformErrorLine('retrying because Task timed out after 3.00 seconds upstream')).toBeUndefined();
  });
});
