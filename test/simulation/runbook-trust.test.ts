/**
 * The simulated Automation assumes the manual-repair runbook's role through the synthesized trust
 * policy, evaluated by the IAM evaluator (runner.ts), not by a hand-written check: what the
 * template says is what decides.
 */
import { join } from 'node:path';
import { IamAuthorizer } from '../../src/simulation/account/iam';
import { loadScenarioFile } from '../../src/simulation/scenario';
import { synthesizeScenarioStack } from '../../src/simulation/stack';
import { TemplateResolver } from '../../src/simulation/template';

const ACCOUNT = '123456789012';
const template = synthesizeScenarioStack(loadScenarioFile(join(__dirname, '..', '..', 'scenarios', 'manual-repair-runbook.json')));
const resolver = new TemplateResolver(template, 'LambdaRemediationSimulation');
const authorizer = IamAuthorizer.fromTemplate(resolver);
const [roleId] = resolver.resourcesOfType('AWS::IAM::Role')
  .find(([, r]) => JSON.stringify(r.Properties?.AssumeRolePolicyDocument ?? {}).includes('ssm.amazonaws.com'))!;
const roleArn = String(resolver.getAtt(roleId, 'Arn'));
const source = (account: string) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:ssm:us-east-1:${account}:automation-execution/e-1` });

describe('the runbook role\'s synthesized trust policy decides whether Automation may assume it', () => {
  test('GIVEN Automation of this account THEN allowed', async () => {
    expect(await authorizer.authorizeAssumeRole({ principal: 'ssm.amazonaws.com', roleArn, context: source(ACCOUNT) })).toMatchObject({ allowed: true });
  });

  test('GIVEN Automation acting for another account THEN denied (aws:SourceAccount condition)', async () => {
    expect(await authorizer.authorizeAssumeRole({ principal: 'ssm.amazonaws.com', roleArn, context: source('999999999999') })).toMatchObject({ allowed: false });
  });

  test('GIVEN another service THEN denied', async () => {
    expect(await authorizer.authorizeAssumeRole({ principal: 'scheduler.amazonaws.com', roleArn, context: source(ACCOUNT) })).toMatchObject({ allowed: false });
  });
});
