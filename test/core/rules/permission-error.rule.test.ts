import { permissionErrorRule } from '../../../src/core';
import { contextFor, healthy, rid, textInvocation } from '../support';

describe('permission-error rule', () => {
  test('GIVEN AccessDeniedException on every failing invocation WHEN evaluated THEN it is not memory', () => {
    const logs = [...healthy(3, 512, 460), ...textInvocation({
      id: rid(1),
      memorySizeMb: 512,
      maxMemoryUsedMb: 470,
      lines: ['[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the GetItem operation: User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: dynamodb:GetItem'],
    })];
    const v = permissionErrorRule.evaluate(contextFor(logs, {}, 512));
    expect(v).toMatchObject({ answer: 'not-memory', category: 'PERMISSION_ERROR', weight: 0.9 });
  });

  test('GIVEN no permission error WHEN evaluated THEN it is not applicable', () => {
    expect(permissionErrorRule.evaluate(contextFor(healthy(3, 512, 460), {}, 512)).answer).toBe('not-applicable');
  });
});
