import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CollectFunction } from './collect-function';
import { DiagnoseFunction } from './diagnose-function';
import { Diagnosis } from './diagnosis';
import { logGroupNameOf } from '../monitoring/remediation-monitoring';
import { FunctionOptions } from '../policy';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { ENV, HANDLERS } from '../workflow/contract';
import { createHandler, suppressNag, wildcardResourceFindings } from '../workflow/handler-support';
import { PolicyConfigBuilder } from '../workflow/settings';
import { TargetAccess, targetResourcesOf } from '../workflow/target-access';

/** Properties of {@link DiagnosisService}. */
export interface DiagnosisServiceProps extends RemediationServiceProps {
  /** Where evidence and diagnosis records are written. */
  readonly store: RemediationStore;

  /**
   * Rules only, or rules plus an Amazon Bedrock model or agent.
   *
   * @default Diagnosis.rulesOnly()
   */
  readonly diagnosis?: Diagnosis;
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
  private readonly targetReads: TargetAccess;

  constructor(scope: Construct, id: string, props: DiagnosisServiceProps) {
    super(scope, id);
    this.diagnosis = props.diagnosis ?? Diagnosis.rulesOnly();
    this.policyConfig = PolicyConfigBuilder.of(this, props.policy, props.approval, props.repairStrategy, props.environments);
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
    this.targetReads = new TargetAccess(this, 'CollectTargetAccess', {
      role: collect.role,
      functionActions: ['lambda:GetFunctionConfiguration'],
      logActions: ['logs:FilterLogEvents'],
    });

    const diagnose = createHandler(this, 'Diagnose', DiagnoseFunction, HANDLERS.diagnose, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.POLICY]: this.policyConfig.toJson(this),
      [ENV.DRY_RUN]: String(this.policyConfig.resolved.dryRun),
      ...(this.diagnosis.modelId ? { [ENV.BEDROCK_MODEL_ID]: this.diagnosis.modelId } : {}),
      ...(this.diagnosis.knowledgeBaseId ? { [ENV.KNOWLEDGE_BASE_ID]: this.diagnosis.knowledgeBaseId } : {}),
      ...(this.diagnosis.agentId ? { [ENV.AGENT_ID]: this.diagnosis.agentId } : {}),
      ...(this.diagnosis.agentAliasId ? { [ENV.AGENT_ALIAS_ID]: this.diagnosis.agentAliasId } : {}),
      ...(this.diagnosis.analyzers.length > 0 ? {
        [ENV.ANALYZER_FUNCTIONS]: Stack.of(this).toJsonString(this.diagnosis.analyzers.map((fn) => fn.functionArn)),
        [ENV.ANALYZER_TIMEOUT_MS]: String(this.diagnosis.analyzerTimeout.toMilliseconds()),
      } : {}),
    });
    // GetItem: the evidence; PutItem: the diagnosis record; UpdateItem: the daily model-call budget;
    // Query: the function's repair and diagnosis records (the case history without a knowledge base).
    table.grant(diagnose.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
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
    // An alarm on the alias makes the collector read the alias's configuration.
    this.targetReads.add(targetResourcesOf(fn, logGroupNameOf(fn, options), options.alias));
  }
}
