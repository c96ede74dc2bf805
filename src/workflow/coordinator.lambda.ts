/**
 * The Lambda coordinator (`Workflow.lambdaCoordinator()`): started by the alarm rule (and by
 * normalize and finalize for fan-out and re-examination, and by its own verification schedules),
 * it runs the story of `coordinator.ts` with the real ports: the handler functions invoked
 * synchronously (each keeps its own role), the checkpoint in the table, EventBridge Scheduler for
 * the verification window.
 *
 * Invoked asynchronously (EventBridge, Scheduler and the workflow's own starts all use the Event
 * invocation type): when it throws, Lambda retries the same event twice, and each retry resumes
 * the run from its checkpoint; then the on-failure destination (the cleanup handler) releases the
 * lock and notifies (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_WORKFLOW_POLICY, ENV, HANDLERS, HandlerId, TABLE_TTL_ATTRIBUTE, WorkflowState } from './contract';
import { CoordinatorPorts, CoordinatorResult, HandlerFunctionError, runCoordinator } from './coordinator';
import {
  atExpression,
  COORDINATOR_ENV,
  COORDINATOR_WAKE_SOURCE,
  CoordinatorCheckpoint,
  coordinatorCheckpointKey,
  CoordinatorWake,
  verificationScheduleName,
} from './coordinator-contract';
import { client, registerClient } from '../runtime/clients';
import { now, sleep } from '../runtime/clock';
import { envNumber, envOptional, envString } from '../runtime/env';
import { ConfigurationError, toNamedError } from '../runtime/errors';
import { HandlerContext, logger, runHandler } from '../runtime/powertools';
import '../runtime/store'; // registers the DynamoDB client

registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));
registerClient('scheduler', (o) => new SchedulerClient({ region: o.region, maxAttempts: 5 }));

/** The coordinator's context: its own ARN is where its schedules and further runs point. */
export interface CoordinatorContext extends HandlerContext {
  readonly invokedFunctionArn?: string;
}


export async function handler(input: unknown, context?: CoordinatorContext): Promise<CoordinatorResult> {
  return runHandler('coordinator', HANDLERS.coordinator.requiredEnv, context, async () => {
    const functionArn = context?.invokedFunctionArn;
    if (!functionArn) throw new ConfigurationError('the coordinator needs its own function arn (context.invokedFunctionArn)');
    const result = await runCoordinator(input, functionArn, ports(functionArn));
    logger.info('coordinator run', { ...result });
    return result;
  });
}

function ports(functionArn: string): CoordinatorPorts {
  const table = envString(ENV.TABLE_NAME);
  const handlers = readHandlers();
  const ttlSeconds = envNumber(ENV.LOCK_TTL_SECONDS, DEFAULT_WORKFLOW_POLICY.lockTtlSeconds) + 30 * 24 * 3600;
  return {
    async invoke(id: HandlerId, payload: WorkflowState) {
      const arn = handlers[id];
      if (!arn) throw new ConfigurationError(`${COORDINATOR_ENV.HANDLERS} names no function for ${id}`);
      let out;
      try {
        out = await client('lambda').send(new InvokeCommand({
          FunctionName: arn,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }));
      } catch (err) {
        // The service's own errors (throttled, unavailable) get the named transient errors the Retry matches.
        throw toNamedError(err, `lambda:InvokeFunction ${id}`);
      }
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
      const body = JSON.parse(text) as unknown;
      if (out.FunctionError) {
        // "If an error occurs, the response payload contains errorType and errorMessage"
        // (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html, FunctionError).
        // Step Functions names the error after errorType and keeps the document as the cause: so does the coordinator.
        const doc = (body ?? {}) as { errorType?: string; errorMessage?: string };
        throw new HandlerFunctionError(doc.errorType ?? 'Lambda.Unknown', doc.errorMessage ?? `${id} failed (${out.FunctionError})`, text);
      }
      return body;
    },
    async load(executionId) {
      try {
        const got = await client('dynamo').send(new GetCommand({ TableName: table, Key: coordinatorCheckpointKey(executionId), ConsistentRead: true }));
        return got.Item?.checkpoint as CoordinatorCheckpoint | undefined;
      } catch (err) {
        throw toNamedError(err, `dynamodb:GetItem checkpoint of ${executionId}`);
      }
    },
    async save(checkpoint) {
      try {
        await client('dynamo').send(new PutCommand({
          TableName: table,
          Item: {
            ...coordinatorCheckpointKey(checkpoint.executionId),
            recordType: 'COORDINATOR_CHECKPOINT',
            checkpoint,
            [TABLE_TTL_ATTRIBUTE]: Math.floor(now().getTime() / 1000) + ttlSeconds,
          },
        }));
      } catch (err) {
        throw toNamedError(err, `dynamodb:PutItem checkpoint of ${checkpoint.executionId}`);
      }
    },
    async schedule(executionId, wake, at) {
      const wakeInput: CoordinatorWake = { source: COORDINATOR_WAKE_SOURCE, executionId, wake };
      const dlq = envOptional(COORDINATOR_ENV.SCHEDULE_DLQ_ARN);
      try {
        // One-time schedule, deleted after it fires
        // (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
        // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html).
        await client('scheduler').send(new CreateScheduleCommand({
          Name: verificationScheduleName(executionId, wake),
          GroupName: envString(COORDINATOR_ENV.SCHEDULE_GROUP),
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `lambda-auto-remediation: ${wake} of ${executionId}`.slice(0, 512),
          Target: {
            Arn: functionArn.split(':').slice(0, 7).join(':'),
            RoleArn: envString(COORDINATOR_ENV.SCHEDULER_ROLE_ARN),
            Input: JSON.stringify(wakeInput),
            // Scheduler retries a failed delivery for up to a day, then puts it in the queue, whose alarm pages.
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
            ...(dlq ? { DeadLetterConfig: { Arn: dlq } } : {}),
          },
        }));
      } catch (err) {
        // The same name means this wait was scheduled by an earlier attempt of this run.
        if ((err as { name?: string }).name === 'ConflictException') return;
        throw toNamedError(err, `scheduler:CreateSchedule ${wake} of ${executionId}`);
      }
    },
    sleep,
    now,
  };
}

function readHandlers(): Partial<Record<HandlerId, string>> {
  const raw = envString(COORDINATOR_ENV.HANDLERS);
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Partial<Record<HandlerId, string>>;
  } catch (err) {
    throw new ConfigurationError(`environment variable ${COORDINATOR_ENV.HANDLERS} must be a json object of handler arns, got '${raw.slice(0, 80)}': ${(err as Error).message}`);
  }
}
