/**
 * `simulate --app cdk.out`: a stack of the user's synthesized CDK app as the simulation's stack
 * under test, and a scenario whose functions are functions of that stack.
 *
 * The cloud assembly is read as the CDK writes it (`manifest.json`, cloud assembly schema:
 * https://github.com/aws/aws-cdk-cli/tree/main/packages/%40aws-cdk/cloud-assembly-schema): stack
 * artifacts (`aws:cloudformation:stack` with `properties.templateFile`, `properties.stackName`),
 * the nested assemblies of stages (`cdk:cloud-assembly` with `properties.directoryName`), and
 * nested stack templates (`*.nested.template.json`, named in the parent's resource metadata).
 *
 * The scenario then describes workloads only: each scenario function names a function of the
 * template (its `FunctionName`, logical id or construct path), and its runtime, memory, timeout,
 * architecture, log format, log group and environment come from the template, as deployed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';
import { constructHandlerOfDescription, handlerOfDescription } from './handler-modules';
import { parseScenario, Scenario } from './scenario';
import { nestedTemplatesOf, StackUnderTest } from './stack';
import { CfnTemplate, TemplateResolver } from './template';

/** A stack of a cloud assembly (also of a stage's nested assembly). */
export interface AssemblyStack {
  readonly artifactId: string;
  readonly stackName: string;
  /** `Stage/Stack` for a stack of a stage, else the artifact id. */
  readonly displayName: string;
  readonly templateFile: string;
  readonly assemblyDir: string;
  /** `aws://ACCOUNT/REGION` as synthesized (`unknown-account` when environment-agnostic). */
  readonly environment?: string;
}

/** A user's stack, ready to run: the stack under test and the functions a scenario may name. */
export interface AppStack {
  readonly stack: StackUnderTest;
  readonly displayName: string;
  /** The template's functions that are not AutoRemediation's own handlers. */
  readonly functions: AppFunction[];
  /** What the simulation changed or cannot model, in words. */
  readonly notes: string[];
}

/** A function of the user's template, as deployed. */
export interface AppFunction {
  readonly logicalId: string;
  /** Its name in the simulated account: `FunctionName`, or `<stack name>-<logical id>` as CloudFormation would generate. */
  readonly functionName: string;
  /** Every name a scenario may use for it. */
  readonly aliases: string[];
  /** How to call it in messages: its FunctionName when set, else its construct path in the stack. */
  readonly displayName: string;
  readonly runtime?: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly architecture: string;
  readonly logFormat: 'text' | 'json';
  readonly logGroupName?: string;
  readonly environment: Record<string, string>;
}

/** The app, the stack or the scenario cannot be simulated as given; the message says why and what to do. */
export class AppStackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppStackError';
  }
}

/** Every stack of the cloud assembly in `dir`, stages' stacks included. */
export function listAssemblyStacks(dir: string): AssemblyStack[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new AppStackError(`--app ${dir}: not a directory; give the cloud assembly your app synthesizes (run 'npx cdk synth', then --app cdk.out)`);
  }
  const stacks: AssemblyStack[] = [];
  const visit = (assemblyDir: string, prefix: string) => {
    const manifestFile = join(assemblyDir, 'manifest.json');
    if (!existsSync(manifestFile)) {
      throw new AppStackError(`--app ${dir}: no manifest.json in ${assemblyDir}; give the cloud assembly your app synthesizes (run 'npx cdk synth', then --app cdk.out)`);
    }
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
    for (const [id, a] of Object.entries(manifest.artifacts ?? {})) {
      if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile) {
        stacks.push({
          artifactId: id,
          stackName: a.properties.stackName ?? id,
          displayName: a.displayName ?? `${prefix}${id}`,
          templateFile: join(assemblyDir, a.properties.templateFile),
          assemblyDir,
          environment: a.environment,
        });
      } else if (a.type === 'cdk:cloud-assembly' && a.properties?.directoryName) {
        visit(join(assemblyDir, a.properties.directoryName), `${a.properties.displayName ?? id}/`);
      }
    }
  };
  visit(root, '');
  return stacks.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { templateFile?: string; stackName?: string; directoryName?: string; displayName?: string };
}

/**
 * Load the stack to simulate: the one named by `stackName` (artifact id, stack name or display
 * name), or the only stack of the assembly with an AutoRemediation.
 */
