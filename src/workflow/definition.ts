// What happens when an alarm fires: the remediation state machine, top to bottom.
//
// Every task is one Lambda handler (see contract.ts for its input, output and result path). The
// state only grows: each task writes its own field and never rewrites another's. Every task
// retries the transient named errors and catches everything else into NotifyResult, which works
// out the outcome from whatever fields exist, notifies, records and releases the lock, so every
// path notifies, records and releases. JSONPath only (no JSONata, no Assign variables).
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DEFAULT_RETRY, ERROR_NAMES, HANDLERS, HandlerId, INTAKE_SOURCE } from './contract';

/** The functions behind the states. */
export interface RemediationHandlers {
  readonly normalize: lambda.IFunction;
  readonly collect: lambda.IFunction;
  readonly diagnose: lambda.IFunction;
  readonly requestApproval: lambda.IFunction;
  readonly repair: lambda.IFunction;
  readonly verify: lambda.IFunction;
  readonly rollback: lambda.IFunction;
  readonly finalize: lambda.IFunction;
}

/** Options of the definition. */
export interface RemediationDefinitionOptions {
  /** How long a repair waits for a person before it becomes "no action". */
  readonly approvalTimeout: Duration;
  /**
   * Repairs may release the new size as a canary (`RepairStrategy.progressive`): a verified
   * canary is promoted by the PromoteCanary step. Without it the definition has no such step.
   * @default false
   */
  readonly progressive?: boolean;
}

/** The state names, for tests and for operators reading the execution history. */
export const STATE_NAMES = {
  INIT: 'InitializeState',
  IS_FOLLOW_UP: 'IsFollowUp',
  FOLLOW_UP_WAIT: 'WaitBeforeFollowUp',
  NORMALIZE: 'NormalizeAlarmAndLock',
  IS_ACCEPTED: 'IsAlarmAccepted',
  COLLECT: 'CollectMetricsAndLogs',
  DIAGNOSE: 'DiagnoseIssue',
  DECIDE: 'DetermineAction',
  APPROVAL: 'RequestApproval',
  IS_APPROVED: 'IsRepairApproved',
  REPAIR: 'ExecuteRepair',
  IS_REPAIRED: 'IsRepairApplied',
  WAIT: 'WaitForVerificationWindow',
  VERIFY: 'VerifyRepair',
  CHECK_VERIFICATION: 'CheckVerification',
  EXTEND: 'ExtendVerificationWindow',
  ROLLBACK: 'RollbackRepair',
  PROMOTE: 'PromoteCanary',
  NOTIFY: 'NotifyResult',
  CHECK_OUTCOME: 'CheckOutcome',
  DONE: 'RemediationFinished',
  FAILED: 'RemediationFailed',
  FINALIZE_FAILED: 'NotifyResultFailed',
} as const;

