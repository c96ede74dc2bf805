// A deployable example: a memory-hungry function plus AutoRemediation.
//
//   npx cdk synth --app "npx ts-node --transpile-only examples/app.ts"
//
// The demo function allocates `ALLOCATE_MB` megabytes per invocation (event field `allocateMb`
// overrides it) with only 128 MB configured, so it runs out of memory; the alarms fire, the
// workflow diagnoses OUT_OF_MEMORY and raises the memory within the policy.
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AutoRemediation, Diagnosis } from 'lambda-auto-remediation';

/** The demo function: allocates the requested megabytes and holds them briefly. */
const MEMORY_HOG_CODE = `
exports.handler = async (event) => {
  const mb = Number((event && event.allocateMb) || process.env.ALLOCATE_MB || 64);
  const blocks = [];
  for (let i = 0; i < mb; i++) {
    const block = Buffer.alloc(1024 * 1024, i % 256); // touched, so it is really resident
    blocks.push(block);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { allocatedMb: blocks.length };
};
`;

export interface DemoStackProps extends StackProps {
  /** Megabytes the demo function allocates per invocation. */
  readonly allocateMb?: number;
  /** Where notifications go. */
  readonly notificationEmail?: string;
  /** Bedrock model for the diagnosis; rules only when unset. */
  readonly bedrockModelId?: string;
}

export class AutoRemediationDemoStack extends Stack {
  constructor(scope: Construct, id: string, props: DemoStackProps = {}) {
    super(scope, id, props);

    const memoryHog = new lambda.Function(this, 'MemoryHog', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(MEMORY_HOG_CODE),
      memorySize: 128,
      timeout: Duration.seconds(30),
      environment: { ALLOCATE_MB: String(props.allocateMb ?? 200) },
      logGroup: new logs.LogGroup(this, 'MemoryHogLogs', {
        logGroupName: '/aws/lambda/lambda-auto-remediation-demo-memory-hog',
        retention: logs.RetentionDays.ONE_WEEK,
      }),
      functionName: 'lambda-auto-remediation-demo-memory-hog',
    });

    new AutoRemediation(this, 'AutoRemediation', {
      functions: [memoryHog],
      policy: {
        maxMemoryMb: 1024,
        cooldown: Duration.minutes(30),
        verificationWindow: Duration.minutes(10),
      },
      diagnosis: props.bedrockModelId ? Diagnosis.bedrockModel(props.bedrockModelId) : Diagnosis.rulesOnly(),
      notificationEmails: props.notificationEmail ? [props.notificationEmail] : undefined,
    });
  }
}

// Synthesize only when run as the CDK app, so that the stack class can be imported elsewhere.
if (require.main === module) {
  const app = new App();
  new AutoRemediationDemoStack(app, 'LambdaAutoRemediationDemo', {
    allocateMb: Number(app.node.tryGetContext('allocateMb') ?? process.env.ALLOCATE_MB ?? 200),
    notificationEmail: app.node.tryGetContext('notificationEmail') ?? process.env.NOTIFICATION_EMAIL,
    bedrockModelId: app.node.tryGetContext('bedrockModelId') ?? process.env.BEDROCK_MODEL_ID,
  });
  app.synth();
}
