import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorWords, complianceOf, functionNameOf, isConfigInvocation, isDrift, lastVerifiedRepair, readConfigInvocation, readMemoryChange } from '../../src/drift/drift';
import { DRIFT_EVENT_PATTERN, driftKey } from '../../src/drift/drift-contract';
import { driftMessage } from '../../src/drift/drift-message';
import { matchesPattern } from '../../src/simulation/event-pattern';

const fixture = (path: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', path), 'utf8'));
const CLOUDTRAIL = fixture('aws-events/hypothetical/cloudtrail-update-function-configuration.json');
const withDetail = (detail: Record<string, unknown>) => ({ ...CLOUDTRAIL, detail: { ...CLOUDTRAIL.detail, ...detail } });

const repair = (over: Record<string, unknown>) => ({
  repairId: 'r', executionId: 'e', status: 'SUCCEEDED', verificationStatus: 'SUCCEEDED', newMemory: 768, startTime: '2026-11-28T12:07:00Z', endTime: '2026-11-28T12:17:00Z', ...over,
});

describe('reading a CloudTrail UpdateFunctionConfiguration event', () => {
  test('GIVEN a CloudFormation deploy setting 512 MB THEN the function, size, event id, time and actor are read', () => {
    expect(readMemoryChange(CLOUDTRAIL)).toEqual({
      kind: 'change',
      functionName: 'orders-api',
      memorySizeMb: 512,
      eventId: '9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4',
      eventTime: '2026-11-28T12:24:00Z',
      actor: {
        arn: 'arn:aws:sts::123456789012:assumed-role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1/AWSCloudFormation',
        invokedBy: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
      },
    });
  });

  test('the drift rule pattern matches the event (EventBridge matching as the simulation models it)', () => {
    expect(matchesPattern(DRIFT_EVENT_PATTERN, CLOUDTRAIL)).toBe(true);
    expect(matchesPattern(DRIFT_EVENT_PATTERN, withDetail({ eventName: 'UpdateFunctionCode20150331v2' }))).toBe(false);
  });

  test.each([
    ['a failed call', { errorCode: 'ResourceConflictException' }, /the call failed \(ResourceConflictException\)/],
    ['a change that does not set the memory', { requestParameters: { functionName: 'orders-api', timeout: 30 } }, /does not set the memory size/],
    ['another Lambda event', { eventName: 'UpdateFunctionCode20150331v2' }, /does not change a function's memory/],
    ['an event naming no function', { requestParameters: { memorySize: 512 } }, /names no function/],
  ])('GIVEN %s THEN it is ignored, saying why', (_what, detail, reason) => {
    const read = readMemoryChange(withDetail(detail));
    expect(read.kind).toBe('ignore');
    expect(read.kind === 'ignore' && read.reason).toMatch(reason);
  });

  test('GIVEN an event of another source THEN ignored', () => {
    expect(readMemoryChange({ 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': {} }).kind).toBe('ignore');
  });

  test.each([
    ['orders-api', 'orders-api'],
    ['arn:aws:lambda:us-east-1:123456789012:function:orders-api', 'orders-api'],
    ['arn:aws:lambda:us-east-1:123456789012:function:orders-api:live', 'orders-api'],
    ['123456789012:function:orders-api', 'orders-api'],
  ])('the function name of %s is %s', (ref, name) => {
    expect(functionNameOf(ref)).toBe(name);
  });
});

describe('the last verified repair', () => {
  test('THEN the newest repair whose verification succeeded counts; rolled back, unverified and dry runs do not', () => {
    const records = [
      repair({ repairId: 'old', newMemory: 640, endTime: '2026-11-27T10:00:00Z' }),
      repair({ repairId: 'verified', newMemory: 768, endTime: '2026-11-28T12:17:00Z' }),
      repair({ repairId: 'rolled-back', status: 'ROLLED_BACK', verificationStatus: 'FAILED', newMemory: 1024, endTime: '2026-11-28T14:00:00Z' }),
      repair({ repairId: 'unverified', verificationStatus: 'INCONCLUSIVE', newMemory: 1536, endTime: '2026-11-28T15:00:00Z' }),
      repair({ repairId: 'dry', dryRun: true, newMemory: 2048, endTime: '2026-11-28T16:00:00Z' }),
    ];
    expect(lastVerifiedRepair(records)).toEqual({ repairId: 'verified', executionId: 'e', memoryMb: 768, verifiedAt: '2026-11-28T12:17:00Z' });
    expect(lastVerifiedRepair([records[2], records[3]])).toBeUndefined();
  });

  test('below the verified size is a drift; at or above it is not; without a verified repair nothing is', () => {
    const v = { repairId: 'r', executionId: 'e', memoryMb: 768, verifiedAt: 'x' };
    expect(isDrift(512, v)).toBe(true);
    expect(isDrift(768, v)).toBe(false);
    expect(isDrift(1024, v)).toBe(false);
    expect(isDrift(128, undefined)).toBe(false);
  });

  test('drift records are keyed by function, time and CloudTrail event id', () => {
    expect(driftKey('orders-api', '2026-11-28T12:24:00Z', 'ev-1')).toEqual({ pk: 'FUNCTION#orders-api', sk: 'DRIFT#2026-11-28T12:24:00Z#ev-1' });
  });
});

describe('AWS Config rule invocations', () => {
  test('GIVEN the documented example event THEN it is read as a Config invocation with its configuration item', () => {
    const event = fixture('config-events/configuration-change-ec2.json');
    expect(isConfigInvocation(event)).toBe(true);
    expect(isConfigInvocation(CLOUDTRAIL)).toBe(false);
    expect(readConfigInvocation(event)).toEqual({
      resultToken: 'myResultToken',
      ruleName: 'change-triggered-config-rule',
      eventLeftScope: false,
      messageType: 'ConfigurationItemChangeNotification',
      item: { resourceType: 'AWS::EC2::Instance', resourceId: 'i-00000000', status: 'OK', captureTime: '2016-02-17T01:36:34.043Z' },
    });
  });

  test('fails when invokingEvent is not json', () => {
    expect(() => readConfigInvocation({ invokingEvent: '{oops', resultToken: 't' })).toThrow('invokingEvent is not json: {oops');
  });

  test('compliance: below the verified repair NON_COMPLIANT with the change to make, else COMPLIANT, without a repair NOT_APPLICABLE', () => {
    const v = { repairId: 'r-1', executionId: 'e', memoryMb: 768, verifiedAt: 'x' };
    expect(complianceOf(512, v)).toEqual({ complianceType: 'NON_COMPLIANT', annotation: 'memory 512 MB is below the 768 MB of verified repair r-1; set memorySize: 768' });
    expect(complianceOf(768, v).complianceType).toBe('COMPLIANT');
    expect(complianceOf(512, undefined).complianceType).toBe('NOT_APPLICABLE');
    expect(complianceOf(undefined, v).complianceType).toBe('NOT_APPLICABLE');
    expect(complianceOf(512, { ...v, repairId: 'x'.repeat(400) }).annotation.length).toBe(256);
  });
});

describe('the drift notification', () => {
  const drift = {
    functionName: 'orders-api',
    detectedAt: '2026-11-28T12:26:00Z',
    changedAt: '2026-11-28T12:24:00Z',
    eventId: 'ev-1',
    source: 'cloudtrail' as const,
    memorySizeMb: 512,
    verifiedMemoryMb: 768,
    verifiedRepairId: 'r-1',
    iacChange: 'memorySize: 768',
    changedBy: { invokedBy: 'cloudformation.amazonaws.com', arn: 'arn:aws:sts::123456789012:assumed-role/cfn/AWSCloudFormation', userAgent: 'evil <!channel> https://x.example' },
  };

  test('THEN it says who set what, the verified size, and the infrastructure-code change, for every protocol', () => {
    const m = driftMessage(drift);
    expect(m.subject).toBe('[Lambda remediation] orders-api: DRIFT 512 MB is below the verified 768 MB');
    expect(m.body).toMatchObject({ type: 'DRIFT', functionName: 'orders-api', memorySizeMb: 512, verifiedMemoryMb: 768, iacChange: 'memorySize: 768' });
    expect(m.text).toContain('memorySize: 768');
    expect(m.text).toContain('cloudformation.amazonaws.com');
    expect(m.attributes.outcome).toEqual({ DataType: 'String', StringValue: 'DRIFT' });
    expect(Object.keys(m.messages)).toEqual(expect.arrayContaining(['default', 'email', 'https']));
  });

  test('THEN the caller-set user agent is only quoted, neutralised', () => {
    const m = driftMessage(drift);
    expect(m.text).not.toContain('<!channel>');
    expect(m.text).not.toContain('https://x.example');
    expect(m.document.quotations.map((q) => q.label)).toEqual(['User agent of the call (as the caller sent it)']);
  });

  test('actor words name the service and the session', () => {
    expect(actorWords(drift.changedBy)).toBe('cloudformation.amazonaws.com (as arn:aws:sts::123456789012:assumed-role/cfn/AWSCloudFormation)');
    expect(actorWords({ arn: 'arn:aws:sts::1:assumed-role/ops/alice' })).toBe('arn:aws:sts::1:assumed-role/ops/alice');
    expect(actorWords(undefined)).toBe('an unknown caller');
  });
});
