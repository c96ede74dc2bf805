/**
 * AWS Config in the simulated account, as far as a custom Lambda rule over Lambda functions needs
 * it: the recorder records a configuration item when a function's configuration changes, and each
 * custom Lambda rule whose scope holds `AWS::Lambda::Function` is invoked with it; the rule's
 * function answers with PutEvaluations.
 *
 * Follows:
 * - https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html:
 *   the event (`invokingEvent` a JSON string with `configurationItem` and `messageType`,
 *   `ruleParameters`, `resultToken`, `eventLeftScope`, `executionRoleArn`, `configRuleArn`,
 *   `configRuleName`, `configRuleId`, `accountId`, `version`);
 * - https://docs.aws.amazon.com/config/latest/APIReference/API_PutEvaluations.html: `ResultToken`
 *   required (a token Config did not issue: `InvalidResultTokenException`), at most 100
 *   evaluations; `TestMode` stores nothing;
 * - https://docs.aws.amazon.com/config/latest/APIReference/API_Evaluation.html:
 *   `ComplianceResourceType` (1-256), `ComplianceResourceId` (1-768), `ComplianceType` and
 *   `OrderingTimestamp` required, `Annotation` 1-256 characters, and "For the Evaluation data type,
 *   AWS Config supports only the COMPLIANT, NON_COMPLIANT, and NOT_APPLICABLE values"
 *   (`INSUFFICIENT_DATA` is rejected: `InvalidParameterValueException`);
 * - https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html:
 *   Config invokes the function only when its resource-based policy lets `config.amazonaws.com`
 *   do so (without it the invocation fails and nothing is evaluated).
 *
 * Not modelled: the recorder's own settings (a scenario says whether it records), periodic
 * rules, the evaluation of every resource when a rule is created, oversized items, and how late
 * Config records an item (two minutes after the change here, a choice). The configuration item
 * holds the function's environment variables, as the most a recorder could hold: a handler that
 * logged or stored the event would leak them, and the secret checks would see it.
 */
import { InvalidParameterValueException, InvalidResultTokenException } from '@aws-sdk/client-config-service';
import { VirtualClock } from '../clock';
import { SeededRandom } from '../random';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** A custom Lambda rule of the template. */
export interface ConfigRuleSpec {
  readonly ruleName: string;
  /** The rule's function (`Source.SourceIdentifier`). */
  readonly functionArn: string;
  /** `Scope.ComplianceResourceTypes`. */
  readonly resourceTypes: string[];
  /** `Source.SourceDetails[].MessageType`. */
  readonly messageTypes: string[];
  /** The function's resource-based policy lets `config.amazonaws.com` invoke it. */
  readonly mayInvoke: boolean;
}

/** One evaluation Config keeps (the latest per rule and resource). */
export interface StoredEvaluation {
  readonly ruleName: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly complianceType: string;
  readonly annotation?: string;
  readonly orderingTimestamp: string;
}

/** A rule invocation Config makes. */
export interface ConfigInvocationDue {
  readonly ruleName: string;
  readonly functionArn: string;
  readonly event: Record<string, unknown>;
}

export interface ConfigServiceOptions {
  /** The configuration recorder records Lambda functions. @default false */
  readonly recorder?: boolean;
  /** Virtual ms from a change to its configuration item and the rule invocations. @default 120000 */
  readonly recordingDelayMs?: number;
}

