import { SsmService } from '../../../src/simulation/account/ssm-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateOpsItem.html
function ssm() {
  return new SsmService(new VirtualClock(Date.UTC(2026, 10, 28, 12)), new SeededRandom(3));
}
const item = (over: Record<string, unknown> = {}) => ({
  Title: 'orders-api needs a person',
  Description: 'd',
  Source: 'lambda-auto-remediation',
  OperationalData: { '/aws/dedup': { Type: 'SearchableString', Value: JSON.stringify({ dedupString: 'lar:orders-api:review' }) } },
  ...over,
});

describe('OpsCenter (simulated)', () => {
  test('GIVEN an open OpsItem with the same deduplication string THEN none is created and the existing one is named; once resolved, a new one is', () => {
    const s = ssm();
    const first = s.createOpsItem(item());
    expect(first.OpsItemId).toMatch(/^oi-[0-9a-f]{12}$/);
    expect(() => s.createOpsItem(item())).toThrow(expect.objectContaining({ name: 'OpsItemAlreadyExistsException', OpsItemId: first.OpsItemId }));
    s.updateOpsItem({ OpsItemId: String(first.OpsItemId), Status: 'Resolved' });
    const second = s.createOpsItem(item());
    expect(second.OpsItemId).not.toBe(first.OpsItemId);
    expect(s.opsItems.map((o) => o.status)).toEqual(['Resolved', 'Open']);
  });

  test('another deduplication string is another OpsItem', () => {
    const s = ssm();
    s.createOpsItem(item());
    s.createOpsItem(item({ OperationalData: { '/aws/dedup': { Value: JSON.stringify({ dedupString: 'lar:orders-api:drift' }) } } }));
    expect(s.opsItems).toHaveLength(2);
  });

  test.each([
    ['a source containing aws ("can\'t contain the following strings: aws, amazon, and amzn")', { Source: 'my-aws-tool' }, 'Source'],
    ['no title', { Title: '' }, 'Title'],
    ['a description over 2,048 characters', { Description: 'x'.repeat(2049) }, 'Description'],
    ['priority 6', { Priority: 6 }, 'Priority'],
    ['a reserved operational data key', { OperationalData: { '/aws/custom': { Value: 'x' } } }, 'OperationalData./aws/custom'],
    ['an operational data value over 20 KB', { OperationalData: { evidence: { Value: 'x'.repeat(20 * 1024 + 1) } } }, 'OperationalData.evidence.Value'],
    ['a /aws/dedup value that is not the documented JSON', { OperationalData: { '/aws/dedup': { Value: 'lar:orders-api' } } }, 'OperationalData./aws/dedup'],
  ])('fails with OpsItemInvalidParameterException for %s', (_what, over, parameter) => {
    expect(() => ssm().createOpsItem(item(over))).toThrow(expect.objectContaining({ name: 'OpsItemInvalidParameterException', ParameterNames: [parameter] }));
  });

  test('fails with OpsItemNotFoundException for an unknown OpsItem', () => {
    expect(() => ssm().getOpsItem({ OpsItemId: 'oi-000000000000' })).toThrow(expect.objectContaining({ name: 'OpsItemNotFoundException' }));
  });
});

describe('Automation (simulated)', () => {
  const doc = {
    name: 'RaiseMemory',
    content: {
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: {
        FunctionName: { type: 'String', allowedPattern: '^[A-Za-z0-9_-]{1,64}$' },
        MemorySize: { type: 'Integer' },
        Reason: { type: 'String', default: 'by hand' },
        AutomationAssumeRole: { type: 'String', default: 'arn:aws:iam::123456789012:role/Runbook' },
      },
      mainSteps: [{ name: 'Raise', action: 'aws:invokeLambdaFunction', inputs: { FunctionName: 'arn:fn', InputPayload: { functionName: '{{ FunctionName }}', memorySize: '{{ MemorySize }}', id: '{{ automation:EXECUTION_ID }}', note: 'for {{ FunctionName }}' } } }],
    },
  };

  test('GIVEN valid parameters THEN the step runs as the role with the values substituted (an Integer stays a number) and the execution succeeds with its output', async () => {
    const s = ssm();
    s.addDocument(doc);
    const runs: unknown[] = [];
    s.runStep = async (run) => {
      runs.push(run);
      return { status: 'SUCCEEDED' };
    };
    const { AutomationExecutionId } = s.startAutomationExecution({ DocumentName: 'RaiseMemory', Parameters: { FunctionName: ['orders'], MemorySize: ['768'] } });
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([{
      executionId: AutomationExecutionId,
      documentName: 'RaiseMemory',
      roleArn: 'arn:aws:iam::123456789012:role/Runbook',
      step: expect.objectContaining({ inputs: { FunctionName: 'arn:fn', InputPayload: { functionName: 'orders', memorySize: 768, id: AutomationExecutionId, note: 'for orders' } } }),
    }]);
    expect(s.getAutomationExecution({ AutomationExecutionId: String(AutomationExecutionId) })).toMatchObject({ AutomationExecution: { AutomationExecutionStatus: 'Success', Outputs: { Payload: { status: 'SUCCEEDED' } } } });
  });

  test('GIVEN a step that fails THEN the execution fails with its message', async () => {
    const s = ssm();
    s.addDocument(doc);
    s.runStep = async () => {
      throw Object.assign(new Error('above the policy maximum'), { name: 'GuardrailRefusedError' });
    };
    const { AutomationExecutionId } = s.startAutomationExecution({ DocumentName: 'RaiseMemory', Parameters: { FunctionName: ['orders'], MemorySize: ['99999'] } });
    await new Promise((r) => setImmediate(r));
    expect(s.automationExecutions.find((e) => e.automationExecutionId === AutomationExecutionId)).toMatchObject({ status: 'Failed', failureMessage: 'GuardrailRefusedError: above the policy maximum' });
  });

  test.each([
    [{ FunctionName: ['orders'] }, 'Parameter MemorySize is required.'],
    [{ FunctionName: ['orders'], MemorySize: ['lots'] }, 'is not an Integer'],
    [{ FunctionName: ['bad name'], MemorySize: ['768'] }, 'does not match the allowed pattern'],
    [{ FunctionName: ['orders'], MemorySize: ['768'], Extra: ['x'] }, 'Parameter Extra is not defined in the document.'],
  ])('fails with InvalidAutomationExecutionParametersException (%#)', (parameters, message) => {
    const s = ssm();
    s.addDocument(doc);
    expect(() => s.startAutomationExecution({ DocumentName: 'RaiseMemory', Parameters: parameters })).toThrow(expect.objectContaining({ name: 'InvalidAutomationExecutionParametersException', message: expect.stringContaining(message) }));
  });

  test('fails with InvalidDocument for a document that does not exist', () => {
    expect(() => ssm().startAutomationExecution({ DocumentName: 'Nope' })).toThrow(expect.objectContaining({ name: 'InvalidDocument' }));
  });
});
