import { StatesService } from '../../../src/simulation/account/states-service';
import { VirtualClock } from '../../../src/simulation/clock';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:remediation';

function service() {
  const states = new StatesService(new VirtualClock(Date.parse('2026-11-28T12:00:00Z')));
  const runs: Array<{ name: string; input: unknown; end: () => void }> = [];
  states.register(MACHINE, (name, input) => new Promise<void>((resolve) => runs.push({ name, input, end: resolve })));
  return { states, runs };
}

describe('simulated StartExecution (API_StartExecution.html)', () => {
  test('"if you call StartExecution with the same name and input as a running execution, the call succeeds and return the same response"', async () => {
    const { states, runs } = service();
    const first = await states.startExecution({ stateMachineArn: MACHINE, name: 'reexamine-1', input: '{"a":1}' });
    const again = await states.startExecution({ stateMachineArn: MACHINE, name: 'reexamine-1', input: '{"a":1}' });
    expect(again).toEqual(first);
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:remediation:reexamine-1');
    expect(runs.map((r) => [r.name, r.input])).toEqual([['reexamine-1', { a: 1 }]]);
  });

  test('"If the execution is closed or if the input is different, it returns a 400 ExecutionAlreadyExists error"', async () => {
    const { states, runs } = service();
    await states.startExecution({ stateMachineArn: MACHINE, name: 'n', input: '{"a":1}' });
    await expect(states.startExecution({ stateMachineArn: MACHINE, name: 'n', input: '{"a":2}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    runs[0].end();
    await new Promise((r) => setImmediate(r));
    await expect(states.startExecution({ stateMachineArn: MACHINE, name: 'n', input: '{"a":1}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(runs).toHaveLength(1);
  });

  test('rejects names AWS rejects and state machines that do not exist', async () => {
    const { states } = service();
    await expect(states.startExecution({ stateMachineArn: MACHINE, name: 'has:colon' })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(states.startExecution({ stateMachineArn: MACHINE, name: 'x'.repeat(81) })).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(states.startExecution({ stateMachineArn: `${MACHINE}-other`, name: 'ok' })).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});
