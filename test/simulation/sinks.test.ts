import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../src/simulation/clock';
import { EventBus } from '../../src/simulation/event-bus';
import { ExecutionRecord } from '../../src/simulation/executor';
import { VirtualScheduler } from '../../src/simulation/scheduler';
import { executionLogLines, heldLocks, secretsInSinks, sinkTexts } from '../../src/simulation/sinks';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

function record(status: ExecutionRecord['status']): ExecutionRecord {
  return {
    name: 'sim-0001',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:sim-0001',
    input: { detail: { alarmName: 'a' } },
    startedAt: T0,
    endedAt: T0 + 1000,
    status,
    ...(status === 'SUCCEEDED' ? { output: { outcome: 'done' } } : { error: 'States.TaskFailed: the cause' }),
    steps: [
      { state: 'RequestApproval', kind: 'task', startedAt: T0, endedAt: T0, input: { taskToken: 'sim-task-token-1' }, output: { approved: true } },
      { state: 'Repair', kind: 'task', startedAt: T0, endedAt: T0, input: { x: 1 }, error: { name: 'Boom', message: '{"errorMessage":"password=hunter2-xyz"}' } },
    ],
  };
}

describe('the execution log model (LoggingConfiguration)', () => {
  test('GIVEN ALL with execution data THEN inputs (the task token included), outputs, errors and causes are logged', () => {
    const text = executionLogLines([record('SUCCEEDED')], { level: 'ALL', includeExecutionData: true }).join('\n');
    expect(text).toContain('sim-task-token-1');
    expect(text).toContain('"outcome":"done"');
    expect(text).toContain('hunter2-xyz');
  });

  test('GIVEN ALL without execution data THEN no input or output, but error names and causes stay', () => {
    const text = executionLogLines([record('SUCCEEDED')], { level: 'ALL', includeExecutionData: false }).join('\n');
    expect(text).not.toContain('sim-task-token-1');
    expect(text).not.toContain('"outcome"');
    expect(text).toContain('hunter2-xyz');
  });

  test('GIVEN ERROR or FATAL THEN only failures; OFF nothing', () => {
    const failed = [record('FAILED')];
    expect(executionLogLines(failed, { level: 'ERROR', includeExecutionData: true }).map((l) => JSON.parse(l).type)).toEqual(['TaskFailed', 'ExecutionFailed']);
    expect(executionLogLines(failed, { level: 'FATAL', includeExecutionData: true }).map((l) => JSON.parse(l).type)).toEqual(['ExecutionFailed']);
    expect(executionLogLines([record('ABORTED')], { level: 'FATAL', includeExecutionData: true }).map((l) => JSON.parse(l).type)).toEqual(['ExecutionAborted']);
    expect(executionLogLines(failed, { level: 'OFF', includeExecutionData: true })).toEqual([]);
  });
});

describe('locks and secrets', () => {
  test('GIVEN lock items THEN one whose TTL passed in virtual time is not held, one without TTL or with a later TTL is', () => {
    const now = T0 + 3600_000;
    const items = [
      { pk: 'LOCK#a', sk: 'LOCK', recordType: 'LOCK', ttl: (T0 + 60_000) / 1000 },
      { pk: 'LOCK#b', sk: 'LOCK', recordType: 'LOCK', ttl: (now + 60_000) / 1000 },
      { pk: 'LOCK#c', sk: 'LOCK', recordType: 'LOCK' },
      { pk: 'STATE#a', sk: 'STATE', ttl: 1 },
    ];
    expect(heldLocks(items, 'ttl', now).map((i) => i.pk)).toEqual(['LOCK#b', 'LOCK#c']);
  });

  test('GIVEN a secret in the prompt and, JSON-escaped, in a record THEN both sinks name it; the others do not', () => {
    const secret = 'Pa55"w0rd-sim';
    const found = secretsInSinks([secret], sinkTexts({
      apiCalls: [{ time: '', service: 'BedrockRuntime', operation: 'Converse', input: { messages: [{ content: [{ text: `db ${secret}` }] }] } }],
      items: [{ pk: 'EVIDENCE', text: `x ${secret}` }],
      notifications: [],
      events: [],
      executionLog: [],
    }));
    expect(found).toEqual({ prompt: [secret], records: [secret], notifications: [], events: [], executionLog: [] });
  });
});

describe('the execution status change event', () => {
  test('GIVEN an aborted execution THEN the event has exactly the fields of the documented example', () => {
    const documented = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'sfn-events', 'execution-aborted.json'), 'utf8'));
    const bus = new EventBus({
      rules: [],
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m',
      handlers: new Map(),
      scheduler: new VirtualScheduler(new VirtualClock(T0)),
      requestId: () => 'r',
      eventId: () => 'e',
      startExecution: () => undefined,
      participate: (_n, fn) => fn(),
    });
    const event = bus.executionStatusEvent({ ...record('ABORTED'), endedAt: T0 + 5000 }, 'arn:aws:states:us-east-1:123456789012:stateMachine:m', 'ABORTED', T0 + 5000);
    expect(Object.keys(event).sort()).toEqual(Object.keys(documented).sort());
    expect(Object.keys(event.detail as object).sort()).toEqual(Object.keys(documented.detail).sort());
    expect(event).toMatchObject({ 'source': 'aws.states', 'detail-type': 'Step Functions Execution Status Change', 'detail': { status: 'ABORTED', startDate: T0, stopDate: T0 + 5000, output: null } });
  });
});
