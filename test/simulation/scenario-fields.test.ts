import { parseScenario } from '../../src/simulation/scenario';

const base = {
  name: 'x-y',
  description: 'd',
  durationMinutes: 10,
  expect: {},
  functions: [{ functionName: 'orders', runtime: 'nodejs22.x', memorySizeMb: 256, timeoutSeconds: 30, workload: { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 } }],
};

describe('scenario fields for log groups and mute rules', () => {
  test('GIVEN logGroupName, neverInvokedBefore and alarmMutes THEN accepted', () => {
    const s = parseScenario({ ...base, functions: [{ ...base.functions[0], logGroupName: '/custom/orders', neverInvokedBefore: true }], account: { alarmMutes: [{ alarmNamePrefix: 'lar-', fromMinute: 0, toMinute: 30 }] } }, 't.json');
    expect(s.functions[0].logGroupName).toBe('/custom/orders');
    expect(s.account?.alarmMutes).toHaveLength(1);
  });

  test('GIVEN a log group starting with aws/ or an empty mute window THEN each is named', () => {
    expect(() => parseScenario({ ...base, functions: [{ ...base.functions[0], logGroupName: 'aws/orders' }], account: { alarmMutes: [{ alarmNamePrefix: 'lar-', fromMinute: 5, toMinute: 5 }] } }, 't.json'))
      .toThrow(/functions\[0\]\.logGroupName must be .* got 'aws\/orders'; account\.alarmMutes\[0\] needs whole minutes with 0 <= fromMinute < toMinute, got 5\.\.5/);
  });

  test('GIVEN a non-boolean neverInvokedBefore THEN the type is named with the value', () => {
    expect(() => parseScenario({ ...base, functions: [{ ...base.functions[0], neverInvokedBefore: 'yes' }] }, 't.json'))
      .toThrow('t.json: functions[0].neverInvokedBefore must be true or false, got "yes"');
  });
});
