import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Approval, RemediationPolicy } from './policy';
import { RemediationEnvironment } from './remediation-environment';
import { RepairStrategy } from './repair/repair-strategy';

/**
 * What every remediation sub-construct takes: the guardrails, the functions, the key and the log
 * retention. Inside an `AutoRemediation` these are resolved once by it and shared by every
 * sub-construct and handler; the props matter when a sub-construct is used on its own.
 */
export interface RemediationServiceProps {
  /**
   * The guardrails.
   *
   * @default - the documented defaults of `RemediationPolicy`
   */
  readonly policy?: RemediationPolicy;

  /**
   * Which repairs wait for a person.
   *
   * @default Approval.none()
   */
  readonly approval?: Approval;

  /**
   * How a repair changes the memory: raise it directly, or release it as a canary through the
   * function's alias (`RepairStrategy.progressive`).
   *
   * @default RepairStrategy.raiseMemory()
   */
  readonly repairStrategy?: RepairStrategy;

  /**
   * Guardrails and repair strategy per environment, chosen by a function's tag or name; the
   * first environment that matches a function applies, the stack's `policy` and
   * `repairStrategy` otherwise.
   *
   * @default - none: every function gets the stack's `policy` and `repairStrategy`
   */
  readonly environments?: RemediationEnvironment[];

  /**
   * The functions under management. More can be added with `addFunction`.
   *
   * @default - none at first
   */
  readonly functions?: lambda.IFunction[];

  /**
   * Customer managed key for what the construct stores and the handlers' environment and logs.
   *
   * @default - AWS managed keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the log groups the construct creates.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}
