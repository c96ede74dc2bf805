import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RepairFunction } from './repair-function';
import { RollbackFunction } from './rollback-function';
import { logGroupNameOf } from '../monitoring/remediation-monitoring';
import { FunctionOptions } from '../policy';
import { RemediationServiceProps } from '../remediation-service-props';
import { RemediationStore } from '../store/remediation-store';
import { ENV, HANDLERS } from '../workflow/contract';
import { createHandler } from '../workflow/handler-support';
import { PolicyConfigBuilder } from '../workflow/settings';
import { TargetAccess, targetResourcesOf } from '../workflow/target-access';

/** Properties of {@link RepairExecutor}. */
export interface RepairExecutorProps extends RemediationServiceProps {
  /** Where repair records and audit entries are written. */
  readonly store: RemediationStore;
}

/**
 * The repair executor (raises MemorySize within the policy, waits until the update is Successful,
 * optionally publishes a version and moves an alias) and the rollback handler. Their roles may
 * update exactly the target functions (and the configured aliases), never `*`.
 */
export class RepairExecutor extends Construct {
  /** Raises the memory size. */
  public readonly repairFunction: lambda.IFunction;
  /** Puts the original memory size back. */
  public readonly rollbackFunction: lambda.IFunction;

  private readonly policyConfig: PolicyConfigBuilder;
  private readonly repairRights: TargetAccess;
  private readonly rollbackRights: TargetAccess;

  constructor(scope: Construct, id: string, props: RepairExecutorProps) {
    super(scope, id);
    this.policyConfig = PolicyConfigBuilder.of(this, props.policy, props.approval, props.repairStrategy, props.environments);
    const settings = { encryptionKey: props.encryptionKey, logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH };
    const table = props.store.table;

    const repair = createHandler(this, 'Repair', RepairFunction, HANDLERS.repair, settings, {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.POLICY]: this.policyConfig.toJson(this),
      [ENV.DRY_RUN]: String(this.policyConfig.resolved.dryRun),
    });
    // GetItem: the repair intent a retry continues; PutItem: intent and records; UpdateItem: intent
    // progress and the once-per-execution repair count.
    table.grant(repair.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.repairFunction = repair.fn;
    this.repairRights = new TargetAccess(this, 'RepairTargetAccess', {
      role: repair.role,
      functionActions: [
        'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion',
        'lambda:GetAlias', 'lambda:UpdateAlias',
      ],
    });

    const rollback = createHandler(this, 'Rollback', RollbackFunction, HANDLERS.rollback, settings, {
      [ENV.TABLE_NAME]: table.tableName,
    });
    table.grant(rollback.role, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.rollbackFunction = rollback.fn;
    // GetAlias: the alias moves back only while it still points at the version the repair published.
    this.rollbackRights = new TargetAccess(this, 'RollbackTargetAccess', {
      role: rollback.role,
      functionActions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:GetAlias', 'lambda:UpdateAlias'],
    });

    // RepairStrategy.custom: the user's functions make the change (and the rollback); our roles
    // may invoke exactly these, not their versions or aliases.
    for (const fn of this.policyConfig.customRepairFunctions) {
      for (const role of [repair.role, rollback.role]) {
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      }
    }

    if (props.encryptionKey) {
      props.encryptionKey.grantEncryptDecrypt(repair.role);
      props.encryptionKey.grantEncryptDecrypt(rollback.role);
    }
    for (const fn of props.functions ?? []) {
      this.addFunction(fn);
    }
  }

  /** Allow repairs of one more function (and of its alias, when given). */
  public addFunction(fn: lambda.IFunction, options: FunctionOptions = {}): void {
    this.policyConfig.addFunction(fn, options);
    const target = targetResourcesOf(fn, logGroupNameOf(fn, options), options.alias);
    this.repairRights.add(target);
    this.rollbackRights.add(target);
  }
}
