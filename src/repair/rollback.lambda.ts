/**
 * Rollback: after a failed verification, restores the original memory size (and the alias target
 * when the repair moved it). Output at `$.rollback`.
 *
 * It undoes only our own change. The restore is conditional on the RevisionId the repair produced
 * (`$.repair.revisionAfterRepair`), and the alias moves back only while it still points at the
 * version the repair published: a deploy made since (new code, or the new size kept in the
 * infrastructure code) is never reverted; the outcome says so and a person decides. Like repair,
 * it records an intent before the change, so a retry recognises its own restore.
 */
import { removeCanary } from './progressive';
import { now } from '../runtime/clock';
import { functionNameOfArn, invokeCustomRepair } from '../runtime/custom-strategy';
import { envString } from '../runtime/env';
import { RepairFailedError, RollbackFailedError } from '../runtime/errors';
import { applyMemoryChange, getAliasTarget, isAlias, moveAlias, readConfig, RevisionChangedError, waitUntilUpdated } from '../runtime/lambda-config';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { ENV, HANDLERS, HandlerInputs, RollbackIntent, RollbackOutput, RollbackStatus } from '../workflow/contract';

export async function handler(input: HandlerInputs['rollback'], context?: HandlerContext): Promise<RollbackOutput> {
  return runHandler('rollback', HANDLERS.rollback.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['rollback']>(input, 'rollback input');
    requireFields(state, ['executionId', 'repair.originalMemoryMb', 'repair.newMemoryMb', 'collection.functionName'], 'rollback input');
    const fn = state.alarm?.functionName ?? state.collection.functionName;
    const repair = state.repair;
    const { originalMemoryMb, newMemoryMb } = repair;
    const store = new Store(envString(ENV.TABLE_NAME));
    const current = await readConfig(fn);
    const out = (status: RollbackStatus, reason: string, restoredMemoryMb: number): RollbackOutput => ({
      status, reason, restoredMemoryMb, rolledBackAt: now().toISOString(),
    });
    const changedSince = (size: number, what = `memory of ${fn}`) =>
      out('CHANGED_BY_OTHERS', `${what} was changed since the repair by someone else (e.g. a deploy): not rolled back; memory is ${size} MB`, size);

    let result: RollbackOutput;
    if (repair.status !== 'SUCCEEDED') {
      result = out('SKIPPED', `repair status was ${repair.status}: nothing to roll back`, current.summary.memorySize);
    } else {
      try {
        result = await restore();
      } catch (err) {
        if (err instanceof RepairFailedError) throw new RollbackFailedError(`rollback of ${fn} to ${originalMemoryMb} MB failed: ${err.message}`);
        throw err;
      }
    }

    async function restore(): Promise<RollbackOutput> {
      if (repair.strategyFunction) return restoreThroughCustom(repair.strategyFunction);
      // Traffic first: an alias goes back to its previous version only if it still runs ours.
      let aliasNote = '';
      if (repair.canary) {
        // A canary: the routing goes, the alias stays where it was (progressive.ts).
        const removal = await removeCanary(fn, repair.canary);
        if (!removal.removed) return changedSince(current.summary.memorySize, removal.changedByOthers);
        aliasNote = `; ${removal.note}`;
      } else if (repair.aliasName && repair.publishedVersion && repair.previousAliasVersion) {
        const target = await getAliasTarget(fn, repair.aliasName);
        if (target.version === repair.publishedVersion) {
          try {
            await moveAlias(fn, repair.aliasName, repair.previousAliasVersion, target.revisionId);
          } catch (err) {
            if (!(err instanceof RevisionChangedError)) throw err;
            return changedSince(current.summary.memorySize, `alias ${repair.aliasName} of ${fn}`);
          }
        } else if (target.version !== repair.previousAliasVersion) {
          return changedSince(current.summary.memorySize, `alias ${repair.aliasName} of ${fn} (now at version ${target.version})`);
        }
        aliasNote = `; alias ${repair.aliasName} back on version ${repair.previousAliasVersion}`;
      }

      let intent: RollbackIntent | undefined = await store.getIntent('ROLLBACK', state.executionId);
      if (!intent) {
        // Ours to undo only while $LATEST is exactly as the repair left it.
        const sameRevision = !repair.revisionAfterRepair || current.revisionId === repair.revisionAfterRepair;
        if (current.summary.memorySize !== newMemoryMb || !sameRevision) {
          if (aliasNote) {
            const note = `$LATEST was changed since the repair by someone else and keeps ${current.summary.memorySize} MB`;
            return out('ROLLED_BACK', `alias restored${aliasNote}; ${note}`, originalMemoryMb);
          }
          return changedSince(current.summary.memorySize);
        }
        intent = (await store.createIntent('ROLLBACK', {
          executionId: state.executionId,
          functionName: fn,
          startedAt: now().toISOString(),
          fromMb: newMemoryMb,
          toMb: originalMemoryMb,
          ...(current.revisionId ? { fromRevisionId: current.revisionId } : {}),
        }, now())).intent;
      }
      const change = { functionName: fn, fromMb: intent.fromMb, toMb: intent.toMb, fromRevisionId: intent.fromRevisionId };
      const applied = await applyMemoryChange(change, { current });
      if (applied.kind === 'changed-by-others') return changedSince(applied.current.summary.memorySize);
      metrics.addMetric('RolledBack', MetricUnit.Count, 1);
      const why = repair.canary ? 'the canary did not pass verification' : 'a failed verification';
      return out('ROLLED_BACK', `restored ${fn} from ${newMemoryMb} MB to ${originalMemoryMb} MB after ${why}${aliasNote}`, originalMemoryMb);
    }

    /**
     * RepairStrategy.custom: the user's function puts the size back (action ROLLBACK); only the
     * size read back counts. A function no longer at the repaired size was changed by someone else.
     */
    async function restoreThroughCustom(functionArn: string): Promise<RollbackOutput> {
      const name = functionNameOfArn(functionArn);
      const qualifier = state.alarm?.qualifier;
      const readBack = async () => (isAlias(qualifier) ? readConfig(fn, qualifier) : current);
      const before = await readBack();
      if (before.summary.memorySize === originalMemoryMb) {
        return out('ROLLED_BACK', `${fn} is back at ${originalMemoryMb} MB (a retried rollback)`, originalMemoryMb);
      }
      if (before.summary.memorySize !== newMemoryMb) return changedSince(before.summary.memorySize);
      try {
        await invokeCustomRepair(functionArn, {
          action: 'ROLLBACK',
          functionName: fn,
          ...(qualifier ? { qualifier } : {}),
          fromMemoryMb: newMemoryMb,
          toMemoryMb: originalMemoryMb,
          executionId: state.executionId,
          reason: `verification failed: ${state.verification?.reason ?? 'n/a'}`,
        }, repair.strategyTimeoutMs ?? 60000);
      } catch (err) {
        return out('FAILED', `repair function ${name} did not put ${fn} back to ${originalMemoryMb} MB (${(err as Error).name}: ${(err as Error).message}); it keeps ${newMemoryMb} MB`, newMemoryMb);
      }
      const after = isAlias(qualifier) ? await readConfig(fn, qualifier) : await waitUntilUpdated(fn);
      if (after.summary.memorySize !== originalMemoryMb) {
        return out('FAILED', `repair function ${name} answered, but ${fn} has ${after.summary.memorySize} MB, not ${originalMemoryMb} MB`, after.summary.memorySize);
      }
      metrics.addMetric('RolledBack', MetricUnit.Count, 1);
      return out('ROLLED_BACK', `restored ${fn} from ${newMemoryMb} MB to ${originalMemoryMb} MB through repair function ${name} after a failed verification`, originalMemoryMb);
    }

    await store.putAudit({
      executionId: state.executionId,
      functionName: fn,
      step: 'rollback',
      actor: 'lambda-auto-remediation',
      action: result.status === 'ROLLED_BACK' ? 'UpdateFunctionConfiguration MemorySize (rollback)' : `rollback ${result.status}`,
      before: { memorySize: result.status === 'ROLLED_BACK' ? newMemoryMb : current.summary.memorySize },
      after: { memorySize: result.restoredMemoryMb },
      why: `${result.reason}; verification: ${state.verification?.reason ?? 'n/a'}`,
      at: result.rolledBackAt,
    });
    logger.info('rollback finished', { functionName: fn, status: result.status });
    return result;
  }, input);
}
