/**
 * Opens an OpsCenter OpsItem for a result that needs a person (HUMAN_REVIEW, FAILED) or a drift,
 * invoked by the OpsItem rule with the library's own EventBridge event (see ops-item.ts). The
 * evidence comes from the execution's diagnosis record. OpsCenter deduplicates per function and
 * kind: when an OpsItem for the same incident is still open, CreateOpsItem answers
 * `OpsItemAlreadyExistsException` with its id, and that is recorded as the OpsItem of this event.
 */
import { CreateOpsItemCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DiagnosisFacts, opsItemRequest, OpsItemSettings, readTrigger } from './ops-item';
import { OPS_ITEM_ENV, OpsItemOutput } from './ops-item-contract';
import { client } from '../runtime/clients';
import { now } from '../runtime/clock';
import { envString } from '../runtime/env';
import { ConfigurationError, toNamedError } from '../runtime/errors';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import '../runtime/store';
import { ENV, RECORD_SORT_KEY_PREFIX } from '../workflow/contract';

// Created on first use; the SDK's standard retries cover throttling.
let ssm: SSMClient | undefined;

export async function handler(event: unknown, context?: HandlerContext): Promise<OpsItemOutput> {
  return runHandler('opsItem', [ENV.TABLE_NAME], context, async () => {
    const trigger = readTrigger(event);
    if (trigger.kind === 'ignore') return { status: 'IGNORED', reason: trigger.reason };
    const settings = settingsFromEnv();
    const table = envString(ENV.TABLE_NAME);
    const diagnosis = trigger.kind === 'drift' ? undefined : await diagnosisOf(table, trigger.functionName, trigger.detail.executionId);
    const request = opsItemRequest(trigger, settings, diagnosis);
    ssm ??= new SSMClient({ maxAttempts: 5 });
    let opsItemId: string | undefined;
    let deduplicated = false;
    try {
      const out = await ssm.send(new CreateOpsItemCommand(request as never));
      opsItemId = out.OpsItemId;
    } catch (err) {
      const e = err as { name?: string; OpsItemId?: string };
      // "If the status of an existing OpsItem is open or in progress, the OpsItem is not created."
      if (e.name !== 'OpsItemAlreadyExistsException') throw toNamedError(err, `ssm:CreateOpsItem for ${trigger.functionName}`);
      opsItemId = e.OpsItemId;
      deduplicated = true;
    }
    const at = now().toISOString();
    const source = trigger.kind === 'drift' ? trigger.detail.eventId : trigger.detail.executionId;
    try {
      await client('dynamo').send(new PutCommand({
        TableName: table,
        Item: {
          pk: `FUNCTION#${trigger.functionName}`,
          sk: `${OPS_ITEM_SORT_KEY_PREFIX}${at}#${source}`,
          recordType: 'OPSITEM',
          functionName: trigger.functionName,
          kind: trigger.kind,
          opsItemId,
          deduplicated,
          source,
          createdAt: at,
        },
      }));
    } catch (err) {
      throw toNamedError(err, `dynamodb:PutItem OpsItem record of ${trigger.functionName}`);
    }
    metrics.addMetric(deduplicated ? 'OpsItemDeduplicated' : 'OpsItemOpened', MetricUnit.Count, 1);
    logger.info('opsitem', { functionName: trigger.functionName, kind: trigger.kind, opsItemId, deduplicated });
    return { status: deduplicated ? 'DEDUPLICATED' : 'OPENED', reason: `${trigger.kind} of ${trigger.functionName}`, functionName: trigger.functionName, ...(opsItemId ? { opsItemId } : {}) };
  });
}

/** Sort-key prefix of the OpsItem records under `pk = FUNCTION#<name>`. */
export const OPS_ITEM_SORT_KEY_PREFIX = 'OPSITEM#';

/** An optional variable of this handler (blank counts as unset). */
function opt(name: string): string | undefined {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

function settingsFromEnv(): OpsItemSettings {
  const priority = Number(opt(OPS_ITEM_ENV.PRIORITY) ?? '2');
  const severity = opt(OPS_ITEM_ENV.SEVERITY) ?? '2';
  if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw new ConfigurationError(`environment variable ${OPS_ITEM_ENV.PRIORITY} must be 1 to 5, got '${priority}'`);
  if (!/^[1-4]$/.test(severity)) throw new ConfigurationError(`environment variable ${OPS_ITEM_ENV.SEVERITY} must be 1 to 4, got '${severity}'`);
  const automationDocument = opt(OPS_ITEM_ENV.AUTOMATION_DOCUMENT);
  return {
    account: opt(OPS_ITEM_ENV.ACCOUNT) ?? 'unknown',
    region: process.env.AWS_REGION ?? 'unknown',
    priority,
    severity,
    ...(automationDocument ? { automationDocument } : {}),
  };
}

/** The diagnosis record of the execution (newest diagnosis records first), if it had one. */
async function diagnosisOf(table: string, functionName: string, executionId: string): Promise<DiagnosisFacts | undefined> {
  try {
    const out = await client('dynamo').send(new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `FUNCTION#${functionName}`, ':prefix': RECORD_SORT_KEY_PREFIX.DIAGNOSIS },
      ScanIndexForward: false,
      Limit: 25,
    }));
    const r = (out.Items ?? []).find((i) => i.executionId === executionId);
    if (!r) return undefined;
    return {
      category: typeof r.category === 'string' ? r.category : undefined,
      confidence: typeof r.confidence === 'number' ? r.confidence : undefined,
      reasoning: typeof r.reasoning === 'string' ? r.reasoning : undefined,
      evidencePoints: Array.isArray(r.evidencePoints) ? r.evidencePoints : [],
      knowledgeReferences: Array.isArray(r.knowledgeReferences) ? r.knowledgeReferences : [],
    };
  } catch (err) {
    // The OpsItem is worth opening without the evidence.
    logger.warn('diagnosis record not read', { functionName, error: (err as Error).message });
    return undefined;
  }
}
