import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { FinalizeFunction } from './finalize-function';
import { VerifyFunction } from './verify-function';
import { logGroupNameOf } from '../monitoring/remediation-monitoring';
import { FunctionOptions } from '../policy';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { ENV, HANDLERS, RESULT_EVENT_DETAIL_TYPE, RESULT_EVENT_SOURCE } from '../workflow/contract';
import { createHandler, suppressNag } from '../workflow/handler-support';
import { PolicyConfigBuilder } from '../workflow/settings';
import { TargetAccess, targetResourcesOf } from '../workflow/target-access';

/** Properties of {@link VerificationService}. */
export interface VerificationServiceProps extends RemediationServiceProps {
  /** Where repair records and audit entries are written and the lock lives. */
  readonly store: RemediationStore;

  /**
   * The topic for notifications and approval requests.
   *
   * @default - a new topic, encrypted with `encryptionKey` or a customer managed key of its own
   */
  readonly topic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the topic (each confirms by mail).
   *
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * The bus that receives one result event per workflow run
   * (`source: lambda-auto-remediation`, `detail-type: Lambda Remediation Result`).
   *
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * The verifier (before / after comparison after the verification window) and the finalizer, which
 * runs on every path: it works out the outcome, notifies through SNS, puts a result event on
 * EventBridge, writes the records and releases the per-function lock.
 */
export class VerificationService extends Construct {
  /** `source` of the result events. */
  public static readonly RESULT_EVENT_SOURCE = RESULT_EVENT_SOURCE;
  /** `detail-type` of the result events. */
  public static readonly RESULT_EVENT_DETAIL_TYPE = RESULT_EVENT_DETAIL_TYPE;

  /** Notifications and approval requests. */
  public readonly topic: sns.ITopic;
  /** The bus result events go to. */
  public readonly eventBus: events.IEventBus;
  /** Compares before and after. */
  public readonly verifyFunction: lambda.IFunction;
  /** Notifies, records and releases the lock. */
  public readonly finalizeFunction: lambda.IFunction;
  /** The finalizer's log group (one line per outcome; the dashboard queries it). */
  public readonly finalizeLogGroup: logs.ILogGroup;

  /**
   * The key the notification topic is encrypted with, when this construct created the topic:
   * `encryptionKey`, or a key of its own. Undefined for a topic you brought.
   */
  public readonly topicKey?: kms.IKey;

  private readonly policyConfig: PolicyConfigBuilder;
  private readonly logReads: TargetAccess;

  constructor(scope: Construct, id: string, props: VerificationServiceProps) {
    super(scope, id);
    this.policyConfig = PolicyConfigBuilder.of(this, props.policy, props.approval, props.repairStrategy, props.environments);
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;

    if (!props.topic) {
      // CloudWatch alarm actions and EventBridge cannot publish to a topic under the AWS managed
      // key alias/aws/sns, which takes no key policy statement
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
      // without a customer key, the topic gets a key of its own.
      this.topicKey = props.encryptionKey ?? new kms.Key(this, 'TopicKey', {
        description: 'lambda-auto-remediation notification topic',
        enableKeyRotation: true,
      });
    }
    this.topic = props.topic ?? this.createTopic(this.topicKey!);
    for (const email of props.notificationEmails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const verify = createHandler(this, 'Verify', VerifyFunction, HANDLERS.verify, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.POLICY]: this.policyConfig.toJson(this),
    });
    // GetItem: the evidence collected before the repair; PutItem: the audit entry.
    table.grant(verify.role, 'dynamodb:GetItem', 'dynamodb:PutItem');
    verify.role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadLambdaMetrics',
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));
    suppressNag(verify.role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'cloudwatch:GetMetricData and the X-Ray actions take no resource-level permission; log reads are limited to the target log groups by separate managed policies.',
      findings: ['Resource::*'],
    }]);
    this.verifyFunction = verify.fn;
    this.logReads = new TargetAccess(this, 'VerifyTargetAccess', { role: verify.role, logActions: ['logs:FilterLogEvents'] });

    const finalize = createHandler(this, 'Finalize', FinalizeFunction, HANDLERS.finalize, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.TOPIC_ARN]: this.topic.topicArn,
      [ENV.EVENT_BUS_NAME]: this.eventBus.eventBusName,
      // The follow-up interval and rounds.
      [ENV.POLICY]: this.policyConfig.toJson(this),
    });
    table.grant(finalize.role, 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem');
    this.grantNotify(finalize.role);
    this.eventBus.grantPutEventsTo(finalize.role);
    this.finalizeFunction = finalize.fn;
    this.finalizeLogGroup = finalize.logGroup;

    if (props.encryptionKey) {
      props.encryptionKey.grantEncryptDecrypt(verify.role);
      props.encryptionKey.grantEncryptDecrypt(finalize.role);
    }
    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** Let the verifier read one more target function's log group. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    this.logReads.add(targetResourcesOf(fn, logGroupNameOf(fn, options), options.alias));
  }

  /** Let a principal publish to the notification topic (and use its key). */
  public grantNotify(grantee: iam.IGrantable): iam.Grant {
    // topic.grantPublish would add kms:GenerateDataKey* on the topic's key; SNS needs exactly
    // GenerateDataKey and Decrypt on the publisher's behalf, so the grant names them.
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    this.topicKey?.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
    return grant;
  }

  private createTopic(key: kms.IKey): sns.ITopic {
    return new sns.Topic(this, 'Topic', {
      displayName: 'Lambda auto-remediation',
      masterKey: key,
      enforceSSL: true,
    });
  }
}
