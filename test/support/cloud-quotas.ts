/**
 * The CloudFormation, IAM and Lambda quotas a synthesized app must respect, measured on every
 * template of a cloud assembly (nested stacks included). Shared by the scale tests, which assert
 * them, and the synth benchmark, which prints them.
 *
 * Sources (the sentences the tests quote):
 * - CloudFormation quotas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html:
 *   "Maximum number of resources that you can declare in your CloudFormation template." 500;
 *   "Maximum number of outputs that you can declare in your CloudFormation template." 200;
 *   "Maximum number of parameters that you can declare in your CloudFormation template." 200;
 *   "Maximum size of a template body that you can pass in an Amazon S3 object" 1 MB.
 * - IAM quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html:
 *   "Managed policies attached to an IAM role" 10; "Managed policy size" 6,144 characters;
 *   "Role policy size" 10,240 characters (the inline policies of a role together); IAM does not
 *   count white space.
 * - Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html:
 *   "Function environment variables" 4 KB, all variables together.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

export const QUOTAS = {
  resourcesPerTemplate: 500,
  outputsPerTemplate: 200,
  parametersPerTemplate: 200,
  templateBytes: 1024 * 1024,
  managedPoliciesPerRole: 10,
  managedPolicyCharacters: 6144,
  inlineCharactersPerRole: 10240,
  environmentBytes: 4096,
} as const;

/** One template's figures. */
export interface TemplateFigures {
  readonly name: string;
  readonly nested: boolean;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly bytes: number;
  readonly alarms: number;
  readonly logAlarms: number;
  /** Most managed policies attached to one role of this template. */
  readonly maxManagedPoliciesPerRole: number;
  /** Largest managed policy, characters without white space, references resolved. */
  readonly maxManagedPolicyCharacters: number;
  /** Largest total of inline policy characters of one role. */
  readonly maxInlineCharactersPerRole: number;
  /** Largest environment of one function, bytes of names and values. */
  readonly maxEnvironmentBytes: number;
  readonly managedPolicies: number;
}

interface Resource { readonly Type: string; readonly Properties?: any }
interface CfnTemplate { readonly Resources?: Record<string, Resource>; readonly Outputs?: object; readonly Parameters?: object }

/** Every template of the assembly (stacks and their nested stacks), with the quotas measured. */
export function measureAssembly(assembly: CloudAssembly): TemplateFigures[] {
  const out: TemplateFigures[] = [];
  for (const stack of assembly.stacks) {
    out.push(measure(stack.stackName, false, path.join(assembly.directory, stack.templateFile)));
  }
  for (const file of fs.readdirSync(assembly.directory).filter((f) => f.endsWith('.nested.template.json'))) {
    out.push(measure(file.replace(/\.nested\.template\.json$/, ''), true, path.join(assembly.directory, file)));
  }
  return out;
}

/** The quota each figure breaks, in words (empty when all are kept). */
export function quotaViolations(figures: readonly TemplateFigures[]): string[] {
  const v: string[] = [];
  for (const f of figures) {
    if (f.resources > QUOTAS.resourcesPerTemplate) v.push(`${f.name}: ${f.resources} resources`);
    if (f.outputs > QUOTAS.outputsPerTemplate) v.push(`${f.name}: ${f.outputs} outputs`);
    if (f.parameters > QUOTAS.parametersPerTemplate) v.push(`${f.name}: ${f.parameters} parameters`);
    if (f.bytes > QUOTAS.templateBytes) v.push(`${f.name}: ${f.bytes} template bytes`);
    if (f.maxManagedPoliciesPerRole > QUOTAS.managedPoliciesPerRole) v.push(`${f.name}: ${f.maxManagedPoliciesPerRole} managed policies on one role`);
    if (f.maxManagedPolicyCharacters > QUOTAS.managedPolicyCharacters) v.push(`${f.name}: a managed policy of ${f.maxManagedPolicyCharacters} characters`);
    if (f.maxInlineCharactersPerRole > QUOTAS.inlineCharactersPerRole) v.push(`${f.name}: ${f.maxInlineCharactersPerRole} inline policy characters on one role`);
    if (f.maxEnvironmentBytes > QUOTAS.environmentBytes) v.push(`${f.name}: an environment of ${f.maxEnvironmentBytes} bytes`);
  }
  return v;
}

