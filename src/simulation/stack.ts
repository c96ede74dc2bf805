/**
 * The stack a scenario deploys: its target functions plus `AutoRemediation` with the scenario's
 * policy, approval and diagnosis settings, as a user's CDK app would declare them. Synthesized
 * without asset staging (the handler bundles are referenced where they are). Nested stacks'
 * templates are read from the cloud assembly.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, ArnFormat, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';
import { aliasOf, Scenario, ScenarioRepairStrategy, ScenarioSpoke } from './scenario';
import { CfnTemplate } from './template';
import { AutoRemediation } from '../auto-remediation';
import { Diagnosis } from '../diagnosis/diagnosis';
import { RemediationSpoke } from '../hub/remediation-spoke';
import { Approval, FunctionOptions, RemediationPolicy } from '../policy';
import { EnvironmentMatch, RemediationEnvironment } from '../remediation-environment';
import { RepairStrategy } from '../repair/repair-strategy';
import { Workflow } from '../workflow/workflow-kind';

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

/** The name of the user's alarm on a function's alias (Errors of `Resource` = `<name>:<alias>`). */
export function aliasAlarmName(functionName: string, alias: string): string {
  return `${functionName}-${alias}-errors`;
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
    // CDK's built-in template validation (a WebAssembly rule engine) costs tens of seconds per
    // synthesis; this stack's templates are validated once in test/constructs/cfn-validation.test.ts.
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-asset-staging': true } });
    const stack = new Stack(app, SIMULATION_STACK_NAME);
    // The target code is not what is simulated: a placeholder S3 object keeps synthesis asset-free.
    const codeBucket = s3.Bucket.fromBucketName(stack, 'TargetCode', 'simulated-target-code');
    const targets = new Map<string, lambda.IFunction>();
    // Imported targets: the functions live elsewhere (another stack, another tool); the stack
    // knows them by ARN and is told their timeout and log group (addFunction options).
    const imported = scenario.stack?.targets === 'imported';
    const importedOptions = new Map<string, FunctionOptions>();
    for (const f of scenario.functions) {
      if (imported) {
        const fn = lambda.Function.fromFunctionAttributes(stack, `Target-${f.functionName}`, {
          functionArn: stack.formatArn({ service: 'lambda', resource: 'function', resourceName: f.functionName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          sameEnvironment: true,
        });
        targets.set(f.functionName, fn);
        importedOptions.set(f.functionName, {
          timeout: Duration.seconds(f.timeoutSeconds),
          ...(f.logGroupName ? { logGroup: logs.LogGroup.fromLogGroupName(stack, `TargetLogs-${f.functionName}`, f.logGroupName) } : {}),
        });
        continue;
      }
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
      for (const [key, value] of Object.entries(f.tags ?? {})) Tags.of(fn).add(key, value);
      targets.set(f.functionName, fn);
    }
    // A function served through an alias: the alias exists (an earlier deploy made it), the
    // function is managed with the alias option, and the user's alarm watches the alias's own
    // metrics (dimension `Resource` = `<name>:<alias>`), as the alias option documents.
    const aliased = scenario.functions.filter((f) => f.managed !== false && aliasOf(f));
    const existingAlarms: cloudwatch.IAlarm[] = aliased.map((f) => new cloudwatch.Alarm(stack, `AliasErrors-${f.functionName}`, {
      alarmName: aliasAlarmName(f.functionName, aliasOf(f)!.name),
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensionsMap: { FunctionName: f.functionName, Resource: `${f.functionName}:${aliasOf(f)!.name}` },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    const unaliased = scenario.functions.filter((f) => f.managed !== false && !aliasOf(f));
    // AutoRemediation needs one function at construction; imported ones carry options, so the
    // others are added with addFunction (the first is managed without its options).
    const managed = (imported ? unaliased.slice(0, 1) : unaliased).map((f) => targets.get(f.functionName)!);
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
      raiseMemoryForCpu: p.raiseMemoryForCpu,
      followUpInterval: p.followUpMinutes !== undefined ? Duration.minutes(p.followUpMinutes) : undefined,
      maxFollowUps: p.maxFollowUps,
    };
    let approval: Approval;
    switch (scenario.stack?.approval ?? 'none') {
      case 'all': approval = Approval.allFunctions(); break;
      case 'selected': approval = Approval.forFunctions(scenario.functions.filter((f) => f.requireApproval && !aliasOf(f)).map((f) => targets.get(f.functionName)!)); break;
      default: approval = Approval.none();
    }
    const m = scenario.stack?.monitoring;
    const d = scenario.stack?.diagnosis;
    // The user's analyzers: functions of the same stack, handed to the diagnosis.
    const analyzers = (d?.analyzers ?? []).map((a) => new lambda.Function(stack, `Analyzer-${a.functionName}`, {
      functionName: a.functionName,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromBucket(codeBucket, `${a.functionName}.zip`),
      timeout: Duration.seconds(a.timeoutSeconds ?? 30),
    }));
    const options = {
      ...(analyzers.length ? { analyzers } : {}),
      ...(d?.analyzerTimeoutSeconds !== undefined ? { analyzerTimeout: Duration.seconds(d.analyzerTimeoutSeconds) } : {}),
    };
    let diagnosis: Diagnosis;
    if (d?.agentId && d.agentAliasId) diagnosis = Diagnosis.bedrockAgent(d.agentId, d.agentAliasId, options);
    else if (d?.modelId) diagnosis = Diagnosis.bedrockModel(d.modelId, { knowledgeBaseId: d.knowledgeBaseId, ...options });
    else diagnosis = Diagnosis.rulesOnly(options);
    // RepairStrategy.custom: the user's repair function, defined in the same stack.
    const repairStrategyOf = (st: ScenarioRepairStrategy | undefined): RepairStrategy | undefined => {
      if (!st) return undefined;
      if (st.kind === 'raiseMemory') return RepairStrategy.raiseMemory();
      if (st.kind === 'custom') {
        const f = st.function!;
        const fn = (stack.node.tryFindChild(`RepairFn-${f.functionName}`) as lambda.IFunction | undefined) ?? new lambda.Function(stack, `RepairFn-${f.functionName}`, {
          functionName: f.functionName,
          runtime: lambda.Runtime.NODEJS_22_X,
          handler: 'index.handler',
          code: lambda.Code.fromBucket(codeBucket, `${f.functionName}.zip`),
          timeout: Duration.seconds(f.timeoutSeconds ?? 60),
        });
        return RepairStrategy.custom(fn, st.timeoutSeconds !== undefined ? { timeout: Duration.seconds(st.timeoutSeconds) } : {});
      }
      return RepairStrategy.progressive({
        canaryPercent: st.canaryPercent,
        bakeTime: st.bakeTimeMinutes !== undefined ? Duration.minutes(st.bakeTimeMinutes) : undefined,
      });
    };
    const strategy = repairStrategyOf(scenario.stack?.repairStrategy);
    const environments: RemediationEnvironment[] = (scenario.stack?.environments ?? []).map((e) => ({
      name: e.name,
      match: e.match.tag ? EnvironmentMatch.tag(e.match.tag.key, e.match.tag.value) : EnvironmentMatch.namePattern(e.match.namePattern ?? ''),
      requireApproval: e.requireApproval,
      policy: e.policy ? {
        maxMemoryMb: e.policy.maxMemoryMb,
        maxStepMb: e.policy.maxStepMb,
        cooldown: e.policy.cooldownMinutes !== undefined ? Duration.minutes(e.policy.cooldownMinutes) : undefined,
        dryRun: e.policy.dryRun,
      } : undefined,
      repairStrategy: repairStrategyOf(e.repairStrategy),
    }));
    const remediation = new AutoRemediation(stack, 'AutoRemediation', {
      functions: managed,
      policy,
      approval,
      approvalTimeout: scenario.stack?.approvalTimeoutMinutes !== undefined ? Duration.minutes(scenario.stack.approvalTimeoutMinutes) : undefined,
      diagnosis,
      workflow: scenario.stack?.workflow === 'lambdaCoordinator' ? Workflow.lambdaCoordinator() : Workflow.stepFunctions(),
      ...(strategy ? { repairStrategy: strategy } : {}),
      ...(environments.length ? { environments } : {}),
      notificationEmails: ['oncall@example.com'],
      ...(scenario.stack?.driftDetection ? { driftDetection: { configRule: scenario.stack.driftDetection.configRule } } : {}),
      ...(scenario.stack?.opsItems ? { opsItems: { ...scenario.stack.opsItems } } : {}),
      ...(scenario.stack?.manualRepairRunbook ? { manualRepairRunbook: true } : {}),
      ...(scenario.hub ? { hub: { organizationId: scenario.hub.organizationId, accounts: scenario.hub.accounts } } : {}),
      monitoring: {
        ...(m?.errors === false ? { errors: { enabled: false } } : {}),
        ...(m?.memoryUtilization === false ? { memoryUtilization: { enabled: false } } : {}),
        duration: m?.duration === false
          ? { enabled: false }
          : m?.durationThresholdPercent !== undefined ? { threshold: m.durationThresholdPercent } : undefined,
        throttles: m?.throttles ? { enabled: true, threshold: m.throttlesThreshold } : undefined,
        iteratorAge: m?.iteratorAge ? { enabled: true, threshold: m.iteratorAgeThresholdMs } : undefined,
        concurrentExecutions: m?.concurrentExecutions ? { enabled: true, threshold: m.concurrentExecutionsThreshold } : undefined,
        ...(existingAlarms.length ? { existingAlarms } : {}),
      },
      dashboard: false,
    });
    if (imported) {
      for (const f of unaliased.slice(1)) remediation.addFunction(targets.get(f.functionName)!, importedOptions.get(f.functionName)!);
    }
    for (const f of aliased) {
      const fn = targets.get(f.functionName)!;
      const alias = lambda.Alias.fromAliasAttributes(stack, `Alias-${f.functionName}`, {
        aliasName: aliasOf(f)!.name,
        aliasVersion: lambda.Version.fromVersionArn(stack, `AliasVersion-${f.functionName}`, `${fn.functionArn}:1`),
      });
      remediation.addFunction(fn, { ...importedOptions.get(f.functionName), alias, requireApproval: f.requireApproval && scenario.stack?.approval === 'selected' ? true : undefined });
    }
    const assembly = app.synth();
    const artifact = assembly.getStackByName(SIMULATION_STACK_NAME);
    const template = artifact.template as CfnTemplate;
    return { template, nestedTemplates: nestedTemplatesOf(template, assembly.directory) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stack name of a spoke's stack. */
export function spokeStackName(spoke: ScenarioSpoke): string {
  return `LambdaRemediationSpoke-${spoke.account}-${spoke.region}`;
}

/**
 * A spoke's stack as a user deploys it in its account and region (plain CloudFormation or a
 * StackSet instance): its functions and `RemediationSpoke` pointing at the hub (the simulated
 * hub account and region), with the scenario's monitoring switches. Environment-agnostic, as a
 * StackSet template is: the account and region are the pseudo parameters, resolved by the
 * simulation for the spoke.
 */
export function synthesizeSpokeTemplate(scenario: Scenario, spoke: ScenarioSpoke): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'lar-spoke-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:disable-asset-staging': true } });
    const stack = new Stack(app, spokeStackName(spoke));
    const codeBucket = s3.Bucket.fromBucketName(stack, 'TargetCode', 'simulated-target-code');
    const functions = spoke.functions.map((f) => new lambda.Function(stack, `Target-${f.functionName}`, {
      functionName: f.functionName,
      runtime: new lambda.Runtime(f.runtime),
      architecture: f.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromBucket(codeBucket, `${f.functionName}.zip`),
      memorySize: f.memorySizeMb,
      timeout: Duration.seconds(f.timeoutSeconds),
      environment: f.environment,
    }));
    const m = scenario.stack?.monitoring;
    new RemediationSpoke(stack, 'Spoke', {
      hubAccount: SIM_ACCOUNT,
      hubRegion: SIM_REGION,
      functions: functions.filter((_, i) => spoke.functions[i].managed !== false),
      monitoring: {
        ...(m?.errors === false ? { errors: { enabled: false } } : {}),
        ...(m?.memoryUtilization === false ? { memoryUtilization: { enabled: false } } : {}),
        ...(m?.duration === false ? { duration: { enabled: false } } : {}),
      },
    });
    return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
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
    for (const [hash, asset] of Object.entries(manifest.files ?? {})) {
      if (!asset.source?.path) continue;
      const file = join(assemblyDir, asset.source.path);
      for (const d of Object.values(asset.destinations ?? {})) if (d.objectKey) out.set(d.objectKey, file);
      // The default synthesizer's object key is `<hash>.json`; kept for manifests without destinations.
      out.set(`${hash}.json`, file);
    }
  }
  return out;
}
