// Internal: what the hub's constructs and its handlers agree on (environment variable names, the
// spoke role's name, the spoke's defaults). Shared by both, so a name is written once. Not exported
// from src/index.ts.

/** Environment variables of the hub's handlers (set only on a hub: a single-stack deployment has none). */
export const HUB_ENV = {
  /** The hub's own account: an alarm event from it is handled with the handlers' own rights. */
  HOME_ACCOUNT: 'HUB_HOME_ACCOUNT',
  /**
   * Comma list of the spoke accounts the workflow acts for; an event from another account is
   * rejected and recorded (NOT_ADMITTED). `*`: any account the event bus policy admitted (the
   * organization).
   */
  ADMITTED_ACCOUNTS: 'HUB_ADMITTED_ACCOUNTS',
  /** Name prefix of the spokes' access roles; the role of a spoke is `<prefix>-<region>`. */
  SPOKE_ROLE_PREFIX: 'HUB_SPOKE_ROLE_PREFIX',
  /** Alarm name prefix of the spokes' alarms (`<prefix>-fn-...`). */
  SPOKE_ALARM_PREFIX: 'HUB_SPOKE_ALARM_PREFIX',
  /** `<key>=<value>`: the tag a spoke function carries when it is managed (read with lambda:ListTags through the spoke role). */
  SPOKE_TAG: 'HUB_SPOKE_TAG',
} as const;

/** Default name prefix of the spoke access role. */
export const DEFAULT_SPOKE_ROLE_PREFIX = 'lambda-auto-remediation-spoke';
/** Default alarm name prefix of a spoke. */
export const DEFAULT_SPOKE_ALARM_PREFIX = 'LambdaAutoRemediation-spoke';
/** Default tag key of spoke functions. */
export const DEFAULT_SPOKE_TAG_KEY = 'LambdaAutoRemediation';
/** Default name of the hub's event bus. */
export const DEFAULT_HUB_BUS_NAME = 'lambda-auto-remediation-hub';

/**
 * The spoke role's name in one region: IAM role names are global to an account, and a StackSet
 * deploys the same template in several regions of one account, so the region is part of the name.
 * At most 64 characters (IAM).
 */
export function spokeRoleName(prefix: string, region: string): string {
  return `${prefix}-${region}`;
}

/** The ARN of a spoke's access role, as the hub assumes it. */
export function spokeRoleArn(partition: string, account: string, region: string, prefix: string): string {
  return `arn:${partition}:iam::${account}:role/${spokeRoleName(prefix, region)}`;
}