function measure(name: string, nested: boolean, file: string): TemplateFigures {
  const text = fs.readFileSync(file, 'utf8');
  const template = JSON.parse(text) as CfnTemplate;
  const resources = template.Resources ?? {};
  const entries = Object.entries(resources);
  const resolve = resolver(resources);
  const size = (doc: unknown) => JSON.stringify(resolve(doc)).replace(/\s/g, '').length;

  const managedPerRole = new Map<string, number>();
  const inlinePerRole = new Map<string, number>();
  let maxManaged = 0;
  const roleKey = (r: unknown) => JSON.stringify(r);
  for (const [id, r] of entries) {
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      maxManaged = Math.max(maxManaged, size(r.Properties?.PolicyDocument));
      for (const role of r.Properties?.Roles ?? []) managedPerRole.set(roleKey(role), (managedPerRole.get(roleKey(role)) ?? 0) + 1);
    }
    if (r.Type === 'AWS::IAM::Policy') {
      for (const role of r.Properties?.Roles ?? []) {
        inlinePerRole.set(roleKey(role), (inlinePerRole.get(roleKey(role)) ?? 0) + size(r.Properties?.PolicyDocument));
      }
    }
    if (r.Type === 'AWS::IAM::Role') {
      const key = roleKey({ Ref: id });
      managedPerRole.set(key, (managedPerRole.get(key) ?? 0) + (r.Properties?.ManagedPolicyArns ?? []).length);
      const inline = (r.Properties?.Policies ?? []).reduce((sum: number, p: any) => sum + size(p.PolicyDocument), 0);
      inlinePerRole.set(key, (inlinePerRole.get(key) ?? 0) + inline);
    }
  }
  let maxEnv = 0;
  for (const [, r] of entries.filter(([, x]) => x.Type === 'AWS::Lambda::Function')) {
    const vars = resolve(r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;
    maxEnv = Math.max(maxEnv, Object.entries(vars).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0));
  }
  return {
    name,
    nested,
    resources: entries.length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    bytes: Buffer.byteLength(text),
    alarms: entries.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').length,
    logAlarms: entries.filter(([, r]) => r.Type === 'AWS::CloudWatch::LogAlarm').length,
    maxManagedPoliciesPerRole: Math.max(0, ...managedPerRole.values()),
    maxManagedPolicyCharacters: maxManaged,
    maxInlineCharactersPerRole: Math.max(0, ...inlinePerRole.values()),
    maxEnvironmentBytes: maxEnv,
    managedPolicies: entries.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy').length,
  };
}

/**
 * Resolve references to the longest values they can take, so sizes are upper bounds: a
 * function, role or log group name is 64 characters, an imported value 64 characters.
 */
function resolver(resources: Record<string, Resource>): (v: unknown) => unknown {
  const long = 'x'.repeat(64);
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (parts.map(visit) as unknown[]).map(String).join(sep);
    }
    if ('Ref' in o) {
      const ref = String(o.Ref);
      if (ref === 'AWS::Partition') return 'aws-us-gov';
      if (ref === 'AWS::Region') return 'ap-southeast-2';
      if (ref === 'AWS::AccountId') return '123456789012';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return resources[ref] ? long : long;
    }
    if ('Fn::GetAtt' in o) return `arn:aws-us-gov:service:ap-southeast-2:123456789012:${long}`;
    if ('Fn::ImportValue' in o) return long;
    if ('Fn::Sub' in o) return String(Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub']).replace(/\$\{[^}]+\}/g, long);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, visit(x)]));
  };
  return visit;
}
