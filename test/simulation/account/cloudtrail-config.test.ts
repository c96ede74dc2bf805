import { CloudTrailService } from '../../../src/simulation/account/cloudtrail';
import { ConfigService } from '../../../src/simulation/account/config-service';
import { LambdaService } from '../../../src/simulation/account/lambda-service';
import { VirtualClock } from '../../../src/simulation/clock';
import { SeededRandom } from '../../../src/simulation/random';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const workload = { invocationsPerMinute: 0, memoryNeedMb: 100, cpuMsAt1Vcpu: 10 };
const ROLE = 'arn:aws:iam::123456789012:role/RepairRole';

function world(trail: boolean, recorder: boolean, mayInvoke = true) {
  const clock = new VirtualClock(T0);
  const random = new SeededRandom(7);
  const cloudTrail = new CloudTrailService(clock, random, { trail });
  const config = new ConfigService(clock, random, { recorder });
  config.addRule({ ruleName: 'memory-rule', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:drift', resourceTypes: ['AWS::Lambda::Function'], messageTypes: ['ConfigurationItemChangeNotification'], mayInvoke });
  const lambda = new LambdaService(clock, random, { updateDelayMs: 2000 });
  lambda.addFunction({ functionName: 'orders-api', runtime: 'nodejs22.x', memorySizeMb: 512, timeoutSeconds: 30, workload, environment: { DB_PASSWORD: 'sim-secret-1234' } });
  lambda.onChange = (change, configuration) => {
    cloudTrail.record('lambda', 'UpdateFunctionConfiguration20150331v2', { kind: 'role', roleArn: ROLE, sessionName: 'repair' }, change.requestParameters, { memorySize: configuration.MemorySize });
    config.functionChanged(change.functionName, configuration);
  };
  return { clock, cloudTrail, config, lambda };
}

describe('CloudTrail (simulated)', () => {
  test('GIVEN no trail THEN the call is in the event history but EventBridge receives nothing ("a CloudTrail trail with logging enabled is required")', () => {
    const { clock, cloudTrail, lambda } = world(false, false);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    expect(cloudTrail.records).toHaveLength(1);
    clock.advanceTo(T0 + 10 * 60_000);
    expect(cloudTrail.due(clock.now())).toEqual([]);
  });

  test('GIVEN a trail THEN an AWS API Call via CloudTrail event reaches the bus a minute later, naming the role session that made the call', () => {
    const { clock, cloudTrail, lambda } = world(true, false);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    expect(cloudTrail.due(clock.now() + 59_000)).toEqual([]);
    const [event] = cloudTrail.due(clock.now() + 60_000);
    expect(event).toMatchObject({
      'source': 'aws.lambda',
      'detail-type': 'AWS API Call via CloudTrail',
      'detail': {
        eventSource: 'lambda.amazonaws.com',
        eventName: 'UpdateFunctionConfiguration20150331v2',
        requestParameters: { functionName: 'orders-api', memorySize: 768 },
        userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/RepairRole/repair', sessionContext: { sessionIssuer: { arn: ROLE } } },
        readOnly: false,
        eventType: 'AwsApiCall',
      },
    });
    expect(cloudTrail.due(clock.now() + 120_000)).toEqual([]);
  });

  test('GIVEN a rejected call THEN nothing is recorded', () => {
    const { cloudTrail, lambda } = world(true, true);
    expect(() => lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 20000 })).toThrow();
    expect(cloudTrail.records).toEqual([]);
  });

  test('GIVEN a deploy THEN the call is CloudFormation\'s (invokedBy)', () => {
    const clock = new VirtualClock(T0);
    const random = new SeededRandom(1);
    const trail = new CloudTrailService(clock, random, { trail: true });
    trail.record('lambda', 'UpdateFunctionConfiguration20150331v2', { kind: 'service', service: 'cloudformation.amazonaws.com', roleArn: ROLE, sessionName: 'AWSCloudFormation' }, { functionName: 'orders-api', memorySize: 512 }, {});
    expect(trail.records[0]).toMatchObject({ userIdentity: { invokedBy: 'cloudformation.amazonaws.com' }, sourceIPAddress: 'cloudformation.amazonaws.com' });
  });
});

