import { initFailureRule } from '../../../src/core';
import { contextFor, healthy } from '../support';

const IMPORT_ERROR = [
  { timestamp: '2026-11-20T10:00:00.000Z', message: "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'\nTraceback (most recent call last):" },
  { timestamp: '2026-11-20T10:00:00.100Z', message: 'INIT_REPORT Init Duration: 412.08 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError' },
];

describe('init-failure rule', () => {
  test('GIVEN an import error at init WHEN evaluated THEN it is an init failure, not memory', () => {
    const v = initFailureRule.evaluate(contextFor([...IMPORT_ERROR, ...healthy(2, 512, 400)], {}, 512));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'INIT_FAILURE', weight: 0.8 });
    expect(v.evidence?.description).toBe('the init phase failed 2 time(s) (Runtime.ImportModuleError)');
  });

  test('GIVEN an init that ran out of memory WHEN evaluated THEN it is not an init failure', () => {
    const logs = [{ timestamp: '2026-11-20T10:00:00.000Z', message: 'INIT_REPORT Init Duration: 3012.00 ms\tPhase: init\tStatus: error\tError Type: Runtime.OutOfMemory' }];
    expect(initFailureRule.evaluate(contextFor(logs, {}, 512)).answer).toBe('not-applicable');
  });
});
