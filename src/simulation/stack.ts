/**
 * The stack a scenario deploys: its target functions plus `AutoRemediation` with the scenario's
 * policy, approval and diagnosis settings, as a user's CDK app would declare them. Synthesized
 * without asset staging (the handler bundles are referenced where they are). Nested stacks'
 * templates are read from the cloud assembly.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Scenario } from './scenario';
import { CfnTemplate } from './template';
import { AutoRemediation } from '../auto-remediation';
import { Diagnosis } from '../diagnosis/diagnosis';
import { Approval, RemediationPolicy } from '../policy';

export const SIMULATION_STACK_NAME = 'LambdaRemediationSimulation';

/**
 * A synthesized stack the simulation runs: the scenario's own (below) or a user's app
 * (app-stack.ts, `simulate --app`).
 */
export interface StackUnderTest {
  /** The stack's name (physical names without a name property derive from it). */
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Templates of its nested stacks, by the logical id of their AWS::CloudFormation::Stack. */
  readonly nestedTemplates: Record<string, CfnTemplate>;
  /** The AutoRemediation state machine's logical id. @default the template's only state machine */
  readonly stateMachineLogicalId?: string;
}

/** The scenario's own stack, synthesized. */
export function scenarioStackUnderTest(scenario: Scenario): StackUnderTest {
  return { stackName: SIMULATION_STACK_NAME, ...synthesizeScenarioAssembly(scenario) };
}

/** Build and synthesize the scenario's stack; returns the CloudFormation template. */
export function synthesizeScenarioStack(scenario: Scenario): CfnTemplate {
  return synthesizeScenarioAssembly(scenario).template;
}

/** The synthesized stack and its nested stacks' templates, by the logical id of their AWS::CloudFormation::Stack. */
export interface ScenarioAssembly {
  readonly template: CfnTemplate;
  readonly nestedTemplates: Record<string, CfnTemplate>;
}

/** Build and synthesize the scenario's stack with the templates of its nested stacks. */
export function synthesizeScenarioAssembly(scenario: Scenario): ScenarioAssembly {
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
        loggingFormat: f.logFormat === 'json' ? lambda.LoggingFormat.JSON : undefined,
        // An existing group by name: the template sets LoggingConfig.LogGroup without creating it,
        // so whether it exists is up to the scenario (neverInvokedBefore).
        logGroup: f.logGroupName ? logs.LogGroup.fromLogGroupName(stack, `TargetLogs-${f.functionName}`, f.logGroupName) : undefined,
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
    const assembly = app.synth();
    const artifact = assembly.getStackByName(SIMULATION_STACK_NAME);
    const template = artifact.template as CfnTemplate;
    return { template, nestedTemplates: nestedTemplatesOf(template, assembly.directory) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The templates of a template's nested stacks (and theirs), read from the cloud assembly. CDK
 * records each nested template's file in the AWS::CloudFormation::Stack resource's metadata
 * (`aws:asset:path`, relative to the assembly directory) when asset metadata is on (the CDK CLI's
 * default); otherwise the file is found through the assembly's asset manifests
 * (`*.assets.json`), whose file assets name the object key the resource's `TemplateURL` points to.
 * A nested stack whose file is missing is left out (the resolver then lists its alarms as not
 * deployed).
 */
export function nestedTemplatesOf(template: CfnTemplate, assemblyDir: string): Record<string, CfnTemplate> {
  const nestedTemplates: Record<string, CfnTemplate> = {};
  let byObjectKey: Map<string, string> | undefined;
  const fromAssetManifests = (templateUrl: unknown): string | undefined => {
    byObjectKey ??= assetFilesByObjectKey(assemblyDir);
    const url = JSON.stringify(templateUrl ?? '');
    for (const [key, file] of byObjectKey) if (url.includes(`/${key}`)) return file;
    return undefined;
  };
  const collect = (t: CfnTemplate) => {
    for (const [id, r] of Object.entries(t.Resources ?? {})) {
      if (r.Type !== 'AWS::CloudFormation::Stack') continue;
      const file = r.Metadata?.['aws:asset:path'];
      const path = typeof file === 'string' ? (existsSync(file) ? file : join(assemblyDir, file)) : fromAssetManifests(r.Properties?.TemplateURL);
      if (!path || !existsSync(path)) continue;
      const nested = JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
      nestedTemplates[id] = nested;
      collect(nested);
    }
  };
  collect(template);
  return nestedTemplates;
}

/** Object key -> file of every file asset in the assembly's asset manifests (`*.assets.json`). */
function assetFilesByObjectKey(assemblyDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(assemblyDir)) return out;
  for (const name of readdirSync(assemblyDir).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(join(assemblyDir, name), 'utf8')) as {
      files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
    };
    for (const asset of Object.values(manifest.files ?? {})) {
      if (!asset.source?.path) continue;
      for (const d of Object.values(asset.destinations ?? {})) if (d.objectKey) out.set(d.objectKey, join(assemblyDir, asset.source.path));
    }
  }
  return out;
}
