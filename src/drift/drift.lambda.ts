/**
 * Drift detection. Invoked by the drift rule with a CloudTrail `UpdateFunctionConfiguration`
 * event (see drift-contract.ts): when the change sets the function below the size its last
 * verified repair established, the drift is recorded (once per CloudTrail event: EventBridge
 * delivers at least once) and notified with the infrastructure-code change that keeps the fix.
 *
 * Only functions with a verified repair in the remediation table can drift, so the table is
 * also the membership test: a change to any other function is ignored after one query.
 */
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { complianceOf, isConfigInvocation, isDrift, lastVerifiedRepair, readConfigInvocation, readMemoryChange } from './drift';
import { DRIFT_EVENT_DETAIL_TYPE, DriftEventDetail, driftKey, DriftOutput, DriftRecord, VerifiedRepair } from './drift-contract';
import { driftMessage } from './drift-message';
import { iacChangeFor } from '../core/notification/build';
import { client } from '../runtime/clients';
import { now } from '../runtime/clock';
import { envOptional, envString } from '../runtime/env';
import { InvalidInputError, toNamedError } from '../runtime/errors';
import { publishToTopic, putEvent } from '../runtime/notifier';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import '../runtime/store';
import { ENV, RECORD_SORT_KEY_PREFIX, RESULT_EVENT_SOURCE } from '../workflow/contract';

// Created on first use (only a Config rule needs it); few retries: Config evaluates again on the next change.
let config: ConfigServiceClient | undefined;

export async function handler(event: unknown, context?: HandlerContext): Promise<DriftOutput> {
  return runHandler('drift', [ENV.TABLE_NAME, ENV.TOPIC_ARN], context, async () => {
    if (isConfigInvocation(event)) return evaluateForConfig(event);
    const change = readMemoryChange(event);
    if (change.kind === 'ignore') {
      logger.info('not a drift', { reason: change.reason, functionName: change.functionName });
      return { status: 'IGNORED', reason: change.reason, ...(change.functionName ? { functionName: change.functionName } : {}) };
    }
    const fn = change.functionName;
    const table = envString(ENV.TABLE_NAME);
    const verified = await verifiedRepairOf(table, fn);
    if (!verified) return { status: 'IGNORED', reason: `${fn} has no verified repair to keep`, functionName: fn };
    if (!isDrift(change.memorySizeMb, verified)) {
      return { status: 'IN_LINE', reason: `${fn} set to ${change.memorySizeMb} MB, not below its verified ${verified.memoryMb} MB`, functionName: fn };
    }
    const found: Omit<DriftRecord, 'notificationStatus'> = {
      functionName: fn,
      detectedAt: now().toISOString(),
      changedAt: change.eventTime,
      eventId: change.eventId,
      source: 'cloudtrail',
      memorySizeMb: change.memorySizeMb,
      verifiedMemoryMb: verified.memoryMb,
      verifiedRepairId: verified.repairId,
      changedBy: change.actor,
      iacChange: iacChangeFor(verified.memoryMb),
    };
    const reason = `${fn} set to ${change.memorySizeMb} MB by ${change.actor.invokedBy ?? change.actor.arn ?? 'an unknown caller'}, below its verified ${verified.memoryMb} MB`;
    // The record first, conditional on the event id: a redelivered event finds it and sends nothing.
    const key = driftKey(fn, change.eventTime, change.eventId);
    const created = await putOnce(table, { ...key, recordType: 'DRIFT', ...found, notificationStatus: 'PENDING' });
    if (!created) {
      logger.info('drift already handled', { functionName: fn, eventId: change.eventId });
      return { status: 'DRIFT', reason, functionName: fn, duplicate: true };
    }
    const message = driftMessage(found);
    const sent = await publishToTopic(envString(ENV.TOPIC_ARN), message.subject, message.messages, message.attributes);
    // The event lets others act on it (the OpsCenter integration opens an OpsItem).
    const detail: DriftEventDetail = {
      functionName: fn,
      memorySizeMb: change.memorySizeMb,
      verifiedMemoryMb: verified.memoryMb,
      verifiedRepairId: verified.repairId,
      changedAt: change.eventTime,
      ...(message.body.changedBy ? { changedBy: message.body.changedBy } : {}),
      iacChange: found.iacChange,
      eventId: change.eventId,
    };
    const evented = await putEvent(envOptional(ENV.EVENT_BUS_NAME) ?? 'default', RESULT_EVENT_SOURCE, DRIFT_EVENT_DETAIL_TYPE, detail);
    await put(table, {
      ...key,
      recordType: 'DRIFT',
      ...found,
      notificationStatus: sent.ok ? 'SENT' : `FAILED: ${sent.error ?? 'unknown'}`.slice(0, 300),
      eventPublished: evented.ok,
    });
    metrics.addMetric('DriftDetected', MetricUnit.Count, 1);
    logger.warn('drift', { functionName: fn, memorySizeMb: change.memorySizeMb, verifiedMemoryMb: verified.memoryMb, notified: sent.ok });
    return { status: 'DRIFT', reason, functionName: fn };
  });
}