export class ConfigService {
  private readonly rules: ConfigRuleSpec[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly latest = new Map<string, StoredEvaluation>();
  private readonly pending: Array<{ at: number; invocation: ConfigInvocationDue }> = [];
  /** Invocations that could not be made (no permission), in order. */
  public readonly invocationErrors: Array<{ ruleName: string; resourceId: string; reason: string }> = [];

  constructor(private readonly clock: VirtualClock, private readonly random: SeededRandom, private readonly options: ConfigServiceOptions = {}) {}

  public addRule(rule: ConfigRuleSpec): void {
    this.rules.push(rule);
  }

  /** The latest evaluation of every rule and resource. */
  public evaluations(): StoredEvaluation[] {
    return [...this.latest.values()];
  }

  /** A Lambda function's configuration changed (`configuration`: what GetFunctionConfiguration returns). */
  public functionChanged(functionName: string, configuration: Record<string, unknown>): void {
    if (!this.options.recorder) return;
    const now = this.clock.now();
    const at = now + (this.options.recordingDelayMs ?? 120_000);
    const arn = String(configuration.FunctionArn ?? `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`);
    const item = {
      configurationItemCaptureTime: new Date(at).toISOString(),
      awsAccountId: ACCOUNT,
      configurationItemStatus: 'OK',
      resourceId: functionName,
      resourceName: functionName,
      ARN: arn,
      awsRegion: REGION,
      availabilityZone: 'Not Applicable',
      resourceType: 'AWS::Lambda::Function',
      tags: {},
      relationships: [],
      configuration: camelCase(configuration),
    };
    for (const rule of this.rules) {
      if (!rule.resourceTypes.includes('AWS::Lambda::Function') || !rule.messageTypes.includes('ConfigurationItemChangeNotification')) continue;
      if (!rule.mayInvoke) {
        this.invocationErrors.push({ ruleName: rule.ruleName, resourceId: functionName, reason: `config.amazonaws.com may not invoke ${rule.functionArn}` });
        continue;
      }
      const resultToken = this.random.uuid();
      this.tokens.set(resultToken, rule.ruleName);
      const ruleId = `config-rule-${this.random.uuid().slice(0, 6)}`;
      this.pending.push({
        at,
        invocation: {
          ruleName: rule.ruleName,
          functionArn: rule.functionArn,
          event: {
            invokingEvent: JSON.stringify({ configurationItem: item, notificationCreationTime: new Date(at).toISOString(), messageType: 'ConfigurationItemChangeNotification', recordVersion: '1.3' }),
            ruleParameters: '{}',
            resultToken,
            eventLeftScope: false,
            executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
            configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/${ruleId}`,
            configRuleName: rule.ruleName,
            configRuleId: ruleId,
            accountId: ACCOUNT,
            version: '1.0',
          },
        },
      });
    }
  }

  /** Invocations due by `now` (each returned once). */
  public due(now: number): ConfigInvocationDue[] {
    const out: ConfigInvocationDue[] = [];
    while (this.pending.length && this.pending[0].at <= now) out.push(this.pending.shift()!.invocation);
    return out;
  }

  public nextDue(): number | undefined {
    return this.pending[0]?.at;
  }

  /** PutEvaluations (API_PutEvaluations.html). */
  public putEvaluations(input: { ResultToken?: string; Evaluations?: Array<Record<string, any>>; TestMode?: boolean }): Record<string, unknown> {
    const token = input.ResultToken;
    if (token === undefined || token === null) throw invalidParameter('1 validation error detected: Value null at \'resultToken\' failed to satisfy constraint: Member must not be null');
    const evaluations = input.Evaluations ?? [];
    if (evaluations.length > 100) throw invalidParameter(`1 validation error detected: Value at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to 100, got ${evaluations.length}`);
    for (const [i, e] of evaluations.entries()) {
      const where = `evaluations.${i + 1}`;
      if (!e.ComplianceResourceType || String(e.ComplianceResourceType).length > 256) throw invalidParameter(`${where}.complianceResourceType must be 1 to 256 characters`);
      if (!e.ComplianceResourceId || String(e.ComplianceResourceId).length > 768) throw invalidParameter(`${where}.complianceResourceId must be 1 to 768 characters`);
      if (!['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'].includes(e.ComplianceType)) {
        throw invalidParameter(`${where}.complianceType: AWS Config supports only COMPLIANT, NON_COMPLIANT and NOT_APPLICABLE for an evaluation, got ${JSON.stringify(e.ComplianceType)}`);
      }
      if (e.Annotation !== undefined && (String(e.Annotation).length < 1 || String(e.Annotation).length > 256)) throw invalidParameter(`${where}.annotation must be 1 to 256 characters, got ${String(e.Annotation).length}`);
      if (!(e.OrderingTimestamp instanceof Date) && typeof e.OrderingTimestamp !== 'number' && typeof e.OrderingTimestamp !== 'string') throw invalidParameter(`${where}.orderingTimestamp is required`);
    }
    // "When TestMode is true, PutEvaluations doesn't require a valid value for the ResultToken parameter".
    if (input.TestMode) return { FailedEvaluations: [] };
    const ruleName = this.tokens.get(token);
    if (!ruleName) throw new InvalidResultTokenException({ message: 'The result token is not valid.', $metadata: { httpStatusCode: 400 } });
    for (const e of evaluations) {
      const key = `${ruleName}|${e.ComplianceResourceType}|${e.ComplianceResourceId}`;
      const ordering = new Date(e.OrderingTimestamp).toISOString();
      const previous = this.latest.get(key);
      // Config keeps the evaluation with the latest ordering timestamp.
      if (previous && previous.orderingTimestamp > ordering) continue;
      this.latest.set(key, {
        ruleName,
        resourceType: String(e.ComplianceResourceType),
        resourceId: String(e.ComplianceResourceId),
        complianceType: String(e.ComplianceType),
        ...(e.Annotation !== undefined ? { annotation: String(e.Annotation) } : {}),
        orderingTimestamp: ordering,
      });
    }
    return { FailedEvaluations: [] };
  }
}

function invalidParameter(message: string): InvalidParameterValueException {
  return new InvalidParameterValueException({ message, $metadata: { httpStatusCode: 400 } });
}

/** The configuration item's `configuration`: the API's fields with lowerCamel names, as Config records them. */
function camelCase(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelCase);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), k === 'Variables' ? x : camelCase(x)]));
  }
  return v;
}
