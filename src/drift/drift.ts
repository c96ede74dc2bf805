/**
 * Drift detection, pure: read a CloudTrail `UpdateFunctionConfiguration` event as EventBridge
 * delivers it, and decide whether it sets the function below its last verified repair.
 *
 * The CloudTrail record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 * carries `eventName`, `eventTime`, `eventID`, `userIdentity` (`arn`, `invokedBy` when an AWS
 * service such as CloudFormation made the call), `userAgent`, `errorCode` when the call failed,
 * and the call's `requestParameters` (for Lambda: `functionName`, `memorySize`, ...).
 */
import { ChangeActor, CLOUDTRAIL_DETAIL_TYPE, LAMBDA_EVENT_SOURCE, MEMORY_CHANGE_EVENT_NAMES, VerifiedRepair } from './drift-contract';

/** A memory change read from the event, or why the event is not one. */
export type MemoryChange =
  | {
    readonly kind: 'change';
    readonly functionName: string;
    readonly memorySizeMb: number;
    readonly eventId: string;
    readonly eventTime: string;
    readonly actor: ChangeActor;
  }
  | { readonly kind: 'ignore'; readonly reason: string; readonly functionName?: string };

/** The function name of a `FunctionName` parameter: a name, `account:function:name` or an ARN (qualifier dropped). */
export function functionNameOf(ref: string): string {
  const parts = ref.split(':');
  if (ref.startsWith('arn:')) return parts[6] ?? ref;
  if (parts.length >= 3 && parts[1] === 'function') return parts[2];
  return parts[0];
}

