import { dedupString, OPS_ITEM_LIMITS, opsItemRequest, readTrigger } from '../../src/opscenter/ops-item';

const result = (outcome: string, extra: Record<string, unknown> = {}) => ({
  'source': 'lambda-auto-remediation',
  'detail-type': 'Lambda Remediation Result',
  'resources': ['arn:aws:lambda:us-east-1:123456789012:function:orders-api'],
  'detail': { executionId: 'arn:aws:states:us-east-1:123456789012:execution:sm:exec-1', functionName: 'orders-api', outcome, reason: 'confidence 0.85 is below the policy minimum 0.98', notificationStatus: 'SENT', ...extra },
});
const drift = {
  'source': 'lambda-auto-remediation',
  'detail-type': 'Lambda Remediation Drift',
  'detail': { functionName: 'orders-api', memorySizeMb: 512, verifiedMemoryMb: 768, verifiedRepairId: 'r-1', changedAt: '2026-11-28T12:24:00Z', iacChange: 'memorySize: 768', eventId: 'ev-1' },
};
const SETTINGS = { account: '123456789012', region: 'us-east-1', priority: 2, severity: '2' };

describe('which events open an OpsItem', () => {
  test.each([
    ['HUMAN_REVIEW', 'review'], ['FAILED', 'failed'],
  ])('a %s result opens a %s OpsItem', (outcome, kind) => {
    expect(readTrigger(result(outcome))).toMatchObject({ kind, functionName: 'orders-api', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api' });
  });

  test('a drift event opens a drift OpsItem', () => {
    expect(readTrigger(drift)).toMatchObject({ kind: 'drift', functionName: 'orders-api' });
  });

  test.each([['REPAIRED'], ['NO_ACTION'], ['COOLDOWN']])('a %s result opens none', (outcome) => {
    expect(readTrigger(result(outcome)).kind).toBe('ignore');
  });

  test('an event of another source opens none', () => {
    expect(readTrigger({ ...result('HUMAN_REVIEW'), source: 'aws.cloudwatch' }).kind).toBe('ignore');
  });
});

describe('the CreateOpsItem request', () => {
  const review = readTrigger(result('HUMAN_REVIEW'));
  if (review.kind === 'ignore') throw new Error('unreachable');

  test('THEN one deduplication string per function and kind of incident, the function as resource, within CreateOpsItem\'s limits', () => {
    const r = opsItemRequest(review, SETTINGS, {
      category: 'OUT_OF_MEMORY',
      confidence: 0.85,
      evidencePoints: [{ type: 'PROCESS_KILLED', description: 'killed at 512 MB' }],
      knowledgeReferences: [{ id: 'rb-oom-kill', title: 'OOM', relevance: 0.9 }, { id: 'kb-outside', title: 'x', relevance: 0.5 }],
    });
    expect(r).toMatchObject({ Title: 'orders-api: memory remediation needs a person (HUMAN_REVIEW)', Source: 'lambda-auto-remediation', Category: 'Performance', Priority: 2, Severity: '2' });
    expect(JSON.parse(r.OperationalData['/aws/dedup'].Value)).toEqual({ dedupString: 'lambda-auto-remediation:123456789012:us-east-1:orders-api:review' });
    expect(JSON.parse(r.OperationalData['/aws/resources'].Value)).toEqual([{ arn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-api' }]);
    expect(r.Description).toContain('[rb-oom-kill](https://github.com/lambda-auto-remediation/lambda-auto-remediation/blob/main/runbooks/rb-oom-kill.md)');
    // Only shipped runbook ids become links.
    expect(r.Description).not.toContain('kb-outside');
    expect(r.Description).toContain('killed at 512 MB');
    expect(r.OperationalData['/aws/automations']).toBeUndefined();
    for (const key of Object.keys(r.OperationalData)) expect(key.startsWith('/aws/') || !/^(\/)?(aws|amazon|amzn|ssm)/i.test(key)).toBe(true);
    expect(r.Source).not.toMatch(/aws|amazon|amzn/i);
  });

  test('GIVEN an Automation runbook THEN it is linked (/aws/automations) and named in the description', () => {
    const r = opsItemRequest(review, { ...SETTINGS, automationDocument: 'RaiseLambdaMemory' });
    expect(JSON.parse(r.OperationalData['/aws/automations'].Value)).toEqual([{ automationType: 'AWS:SSM:Automation', automationId: 'RaiseLambdaMemory' }]);
    expect(r.Description).toContain('`RaiseLambdaMemory`');
  });

  test('GIVEN a drift THEN the title says by how much and the description the change to make', () => {
    const t = readTrigger(drift);
    if (t.kind === 'ignore') throw new Error('unreachable');
    const r = opsItemRequest(t, SETTINGS);
    expect(r.Title).toBe('orders-api: memory 512 MB is below its verified repair (768 MB)');
    expect(r.Description).toContain('`memorySize: 768`');
    expect(JSON.parse(r.OperationalData['/aws/dedup'].Value).dedupString).toBe(dedupString('123456789012', 'us-east-1', 'orders-api', 'drift'));
  });

  test('GIVEN long, hostile evidence THEN the description stays within 2,048 characters and markup is neutralised', () => {
    const r = opsItemRequest(review, SETTINGS, {
      evidencePoints: Array.from({ length: 20 }, (_, i) => ({ type: `T${i}`, description: `[click](https://evil.example) ${'x'.repeat(500)}` })),
    });
    expect(r.Description.length).toBeLessThanOrEqual(OPS_ITEM_LIMITS.description);
    expect(r.Description).not.toContain('[click]');
  });
});
