/**
 * Repair: raises the target's memory to the size the diagnosis proposed, clamped again by the
 * policy (the model never widens it). `dryRun` records only. Output at `$.repair`.
 */
import { randomUUID } from 'crypto';
import { iacChangeFor } from '../core/notification/build';
import { LAMBDA_MAX_MEMORY_MB } from '../core/policy';
import { now } from '../runtime/clock';
import { effectivePolicy, envString } from '../runtime/env';
import { InvalidInputError, RepairFailedError } from '../runtime/errors';
import { isAlias, publishAndMoveAlias, readConfig, setMemory } from '../runtime/lambda-config';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { ENV, HANDLERS, HandlerInputs, RepairOutput, RepairStatus } from '../workflow/contract';

export async function handler(input: HandlerInputs['repair'], context?: HandlerContext): Promise<RepairOutput> {
  return runHandler('repair', HANDLERS.repair.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['repair']>(input, 'repair input');
    requireFields(state, ['executionId', 'alarm.functionName', 'collection.functionConfig.memorySize', 'diagnosis.targetMemoryMb', 'diagnosis.action'], 'repair input');
    const d = state.diagnosis;
    if (d.action === 'REQUEST_APPROVAL' && state.approval?.approved !== true) {
      throw new InvalidInputError(`repair of ${state.alarm.functionName} needs an approval, got ${JSON.stringify(state.approval ?? null)}`);
    }
    if (d.action !== 'REPAIR' && d.action !== 'REQUEST_APPROVAL') {
      throw new InvalidInputError(`repair needs diagnosis action REPAIR or REQUEST_APPROVAL, got '${d.action}'`);
    }
    const fn = state.alarm.functionName!;
    const policy = effectivePolicy(fn);
    const store = new Store(envString(ENV.TABLE_NAME));
    const startedAt = now().toISOString();
    const repairId = randomUUID();
    const dryRun = d.dryRun || policy.dryRun;

    // Re-read $LATEST: the configuration may have changed while the workflow waited (approval).
    const current = await readConfig(fn);
    const original = current.summary.memorySize;
    const ceiling = Math.min(policy.core.maxMemoryMb, LAMBDA_MAX_MEMORY_MB);
    const target = Math.min(Math.floor(d.targetMemoryMb), ceiling, original + policy.core.maxStepMb);

    const finish = async (status: RepairStatus, newMemory: number, reason: string, extra: Partial<RepairOutput> = {}): Promise<RepairOutput> => {
      const repairedAt = now().toISOString();
      const out: RepairOutput = {
        repairId,
        status,
        reason,
        result: { functionName: fn, originalMemory: original, newMemory, status, timestamp: repairedAt, executionId: state.executionId },
        originalMemoryMb: original,
        newMemoryMb: newMemory,
        startedAt,
        repairedAt,
        verifyAfterSeconds: policy.verificationWindowSeconds,
        iacChange: iacChangeFor(newMemory),
        ...extra,
      };
      await store.putRepairRecord({
        repairId,
        functionName: fn,
        diagnosisId: d.diagnosisId,
        executionId: state.executionId,
        startTime: startedAt,
        endTime: repairedAt,
        originalMemory: original,
        newMemory,
        status,
        verificationStatus: status === 'SUCCEEDED' ? 'PENDING' : 'NOT_APPLICABLE',
        notificationStatus: 'PENDING',
      }, { reason, dryRun, approver: state.approval?.approver });
      await store.putAudit({
        executionId: state.executionId,
        functionName: fn,
        step: 'repair',
        actor: state.approval?.approver ? `approved by ${state.approval.approver}` : 'lambda-auto-remediation',
        action: status === 'SUCCEEDED' ? 'UpdateFunctionConfiguration MemorySize' : `repair ${status}`,
        before: { memorySize: original },
        after: { memorySize: newMemory },
        why: reason,
        at: repairedAt,
      });
      metrics.addMetric(`Repair${status}`, MetricUnit.Count, 1);
      logger.info('repair finished', { functionName: fn, status, original, newMemory });
      return out;
    };

    if (target <= original) {
      return finish('SKIPPED', original, `function ${fn} already has ${original} MB, not below the proposed ${target} MB`);
    }
    if (dryRun) {
      return finish('DRY_RUN', target, `dry run: would raise ${fn} from ${original} MB to ${target} MB`);
    }
    if (original !== state.collection.functionConfig.memorySize) {
      return finish('SKIPPED', original, `memory of ${fn} changed from ${state.collection.functionConfig.memorySize} MB to ${original} MB since collection; not overriding`);
    }
    // The revision read at collection guards against overwriting a deploy made since (the update
    // then fails with PreconditionFailed and the function stays as it was). With a qualifier the
    // collected revision is the version's, so $LATEST's own is used.
    const revision = state.alarm.qualifier ? current.revisionId : state.collection.revisionId ?? current.revisionId;
    let updated;
    try {
      updated = await setMemory(fn, target, revision);
    } catch (err) {
      if (err instanceof RepairFailedError) return finish('FAILED', original, err.message);
      throw err;
    }
    await store.noteRepair(fn, now().toISOString());
    let extra: Partial<RepairOutput> = {};
    if (isAlias(state.alarm.qualifier) && policy.aliases.includes(state.alarm.qualifier)) {
      const moved = await publishAndMoveAlias(fn, state.alarm.qualifier, updated.revisionId);
      extra = { publishedVersion: moved.version, previousAliasVersion: moved.previousVersion };
    }
    return finish('SUCCEEDED', updated.summary.memorySize, `raised ${fn} from ${original} MB to ${updated.summary.memorySize} MB: ${d.reason}`, extra);
  });
}
