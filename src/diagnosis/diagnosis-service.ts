import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CollectFunction } from './collect-function';
import { DiagnoseFunction } from './diagnose-function';
import { Diagnosis } from './diagnosis';
import { Approval, FunctionOptions, RemediationPolicy } from '../policy';
import { RemediationStore } from '../store/remediation-store';
import { ENV, HANDLERS } from '../workflow/contract';
import {
  createHandler, functionNameOf, logGroupArnOf, suppressNag, TargetPolicies, targetFunctionArns, wildcardResourceFindings,
} from '../workflow/handler-support';
import { PolicyConfigBuilder } from '../workflow/settings';

/** Properties of {@link DiagnosisService}. */
export interface DiagnosisServiceProps {
  /** Where evidence and diagnosis records are written. */
  readonly store: RemediationStore;

  /**
   * Rules only, or rules plus an Amazon Bedrock model or agent.
   *
   * @default Diagnosis.rulesOnly()
   */
  readonly diagnosis?: Diagnosis;

  /**
   * The guardrails the decision applies.
   *
   * @default - the documented defaults of `RemediationPolicy`
   */
  readonly policy?: RemediationPolicy;

  /**
   * Which repairs wait for a person.
   *
   * @default - `Approval.allFunctions()` if `policy.requireApproval`, else `Approval.none()`
   */
  readonly approval?: Approval;

  /**
   * The functions whose metrics, logs and configuration the collector may read.
   *
   * @default - none at first; add them with `addFunction`
   */
  readonly functions?: lambda.IFunction[];

  /**
   * Customer managed key for the handlers' environment and log groups.
   *
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the handlers' log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The collector (metrics, REPORT and error lines, configuration without secrets) and the diagnosis
 * handler (rule engine, optional Amazon Bedrock), with read rights on exactly the target functions
 * and Bedrock rights on exactly the configured model, knowledge base or agent.
 */
export class DiagnosisService extends Construct {
  /** Gathers the evidence for one alarm. */
  public readonly collectFunction: lambda.IFunction;
  /** Diagnoses and decides. */
  public readonly diagnoseFunction: lambda.IFunction;
  /** The diagnosis choice in force. */
  public readonly diagnosis: Diagnosis;

  private readonly policyConfig: PolicyConfigBuilder;
  private readonly targetReads: TargetPolicies;

  constructor(scope: Construct, id: string, props: DiagnosisServiceProps) {
    super(scope, id);
    this.diagnosis = props.diagnosis ?? Diagnosis.rulesOnly();
    this.policyConfig = new PolicyConfigBuilder(props.policy, props.approval);
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;

    const collect = createHandler(this, 'Collect', CollectFunction, HANDLERS.collect, settings, {
      [ENV.TABLE_NAME]: table.tableName,
    });
    table.grant(collect.role, 'dynamodb:PutItem');
    collect.role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadLambdaMetrics',
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));
    this.collectFunction = collect.fn;
    this.targetReads = new TargetPolicies(this, 'CollectTargetAccess', collect.role,
      ['lambda:GetFunctionConfiguration', 'logs:FilterLogEvents']);

    const diagnose = createHandler(this, 'Diagnose', DiagnoseFunction, HANDLERS.diagnose, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.POLICY]: this.policyConfig.toJson(this),
      [ENV.DRY_RUN]: String(this.policyConfig.resolved.dryRun),
      ...(this.diagnosis.modelId ? { [ENV.BEDROCK_MODEL_ID]: this.diagnosis.modelId } : {}),
      ...(this.diagnosis.knowledgeBaseId ? { [ENV.KNOWLEDGE_BASE_ID]: this.diagnosis.knowledgeBaseId } : {}),
      ...(this.diagnosis.agentId ? { [ENV.AGENT_ID]: this.diagnosis.agentId } : {}),
      ...(this.diagnosis.agentAliasId ? { [ENV.AGENT_ALIAS_ID]: this.diagnosis.agentAliasId } : {}),
    });
    // GetItem: the evidence; PutItem: the diagnosis record; UpdateItem: the daily model-call budget.
    table.grant(diagnose.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    for (const statement of this.diagnosis.policyStatements(this)) {
      diagnose.role.addToPolicy(statement);
    }
    this.diagnoseFunction = diagnose.fn;

    if (props.encryptionKey) {
      props.encryptionKey.grantEncryptDecrypt(collect.role);
      props.encryptionKey.grantEncryptDecrypt(diagnose.role);
    }
    suppressNag(collect.role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'cloudwatch:GetMetricData and the X-Ray actions take no resource-level permission; the Lambda and Logs reads are limited to the target functions by separate managed policies.',
      findings: ['Resource::*'],
    }]);
    const modelFindings = wildcardResourceFindings(this, this.diagnosis.policyStatements(this).flatMap(st => st.resources));
    if (modelFindings.length > 0) {
      suppressNag(diagnose.role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'A cross-region inference profile may route to the configured foundation model in any region, so that one model is granted in every region (region *), never other models.',
        findings: modelFindings,
      }]);
    }

    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** Let the collector read one more target function's configuration and log group. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    this.targetReads.add([
      ...targetFunctionArns(fn),
      // An alarm on the alias makes the collector read the alias's configuration.
      ...(options.alias ? [options.alias.functionArn] : []),
      logGroupArnOf(this, options.logGroup?.logGroupName ?? `/aws/lambda/${functionNameOf(fn)}`),
    ]);
  }
}