export function loadAppStack(dir: string, stackName?: string): AppStack {
  const stacks = listAssemblyStacks(dir);
  if (stacks.length === 0) throw new AppStackError(`--app ${dir}: the cloud assembly has no stack`);
  const loaded = (s: AssemblyStack) => readStack(s);
  if (stackName !== undefined) {
    const s = stacks.find((x) => [x.artifactId, x.stackName, x.displayName].includes(stackName));
    if (!s) throw new AppStackError(`--stack ${stackName}: no such stack in ${dir} (stacks: ${stacks.map((x) => x.displayName).join(', ')})`);
    const app = loaded(s);
    if (!app.stack.stateMachineLogicalId) {
      throw new AppStackError(`stack ${s.displayName} has no AutoRemediation (no state machine runs its handlers); `
        + 'add \'new AutoRemediation(...)\' to it, or choose another stack with --stack');
    }
    return app;
  }
  const withRemediation = stacks.map(loaded).filter((a) => a.stack.stateMachineLogicalId);
  if (withRemediation.length === 1) return withRemediation[0];
  if (withRemediation.length === 0) {
    throw new AppStackError(`no stack in ${dir} has an AutoRemediation (stacks: ${stacks.map((x) => x.displayName).join(', ')}); `
      + "add 'new AutoRemediation(...)' to your app and run 'npx cdk synth' again");
  }
  throw new AppStackError(`several stacks in ${dir} have an AutoRemediation (${withRemediation.map((a) => a.displayName).join(', ')}); choose one with --stack NAME`);
}

function readStack(s: AssemblyStack): AppStack {
  const notes: string[] = [];
  let text = readFileSync(s.templateFile, 'utf8');
  const nested = nestedTemplatesOf(JSON.parse(text) as CfnTemplate, s.assemblyDir);
  // A stack bound to an account and region carries them as literals; the simulated account has
  // its own, so ARNs built at synth time must name it for the handlers' calls to match.
  const env = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(s.environment ?? '');
  const retarget = (t: string) => {
    if (!env) return t;
    const [, account, region] = env;
    return t.split(account).join(SIM_ACCOUNT).replace(new RegExp(`(arn:aws[a-z-]*:[a-z0-9-]*:)${region}:`, 'g'), `$1${SIM_REGION}:`)
      .split(`"${region}"`).join(`"${SIM_REGION}"`);
  };
  if (env) {
    text = retarget(text);
    notes.push(`stack ${s.displayName} is bound to account ${env[1]} in ${env[2]}: simulated as account ${SIM_ACCOUNT} in ${SIM_REGION}`);
  }
  const template = JSON.parse(text) as CfnTemplate;
  const nestedTemplates = Object.fromEntries(Object.entries(nested).map(([id, t]) => [id, JSON.parse(retarget(JSON.stringify(t))) as CfnTemplate]));
  const resolver = new TemplateResolver(template, s.stackName, { nestedTemplates });
  const stateMachineLogicalId = remediationStateMachine(resolver, s.displayName);
  return {
    stack: { stackName: s.stackName, template, nestedTemplates, stateMachineLogicalId },
    displayName: s.displayName,
    functions: appFunctions(resolver, s),
    notes,
  };
}

/**
 * The logical id of the AutoRemediation state machine: the one whose definition invokes the
 * workflow's normalize handler. Undefined when the stack has none.
 */
function remediationStateMachine(resolver: TemplateResolver, displayName: string): string | undefined {
  const normalizeArns = resolver.functions().filter((f) => handlerOfDescription(f.description)?.id === 'normalize').map((f) => f.arn);
  if (normalizeArns.length === 0) return undefined;
  const found: string[] = [];
  for (const [id] of resolver.resourcesOfType('AWS::StepFunctions::StateMachine')) {
    let text: string;
    try {
      text = JSON.stringify(resolver.stateMachineDefinition(id).definition);
    } catch {
      continue;
    }
    if (normalizeArns.some((arn) => text.includes(arn))) found.push(id);
  }
  if (found.length > 1) {
    throw new AppStackError(`stack ${displayName} has ${found.length} AutoRemediation state machines (${found.join(', ')}); the simulation runs a stack with one`);
  }
  return found[0];
}

function appFunctions(resolver: TemplateResolver, s: AssemblyStack): AppFunction[] {
  const resources = resolver.template.Resources ?? {};
  const own = (d?: string) => constructHandlerOfDescription(d) !== undefined;
  return resolver.functions().filter((f) => !own(f.description)).map((f) => {
    const r = resources[f.logicalId];
    const p = resolver.resolve(r?.Properties ?? {}) as Record<string, any>;
    const path = typeof r?.Metadata?.['aws:cdk:path'] === 'string' ? String(r.Metadata['aws:cdk:path']) : undefined;
    const aliases = new Set([f.functionName, f.logicalId]);
    let displayName = r?.Properties?.FunctionName !== undefined ? f.functionName : undefined;
    // CDK's logical id of a top-level construct is its id plus an 8-digit hash (`Api` -> `Api1A2B3C4D`).
    const hashed = /^(.+)[0-9A-F]{8}$/.exec(f.logicalId);
    if (hashed) aliases.add(hashed[1]);
    displayName ??= hashed?.[1];
    // The construct path (`aws:cdk:path`, written by `cdk synth`): `Stack/Api/Resource`, `Api`.
    if (path) {
      aliases.add(path);
      const inStack = path.startsWith(`${s.displayName}/`) ? path.slice(s.displayName.length + 1) : path.split('/').slice(1).join('/');
      aliases.add(inStack);
      aliases.add(inStack.replace(/\/Resource$/, ''));
      if (r?.Properties?.FunctionName === undefined) displayName = inStack.replace(/\/Resource$/, '');
    }
    const defaultLogGroup = `/aws/lambda/${f.functionName}`;
    return {
      logicalId: f.logicalId,
      functionName: f.functionName,
      aliases: [...aliases].filter((a) => a.length > 0),
      displayName: displayName ?? f.functionName,
      runtime: f.runtime,
      // Lambda's defaults when the template leaves them out (AWS::Lambda::Function reference).
      memorySizeMb: Number(f.memorySize ?? 128),
      timeoutSeconds: Number(f.timeout ?? 3),
      architecture: Array.isArray(p.Architectures) && p.Architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
      logFormat: p.LoggingConfig?.LogFormat === 'JSON' ? 'json' : 'text',
      ...(f.logGroup && f.logGroup !== defaultLogGroup ? { logGroupName: f.logGroup } : {}),
      environment: f.environment,
    };
  });
}

