/**
 * The stack a scenario deploys: its target functions plus `AutoRemediation` with the scenario's
 * policy, approval and diagnosis settings, as a user's CDK app would declare them. Synthesized
 * without asset staging (the handler bundles are referenced where they are).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Scenario } from './scenario';
import { CfnTemplate } from './template';
import { AutoRemediation } from '../auto-remediation';
import { Diagnosis } from '../diagnosis/diagnosis';
import { Approval, RemediationPolicy } from '../policy';

export const SIMULATION_STACK_NAME = 'LambdaRemediationSimulation';

/** Build and synthesize the scenario's stack; returns the CloudFormation template. */
export function synthesizeScenarioStack(scenario: Scenario): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'lar-sim-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
    const stack = new Stack(app, SIMULATION_STACK_NAME);
    // The target code is not what is simulated: a placeholder S3 object keeps synthesis asset-free.
    const codeBucket = s3.Bucket.fromBucketName(stack, 'TargetCode', 'simulated-target-code');
    const targets = new Map<string, lambda.IFunction>();
    for (const f of scenario.functions) {
      const fn = new lambda.Function(stack, `Target-${f.functionName}`, {
        functionName: f.functionName,
        runtime: new lambda.Runtime(f.runtime),
        architecture: f.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
        handler: 'index.handler',
        code: lambda.Code.fromBucket(codeBucket, `${f.functionName}.zip`),
        memorySize: f.memorySizeMb,
        timeout: Duration.seconds(f.timeoutSeconds),
        environment: f.environment,
      });
      targets.set(f.functionName, fn);
    }
    const managed = scenario.functions.filter((f) => f.managed !== false).map((f) => targets.get(f.functionName)!);
    const p = scenario.stack?.policy ?? {};
    const policy: RemediationPolicy = {
      maxMemoryMb: p.maxMemoryMb,
      maxStepMb: p.maxStepMb,
      minConfidence: p.minConfidence,
      cooldown: p.cooldownMinutes !== undefined ? Duration.minutes(p.cooldownMinutes) : undefined,
      maxRepairsPerDay: p.maxRepairsPerDay,
      dryRun: p.dryRun,
      rollbackOnFailedVerification: p.rollbackOnFailedVerification,
      verificationWindow: p.verificationWindowMinutes !== undefined ? Duration.minutes(p.verificationWindowMinutes) : undefined,
    };
    let approval: Approval;
    switch (scenario.stack?.approval ?? 'none') {
      case 'all': approval = Approval.allFunctions(); break;
      case 'selected': approval = Approval.forFunctions(scenario.functions.filter((f) => f.requireApproval).map((f) => targets.get(f.functionName)!)); break;
      default: approval = Approval.none();
    }
    const m = scenario.stack?.monitoring;
    const d = scenario.stack?.diagnosis;
    let diagnosis: Diagnosis;
    if (d?.agentId && d.agentAliasId) diagnosis = Diagnosis.bedrockAgent(d.agentId, d.agentAliasId);
    else if (d?.modelId) diagnosis = Diagnosis.bedrockModel(d.modelId, { knowledgeBaseId: d.knowledgeBaseId });
    else diagnosis = Diagnosis.rulesOnly();
    new AutoRemediation(stack, 'AutoRemediation', {
      functions: managed,
      policy,
      approval,
      approvalTimeout: scenario.stack?.approvalTimeoutMinutes !== undefined ? Duration.minutes(scenario.stack.approvalTimeoutMinutes) : undefined,
      diagnosis,
      notificationEmails: ['oncall@example.com'],
      monitoring: {
        duration: m?.durationThresholdPercent !== undefined ? { threshold: m.durationThresholdPercent } : undefined,
        throttles: m?.throttles ? { enabled: true, threshold: m.throttlesThreshold } : undefined,
      },
      dashboard: false,
    });
    return app.synth().getStackByName(SIMULATION_STACK_NAME).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