/** Build the state machine definition. */
export function buildRemediationDefinition(
  scope: Construct,
  handlers: RemediationHandlers,
  options: RemediationDefinitionOptions,
): sfn.IChainable {
  const S = STATE_NAMES;

  // 8. NotifyResult: notify (SNS + EventBridge), write the records, release the lock. Every path ends here.
  // If it fails anyway, the execution fails, and the cleanup handler (started by the execution's
  // FAILED status-change event, like TIMED_OUT and ABORTED) releases the lock and says so.
  const notifyResult = invoke(scope, S.NOTIFY, handlers.finalize, 'finalize');
  notifyResult.addCatch(new sfn.Fail(scope, S.FINALIZE_FAILED, {
    error: 'FinalizeFailed',
    cause: 'the notification, record and lock release step failed; the cleanup handler releases the lock on this FAILED status and notifies',
  }), { errors: ['States.ALL'], resultPath: '$.error' });
  const finish = notifyResult.next(new sfn.Choice(scope, S.CHECK_OUTCOME)
    .when(sfn.Condition.stringEquals('$.outcome.outcome', 'FAILED'),
      new sfn.Fail(scope, S.FAILED, { error: 'RemediationFailed', cause: 'see $.outcome.reason in the execution output' }))
    .otherwise(new sfn.Succeed(scope, S.DONE)));

  /** Every other task: retry transient errors, send anything else to NotifyResult with the error at $.error. */
  const step = (name: string, fn: lambda.IFunction, id: HandlerId) => {
    const task = invoke(scope, name, fn, id);
    task.addCatch(notifyResult, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  };

  // 1. The execution input is the raw EventBridge event (or the workflow's own contributor or
  // re-examination input); keep it under $.event. The state machine's own ARN lets normalize and
  // finalize start executions of it (an environment variable would be a CloudFormation cycle).
  const init = new sfn.Pass(scope, S.INIT, {
    parameters: {
      executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
      startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'),
      event: sfn.JsonPath.entirePayload,
    },
  });

  // 2. Normalize the alarm event and take the per-function lock (cooldown and daily budget checked here).
  const normalize = step(S.NORMALIZE, handlers.normalize, 'normalize');

  // 3-4. Collect the evidence, diagnose (rules, then Bedrock when configured; the policy decides).
  const collect = step(S.COLLECT, handlers.collect, 'collect');
  const diagnose = step(S.DIAGNOSE, handlers.diagnose, 'diagnose');

  // 6. Raise the memory; 7. wait for the verification window and compare before and after.
  const repair = step(S.REPAIR, handlers.repair, 'repair');
  const verify = step(S.VERIFY, handlers.verify, 'verify');
  const rollback = step(S.ROLLBACK, handlers.rollback, 'rollback');

  // 5b. Approval: the operator answers with SendTaskSuccess ({"approved": true|false}) or
  // SendTaskFailure (ApprovalRejected). The task token is single-use and unguessable; no answer
  // within the timeout means no action.
  const requestApproval = new tasks.LambdaInvoke(scope, S.APPROVAL, {
    lambdaFunction: handlers.requestApproval,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      taskToken: sfn.JsonPath.taskToken,
      state: sfn.JsonPath.entirePayload,
    }),
    resultPath: HANDLERS.requestApproval.resultPath,
    taskTimeout: sfn.Timeout.duration(options.approvalTimeout),
    retryOnServiceExceptions: false,
  });
  requestApproval.addRetry({ ...retryProps(), errors: [...DEFAULT_RETRY.errors] });
  requestApproval.addCatch(notifyResult, { errors: ['States.Timeout'], resultPath: '$.error' });
  requestApproval.addCatch(notifyResult, { errors: [ERROR_NAMES.APPROVAL_REJECTED], resultPath: '$.error' });
  requestApproval.addCatch(notifyResult, { errors: ['States.ALL'], resultPath: '$.error' });

  const waitForWindow = new sfn.Wait(scope, S.WAIT, { time: sfn.WaitTime.secondsPath('$.repair.verifyAfterSeconds') });
  const extendWindow = new sfn.Wait(scope, S.EXTEND, { time: sfn.WaitTime.secondsPath('$.verification.extendSeconds') });

  const checkVerification = new sfn.Choice(scope, S.CHECK_VERIFICATION)
    .when(sfn.Condition.stringEquals('$.verification.next', 'EXTEND'), extendWindow.next(verify))
    .when(sfn.Condition.stringEquals('$.verification.next', 'ROLLBACK'), rollback.next(finish));
  if (options.progressive) {
    // 7b. Progressive repair: verify compared the canary version with the old one side by side;
    // a canary that fails less is promoted (the alias points at it, the routing is cleared). The
    // repair handler does it (it holds the alias rights), told so by `promote: true`. A canary
    // that did not pass went to RollbackRepair above, which removes the routing.
    const promote = new tasks.LambdaInvoke(scope, S.PROMOTE, {
      lambdaFunction: handlers.repair,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ promote: true, state: sfn.JsonPath.entirePayload }),
      resultPath: '$.promotion',
      retryOnServiceExceptions: false,
    });
    promote.addRetry({ ...retryProps(), errors: [...DEFAULT_RETRY.errors] });
    promote.addCatch(notifyResult, { errors: ['States.ALL'], resultPath: '$.error' });
    checkVerification.when(sfn.Condition.stringEquals('$.verification.next', 'PROMOTE'), promote.next(finish));
  }
  checkVerification.otherwise(finish);

  const repairAndVerify = repair.next(new sfn.Choice(scope, S.IS_REPAIRED)
    .when(sfn.Condition.stringEquals('$.repair.status', 'SUCCEEDED'),
      waitForWindow.next(verify).next(checkVerification))
    .otherwise(finish)); // DRY_RUN, SKIPPED, FAILED: nothing to verify

  const decide = new sfn.Choice(scope, S.DECIDE)
    .when(sfn.Condition.stringEquals('$.diagnosis.action', 'REPAIR'), repairAndVerify)
    .when(sfn.Condition.stringEquals('$.diagnosis.action', 'REQUEST_APPROVAL'), requestApproval
      .next(new sfn.Choice(scope, S.IS_APPROVED)
        .when(sfn.Condition.and(
          sfn.Condition.isPresent('$.approval.approved'),
          sfn.Condition.booleanEquals('$.approval.approved', true)), repair)
        .otherwise(finish)))
    .otherwise(finish); // NO_ACTION, HUMAN_REVIEW, CANNOT_INCREASE: notify only

  normalize.next(new sfn.Choice(scope, S.IS_ACCEPTED)
    .when(sfn.Condition.stringEquals('$.alarm.status', 'ACCEPTED'), collect.next(diagnose).next(decide))
    .otherwise(finish)); // IGNORED, SUPPRESSED, ALREADY_IN_PROGRESS, COOLDOWN, DAILY_BUDGET_EXHAUSTED

  // 1b. A follow-up (the workflow's own input after a review or no-action outcome) waits its
  // interval before normalize, so no lock is held while it waits. Only a follow-up's detail
  // carries waitSeconds; IsPresent first, as a Choice on a missing path is a runtime error.
  const waitBeforeFollowUp = new sfn.Wait(scope, S.FOLLOW_UP_WAIT, { time: sfn.WaitTime.secondsPath('$.event.detail.waitSeconds') });
  return init.next(new sfn.Choice(scope, S.IS_FOLLOW_UP)
    .when(sfn.Condition.and(
      sfn.Condition.isPresent('$.event.source'),
      sfn.Condition.stringEquals('$.event.source', INTAKE_SOURCE),
      sfn.Condition.isPresent('$.event.detail.waitSeconds'),
      sfn.Condition.isNumeric('$.event.detail.waitSeconds')), waitBeforeFollowUp.next(normalize))
    .otherwise(normalize));
}

/** One request-response Lambda step writing to the handler's result path. */
function invoke(scope: Construct, name: string, fn: lambda.IFunction, id: HandlerId): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    resultPath: HANDLERS[id].resultPath,
    // Our own Retry below covers the Lambda service errors too, with one policy for every task.
    retryOnServiceExceptions: false,
  });
  task.addRetry({ ...retryProps(), errors: [...DEFAULT_RETRY.errors] });
  return task;
}

function retryProps(): sfn.RetryProps {
  return {
    interval: Duration.seconds(DEFAULT_RETRY.intervalSeconds),
    maxAttempts: DEFAULT_RETRY.maxAttempts,
    backoffRate: DEFAULT_RETRY.backoffRate,
  };
}
