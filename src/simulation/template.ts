/**
 * Reading a synthesized CloudFormation template the way the simulation needs it: intrinsic
 * functions resolved to placeholder names and ARNs in the simulated account, the state machine
 * definition, the handler functions and their environment, the alarms (AWS::CloudWatch::Alarm in
 * every form, AWS::CloudWatch::LogAlarm, AWS::CloudWatch::CompositeAlarm, also in nested stacks),
 * the EventBridge rule and the DynamoDB tables.
 *
 * Nested stacks (AWS::CloudFormation::Stack): CDK writes each nested stack's template to the cloud
 * assembly (`<id>.nested.template.json`); the resolver loads the ones it is given and resolves their
 * Parameters from the parent's `Parameters` property, as CloudFormation passes them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html).
 */
import { AlarmSpec, CompositeAlarmSpec, LogAlarmSpec } from './account/alarm-validation';
import { logAlarmSpecFromApi, metricAlarmSpecFromApi } from './account/cloudwatch-service';
import { SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

/** A Lambda function of the template. */
export interface TemplateFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  readonly description?: string;
  readonly environment: Record<string, string>;
  readonly memorySize?: number;
  readonly timeout?: number;
  readonly runtime?: string;
  readonly tags: Record<string, string>;
  /** `LoggingConfig.LogGroup`, when set. */
  readonly logGroup?: string;
}

/** The alarms of a template (and its nested stacks), as the Put APIs would receive them. */
export interface TemplateAlarms {
  readonly alarms: AlarmSpec[];
  readonly logAlarms: LogAlarmSpec[];
  readonly compositeAlarms: CompositeAlarmSpec[];
  /** Alarm resources the simulation does not deploy, with why. */
  readonly skipped: string[];
}

export interface TemplateResolverOptions {
  /** Templates of nested stacks, by the logical id of their AWS::CloudFormation::Stack resource. */
  readonly nestedTemplates?: Record<string, CfnTemplate>;
  /** Parameter values passed in (a nested stack's parent `Parameters`). */
  readonly parameters?: Record<string, string>;
  /** The account the stack is deployed to (`AWS::AccountId`). @default SIM_ACCOUNT */
  readonly account?: string;
  /** The region the stack is deployed to (`AWS::Region`). @default SIM_REGION */
  readonly region?: string;
}

/** An EventBridge rule of the template and where it sends events. */
export interface TemplateRule {
  readonly logicalId: string;
  readonly eventPattern: Record<string, unknown>;
  /** The rule's bus (`EventBusName`: a name or an ARN); none is the default bus. */
  readonly eventBusName?: string;
  /** Each target; `roleArn`: the role EventBridge assumes to send to it (event bus targets). */
  readonly targets: Array<{ arn: string; input?: string; inputPath?: string; roleArn?: string }>;
}

export class TemplateResolver {
  constructor(public readonly template: CfnTemplate, private readonly stackName = 'SimulationStack', private readonly options: TemplateResolverOptions = {}) {}

  /** The account the stack is deployed to. */
  public get account(): string {
    return this.options.account ?? SIM_ACCOUNT;
  }

  /** The region the stack is deployed to. */
  public get region(): string {
    return this.options.region ?? SIM_REGION;
  }