/** Fields of a scenario function that the template decides in `--app` mode. */
const FROM_TEMPLATE = ['runtime', 'memorySizeMb', 'timeoutSeconds', 'architecture', 'logFormat', 'logGroupName', 'environment'] as const;

/**
 * The scenario (parsed JSON) turned into one about the app's stack: each function matched to a
 * template function by name and given the template's settings; expectations keyed by the
 * simulated names. Throws AppStackError naming a function that is not in the template.
 */
export function scenarioForApp(json: unknown, app: AppStack, source: string): { scenario: Scenario; notes: string[] } {
  const raw = json as Record<string, any>;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.functions)) return { scenario: parseScenario(json, source), notes: [] };
  const notes: string[] = [];
  const renamed = new Map<string, string>();
  const used = new Set<string>();
  const functions = (raw.functions as Array<Record<string, any>>).map((f, i) => {
    const name = String(f.functionName);
    const matches = app.functions.filter((a) => a.aliases.includes(name));
    if (matches.length > 1) {
      throw new AppStackError(`${source}: functions[${i}] '${name}' matches ${matches.length} functions of stack ${app.displayName} `
        + `(${matches.map((m) => m.functionName).join(', ')}); name one by its functionName or construct path`);
    }
    const match = matches[0];
    if (!match) {
      const known = app.functions.map((a) => a.displayName);
      throw new AppStackError(`${source}: functions[${i}] '${name}' is not a function of stack ${app.displayName} `
        + `(its functions: ${known.join(', ') || 'none'}); name one by its functionName, logical id or construct path`);
    }
    if (used.has(match.logicalId)) throw new AppStackError(`${source}: functions[${i}] '${name}' names ${match.functionName} a second time`);
    used.add(match.logicalId);
    if (!match.runtime) {
      throw new AppStackError(`${source}: '${name}' has no Runtime in the template (a container image?); the simulation runs zip functions of a managed runtime`);
    }
    renamed.set(name, match.functionName);
    const fromTemplate: Record<(typeof FROM_TEMPLATE)[number], unknown> = {
      runtime: match.runtime,
      memorySizeMb: match.memorySizeMb,
      timeoutSeconds: match.timeoutSeconds,
      architecture: match.architecture,
      logFormat: match.logFormat,
      logGroupName: match.logGroupName,
      environment: match.environment,
    };
    for (const k of FROM_TEMPLATE) {
      if (f[k] !== undefined && JSON.stringify(f[k]) !== JSON.stringify(fromTemplate[k])) {
        notes.push(`${name}: the scenario's ${k} is not used; the template's ${k === 'environment' ? 'environment' : JSON.stringify(fromTemplate[k])} is`);
      }
    }
    for (const k of ['managed', 'requireApproval']) {
      if (f[k] !== undefined) notes.push(`${name}: '${k}' is not used; the app's AutoRemediation decides what is managed and what needs approval`);
    }
    const { managed: _m, requireApproval: _r, ...rest } = f;
    return { ...rest, ...fromTemplate, functionName: match.functionName };
  });
  if (raw.stack !== undefined) notes.push("the scenario's 'stack' settings are not used; the app's AutoRemediation is simulated as synthesized");
  const expectFunctions = raw.expect?.functions as Record<string, unknown> | undefined;
  const expect = expectFunctions
    ? { ...raw.expect, functions: Object.fromEntries(Object.entries(expectFunctions).map(([k, v]) => [renamed.get(k) ?? k, v])) }
    : raw.expect;
  const { stack: _s, ...scenario } = raw;
  return { scenario: parseScenario({ ...scenario, functions, expect }, source), notes: [...app.notes, ...notes] };
}

/** Read a scenario file for `--app` mode: JSON first, matched to the app, then checked. */
export function loadAppScenarioFile(file: string, app: AppStack): { scenario: Scenario; notes: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppStackError(`cannot read scenario file '${file}': ${(err as Error).message}`);
  }
  return scenarioForApp(json, app, basename(file));
}
