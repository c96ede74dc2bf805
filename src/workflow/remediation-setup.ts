// Internal: the deploy-time setup custom resource (see setup.lambda.ts). Not exported from src/index.ts.
import { CustomResource, Duration, Lazy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { createHandler } from './handler-support';
import { ManagedSettings, SETUP_RESOURCE_TYPE } from './setup-contract';
import { SetupFunction } from './setup-function';
import { TargetAccess } from './target-access';

/** Properties of {@link RemediationSetup}. */
export interface RemediationSetupProps {
  readonly table: dynamodb.ITable;
  /** The managed functions (resolved at synthesis). */
  readonly settings: () => ManagedSettings;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** Description of the setup handler, also how the simulation recognises it. */
export const SETUP_DESCRIPTION = 'Deploy-time setup: creates the managed functions\' missing log groups and writes the managed-function settings.';

/**
 * Runs at every deploy that changes the managed functions: creates the log groups the memory
 * alarms query when they do not exist yet, and writes the managed-function settings item.
 */
export class RemediationSetup extends Construct {
  /** The custom resource; resources that need the setup done depend on it. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RemediationSetupProps) {
    super(scope, id);
    const handler = createHandler(this, 'Setup', SetupFunction, {
      id: 'setup',
      description: SETUP_DESCRIPTION,
      timeoutSeconds: 900,
      memorySizeMb: 256,
    }, { encryptionKey: props.encryptionKey, logRetention: props.logRetention }, {});
    props.table.grant(handler.role, 'dynamodb:PutItem');
    props.encryptionKey?.grantEncryptDecrypt(handler.role);
    const access = new TargetAccess(this, 'LogGroupAccess', { role: handler.role, logActions: ['logs:CreateLogGroup'] });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.fn.functionArn,
      resourceType: SETUP_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(15),
      properties: {
        TableName: props.table.tableName,
        FunctionNames: Lazy.list({ produce: () => props.settings().functions }),
        CustomLogGroups: Lazy.any({ produce: () => Object.entries(props.settings().logGroupFunctions) }),
      },
    });
    // The rights (the log group policies are attached to the role separately) must exist
    // before CloudFormation asks the function to use them.
    this.resource.node.addDependency(access);
  }

  /** Make `construct` wait for the setup (e.g. a log alarm for its log groups to exist). */
  public before(construct: IConstruct): void {
    construct.node.addDependency(this.resource);
  }
}