  /** A resolver per nested stack whose template was given, with its parameters resolved from this template. */
  public nestedResolvers(): TemplateResolver[] {
    const out: TemplateResolver[] = [];
    for (const [id, r] of this.resourcesOfType('AWS::CloudFormation::Stack')) {
      const nested = this.options.nestedTemplates?.[id];
      if (!nested) continue;
      const params = this.resolve(r.Properties?.Parameters ?? {}) as Record<string, unknown>;
      out.push(new TemplateResolver(nested, `${this.stackName}-${id}`.slice(0, 128), {
        nestedTemplates: this.options.nestedTemplates,
        account: this.options.account,
        region: this.options.region,
        parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)])),
      }));
    }
    return out;
  }

  /** Resolve every intrinsic function in `value`. */
  public resolve(value: unknown): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = obj[k];
      switch (k) {
        case 'Ref': return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return String(this.resolve(s)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (vars[name] !== undefined) return String(this.resolve(vars[name]));
            const [id, attr] = name.split('.');
            return String(attr ? this.getAtt(id, attr) : this.ref(id));
          });
        }
        case 'Fn::If': {
          const [, a] = arg as [string, unknown, unknown];
          return this.resolve(a);
        }
        case 'Fn::ImportValue': return `imported-${String(this.resolve(arg))}`;
        case 'Fn::Base64': return Buffer.from(String(this.resolve(arg))).toString('base64');
        default: break;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(obj[k])]));
  }

  /** `Ref` of a pseudo parameter, parameter or resource. */
  public ref(id: string): string {
    switch (id) {
      case 'AWS::Partition': return 'aws';
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return this.account;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::StackId': return `arn:aws:cloudformation:${this.region}:${this.account}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue': return '';
      default: break;
    }
    const param = this.template.Parameters?.[id];
    if (param) return this.options.parameters?.[id] ?? String(param.Default ?? `param-${id}`);
    const r = this.template.Resources?.[id];
    if (!r) return id;
    const name = this.physicalName(id);
    switch (r.Type) {
      case 'AWS::SNS::Topic': return `arn:aws:sns:${this.region}:${this.account}:${name}`;
      case 'AWS::SQS::Queue': return `https://sqs.${this.region}.amazonaws.com/${this.account}/${name}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${this.region}:${this.account}:stateMachine:${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${this.account}:policy/${name}`;
      case 'AWS::KMS::Key': return `${name.toLowerCase().replace(/[^a-z0-9]/g, '').padEnd(8, '0').slice(0, 8)}-0000-4000-8000-000000000000`;
      default: return name;
    }
  }

  /** `Fn::GetAtt` of a resource. */
  public getAtt(id: string, attr: string): string {
    const r = this.template.Resources?.[id];
    const name = this.physicalName(id);
    if (!r) return `${id}.${attr}`;
    if (attr === 'Arn') {
      switch (r.Type) {
        case 'AWS::Lambda::Function': return `arn:aws:lambda:${this.region}:${this.account}:function:${name}`;
        case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${this.region}:${this.account}:table/${name}`;
        case 'AWS::SQS::Queue': return `arn:aws:sqs:${this.region}:${this.account}:${name}`;
        case 'AWS::IAM::Role': return `arn:aws:iam::${this.account}:role/${name}`;
        case 'AWS::Logs::LogGroup': return `arn:aws:logs:${this.region}:${this.account}:log-group:${name}:*`;
        case 'AWS::KMS::Key': return `arn:aws:kms:${this.region}:${this.account}:key/${this.ref(id)}`;
        case 'AWS::StepFunctions::StateMachine': return this.ref(id);
        case 'AWS::SNS::Topic': return this.ref(id);
        case 'AWS::CloudWatch::Alarm': return `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:${name}`;
        // "arn:aws:events:<region>:<account>:event-bus/<name>" (eb-event-bus-perms.html examples).
        case 'AWS::Events::EventBus': return `arn:aws:events:${this.region}:${this.account}:event-bus/${name}`;
        default: return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${this.region}:${this.account}:${name}`;
      }
    }
    if (attr === 'Name' || attr === 'TopicName' || attr === 'QueueName') return name;
    if (attr === 'QueueUrl') return this.ref(id);
    return `${name}.${attr}`;
  }

  /** The physical name of a resource: its name property when set, else derived from the logical id. */
  public physicalName(id: string): string {
    const r = this.template.Resources?.[id];
    const p = r?.Properties ?? {};
    const nameProp = ['FunctionName', 'TableName', 'TopicName', 'QueueName', 'StateMachineName', 'RoleName', 'LogGroupName', 'AlarmName', 'Name', 'BucketName'].find((k) => typeof p[k] === 'string' || (p[k] && typeof p[k] === 'object'));
    if (nameProp) {
      const v = p[nameProp];
      return typeof v === 'string' ? v : String(this.resolve(v));
    }
    return `${this.stackName}-${id}`.slice(0, 64);
  }

  public resourcesOfType(type: string): Array<[string, CfnResource]> {
    return Object.entries(this.template.Resources ?? {}).filter(([, r]) => r.Type === type);
  }

  /** The state machine definition (the only one, or the one named), intrinsics resolved. */
  public stateMachineDefinition(logicalId?: string): { logicalId: string; arn: string; definition: any } {
    const machines = this.resourcesOfType('AWS::StepFunctions::StateMachine');
    const found = logicalId ? machines.find(([id]) => id === logicalId) : machines[0];
    if (!found) throw new TemplateError(`the template has no state machine${logicalId ? ` '${logicalId}'` : ''}`);
    const [id, r] = found;
    const p = r.Properties ?? {};
    let text: string;
    if (p.DefinitionString !== undefined) text = String(this.resolve(p.DefinitionString));
    else if (p.Definition !== undefined) text = JSON.stringify(this.resolve(p.Definition));
    else throw new TemplateError(`state machine ${id} has no definition`);
    for (const [k, v] of Object.entries((this.resolve(p.DefinitionSubstitutions ?? {}) as Record<string, unknown>))) {
      text = text.split('${' + k + '}').join(String(v));
    }
    return { logicalId: id, arn: this.ref(id), definition: JSON.parse(text) };
  }

  public functions(): TemplateFunction[] {
    return this.resourcesOfType('AWS::Lambda::Function').map(([id, r]) => {
      const p = r.Properties ?? {};
      const env = (this.resolve(p.Environment?.Variables ?? {}) ?? {}) as Record<string, unknown>;
      return {
        logicalId: id,
        functionName: this.physicalName(id),
        arn: this.getAtt(id, 'Arn'),
        description: typeof p.Description === 'string' ? p.Description : undefined,
        environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
        memorySize: p.MemorySize,
        timeout: p.Timeout,
        runtime: p.Runtime,
        tags: Object.fromEntries(((this.resolve(p.Tags ?? []) ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, String(t.Value)])),
        ...(p.LoggingConfig?.LogGroup ? { logGroup: String(this.resolve(p.LoggingConfig.LogGroup)) } : {}),
      };
    });
  }

  /**
   * The alarms to deploy: AWS::CloudWatch::Alarm (single metric, metric math, Metrics Insights,
   * anomaly detection), AWS::CloudWatch::LogAlarm and AWS::CloudWatch::CompositeAlarm, of this
   * template and of the nested stacks whose templates were given. A nested stack whose template is
   * missing is listed in `skipped`. An alarm without AlarmName gets a CloudFormation-generated name.
   */
  public alarms(): TemplateAlarms {
    const alarms: AlarmSpec[] = [];
    const logAlarms: LogAlarmSpec[] = [];
    const compositeAlarms: CompositeAlarmSpec[] = [];
    const skipped: string[] = [];
    for (const [id, r] of Object.entries(this.template.Resources ?? {})) {
      if (!r.Type.startsWith('AWS::CloudWatch::') || !/Alarm$/.test(r.Type)) continue;
      const p = this.resolve(r.Properties ?? {});
      const alarmName = p.AlarmName ?? this.physicalName(id);
      switch (r.Type) {
        case 'AWS::CloudWatch::Alarm':
          alarms.push(metricAlarmSpecFromApi({ ...p, AlarmName: alarmName }));
          break;
        case 'AWS::CloudWatch::LogAlarm':
          logAlarms.push(logAlarmSpecFromApi({ ...p, AlarmName: alarmName }));
          break;
        case 'AWS::CloudWatch::CompositeAlarm':
          compositeAlarms.push({
            alarmName,
            alarmDescription: p.AlarmDescription,
            alarmRule: p.AlarmRule,
            actionsSuppressor: p.ActionsSuppressor,
            actionsSuppressorWaitPeriod: p.ActionsSuppressorWaitPeriod !== undefined ? Number(p.ActionsSuppressorWaitPeriod) : undefined,
            actionsSuppressorExtensionPeriod: p.ActionsSuppressorExtensionPeriod !== undefined
              ? Number(p.ActionsSuppressorExtensionPeriod) : undefined,
          });
          break;
        default:
          skipped.push(`${alarmName}: ${r.Type} is not simulated`);
      }
    }
    for (const [id] of this.resourcesOfType('AWS::CloudFormation::Stack')) {
      if (!this.options.nestedTemplates?.[id]) skipped.push(`nested stack ${id}: its template was not given, its alarms are not deployed`);
    }
    for (const nested of this.nestedResolvers()) {
      const n = nested.alarms();
      alarms.push(...n.alarms);
      logAlarms.push(...n.logAlarms);
      compositeAlarms.push(...n.compositeAlarms);
      skipped.push(...n.skipped);
    }
    return { alarms, logAlarms, compositeAlarms, skipped };
  }

  public rules(): TemplateRule[] {
    return this.resourcesOfType('AWS::Events::Rule').map(([id, r]) => {
      const p = this.resolve(r.Properties ?? {});
      return {
        logicalId: id,
        eventPattern: p.EventPattern ?? {},
        ...(p.EventBusName !== undefined ? { eventBusName: String(p.EventBusName) } : {}),
        targets: (p.Targets ?? []).map((t: any) => ({
          arn: t.Arn, input: t.Input, inputPath: t.InputPath, ...(t.RoleArn ? { roleArn: String(t.RoleArn) } : {}),
        })),
      };
    });
  }
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
