import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { awsSolutionsFindings, demoFunctions, ensureHandlerAssets, newStack } from './helpers';
import { AutoRemediation, RemediationSpoke } from '../../src';
import { HUB_ENV } from '../../src/hub/hub-contract';

beforeAll(() => ensureHandlerAssets());

const HUB = '123456789012';
const SPOKE = '111111111111';

type Hub = ConstructorParameters<typeof AutoRemediation>[2]['hub'];

function hubStack(hub: Hub, withFunctions = false): { app: App; stack: Stack; remediation: AutoRemediation } {
  const { app, stack } = newStack();
  const remediation = new AutoRemediation(stack, 'AutoRemediation', {
    functions: withFunctions ? demoFunctions(stack, 1) : undefined,
    hub,
  });
  return { app, stack, remediation };
}

interface SpokeUnderTest { app: App; stack: Stack; spoke: RemediationSpoke; fns: lambda.Function[] }

function spokeStack(props: Partial<ConstructorParameters<typeof RemediationSpoke>[2]> = {}): SpokeUnderTest {
  const app = new App();
  const stack = new Stack(app, 'Spoke', { env: { account: SPOKE, region: 'eu-west-1' } });
  const fns = demoFunctions(stack, 2);
  const spoke = new RemediationSpoke(stack, 'Spoke', { hubAccount: HUB, hubRegion: 'us-east-1', functions: fns, ...props });
  return { app, stack, spoke, fns };
}

/** Every statement of every IAM policy resource of the template. */
function statements(template: Template): Array<Record<string, any>> {
  const docs = [
    ...Object.values(template.findResources('AWS::IAM::Policy')).map((r) => r.Properties.PolicyDocument),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map((r) => r.Properties.PolicyDocument),
  ];
  return docs.flatMap((d) => d.Statement);
}

describe('RemediationSpoke: alarms, forwarding and the hub\'s access role in one asset-free stack', () => {
  test('GIVEN a spoke WHEN synthesized THEN the access role is named <prefix>-<region> and trusts the hub account only', () => {
    const { stack } = spokeStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'lambda-auto-remediation-spoke-eu-west-1',
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${HUB}:root`]] } } }],
      },
    });
    expect(RemediationSpoke.roleNameFor('eu-west-1')).toBe('lambda-auto-remediation-spoke-eu-west-1');
  });

  test('GIVEN two spoke functions WHEN synthesized THEN the role changes memory on exactly those functions, never on *', () => {
    const { stack, fns } = spokeStack();
    const t = Template.fromStack(stack);
    const update = statements(t).filter((s) => [s.Action].flat().includes('lambda:UpdateFunctionConfiguration'));
    expect(update).toHaveLength(1);
    const resources = JSON.stringify(stack.resolve(update[0].Resource));
    for (const fn of fns) expect(resources).toContain(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction));
    expect(update[0].Resource).not.toEqual('*');
    const logs = statements(t).find((s) => [s.Action].flat().includes('logs:FilterLogEvents'));
    expect(JSON.stringify(logs?.Resource)).toContain('/aws/lambda/');
  });

  test('GIVEN a spoke WHEN synthesized THEN a rule forwards the spoke alarms\' ALARM transitions to the hub bus with a role allowed events:PutEvents on it', () => {
    const { stack } = spokeStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change', 'CloudWatch Alarm Contributor State Change'] }),
      Targets: [Match.objectLike({
        Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-1:${HUB}:event-bus/lambda-auto-remediation-hub`]] },
        RoleArn: Match.anyValue(),
      })],
    });
    const put = statements(t).find((s) => s.Action === 'events:PutEvents');
    expect(JSON.stringify(put?.Resource)).toContain(`:events:us-east-1:${HUB}:event-bus/lambda-auto-remediation-hub`);
    // Every alarm name starts with the spoke prefix the hub routes by.
    const names = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => JSON.stringify(a.Properties.AlarmName));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toMatch(/^"LambdaAutoRemediation-spoke-fn-|\["LambdaAutoRemediation-spoke-fn-/);
  });

  test('GIVEN a spoke WHEN synthesized THEN it has no Lambda function of its own and no asset (StackSets cannot stage assets)', () => {
    const { app, stack, fns } = spokeStack();
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::Lambda::Function'))).toHaveLength(fns.length);
    const artifact = app.synth().getStackByName(stack.stackName);
    expect(artifact.assets).toEqual([]);
    expect(Object.keys(t.findResources('AWS::CloudFormation::Stack'))).toHaveLength(0);
  });

  test('GIVEN hub account and region as CloudFormation parameters (a StackSet template) WHEN synthesized THEN the role trust and bus ARN use them', () => {
    const app = new App();
    const stack = new Stack(app, 'SpokeSet');
    const hubAccount = new CfnParameter(stack, 'HubAccount', { type: 'String' }).valueAsString;
    const hubRegion = new CfnParameter(stack, 'HubRegion', { type: 'String' }).valueAsString;
    new RemediationSpoke(stack, 'Spoke', { hubAccount, hubRegion, monitoring: { fleet: { tagValue: 'orders-team' } } });
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).toContain('{"Ref":"HubAccount"}');
    expect(text).toContain('{"Ref":"HubRegion"}');
    // Fleet mode: the rights go by the management tag.
    expect(text).toContain('"aws:ResourceTag/LambdaAutoRemediation":"orders-team"');
  });

  test('fails when the spoke manages no function and has no fleet', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new RemediationSpoke(stack, 'Spoke', { hubAccount: HUB, hubRegion: 'us-east-1' })).toThrow(/functions is empty/);
  });

  test('fails when hubAccount is not an account id', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new RemediationSpoke(stack, 'Spoke', { hubAccount: 'hub', hubRegion: 'us-east-1', monitoring: { fleet: { tagValue: 'x' } } })).toThrow(/12-digit account id, got 'hub'/);
  });

  test('GIVEN a spoke WHEN cdk-nag AwsSolutions runs THEN nothing is reported', () => {
    const { spoke } = spokeStack();
    expect(awsSolutionsFindings(spoke)).toEqual([]);
  });
});

