import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ManualRepairFunction } from './manual-repair-function';
import { MANUAL_REPAIR_HANDLER } from './ops-item-contract';
import { logGroupNameOf } from '../monitoring/remediation-monitoring';
import { FunctionOptions } from '../policy';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { VerificationService } from '../verification/verification-service';
import { ENV } from '../workflow/contract';
import { createHandler } from '../workflow/handler-support';
import { PolicyConfigBuilder } from '../workflow/settings';
import { TargetAccess, targetResourcesOf } from '../workflow/target-access';

/** Properties of {@link ManualRepairRunbook}. */
export interface ManualRepairRunbookProps extends RemediationServiceProps {
  /** Where the repair records, audit entries, function state and locks live. */
  readonly store: RemediationStore;
  /** Its topic receives the manual repair notifications. */
  readonly notifications: VerificationService;
}

/**
 * An AWS Systems Manager Automation runbook, "raise this function's memory within the policy", for
 * an operator to apply a recommendation by hand (from an OpsItem, the console or the CLI) with the
 * workflow's guardrails and records: its one step invokes the manual repair handler, which checks
 * the policy (excluded functions, maximum, largest step, cooldown, repairs per day), takes the
 * function's lock, updates the memory conditionally on the revision it read, writes the repair
 * record and an audit entry, and notifies. Its rights name exactly the managed functions.
 *
 * Start it with `aws ssm start-automation-execution --document-name <documentName> --parameters
 * FunctionName=orders-api,MemorySize=768,Reason="from OpsItem oi-..."`; the caller needs
 * `ssm:StartAutomationExecution` on the document and `iam:PassRole` on the runbook's role
 * ({@link grantStart}).
 */
export class ManualRepairRunbook extends Construct {
  /** The Automation document's name. */
  public readonly documentName: string;
  /** The role Automation assumes to run it (it may invoke the manual repair handler only). */
  public readonly automationRole: iam.IRole;
  /** Applies the change (the runbook's step). */
  public readonly manualRepairFunction: lambda.IFunction;

  private readonly policyConfig: PolicyConfigBuilder;
  private readonly rights: TargetAccess;

  constructor(scope: Construct, id: string, props: ManualRepairRunbookProps) {
    super(scope, id);
    this.policyConfig = PolicyConfigBuilder.of(this, props.policy, props.approval, props.repairStrategy, props.environments);
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;
    const handler = createHandler(this, 'ManualRepair', ManualRepairFunction, MANUAL_REPAIR_HANDLER, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.TOPIC_ARN]: props.notifications.topic.topicArn,
      [ENV.POLICY]: this.policyConfig.toJson(this),
      [ENV.DRY_RUN]: String(this.policyConfig.resolved.dryRun),
    });
    // GetItem/PutItem/DeleteItem: the lock and the records; UpdateItem: the repair count (cooldown, budget).
    table.grant(handler.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem');
    props.notifications.grantNotify(handler.role);
    props.encryptionKey?.grantEncryptDecrypt(handler.role);
    this.rights = new TargetAccess(this, 'TargetAccess', {
      role: handler.role,
      functionActions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'],
    });
    this.manualRepairFunction = handler.fn;

    const stack = Stack.of(this);
    const role = new iam.Role(this, 'AutomationRole', {
      description: 'lambda-auto-remediation manual repair runbook (Automation assumes it)',
      // Confused-deputy protection: only Automation acting for this account.
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'InvokeManualRepair',
      actions: ['lambda:InvokeFunction'],
      resources: [handler.fn.functionArn],
    }));
    this.automationRole = role;

    const document = new ssm.CfnDocument(this, 'Document', {
      documentType: 'Automation',
      documentFormat: 'JSON',
      content: {
        schemaVersion: '0.3',
        description: 'Raise a managed Lambda function\'s memory within the lambda-auto-remediation policy (maximum size, largest step, cooldown, repairs per day, the function\'s lock), with the same records and notification as the workflow.',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: {
          FunctionName: { type: 'String', description: 'The managed function (name).', allowedPattern: '^[A-Za-z0-9_-]{1,64}$' },
          MemorySize: { type: 'Integer', description: 'The new memory size, MB (above the current size, within the policy).' },
          Reason: { type: 'String', description: 'Why (kept in the records).', default: 'applied by hand', allowedPattern: '^[^\\r\\n]{1,300}$' },
          AutomationAssumeRole: { type: 'String', description: 'The role Automation assumes.', default: role.roleArn },
        },
        mainSteps: [{
          name: 'RaiseMemoryWithinPolicy',
          action: 'aws:invokeLambdaFunction',
          isEnd: true,
          inputs: {
            FunctionName: handler.fn.functionArn,
            InputPayload: {
              functionName: '{{ FunctionName }}',
              memorySize: '{{ MemorySize }}',
              reason: '{{ Reason }}',
              automationExecutionId: '{{ automation:EXECUTION_ID }}',
            },
          },
          outputs: [{ Name: 'Payload', Selector: '$.Payload', Type: 'StringMap' }],
        }],
        outputs: ['RaiseMemoryWithinPolicy.Payload'],
      },
    });
    this.documentName = document.ref;
    for (const fn of props.functions ?? []) this.addFunction(fn);
  }

  /** Let the runbook change one more function. */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    this.rights.add(targetResourcesOf(fn, logGroupNameOf(fn, options), options.alias));
  }

  /**
   * Let a principal start the runbook: `ssm:StartAutomationExecution` on the document (and the
   * executions it starts, the other resource the action requires) and `iam:PassRole` of its role.
   */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const start = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:StartAutomationExecution'],
      resourceArns: [
        stack.formatArn({ service: 'ssm', resource: 'document', resourceName: this.documentName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        stack.formatArn({ service: 'ssm', resource: 'automation-execution', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      ],
    });
    this.automationRole.grantPassRole(grantee.grantPrincipal);
    return start;
  }
}
