// Internal: which alarm events start the workflow, as an EventBridge event pattern.
// Not exported from src/index.ts.
//
// EventBridge matching (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
// fields AND, values in an array OR, `prefix` on strings, `exists` on leaf fields only, and `$or`
// for alternatives of several fields. A pattern is at most 2,048 characters
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html: "Event pattern |
// 2048 characters maximum").

/** EventBridge's limit on an event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** What to route. */
export interface AlarmRouting {
  /** The account the alarms live in (the stack's). */
  readonly account: string;
  /** `<prefix>-fn-`: per-function metric alarms, state changes only. */
  readonly functionAlarmNamePrefix?: string;
  /** `<prefix>-mem-`: memory log alarms, any event (their shape is not documented). */
  readonly memoryAlarmNamePrefix?: string;
  /** `<prefix>-fleet-`: Metrics Insights alarms over a fleet, contributor events only. */
  readonly fleetAlarmNamePrefix?: string;
  /** Alarms chosen by a prefix of the user's own (no monitoring): every event. */
  readonly otherAlarmPrefix?: string;
  /** The user's alarms by exact name: state changes only. */
  readonly alarmNames: readonly string[];
}

/**
 * The rule's pattern (CloudFormation keys). Only transitions into ALARM start a run. A state
 * change has no `alarmContributor`; a contributor event has `alarmContributor.id` (a leaf, so
 * `exists` applies to it: "Exists matching only works on leaf nodes").
 */
export function alarmRulePattern(r: AlarmRouting): Record<string, unknown> {
  const stateChange = { alarmContributor: { id: [{ exists: false }] } };
  const contributor = { alarmContributor: { id: [{ exists: true }] } };
  const alternatives: Record<string, unknown>[] = [];
  if (r.functionAlarmNamePrefix) alternatives.push({ alarmName: [{ prefix: r.functionAlarmNamePrefix }], ...stateChange });
  if (r.memoryAlarmNamePrefix) alternatives.push({ alarmName: [{ prefix: r.memoryAlarmNamePrefix }] });
  // Alarm-level events of multi-time-series alarms never start an execution: each contributor has its own.
  if (r.fleetAlarmNamePrefix) alternatives.push({ alarmName: [{ prefix: r.fleetAlarmNamePrefix }], ...contributor });
  if (r.otherAlarmPrefix) alternatives.push({ alarmName: [{ prefix: r.otherAlarmPrefix }] });
  if (r.alarmNames.length > 0) alternatives.push({ alarmName: [...r.alarmNames], ...stateChange });
  if (alternatives.length === 0) throw new Error('no alarm to route');
  const detail: Record<string, unknown> = { state: { value: ['ALARM'] } };
  // `$or` needs two alternatives at least; one is written as it is.
  if (alternatives.length === 1) Object.assign(detail, alternatives[0]);
  else detail.$or = alternatives;
  return {
    'source': ['aws.cloudwatch'],
    'account': [r.account],
    'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'],
    detail,
  };
}
