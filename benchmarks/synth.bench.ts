/**
 * Synthesis cost of AutoRemediation at 1, 50, 200 and 1,000 managed functions: time, and for
 * every template of the app (nested stacks included) the CloudFormation resources, template
 * bytes, alarms, and the IAM figures that have quotas (managed policies per role, the largest
 * managed policy, inline policy characters per role). Prints figures, asserts nothing; the scale
 * tests (test/constructs/scale.test.ts) assert the quotas.
 *
 *   npx ts-node --transpile-only benchmarks/synth.bench.ts
 *
 * Needs the handler bundles (`npx projen bundle`).
 */
import { performance } from 'perf_hooks';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Benchmark } from './harness';
import { AutoRemediation } from '../src';
import { measureAssembly, QUOTAS, quotaViolations, TemplateFigures } from '../test/support/cloud-quotas';

/** How the target functions come to the app. */
type Targets = 'imported' | 'in-stack' | 'other-stacks';

const ENV = { account: '123456789012', region: 'us-east-1' };

/**
 * List prices (us-east-1, https://aws.amazon.com/cloudwatch/pricing/) the cost estimate uses:
 * a standard-resolution metric alarm is $0.10 per alarm metric and month; a log alarm is billed as
 * one alarm plus the data its Logs Insights queries scan ($0.005 per GB).
 */
export const PRICES = {
  perAlarmMetricMonth: 0.10,
  perLogAlarmMonth: 0.10,
  perGbScanned: 0.005,
} as const;

function synthesize(functions: number, targets: Targets): { ms: number; figures: TemplateFigures[]; stackName: string } {
  const start = performance.now();
  const app = new App();
  const stack = new Stack(app, `Bench${functions}`, { env: ENV });
  let fns: lambda.IFunction[] = [];
  const define = (scope: Stack, i: number, role: iam.IRole, name?: string) => new lambda.Function(scope, `Fn${i}`, {
    functionName: name,
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => "ok";'),
    timeout: Duration.seconds(30),
    role,
  });
  if (targets === 'imported') {
    fns = Array.from({ length: functions }, (_, i) =>
      lambda.Function.fromFunctionName(stack, `Fn${i}`, `orders-service-prod-handler-${String(i).padStart(4, '0')}`));
  } else if (targets === 'in-stack') {
    const role = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    fns = Array.from({ length: functions }, (_, i) => define(stack, i, role));
  } else {
    // 200 functions per service stack, the construct in its own stack
    for (let s = 0; s * 200 < functions; s++) {
      const service = new Stack(app, `Service${s}`, { env: ENV });
      const role = new iam.Role(service, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      for (let i = s * 200; i < Math.min(functions, (s + 1) * 200); i++) fns.push(define(service, i, role, `service${s}-handler-${i}`));
    }
  }
  new AutoRemediation(stack, 'AutoRemediation', { functions: fns });
  const assembly = app.synth();
  return { ms: performance.now() - start, figures: measureAssembly(assembly), stackName: stack.stackName };
}

/** Print the figures. */
export function runSynthBenchmark(print: (line: string) => void = console.log): void {
  synthesize(1, 'imported'); // warm-up: module loading and asset hashing
  print(`quotas: ${QUOTAS.resourcesPerTemplate} resources and ${QUOTAS.templateBytes / 1024} KB per template; `
    + `${QUOTAS.managedPoliciesPerRole} managed policies of ${QUOTAS.managedPolicyCharacters} characters and `
    + `${QUOTAS.inlineCharactersPerRole} inline characters per role`);
  print('functions  targets       synth ms  templates  max resources  max KB  alarms  log alarms  managed policies  max per role  max policy chars  max inline chars  quota breaches');
  const runs: Array<[number, Targets]> = [[1, 'in-stack'], [50, 'in-stack'], [200, 'in-stack'], [1, 'imported'], [50, 'imported'], [200, 'imported'], [1000, 'imported'], [1000, 'other-stacks']];
  for (const [n, targets] of runs) {
    const r = synthesize(n, targets);
    // The construct's templates: its stack and the nested stacks of per-function alarms.
    const mine = r.figures.filter((f) => f.name === r.stackName || f.nested);
    const max = (pick: (f: TemplateFigures) => number) => Math.max(...mine.map(pick));
    const sum = (pick: (f: TemplateFigures) => number) => mine.reduce((s, f) => s + pick(f), 0);
    print([
      String(n).padStart(9), targets.padEnd(12), r.ms.toFixed(0).padStart(8), String(mine.length).padStart(10),
      String(max((f) => f.resources)).padStart(14), (max((f) => f.bytes) / 1024).toFixed(0).padStart(7),
      String(sum((f) => f.alarms)).padStart(7), String(sum((f) => f.logAlarms)).padStart(11),
      String(sum((f) => f.managedPolicies)).padStart(17), String(max((f) => f.maxManagedPoliciesPerRole)).padStart(13),
      String(max((f) => f.maxManagedPolicyCharacters)).padStart(17), String(max((f) => f.maxInlineCharactersPerRole)).padStart(17),
      String(quotaViolations(r.figures).length).padStart(15),
    ].join('  '));
  }
  // Cost per managed function and month with the default alarms: an errors and a duration alarm of
  // its own, and a fiftieth of a memory log alarm, plus the log data the memory query scans.
  const perFunction = 2 * PRICES.perAlarmMetricMonth + PRICES.perLogAlarmMonth / 50;
  print(`alarm cost per function and month: $${perFunction.toFixed(3)} + $${PRICES.perGbScanned} per GB of its logs scanned by the memory query;`
    + ` fleet mode: $${PRICES.perAlarmMetricMonth.toFixed(2)} per tagged function (one Metrics Insights alarm, billed per metric it analyses)`);
}

/** Entry for benchmarks/run.ts. */
export const synthBenchmark: Benchmark = {
  name: 'synth',
  run: (print) => {
    runSynthBenchmark(print);
  },
};

if (require.main === module) {
  runSynthBenchmark();
}
