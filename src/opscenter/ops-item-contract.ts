/**
 * The contract of the OpsCenter integration: the handler, its environment and its output. Pure
 * constants and types shared by the construct and the handler. Not exported from src/index.ts.
 */

/** Environment of the OpsItem handler besides `TABLE_NAME`. */
export const OPS_ITEM_ENV = {
  /** OpsItem priority, 1 to 5. */
  PRIORITY: 'OPS_ITEM_PRIORITY',
  /** OpsItem severity, 1 to 4. */
  SEVERITY: 'OPS_ITEM_SEVERITY',
  /** The account, for the deduplication string and the function ARN. */
  ACCOUNT: 'OPS_ITEM_ACCOUNT',
  /** Name of the Automation runbook that applies a recommendation by hand, when there is one. */
  AUTOMATION_DOCUMENT: 'OPS_ITEM_AUTOMATION_DOCUMENT',
} as const;

/** The OpsItem handler. */
export const OPS_ITEM_HANDLER = {
  id: 'opsItem',
  entry: 'src/opscenter/ops-item.lambda.ts',
  description: 'OpsCenter: opens an OpsItem (deduplicated per function and incident) with the evidence and runbooks for a remediation that needs a person (HUMAN_REVIEW, FAILED) or a drift.',
  timeoutSeconds: 30,
  memorySizeMb: 256,
} as const;

/** What the handler did with one event. */
export interface OpsItemOutput {
  /** `OPENED`, `DEDUPLICATED` (an OpsItem for the same incident is still open) or `IGNORED`. */
  readonly status: 'OPENED' | 'DEDUPLICATED' | 'IGNORED';
  readonly reason: string;
  readonly functionName?: string;
  readonly opsItemId?: string;
}

/** The manual repair handler (the step of the Automation runbook). */
export const MANUAL_REPAIR_HANDLER = {
  id: 'manualRepair',
  entry: 'src/opscenter/manual-repair.lambda.ts',
  description: 'Manual repair (Automation runbook step): raises a managed function\'s memory by hand within the policy (maximum, step, cooldown, daily budget, lock), records and notifies like the workflow.',
  timeoutSeconds: 300,
  memorySizeMb: 256,
} as const;
