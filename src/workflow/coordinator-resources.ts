// Internal: what Workflow.lambdaCoordinator() deploys in place of the state machine. The coordinator
// function (its story is coordinator.ts), the right to invoke the handler functions the state
// machine would invoke, its checkpoint in the table, and the EventBridge Scheduler group and role
// its verification schedules use. Not exported from src/index.ts.
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, HANDLERS } from './contract';
import { COORDINATOR_ENV, COORDINATOR_HANDLERS } from './coordinator-contract';
import { CoordinatorFunction } from './coordinator-function';
import { RemediationHandlers } from './definition';
import { createHandler, HandlerSettings, policyWildcardFindings, suppressNag } from './handler-support';

/** The coordinator's handler spec (timeout: the handlers it calls in a row, with their retries). */
export const COORDINATOR_SPEC = HANDLERS.coordinator;

export interface CoordinatorResourcesProps {
  readonly handlers: RemediationHandlers;
  readonly table: dynamodb.ITable;
  readonly settings: HandlerSettings;
  readonly deadLetterQueue: sqs.IQueue;
  readonly lockTtlSeconds: number;
  readonly encryptionKey?: kms.IKey;
}

export interface CoordinatorResources {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
}

export function createCoordinator(scope: Construct, props: CoordinatorResourcesProps): CoordinatorResources {
  const stack = Stack.of(scope);
  const scheduleGroup = new scheduler.ScheduleGroup(scope, 'VerificationSchedules');
  // EventBridge Scheduler assumes this role to invoke the coordinator; the confused-deputy
  // condition names this account (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role).
  const schedulerRole = new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: 'lambda-auto-remediation: EventBridge Scheduler wakes the coordinator for verification',
  });
  const handlerFns = props.handlers as unknown as Record<string, lambda.IFunction>;
  const handle = createHandler(scope, 'Coordinator', CoordinatorFunction, COORDINATOR_SPEC, props.settings, {
    [ENV.TABLE_NAME]: props.table.tableName,
    [ENV.LOCK_TTL_SECONDS]: String(props.lockTtlSeconds),
    [COORDINATOR_ENV.HANDLERS]: stack.toJsonString(Object.fromEntries(COORDINATOR_HANDLERS.map((id) => [id, handlerFns[id].functionArn]))),
    [COORDINATOR_ENV.SCHEDULE_GROUP]: scheduleGroup.scheduleGroupName,
    [COORDINATOR_ENV.SCHEDULER_ROLE_ARN]: schedulerRole.roleArn,
    [COORDINATOR_ENV.SCHEDULE_DLQ_ARN]: props.deadLetterQueue.queueArn,
  });
  const { fn, role } = handle;
  // The handlers, as the state machine invokes them (each keeps its own role and rights).
  for (const id of COORDINATOR_HANDLERS) handlerFns[id].grantInvoke(role);
  // Its checkpoint: one item per run.
  props.table.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem');
  props.encryptionKey?.grantEncryptDecrypt(role);
  const scheduleArns = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleGroup.scheduleGroupName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ScheduleVerification',
    actions: ['scheduler:CreateSchedule'],
    resources: [scheduleArns],
  }));
  // CreateSchedule passes the scheduler role (https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'PassSchedulerRole',
    actions: ['iam:PassRole'],
    resources: [schedulerRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  }));
  fn.grantInvoke(schedulerRole);
  // Undeliverable wake-ups go to the dead-letter queue: the execution role needs sqs:SendMessage on
  // it (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html), and
  // a queue encrypted with a customer key needs the key policy to let Scheduler use the key
  // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/troubleshooting.html). An imported key
  // keeps its own policy: its owner adds that statement.
  schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));
  props.encryptionKey?.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'SchedulerDeadLetters',
    principals: [new iam.ServicePrincipal('scheduler.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }), true);
  return { fn, role, logGroup: handle.logGroup, scheduleGroup, schedulerRole };
}

/**
 * Acknowledge the wildcards of the coordinator's policies, finding by finding, once every grant is
 * made (the on-failure destination adds one): `<handler arn>:*` (CDK's grantInvoke covers the
 * versions) and `schedule/<group>/*` (one schedule per run, named by the run).
 */
export function acknowledgeCoordinatorWildcards(resources: CoordinatorResources): void {
  for (const [r, reason] of [
    [resources.role, 'The coordinator invokes the handler functions and the cleanup (CDK grants <arn>:* for their versions) and creates its verification schedules in its own schedule group (schedule/<group>/*: one per run); X-Ray takes no resource.'],
    [resources.schedulerRole, 'CDK grants lambda:InvokeFunction on the coordinator and its versions (<arn>:*); nothing else.'],
  ] as const) {
    const policy = r.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
    suppressNag(policy, [{ id: 'AwsSolutions-IAM5', reason, findings: policyWildcardFindings(policy) }]);
  }
}
