import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { HANDLERS } from '../../src/workflow/contract';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The generated handler classes point at `assets/<dir>/<name>.lambda/`, which `npx projen bundle`
 * creates. Build them once if a test run starts without them.
 */
export function ensureHandlerAssets(): void {
  const missing = Object.values(HANDLERS).filter(h => !fs.existsSync(path.join(ROOT, h.asset, 'index.js')));
  for (const handler of missing) {
    // projen names each bundle task after the asset folder: bundle:<dir>/<name>.lambda
    execSync(`npx projen bundle:${handler.asset.replace(/^assets\//, '')}`, { cwd: ROOT, stdio: 'pipe' });
  }
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A stack with an explicit environment (so ARNs are readable). */
export function newStack(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  return { app, stack };
}

/** One unacknowledged cdk-nag finding on one resource. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/**
 * Run cdk-nag's AwsSolutions pack over a construct tree (cdk-nag 3 reports through CDK's policy
 * validation; `validateScope` is its direct entry point) and list what it still reports.
 */
export function awsSolutionsFindings(scope: IConstruct): NagFinding[] {
  const result = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope);
  return result.violations.flatMap(v => v.violatingResources.map(r => ({
    rule: v.ruleName, severity: v.severity ?? 'error', path: r.constructPath ?? '',
  })));
}

/** `count` small functions defined in the stack, with the given timeout (optionally sharing one role). */
export function demoFunctions(stack: Stack, count: number, timeout = Duration.seconds(30), prefix = 'Target', role?: iam.IRole): lambda.Function[] {
  return Array.from({ length: count }, (_, i) => new lambda.Function(stack, `${prefix}${i + 1}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "ok";'),
    timeout,
    role,
  }));
}

/** `count` functions imported by name (deployed elsewhere). */
export function importedFunctions(stack: Stack, count: number): lambda.IFunction[] {
  return Array.from({ length: count }, (_, i) =>
    lambda.Function.fromFunctionName(stack, `Imported${i + 1}`, `orders-service-prod-handler-${String(i + 1).padStart(3, '0')}`));
}

/**
 * Resolve CloudFormation intrinsics to plain strings with placeholder values, the way the
 * deployed template would look: `Ref` of a function -> a 64-character name (the longest Lambda
 * allows), `Fn::GetAtt ... Arn` -> an ARN of the right service, pseudo parameters -> fixed values.
 */
export function resolveIntrinsics(value: unknown, template: Template): unknown {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: any }>;
  const nameOf = (logicalId: string) => (logicalId + 'x'.repeat(64)).slice(0, 64);
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('Fn::Join' in o) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(p => String(visit(p))).join(sep);
      }
      if ('Ref' in o) {
        const ref = o.Ref as string;
        if (ref === 'AWS::Partition') return 'aws';
        if (ref === 'AWS::Region') return REGION;
        if (ref === 'AWS::AccountId') return ACCOUNT;
        if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
        const type = resources[ref]?.Type;
        if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${ref}`;
        if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${ref}`;
        if (type === 'AWS::Lambda::Alias') {
          const props = resources[ref].Properties;
          return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${String(visit(props.FunctionName))}:${props.Name}`;
        }
        return nameOf(ref);
      }
      if ('Fn::GetAtt' in o) {
        const [ref, attr] = o['Fn::GetAtt'] as [string, string];
        const type = resources[ref]?.Type ?? '';
        if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${nameOf(ref)}`;
        if (type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${ref}`;
        if (type === 'AWS::DynamoDB::Table' && attr === 'Arn') return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${ref}`;
        if (type === 'AWS::Logs::LogGroup' && attr === 'Arn') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${ref}:*`;
        if (type === 'AWS::SQS::Queue' && attr === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${ref}`;
        if (type === 'AWS::KMS::Key' && attr === 'Arn') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${ref}`;
        return `arn:aws:placeholder:${REGION}:${ACCOUNT}:${ref}/${attr}`;
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, visit(x)]));
    }
    return v;
  };
  return visit(value);
}

/** The synthesized state machine definition, parsed, with intrinsics replaced by placeholders. */
export function stateMachineDefinition(template: Template): AslDefinition {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const ids = Object.keys(machines);
  if (ids.length !== 1) throw new Error(`expected one state machine, found ${ids.length}`);
  const body = machines[ids[0]].Properties.DefinitionString;
  return JSON.parse(String(resolveIntrinsics(body, template))) as AslDefinition;
}

export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly ResultPath?: string;
  readonly TimeoutSeconds?: number;
  readonly SecondsPath?: string;
  readonly Default?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Choices?: { readonly Next: string; readonly [k: string]: unknown }[];
  readonly Retry?: { readonly ErrorEquals: string[]; readonly MaxAttempts?: number }[];
  readonly Catch?: { readonly ErrorEquals: string[]; readonly Next: string; readonly ResultPath?: string }[];
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly QueryLanguage?: string;
}

/** Where a state can go next (Next, Default, Choices, Catch). */
export function transitions(state: AslState): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Default ? [state.Default] : []),
    ...(state.Choices ?? []).map(c => c.Next),
    ...(state.Catch ?? []).map(c => c.Next),
  ];
}