/**
 * An AWS Config rule asked about one configuration item: report COMPLIANT, NON_COMPLIANT
 * (below the last verified repair) or NOT_APPLICABLE with PutEvaluations. The CloudTrail path
 * records and notifies the same change; this path only reports compliance, so nobody is told twice.
 */
async function evaluateForConfig(event: unknown): Promise<DriftOutput> {
  let invocation;
  try {
    invocation = readConfigInvocation(event);
  } catch (err) {
    throw new InvalidInputError((err as Error).message);
  }
  const item = invocation.item;
  if (!item) {
    // An oversized item carries only a summary; without the configuration there is nothing to compare.
    logger.warn('config invocation without a configuration item: not evaluated', { messageType: invocation.messageType });
    return { status: 'IGNORED', reason: `config ${invocation.messageType} carries no configuration item`, evaluations: 0 };
  }
  const gone = invocation.eventLeftScope || item.status === 'ResourceDeleted' || item.status === 'ResourceDeletedNotRecorded';
  const verified = gone ? undefined : await verifiedRepairOf(envString(ENV.TABLE_NAME), item.resourceId);
  const compliance = gone
    ? { complianceType: 'NOT_APPLICABLE' as const, annotation: 'the function was deleted or left the rule\'s scope' }
    : complianceOf(item.memorySizeMb, verified);
  config ??= new ConfigServiceClient({ maxAttempts: 3 });
  try {
    await config.send(new PutEvaluationsCommand({
      ResultToken: invocation.resultToken,
      Evaluations: [{
        ComplianceResourceType: item.resourceType,
        ComplianceResourceId: item.resourceId,
        ComplianceType: compliance.complianceType,
        Annotation: compliance.annotation,
        OrderingTimestamp: new Date(item.captureTime),
      }],
    }));
  } catch (err) {
    throw toNamedError(err, `config:PutEvaluations for ${item.resourceId}`);
  }
  metrics.addMetric(`Config${compliance.complianceType}`, MetricUnit.Count, 1);
  return {
    status: compliance.complianceType === 'NON_COMPLIANT' ? 'DRIFT' : compliance.complianceType === 'COMPLIANT' ? 'IN_LINE' : 'IGNORED',
    reason: compliance.annotation,
    functionName: item.resourceId,
    evaluations: 1,
  };
}

/** The function's last verified repair, from its repair records (newest first, a page at a time). */
export async function verifiedRepairOf(table: string, functionName: string): Promise<VerifiedRepair | undefined> {
  let start: Record<string, unknown> | undefined;
  // A function has a few repairs a day at most: a handful of pages covers months.
  for (let page = 0; page < 10; page++) {
    let out;
    try {
      out = await client('dynamo').send(new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `FUNCTION#${functionName}`, ':prefix': RECORD_SORT_KEY_PREFIX.REPAIR },
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:Query repair records of ${functionName}`);
    }
    const found = lastVerifiedRepair((out.Items ?? []) as Array<Record<string, unknown>>);
    if (found) return found;
    start = out.LastEvaluatedKey;
    if (!start) return undefined;
  }
  return undefined;
}

async function putOnce(table: string, item: Record<string, unknown>): Promise<boolean> {
  try {
    await client('dynamo').send(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (err) {
    if ((err as Error).name === 'ConditionalCheckFailedException') return false;
    throw toNamedError(err, `dynamodb:PutItem drift record of ${String(item.functionName)}`);
  }
}

async function put(table: string, item: Record<string, unknown>): Promise<void> {
  try {
    await client('dynamo').send(new PutCommand({ TableName: table, Item: item }));
  } catch (err) {
    throw toNamedError(err, `dynamodb:PutItem drift record of ${String(item.functionName)}`);
  }
}
