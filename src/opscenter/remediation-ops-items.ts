import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OPS_ITEM_OUTCOMES } from './ops-item';
import { OPS_ITEM_ENV, OPS_ITEM_HANDLER } from './ops-item-contract';
import { OpsItemFunction } from './ops-item-function';
import { DRIFT_EVENT_DETAIL_TYPE } from '../drift/drift-contract';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { InvalidRemediationPolicyError } from '../workflow/construct-errors';
import { ENV, RESULT_EVENT_DETAIL_TYPE, RESULT_EVENT_SOURCE } from '../workflow/contract';
import { createHandler, suppressNag } from '../workflow/handler-support';

/** OpsCenter options of {@link AutoRemediationProps}. */
export interface OpsItemOptions {
  /**
   * Priority of the OpsItems, 1 (highest) to 5.
   *
   * @default 2
   */
  readonly priority?: number;

  /**
   * Severity of the OpsItems, 1 (critical) to 4 (low).
   *
   * @default 2
   */
  readonly severity?: number;
}

/** Properties of {@link RemediationOpsItems}. */
export interface RemediationOpsItemsProps extends RemediationServiceProps, OpsItemOptions {
  /** Where the diagnosis records are read and the OpsItem records written. */
  readonly store: RemediationStore;
  /** The bus the workflow's result events (and drift events) are put on. */
  readonly eventBus: events.IEventBus;
  /**
   * Where events the handler could not take after EventBridge's retries go.
   *
   * @default - none
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * The Automation runbook an operator runs to apply a recommendation by hand: listed on each
   * OpsItem (`/aws/automations`).
   *
   * @default - none listed
   */
  readonly automationDocumentName?: string;
}

/**
 * Opens an AWS Systems Manager OpsCenter OpsItem, with the evidence and the runbooks, for each
 * remediation that needs a person (HUMAN_REVIEW, FAILED) and each drift; deduplicated per function
 * and kind of incident (`/aws/dedup`): while one is open, the next occurrence opens no other.
 */
export class RemediationOpsItems extends Construct {
  /** Opens the OpsItems. */
  public readonly opsItemFunction: lambda.IFunction;
  /** The rules that route results and drifts to it. */
  public readonly rules: events.Rule[];

  constructor(scope: Construct, id: string, props: RemediationOpsItemsProps) {
    super(scope, id);
    const priority = props.priority ?? 2;
    const severity = props.severity ?? 2;
    if (!Token.isUnresolved(priority) && !(Number.isInteger(priority) && priority >= 1 && priority <= 5)) {
      throw new InvalidRemediationPolicyError(`opsItems.priority must be a whole number from 1 to 5, got ${priority}`);
    }
    if (!Token.isUnresolved(severity) && !(Number.isInteger(severity) && severity >= 1 && severity <= 4)) {
      throw new InvalidRemediationPolicyError(`opsItems.severity must be a whole number from 1 to 4, got ${severity}`);
    }
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;
    const handler = createHandler(this, 'OpsItem', OpsItemFunction, OPS_ITEM_HANDLER, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [OPS_ITEM_ENV.PRIORITY]: String(priority),
      [OPS_ITEM_ENV.SEVERITY]: String(severity),
      [OPS_ITEM_ENV.ACCOUNT]: Stack.of(this).account,
      ...(props.automationDocumentName ? { [OPS_ITEM_ENV.AUTOMATION_DOCUMENT]: props.automationDocumentName } : {}),
    });
    // Query: the execution's diagnosis record (the evidence); PutItem: the OpsItem record.
    table.grant(handler.role, 'dynamodb:Query', 'dynamodb:PutItem');
    props.encryptionKey?.grantEncryptDecrypt(handler.role);
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'OpenOpsItems',
      actions: ['ssm:CreateOpsItem'],
      resources: ['*'],
    }));
    suppressNag(handler.role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'ssm:CreateOpsItem takes no resource-level permission (the Service Authorization Reference lists no resource type for it); X-Ray needs * as well.',
      findings: ['Resource::*'],
    }]);
    this.opsItemFunction = handler.fn;

    const target = () => new targets.LambdaFunction(handler.fn, {
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      retryAttempts: 8,
      maxEventAge: Duration.hours(6),
    });
    this.rules = [
      new events.Rule(this, 'ResultRule', {
        description: 'Routes the remediation results that need a person (HUMAN_REVIEW, FAILED) to the OpsItem handler',
        eventBus: props.eventBus,
        eventPattern: { source: [RESULT_EVENT_SOURCE], detailType: [RESULT_EVENT_DETAIL_TYPE], detail: { outcome: [...OPS_ITEM_OUTCOMES] } },
        targets: [target()],
      }),
      new events.Rule(this, 'DriftRule', {
        description: 'Routes drift events (a function set below its verified repair) to the OpsItem handler',
        eventBus: props.eventBus,
        eventPattern: { source: [RESULT_EVENT_SOURCE], detailType: [DRIFT_EVENT_DETAIL_TYPE] },
        targets: [target()],
      }),
    ];
  }
}
