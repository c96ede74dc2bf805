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

describe('$or and exists as EventBridge documents them', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
  // "Comparison operators only work on leaf nodes, with the exception of $or and anything-but."
  // Event Ruler (the matcher EventBridge runs, https://github.com/aws/event-ruler, "The $or
  // Primitive") treats `$or` as OR only when it is an array of two or more objects.
  const contributor = { detail: { alarmName: 'x-fleet-Errors', alarmContributor: { id: 'c1', attributes: { FunctionName: 'f' } } } };
  const stateChange = { detail: { alarmName: 'x-fn-Errors-f', state: { value: 'ALARM' } } };
  const pattern = {
    detail: {
      $or: [
        { alarmName: [{ prefix: 'x-fn-' }], alarmContributor: { id: [{ exists: false }] } },
        { alarmName: [{ prefix: 'x-fleet-' }], alarmContributor: { id: [{ exists: true }] } },
      ],
    },
  };

  test('an event matches when one alternative matches all its fields', () => {
    expect(matchesPattern(pattern, contributor)).toBe(true);
    expect(matchesPattern(pattern, stateChange)).toBe(true);
  });

  test('an event matching no alternative does not match', () => {
    const fleetStateChange = { detail: { alarmName: 'x-fleet-Errors', state: { value: 'ALARM' } } };
    const fnContributor = { detail: { alarmName: 'x-fn-Errors-f', alarmContributor: { id: 'c1' } } };
    expect(matchesPattern(pattern, fleetStateChange)).toBe(false);
    expect(matchesPattern(pattern, fnContributor)).toBe(false);
  });

  test('"Exists matching only works on leaf nodes": exists false matches a missing parent and an intermediate node', () => {
    expect(matchesPattern({ detail: { alarmContributor: { id: [{ exists: false }] } } }, stateChange)).toBe(true);
    // The Ruler README: `{"c-count": [{"exists": false}]}` also matches `"c-count": {"c1": 100}`.
    expect(matchesPattern({ detail: { alarmContributor: [{ exists: false }] } }, contributor)).toBe(true);
  });

  test('a one-element $or is not an OR: $or is then an ordinary field name the event lacks', () => {
    expect(matchesPattern({ detail: { $or: [{ alarmName: [{ prefix: 'x-' }] }] } }, stateChange)).toBe(false);
  });
});
