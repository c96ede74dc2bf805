import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { demoFunctions, ensureHandlerAssets, importedFunctions, newStack, resolveIntrinsics } from './helpers';
import { AutoRemediation, RemediationMonitoring } from '../../src';

// Synthesis needs the handler bundles; build any that are missing before the suites below construct stacks.
ensureHandlerAssets();

describe('200 target functions in one stack', () => {
  // GIVEN 200 functions defined in the same stack, sharing one execution role
  const { app, stack } = newStack();
  const sharedRole = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const functions = demoFunctions(stack, 200, undefined, 'Target', sharedRole);
  // WHEN managed by one construct
  new AutoRemediation(stack, 'AutoRemediation', { functions });
  const assembly = app.synth();
  const templateJson = JSON.stringify(assembly.getStackByName(stack.stackName).template);
  const template = Template.fromStack(stack);
  const resourceCount = Object.keys(template.toJSON().Resources).length;

  test('stays under CloudFormation\'s 500-resource limit', () => {
    // 201 of these are the user's own functions and their role: the construct adds the rest.
    expect(resourceCount).toBeLessThan(500);
  });

  test('stays under the 1 MB template limit', () => {
    expect(Buffer.byteLength(templateJson)).toBeLessThan(1_000_000);
  });

  test('splits the Metrics Insights alarms so every query fits in 2,048 characters with 64-character names', () => {
    // The workflow's own alarms (Step Functions, dead letters) are single-metric alarms, not queries.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(a => a.Properties.Metrics);
    const queries = alarms.map(a => resolveIntrinsics(a.Properties.Metrics[0].Expression, template) as string);
    for (const q of queries) {
      expect(q.length).toBeLessThanOrEqual(RemediationMonitoring.QUERY_MAX_LENGTH);
    }
    const names = (q: string) => q.match(/'[^']+'/g)!.length;
    const errors = queries.filter(q => q.startsWith('SELECT SUM(Errors)'));
    expect(errors.reduce((sum, q) => sum + names(q), 0)).toBe(200);
    const durations = queries.filter(q => q.startsWith('SELECT MAX(Duration)'));
    expect(durations.reduce((sum, q) => sum + names(q), 0)).toBe(200);
    // far below the default quota of 200 Metrics Insights alarms per region
    expect(queries.length).toBeLessThanOrEqual(20);
  });

  test('splits the memory log alarms at 50 log groups each', () => {
    const logAlarms = Object.values(template.findResources('AWS::CloudWatch::LogAlarm'));
    expect(logAlarms).toHaveLength(4);
    for (const a of logAlarms) {
      expect(a.Properties.ScheduledQueryConfiguration.LogGroupIdentifiers).toHaveLength(50);
    }
  });

  test('keeps every managed policy under IAM\'s 6,144-character limit and at most 10 per role', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    const perRole = new Map<string, number>();
    for (const p of Object.values(policies)) {
      const doc = JSON.stringify(resolveIntrinsics(p.Properties.PolicyDocument, template)).replace(/\s/g, '');
      expect(doc.length).toBeLessThan(6144);
      for (const role of p.Properties.Roles) {
        const key = JSON.stringify(role);
        perRole.set(key, (perRole.get(key) ?? 0) + 1);
      }
    }
    for (const count of perRole.values()) expect(count).toBeLessThanOrEqual(10);
  });

  test('keeps the normalize environment under Lambda\'s 4 KB limit by switching to *', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter(f => f.Properties.Environment?.Variables?.MANAGED_FUNCTIONS !== undefined);
    expect(fns).toHaveLength(1);
    const vars = resolveIntrinsics(fns[0].Properties.Environment.Variables, template) as Record<string, string>;
    expect(vars.MANAGED_FUNCTIONS).toBe('*');
    const size = Object.entries(vars).reduce((sum, [k, v]) => sum + k.length + String(v).length, 0);
    expect(size).toBeLessThan(4096);
  });
});

describe('resources the construct adds per managed function', () => {
  /** Resources of a stack managing `n` imported functions (so every resource is the construct's). */
  function resourcesFor(n: number): number {
    const { stack } = newStack();
    new AutoRemediation(stack, 'AutoRemediation', { functions: importedFunctions(stack, n) });
    return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
  }

  test('grow by well under one resource per function', () => {
    const one = resourcesFor(1);
    const twoHundred = resourcesFor(200);
    expect(twoHundred).toBeLessThan(200);
    expect((twoHundred - one) / 199).toBeLessThan(0.5);
  });
});