/** Read one EventBridge event; never throws for a well-formed event of another kind. */
export function readMemoryChange(event: unknown): MemoryChange {
  const e = (event ?? {}) as Record<string, any>;
  if (e['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE || e.source !== 'aws.lambda') {
    return { kind: 'ignore', reason: `not a Lambda CloudTrail event (source ${JSON.stringify(e.source)}, detail-type ${JSON.stringify(e['detail-type'])})` };
  }
  const d = (e.detail ?? {}) as Record<string, any>;
  if (d.eventSource !== LAMBDA_EVENT_SOURCE || !MEMORY_CHANGE_EVENT_NAMES.includes(String(d.eventName))) {
    return { kind: 'ignore', reason: `event ${String(d.eventName)} does not change a function's memory` };
  }
  const params = (d.requestParameters ?? {}) as Record<string, unknown>;
  const ref = typeof params.functionName === 'string' ? params.functionName : undefined;
  if (!ref) return { kind: 'ignore', reason: 'the event names no function' };
  const functionName = functionNameOf(ref);
  // A call that failed changed nothing.
  if (d.errorCode) return { kind: 'ignore', reason: `the call failed (${String(d.errorCode)}): nothing changed`, functionName };
  const memory = params.memorySize;
  if (typeof memory !== 'number' || !Number.isInteger(memory)) {
    return { kind: 'ignore', reason: 'the change does not set the memory size', functionName };
  }
  const identity = (d.userIdentity ?? {}) as Record<string, unknown>;
  const actor: ChangeActor = {
    ...(typeof identity.arn === 'string' ? { arn: identity.arn } : {}),
    ...(typeof identity.invokedBy === 'string' ? { invokedBy: identity.invokedBy } : {}),
    ...(typeof d.userAgent === 'string' ? { userAgent: d.userAgent.slice(0, 200) } : {}),
  };
  return {
    kind: 'change',
    functionName,
    memorySizeMb: memory,
    eventId: String(d.eventID ?? e.id ?? ''),
    eventTime: String(d.eventTime ?? e.time ?? ''),
    actor,
  };
}

/** Below the verified size is a drift; at or above it the fix stands. */
export function isDrift(memorySizeMb: number, verified: VerifiedRepair | undefined): boolean {
  return verified !== undefined && memorySizeMb < verified.memoryMb;
}

/**
 * The last verified repair among a function's repair records (newest first or in any order): the
 * newest one that succeeded and whose verification succeeded (outcome REPAIRED). A repair rolled
 * back, unverified or a dry run establishes nothing.
 */
export function lastVerifiedRepair(records: ReadonlyArray<Record<string, unknown>>): VerifiedRepair | undefined {
  const verified = records
    .filter((r) => r.status === 'SUCCEEDED' && r.verificationStatus === 'SUCCEEDED' && r.dryRun !== true && typeof r.newMemory === 'number')
    .sort((a, b) => String(b.endTime ?? b.startTime).localeCompare(String(a.endTime ?? a.startTime)));
  const r = verified[0];
  if (!r) return undefined;
  return {
    repairId: String(r.repairId),
    executionId: String(r.executionId ?? ''),
    memoryMb: r.newMemory as number,
    verifiedAt: String(r.endTime ?? r.startTime),
  };
}

/** Who made the change, in words. */
export function actorWords(actor: ChangeActor | undefined): string {
  if (!actor) return 'an unknown caller';
  if (actor.invokedBy) return `${actor.invokedBy}${actor.arn ? ` (as ${actor.arn})` : ''}`;
  return actor.arn ?? 'an unknown caller';
}

/**
 * An invocation by an AWS Config custom Lambda rule
 * (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html):
 * `invokingEvent` is a JSON string holding the `configurationItem` (for a Lambda function its
 * `resourceId` is the function name and `configuration.memorySize` its memory) and the
 * `messageType`; `resultToken` must be passed back to PutEvaluations.
 */
export interface ConfigInvocation {
  readonly resultToken: string;
  readonly ruleName?: string;
  /** The resource left the rule's scope: its evaluation is NOT_APPLICABLE. */
  readonly eventLeftScope: boolean;
  readonly messageType: string;
  readonly item?: {
    readonly resourceType: string;
    readonly resourceId: string;
    readonly status: string;
    readonly captureTime: string;
    readonly memorySizeMb?: number;
  };
}

/** True when the event is a Config rule invocation (it carries `invokingEvent` and `resultToken`). */
export function isConfigInvocation(event: unknown): boolean {
  const e = event as Record<string, unknown> | null;
  return !!e && typeof e === 'object' && typeof e.invokingEvent === 'string' && typeof e.resultToken === 'string';
}

/** Read a Config rule invocation; throws on an `invokingEvent` that is not JSON. */
export function readConfigInvocation(event: unknown): ConfigInvocation {
  const e = event as Record<string, any>;
  let invoking: Record<string, any>;
  try {
    invoking = JSON.parse(String(e.invokingEvent)) as Record<string, any>;
  } catch {
    throw new Error(`invokingEvent is not json: ${String(e.invokingEvent).slice(0, 120)}`);
  }
  const ci = invoking.configurationItem as Record<string, any> | undefined;
  const memory = ci?.configuration?.memorySize;
  return {
    resultToken: String(e.resultToken),
    ...(typeof e.configRuleName === 'string' ? { ruleName: e.configRuleName } : {}),
    eventLeftScope: e.eventLeftScope === true || e.eventLeftScope === 'true',
    messageType: String(invoking.messageType ?? ''),
    ...(ci ? {
      item: {
        resourceType: String(ci.resourceType ?? ''),
        resourceId: String(ci.resourceId ?? ''),
        status: String(ci.configurationItemStatus ?? ''),
        captureTime: String(ci.configurationItemCaptureTime ?? ''),
        ...(typeof memory === 'number' ? { memorySizeMb: memory } : {}),
      },
    } : {}),
  };
}

/** A Config evaluation: the compliance and its annotation (Config keeps at most 256 characters). */
export interface Compliance {
  readonly complianceType: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  readonly annotation: string;
}

/** The rule "memory not below the last verified repair" for one configuration item. */
export function complianceOf(memorySizeMb: number | undefined, verified: VerifiedRepair | undefined): Compliance {
  if (!verified) return { complianceType: 'NOT_APPLICABLE', annotation: 'no verified repair of this function' };
  if (memorySizeMb === undefined) return { complianceType: 'NOT_APPLICABLE', annotation: 'the configuration item has no memory size' };
  if (isDrift(memorySizeMb, verified)) {
    return {
      complianceType: 'NON_COMPLIANT',
      annotation: `memory ${memorySizeMb} MB is below the ${verified.memoryMb} MB of verified repair ${verified.repairId}; set memorySize: ${verified.memoryMb}`.slice(0, 256),
    };
  }
  return { complianceType: 'COMPLIANT', annotation: `memory ${memorySizeMb} MB, verified repair ${verified.memoryMb} MB`.slice(0, 256) };
}
