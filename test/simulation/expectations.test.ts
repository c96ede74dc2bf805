import { checkExpectations, ObservedRun } from '../../src/simulation/expectations';
import { parseScenario, ScenarioError } from '../../src/simulation/scenario';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:orders';
const LOGS = 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*';

function run(accessDenied?: Array<{ action: string; resource: string }>): ObservedRun {
  return { records: [], apiCalls: [], notifications: [], outcomes: {}, executions: [], alarmEvents: 0, ...(accessDenied ? { accessDenied } : {}) };
}

function scenario(expect: unknown): unknown {
  return {
    name: 'x-scenario',
    description: 'd',
    durationMinutes: 10,
    functions: [{ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload: { invocationsPerMinute: 1, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } }],
    expect,
  };
}

describe('expect.accessDenied: checks', () => {
  test('GIVEN no expectation WHEN nothing is denied THEN the check passes', () => {
    expect(checkExpectations({}, run([]), () => 0)).toEqual([{ name: 'no unexpected denied call', passed: true, detail: 'none' }]);
  });

  test('GIVEN no expectation (default none) WHEN a call is denied THEN the scenario fails naming it', () => {
    expect(checkExpectations({}, run([{ action: 'logs:FilterLogEvents', resource: LOGS }]), () => 0)).toEqual([
      { name: 'no unexpected denied call', passed: false, detail: `logs:FilterLogEvents on ${LOGS}` },
    ]);
  });

  test('GIVEN an expected action without resource or count THEN any number >= 1 of denials of it pass, others still fail', () => {
    const denied = [
      { action: 'lambda:UpdateFunctionConfiguration', resource: FN },
      { action: 'lambda:UpdateFunctionConfiguration', resource: `${FN}x` },
      { action: 'logs:FilterLogEvents', resource: LOGS },
    ];
    expect(checkExpectations({ accessDenied: [{ action: 'lambda:UpdateFunctionConfiguration' }] }, run(denied), () => 0)).toEqual([
      { name: 'denied lambda:UpdateFunctionConfiguration', passed: true, detail: '2' },
      { name: 'no unexpected denied call', passed: false, detail: `logs:FilterLogEvents on ${LOGS}` },
    ]);
  });

  test('GIVEN an expected resource and count THEN the exact count of that resource is required', () => {
    const denied = [{ action: 'lambda:UpdateFunctionConfiguration', resource: FN }];
    expect(checkExpectations({ accessDenied: [{ action: 'lambda:UpdateFunctionConfiguration', resource: FN, count: 2 }] }, run(denied), () => 0)[0])
      .toEqual({ name: `denied lambda:UpdateFunctionConfiguration on ${FN}`, passed: false, detail: 'expected 2, got 1' });
    expect(checkExpectations({ accessDenied: [{ action: 'lambda:UpdateFunctionConfiguration', resource: LOGS }] }, run(denied), () => 0)).toEqual([
      { name: `denied lambda:UpdateFunctionConfiguration on ${LOGS}`, passed: false, detail: 'expected at least 1, got 0' },
      { name: 'no unexpected denied call', passed: false, detail: `lambda:UpdateFunctionConfiguration on ${FN}` },
    ]);
  });

  test('GIVEN an expected denial WHEN iam was not evaluated THEN it fails; without expectation nothing is checked', () => {
    expect(checkExpectations({ accessDenied: [{ action: 'logs:FilterLogEvents' }] }, run(), () => 0))
      .toEqual([{ name: 'expected denied calls', passed: false, detail: 'iam was not evaluated in this run' }]);
    expect(checkExpectations({}, run(), () => 0)).toEqual([]);
  });
});

describe('expect.accessDenied: scenario validation', () => {
  test('GIVEN entries with action, resource and count THEN accepted', () => {
    const s = parseScenario(scenario({ accessDenied: [{ action: 'logs:FilterLogEvents', resource: LOGS, count: 2 }, { action: 'cloudwatch:DescribeAlarmContributors' }] }), 'x.json');
    expect(s.expect.accessDenied).toHaveLength(2);
  });

  test.each([
    [{ accessDenied: { action: 'logs:FilterLogEvents' } }, 'expect.accessDenied must be a list, got object'],
    [{ accessDenied: [{ action: 'FilterLogEvents' }] }, "expect.accessDenied[0].action must be an iam action like 'lambda:UpdateFunctionConfiguration', got 'FilterLogEvents'"],
    [{ accessDenied: [{ action: 'logs:FilterLogEvents', count: 0 }] }, 'expect.accessDenied[0].count must be a positive integer, got 0'],
    [{ accessDenied: [{ action: 'logs:FilterLogEvents', resource: '' }] }, 'expect.accessDenied[0].resource must be a non-empty string'],
    [{ accessDenied: [{ action: 'logs:FilterLogEvents', times: 2 }] }, "unknown field 'expect.accessDenied[0].times' (allowed: action, resource, count)"],
    [{ accessDenied: ['logs:FilterLogEvents'] }, 'expect.accessDenied[0] must be an object, got string'],
  ])('GIVEN %j THEN rejected: %s', (expect_, message) => {
    expect(() => parseScenario(scenario(expect_), 'x.json')).toThrow(ScenarioError);
    expect(() => parseScenario(scenario(expect_), 'x.json')).toThrow(message);
  });
});
