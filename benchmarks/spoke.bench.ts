/**
 * The spoke stack (`RemediationSpoke`) as a user deploys it per account and region, or as a
 * StackSet template: CloudFormation resources, template bytes, alarms, assets (a StackSet cannot
 * stage any) and the largest IAM policy, for 1, 10 and 50 named functions and for fleet mode
 * (functions selected by tag, the StackSet shape: the hub's account and region as parameters).
 * Prints figures, asserts nothing; test/constructs/hub-spoke.test.ts asserts the shape.
 *
 *   npx ts-node --transpile-only benchmarks/spoke.bench.ts
 */
import { performance } from 'perf_hooks';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Benchmark } from './harness';
import { RemediationSpoke } from '../src';
import { measureAssembly } from '../test/support/cloud-quotas';

function synthesize(functions: number): { ms: number; line: string } {
  const start = performance.now();
  const app = new App();
  const stack = new Stack(app, `Spoke${functions}`);
  const hubAccount = new CfnParameter(stack, 'HubAccount', { type: 'String' }).valueAsString;
  const hubRegion = new CfnParameter(stack, 'HubRegion', { type: 'String' }).valueAsString;
  let fns: lambda.IFunction[] = [];
  if (functions > 0) {
    const role = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    fns = Array.from({ length: functions }, (_, i) => new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => "ok";'),
      timeout: Duration.seconds(30),
      role,
    }));
  }
  new RemediationSpoke(stack, 'Spoke', {
    hubAccount,
    hubRegion,
    ...(functions > 0 ? { functions: fns } : { monitoring: { fleet: { tagValue: 'orders-team' } } }),
  });
  const assembly = app.synth();
  const ms = performance.now() - start;
  const f = measureAssembly(assembly).find((x) => x.name === stack.stackName)!;
  const assets = assembly.getStackByName(stack.stackName).assets.length;
  // The user's own functions (and their shared role) are not the spoke's: count the spoke's part.
  const own = f.resources - (functions > 0 ? functions + 1 : 0);
  return {
    ms,
    line: [
      (functions > 0 ? `${functions} named` : 'fleet (tag)').padEnd(12), ms.toFixed(0).padStart(8), String(f.resources).padStart(10),
      String(own).padStart(15), (f.bytes / 1024).toFixed(1).padStart(9), String(f.alarms).padStart(7), String(f.logAlarms).padStart(11),
      String(assets).padStart(7), String(f.maxManagedPolicyCharacters).padStart(17),
    ].join('  '),
  };
}

/** Print the figures. */
export function runSpokeBenchmark(print: (line: string) => void = console.log): void {
  synthesize(1); // warm-up
  print('spoke stack (RemediationSpoke; hub account and region as CloudFormation parameters, as in a StackSet):');
  print('functions     synth ms  resources  spoke resources  template KB  alarms  log alarms  assets  max policy chars');
  for (const n of [0, 1, 10, 50]) print(synthesize(n).line);
}

/** Entry for benchmarks/run.ts. */
export const spokeBenchmark: Benchmark = {
  name: 'spoke',
  run: (print) => {
    runSpokeBenchmark(print);
  },
};

if (require.main === module) {
  runSpokeBenchmark();
}
