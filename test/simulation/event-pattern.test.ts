import { matchesPattern } from '../../src/simulation/event-pattern';

const event = {
  'source': 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  'detail': { alarmName: 'LambdaAutoRemediation-Errors-1', state: { value: 'ALARM' }, count: 5 },
};

describe('EventBridge event patterns', () => {
  test('GIVEN the workflow rule pattern WHEN an ALARM transition of a managed alarm THEN it matches', () => {
    expect(matchesPattern({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
      'detail': { alarmName: [{ prefix: 'LambdaAutoRemediation-' }], state: { value: ['ALARM'] } },
    }, event)).toBe(true);
  });

  test('GIVEN a state filter WHEN the alarm went to OK THEN no match', () => {
    const ok = { ...event, detail: { ...event.detail, state: { value: 'OK' } } };
    expect(matchesPattern({ detail: { state: { value: ['ALARM'] } } }, ok)).toBe(false);
  });

  test('GIVEN anything-but, exists, numeric and wildcard rules THEN each behaves as EventBridge documents', () => {
    expect(matchesPattern({ detail: { alarmName: [{ 'anything-but': ['other'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { count: [{ numeric: ['>', 3, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { alarmName: [{ wildcard: '*-Errors-*' }] } }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.lambda'] }, event)).toBe(false);
  });

  test('GIVEN $or THEN the event matches when any branch matches at that level', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      detail: { $or: [{ alarmName: [{ prefix: 'lar-fn-' }], alarmContributor: [{ exists: false }] }, { alarmName: [{ prefix: 'lar-fleet-' }], alarmContributor: { id: [{ exists: true }] } }] },
    };
    const fn = { source: 'aws.cloudwatch', detail: { alarmName: 'lar-fn-Errors-orders' } };
    const fleetContributor = { source: 'aws.cloudwatch', detail: { alarmName: 'lar-fleet-Errors', alarmContributor: { id: 'abc' } } };
    const fleetAlarmLevel = { source: 'aws.cloudwatch', detail: { alarmName: 'lar-fleet-Errors' } };
    expect(matchesPattern(pattern, fn)).toBe(true);
    expect(matchesPattern(pattern, fleetContributor)).toBe(true);
    expect(matchesPattern(pattern, fleetAlarmLevel)).toBe(false);
  });
});
