/**
 * The contract of the deploy-time setup (a CloudFormation custom resource backed by
 * `setup.lambda.ts`): what the construct passes, and the settings item it writes for the
 * handlers. Pure types and constants. Not exported from src/index.ts.
 */

/** CloudFormation resource type of the setup. */
export const SETUP_RESOURCE_TYPE = 'Custom::LambdaRemediationSetup';

/**
 * `ResourceProperties` of the setup custom resource. Lists, not JSON, so each name is one
 * reference in the template (1,000 functions stay far under CloudFormation's 1 MB).
 */
export interface SetupProperties {
  readonly ServiceToken: string;
  /** Table the managed-function settings are written to. */
  readonly TableName: string;
  /** Names of the managed functions. */
  readonly FunctionNames: string[];
  /** `[logGroupName, functionName]` of each function that writes to a custom log group. */
  readonly CustomLogGroups: string[][];
}

/**
 * The managed functions as the handlers read them when they do not fit the environment. The
 * setup also creates each function's log group when it is missing (custom, else `/aws/lambda/<name>`).
 */
export interface ManagedSettings {
  /** Names of the managed functions. */
  readonly functions: string[];
  /** Custom log group name → the function writing to it. */
  readonly logGroupFunctions: Record<string, string>;
}

/** Key of the settings item in the remediation table. */
export const MANAGED_SETTINGS_KEY = { pk: 'CONFIG', sk: 'MANAGED_FUNCTIONS' } as const;

/** Value of `MANAGED_FUNCTIONS` telling normalize to read the list from the settings item. */
export const MANAGED_FROM_TABLE = 'table';