describe('AWS Config (simulated)', () => {
  test('GIVEN the recorder THEN a change becomes a configuration item two minutes later and the rule is invoked with the documented event', () => {
    const { clock, config, lambda } = world(false, true);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    expect(config.due(clock.now() + 119_000)).toEqual([]);
    const [inv] = config.due(clock.now() + 120_000);
    expect(inv.functionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:drift');
    expect(Object.keys(inv.event).sort()).toEqual(['accountId', 'configRuleArn', 'configRuleId', 'configRuleName', 'eventLeftScope', 'executionRoleArn', 'invokingEvent', 'resultToken', 'ruleParameters', 'version']);
    const invoking = JSON.parse(String(inv.event.invokingEvent));
    expect(invoking).toMatchObject({ messageType: 'ConfigurationItemChangeNotification', configurationItem: { resourceType: 'AWS::Lambda::Function', resourceId: 'orders-api', configurationItemStatus: 'OK', configuration: { functionName: 'orders-api', memorySize: 768 } } });
  });

  test('GIVEN no recorder THEN no rule runs', () => {
    const { clock, config, lambda } = world(false, false);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    expect(config.due(clock.now() + 600_000)).toEqual([]);
  });

  test('GIVEN a rule function Config may not invoke THEN nothing is invoked and the error is kept', () => {
    const { clock, config, lambda } = world(false, true, false);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    expect(config.due(clock.now() + 600_000)).toEqual([]);
    expect(config.invocationErrors).toEqual([{ ruleName: 'memory-rule', resourceId: 'orders-api', reason: expect.stringContaining('config.amazonaws.com may not invoke') }]);
  });

  function token(): { config: ConfigService; resultToken: string } {
    const { clock, config, lambda } = world(false, true);
    lambda.updateFunctionConfiguration({ FunctionName: 'orders-api', MemorySize: 768 });
    return { config, resultToken: String(config.due(clock.now() + 120_000)[0].event.resultToken) };
  }
  const evaluation = (over: Record<string, unknown> = {}) => ({
    ComplianceResourceType: 'AWS::Lambda::Function', ComplianceResourceId: 'orders-api', ComplianceType: 'NON_COMPLIANT', Annotation: 'below', OrderingTimestamp: new Date(T0), ...over,
  });

  test('PutEvaluations keeps the latest evaluation per rule and resource (by ordering timestamp)', () => {
    const { config, resultToken } = token();
    config.putEvaluations({ ResultToken: resultToken, Evaluations: [evaluation({ ComplianceType: 'COMPLIANT', OrderingTimestamp: new Date(T0 + 60_000) })] });
    config.putEvaluations({ ResultToken: resultToken, Evaluations: [evaluation({ OrderingTimestamp: new Date(T0) })] });
    expect(config.evaluations()).toEqual([expect.objectContaining({ ruleName: 'memory-rule', resourceId: 'orders-api', complianceType: 'COMPLIANT' })]);
  });

  test('fails with InvalidResultTokenException for a token Config did not issue; TestMode stores nothing and needs no valid token', () => {
    const { config } = token();
    expect(() => config.putEvaluations({ ResultToken: 'forged', Evaluations: [evaluation()] })).toThrow(expect.objectContaining({ name: 'InvalidResultTokenException' }));
    expect(config.putEvaluations({ ResultToken: 'anything', TestMode: true, Evaluations: [evaluation()] })).toEqual({ FailedEvaluations: [] });
    expect(config.evaluations()).toEqual([]);
  });

  test.each([
    ['INSUFFICIENT_DATA ("AWS Config supports only the COMPLIANT, NON_COMPLIANT, and NOT_APPLICABLE values")', { ComplianceType: 'INSUFFICIENT_DATA' }],
    ['an annotation over 256 characters', { Annotation: 'x'.repeat(257) }],
    ['no resource id', { ComplianceResourceId: '' }],
    ['no ordering timestamp', { OrderingTimestamp: undefined }],
  ])('fails with InvalidParameterValueException for %s', (_what, over) => {
    const { config, resultToken } = token();
    expect(() => config.putEvaluations({ ResultToken: resultToken, Evaluations: [evaluation(over)] })).toThrow(expect.objectContaining({ name: 'InvalidParameterValueException' }));
  });

  test('fails with InvalidParameterValueException for more than 100 evaluations', () => {
    const { config, resultToken } = token();
    expect(() => config.putEvaluations({ ResultToken: resultToken, Evaluations: Array.from({ length: 101 }, () => evaluation()) })).toThrow(expect.objectContaining({ name: 'InvalidParameterValueException' }));
  });
});
