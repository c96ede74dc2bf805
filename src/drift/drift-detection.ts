import { Duration, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DRIFT_EVENT_PATTERN, DRIFT_HANDLER } from './drift-contract';
import { DriftFunction } from './drift-function';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { VerificationService } from '../verification/verification-service';
import { ENV } from '../workflow/contract';
import { createHandler, suppressNag } from '../workflow/handler-support';

/** Drift detection options of {@link AutoRemediationProps}. */
export interface DriftDetectionOptions {
  /**
   * Also report each Lambda function's compliance with "memory not below the last verified
   * repair" as an AWS Config custom Lambda rule: NON_COMPLIANT below that size, COMPLIANT at or
   * above it, NOT_APPLICABLE without a verified repair. Config evaluates on every recorded
   * configuration change of a function, so the account needs the AWS Config recorder recording
   * `AWS::Lambda::Function`. The notifications still come from the CloudTrail path (once per change).
   *
   * @default false
   */
  readonly configRule?: boolean;
}

/** Properties of {@link DriftDetection}. */
export interface DriftDetectionProps extends RemediationServiceProps, DriftDetectionOptions {
  /** Where the repair records are read and the drift records written. */
  readonly store: RemediationStore;
  /** Its topic receives the drift notifications. */
  readonly notifications: VerificationService;
  /**
   * Where events the handler could not take after EventBridge's retries go.
   *
   * @default - none: an undeliverable event is dropped after the retries
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Watches for configuration changes that set a function below the memory its last verified repair
 * established (a deploy from infrastructure code that still holds the old size, a console edit):
 * an EventBridge rule on CloudTrail's `UpdateFunctionConfiguration` events (CloudFormation stack
 * updates call the same API) invokes the drift handler, which records the drift and notifies with
 * the infrastructure-code change that keeps the fix.
 *
 * Needs a CloudTrail trail that logs management events in the account and region: EventBridge
 * receives `AWS API Call via CloudTrail` events only then.
 */
export class DriftDetection extends Construct {
  /** Records and notifies drifts. */
  public readonly driftFunction: lambda.IFunction;
  /** Routes CloudTrail `UpdateFunctionConfiguration` events to the drift handler. */
  public readonly rule: events.Rule;
  /** The AWS Config rule's name, when `configRule` is set. */
  public readonly configRuleName?: string;

  constructor(scope: Construct, id: string, props: DriftDetectionProps) {
    super(scope, id);
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;
    const drift = createHandler(this, 'Drift', DriftFunction, DRIFT_HANDLER, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.TOPIC_ARN]: props.notifications.topic.topicArn,
      [ENV.EVENT_BUS_NAME]: props.notifications.eventBus.eventBusName,
    });
    // Query: the function's repair records; PutItem: the drift record (conditional, once per event).
    table.grant(drift.role, 'dynamodb:Query', 'dynamodb:PutItem');
    props.notifications.grantNotify(drift.role);
    // The drift event (source lambda-auto-remediation, detail-type Lambda Remediation Drift).
    props.notifications.eventBus.grantPutEventsTo(drift.role);
    props.encryptionKey?.grantEncryptDecrypt(drift.role);
    this.driftFunction = drift.fn;

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Routes CloudTrail UpdateFunctionConfiguration events to the drift handler of lambda-auto-remediation',
      eventPattern: {
        source: [...DRIFT_EVENT_PATTERN.source],
        detailType: [...DRIFT_EVENT_PATTERN['detail-type']],
        detail: {
          eventSource: [...DRIFT_EVENT_PATTERN.detail.eventSource],
          eventName: [...DRIFT_EVENT_PATTERN.detail.eventName],
        },
      },
      targets: [new targets.LambdaFunction(drift.fn, {
        ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      })],
    });

    if (props.configRule) {
      // Config invokes the handler with the function's configuration item and a result token.
      drift.fn.addPermission('ConfigInvoke', {
        principal: new iam.ServicePrincipal('config.amazonaws.com'),
        sourceAccount: Stack.of(this).account,
      });
      drift.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ReportConfigEvaluations',
        actions: ['config:PutEvaluations'],
        resources: ['*'],
      }));
      suppressNag(drift.role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'config:PutEvaluations takes no resource-level permission (the Service Authorization Reference lists no resource type for it); the result token Config passes ties each call to this rule.',
        findings: ['Resource::*'],
      }]);
      // CfnConfigRule, not config.CustomRule: that one attaches the AWS managed policy
      // AWSConfigRulesExecutionRole to the function's role, far more than PutEvaluations.
      const rule = new config.CfnConfigRule(this, 'ConfigRule', {
        description: 'Lambda function memory is not below the size its last verified repair established (lambda-auto-remediation)',
        scope: { complianceResourceTypes: ['AWS::Lambda::Function'] },
        source: {
          owner: 'CUSTOM_LAMBDA',
          sourceIdentifier: drift.fn.functionArn,
          sourceDetails: [
            { eventSource: 'aws.config', messageType: 'ConfigurationItemChangeNotification' },
            { eventSource: 'aws.config', messageType: 'OversizedConfigurationItemChangeNotification' },
          ],
        },
      });
      rule.node.addDependency(drift.fn);
      this.configRuleName = rule.ref;
    }
  }
}
