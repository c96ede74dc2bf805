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
import { now } from '../runtime/clock';
import { envString } from '../runtime/env';
import { RepairFailedError, RollbackFailedError } from '../runtime/errors';
import { applyMemoryChange, getAliasTarget, moveAlias, readConfig, RevisionChangedError } from '../runtime/lambda-config';
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
      // Traffic first: an alias goes back to its previous version only if it still runs ours.
      let aliasNote = '';
      if (repair.aliasName && repair.publishedVersion && repair.previousAliasVersion) {
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
      return out('ROLLED_BACK', `restored ${fn} from ${newMemoryMb} MB to ${originalMemoryMb} MB after a failed verification${aliasNote}`, originalMemoryMb);
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
