import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const ROOT = path.join(__dirname, '..', '..');
const ASSET = path.join(ROOT, 'assets', 'knowledge', 'agent-actions.lambda', 'index.js');

/** The agent's generated function class needs its esbuild bundle; build it if a run starts without it. */
export function ensureAgentActionsAsset(): void {
  if (!fs.existsSync(ASSET)) execSync('npx projen bundle:knowledge/agent-actions.lambda', { cwd: ROOT, stdio: 'pipe' });
}

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

/** A stack with an explicit environment so ARNs read plainly. */
export function newStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Knowledge', { env: { account: ACCOUNT, region: REGION } }) };
}

/** A target function defined in the stack (its name and ARN are references). */
export function targetFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
}

/** How an ARN built with the stack's partition token appears in a template. */
export function partitionArn(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}