describe('AutoRemediation with hub: the bus, its policy, the rule and the spoke access', () => {
  test('GIVEN an organization and two accounts WHEN synthesized THEN the bus policy admits both, the org with aws:PrincipalOrgID', () => {
    const { stack } = hubStack({ organizationId: 'o-exampleorg1', accounts: [SPOKE, '222222222222'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'lambda-auto-remediation-hub' });
    const text = JSON.stringify(t.toJSON());
    expect(text).toContain('"aws:PrincipalOrgID":"o-exampleorg1"');
    expect(text).toContain(`:iam::${SPOKE}:root`);
    expect(text).toContain(':iam::222222222222:root');
  });

  test('GIVEN a hub WHEN synthesized THEN a rule on the hub bus starts the state machine for the spoke alarm prefixes, whatever the account', () => {
    const { stack } = hubStack({ accounts: [SPOKE] });
    const t = Template.fromStack(stack);
    const rules = Object.values(t.findResources('AWS::Events::Rule')).filter((r) => r.Properties.EventBusName !== undefined);
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties.EventPattern;
    expect(pattern.account).toBeUndefined();
    expect(JSON.stringify(pattern)).toContain('LambdaAutoRemediation-spoke-fn-');
    expect(JSON.stringify(rules[0].Properties.Targets)).toContain('StateMachine');
  });

  test('GIVEN listed accounts WHEN synthesized THEN the five handlers that act in a spoke may assume only the spoke roles of those accounts', () => {
    const { stack } = hubStack({ accounts: [SPOKE] });
    const t = Template.fromStack(stack);
    const assume = statements(t).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume).toHaveLength(1);
    expect(assume[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SPOKE}:role/lambda-auto-remediation-spoke-*`]] });
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Action === 'sts:AssumeRole'))!;
    expect(policy.Properties.Roles).toHaveLength(5);
    const withHubEnv = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.[HUB_ENV.ADMITTED_ACCOUNTS] === SPOKE);
    expect(withHubEnv).toHaveLength(5);
  });

  test('GIVEN only an organization WHEN synthesized THEN the role grant is limited by aws:ResourceOrgID and any admitted account is acted for', () => {
    const { stack } = hubStack({ organizationId: 'o-exampleorg1' });
    const t = Template.fromStack(stack);
    const assume = statements(t).find((s) => s.Action === 'sts:AssumeRole');
    expect(assume?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-exampleorg1' } });
    const fns = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.[HUB_ENV.ADMITTED_ACCOUNTS] === '*');
    expect(fns).toHaveLength(5);
  });

  test('GIVEN a hub WHEN synthesized THEN the dashboard shows runs by account and region', () => {
    const { stack } = hubStack({ accounts: [SPOKE] });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('Runs by account and region');
    expect(body).toContain('stats count(*) as runs by account, region, outcome');
  });

  test('fails when the hub admits nobody', () => {
    expect(() => hubStack({})).toThrow(/hub needs organizationId or accounts/);
  });

  test('fails when a hub account is not an account id', () => {
    expect(() => hubStack({ accounts: ['1234'] })).toThrow(/12-digit account ids, got '1234'/);
  });

  test('GIVEN a hub WHEN cdk-nag AwsSolutions runs THEN nothing is reported', () => {
    const { remediation } = hubStack({ organizationId: 'o-exampleorg1', accounts: [SPOKE] }, true);
    expect(awsSolutionsFindings(remediation)).toEqual([]);
  });
});

describe('without hub the single-stack deployment is unchanged', () => {
  test('GIVEN no hub WHEN synthesized THEN no bus, no bus policy, no sts:AssumeRole, no hub environment, no per-account dashboard widget', () => {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: demoFunctions(stack, 1) });
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::Events::EventBus'))).toHaveLength(0);
    expect(Object.keys(t.findResources('AWS::Events::EventBusPolicy'))).toHaveLength(0);
    expect(statements(t).filter((s) => [s.Action].flat().includes('sts:AssumeRole'))).toHaveLength(0);
    const text = JSON.stringify(t.toJSON());
    for (const name of Object.values(HUB_ENV)) expect(text).not.toContain(name);
    expect(text).not.toContain('Runs by account and region');
    expect(Object.values(t.findResources('AWS::Events::Rule')).every((r) => r.Properties.EventBusName === undefined)).toBe(true);
  });
});
