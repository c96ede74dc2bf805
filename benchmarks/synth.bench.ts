/**
 * Synthesis cost of AutoRemediation at 1, 50 and 200 managed functions: time, CloudFormation
 * resources, template size, alarms, and the resources each added function costs. Prints figures,
 * asserts nothing.
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

/** How the target functions come to the stack. */
type Targets = 'imported' | 'in-stack';

interface SynthFigures {
  readonly functions: number;
  readonly targets: Targets;
  readonly synthMs: number;
  readonly resources: number;
  readonly constructResources: number;
  readonly templateBytes: number;
  readonly metricsInsightsAlarms: number;
  readonly logAlarms: number;
  readonly managedPolicies: number;
}

/**
 * List prices (us-east-1) the alarm-cost estimate uses. Metrics Insights alarms are billed per
 * time series they analyse; a log alarm per alarm plus the Logs Insights data it scans.
 */
export const PRICES = {
  perAlarmMetricMonth: 0.10,
  perLogAlarmMonth: 0.10,
  perGbScanned: 0.005,
  perCustomMetricMonth: 0.30,
} as const;

function synthesize(functions: number, targets: Targets): SynthFigures {
  const start = performance.now();
  const app = new App();
  const stack = new Stack(app, `Bench${functions}`, { env: { account: '123456789012', region: 'us-east-1' } });
  let fns: lambda.IFunction[];
  if (targets === 'imported') {
    fns = Array.from({ length: functions }, (_, i) =>
      lambda.Function.fromFunctionName(stack, `Fn${i}`, `orders-service-prod-handler-${String(i).padStart(3, '0')}`));
  } else {
    const role = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    fns = Array.from({ length: functions }, (_, i) => new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => "ok";'),
      timeout: Duration.seconds(30),
      role,
    }));
  }
  new AutoRemediation(stack, 'AutoRemediation', { functions: fns });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };
  const synthMs = performance.now() - start;
  const entries = Object.entries(template.Resources);
  const count = (type: string) => entries.filter(([, r]) => r.Type === type).length;
  return {
    functions,
    targets,
    synthMs,
    resources: entries.length,
    constructResources: entries.filter(([id]) => id.startsWith('AutoRemediation')).length,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    metricsInsightsAlarms: count('AWS::CloudWatch::Alarm'),
    logAlarms: count('AWS::CloudWatch::LogAlarm'),
    managedPolicies: count('AWS::IAM::ManagedPolicy'),
  };
}

/** Print the figures. */
export function runSynthBenchmark(print: (line: string) => void = console.log): SynthFigures[] {
  const results: SynthFigures[] = [];
  synthesize(1, 'imported'); // warm-up: module loading and asset hashing
  print('functions  targets   synth ms  resources  construct  template KB  MI alarms  log alarms  managed policies');
  for (const targets of ['imported', 'in-stack'] as Targets[]) {
    for (const n of [1, 50, 200]) {
      const r = synthesize(n, targets);
      results.push(r);
      print([
        String(n).padStart(9), targets.padEnd(9), r.synthMs.toFixed(0).padStart(8), String(r.resources).padStart(10),
        String(r.constructResources).padStart(10), (r.templateBytes / 1024).toFixed(1).padStart(12),
        String(r.metricsInsightsAlarms).padStart(10), String(r.logAlarms).padStart(11), String(r.managedPolicies).padStart(17),
      ].join('  '));
    }
  }
  const imported = results.filter(r => r.targets === 'imported');
  const first = imported[0];
  const last = imported[imported.length - 1];
  const marginal = (last.constructResources - first.constructResources) / (last.functions - first.functions);
  print(`marginal CloudFormation resources per added function (construct only): ${marginal.toFixed(3)}`);
  print(`construct resources at 200 functions: ${last.constructResources} (fixed part at 1 function: ${first.constructResources})`);

  // Alarm cost per monitored function and month, default alarms (errors, duration, memory).
  const metricsInsights = 2 * PRICES.perAlarmMetricMonth; // errors + duration, one time series each
  const logAlarmShare = PRICES.perLogAlarmMonth / 50; // one log alarm watches up to 50 log groups
  print(`alarm cost per function and month: $${(metricsInsights + logAlarmShare).toFixed(3)}`
    + ` + $${PRICES.perGbScanned} per GB of the function's logs scanned by the memory query`
    + ` (classic: 3 alarms + 1 metric-filter metric = $${(3 * PRICES.perAlarmMetricMonth + PRICES.perCustomMetricMonth).toFixed(2)})`);
  return results;
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
