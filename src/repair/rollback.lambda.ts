/**
 * Rollback: after a failed verification, restores the original memory size (and the alias
 * target when the repair moved it). Output at `$.rollback`.
 */
import { now } from '../runtime/clock';
import { envString } from '../runtime/env';
import { RepairFailedError, RollbackFailedError } from '../runtime/errors';
import { isAlias, moveAlias, readConfig, setMemory } from '../runtime/lambda-config';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { ENV, HANDLERS, HandlerInputs, RollbackOutput } from '../workflow/contract';

export async function handler(input: HandlerInputs['rollback'], context?: HandlerContext): Promise<RollbackOutput> {
  return runHandler('rollback', HANDLERS.rollback.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['rollback']>(input, 'rollback input');
    requireFields(state, ['executionId', 'repair.originalMemoryMb', 'repair.newMemoryMb', 'collection.functionName'], 'rollback input');
    const fn = state.alarm?.functionName ?? state.collection.functionName;
    const { originalMemoryMb, newMemoryMb } = state.repair;
    const store = new Store(envString(ENV.TABLE_NAME));
    const current = await readConfig(fn);
    let out: RollbackOutput;
    if (state.repair.status !== 'SUCCEEDED') {
      out = { status: 'SKIPPED', reason: `repair status was ${state.repair.status}: nothing to roll back`, restoredMemoryMb: current.summary.memorySize, rolledBackAt: now().toISOString() };
    } else if (current.summary.memorySize !== newMemoryMb) {
      // Someone changed memory after the repair: theirs wins, a person should look.
      out = {
        status: 'SKIPPED',
        reason: `memory of ${fn} is ${current.summary.memorySize} MB, not the repaired ${newMemoryMb} MB: changed by someone else, not rolled back`,
        restoredMemoryMb: current.summary.memorySize,
        rolledBackAt: now().toISOString(),
      };
    } else {
      try {
        await setMemory(fn, originalMemoryMb, current.revisionId);
        if (isAlias(state.alarm?.qualifier) && state.repair.previousAliasVersion) {
          await moveAlias(fn, state.alarm!.qualifier!, state.repair.previousAliasVersion);
        }
      } catch (err) {
        if (err instanceof RepairFailedError) throw new RollbackFailedError(`rollback of ${fn} to ${originalMemoryMb} MB failed: ${err.message}`);
        throw err;
      }
      out = { status: 'ROLLED_BACK', reason: `restored ${fn} from ${newMemoryMb} MB to ${originalMemoryMb} MB after a failed verification`, restoredMemoryMb: originalMemoryMb, rolledBackAt: now().toISOString() };
      metrics.addMetric('RolledBack', MetricUnit.Count, 1);
    }
    await store.putAudit({
      executionId: state.executionId,
      functionName: fn,
      step: 'rollback',
      actor: 'lambda-auto-remediation',
      action: out.status === 'ROLLED_BACK' ? 'UpdateFunctionConfiguration MemorySize (rollback)' : `rollback ${out.status}`,
      before: { memorySize: current.summary.memorySize },
      after: { memorySize: out.restoredMemoryMb },
      why: `${out.reason}; verification: ${state.verification?.reason ?? 'n/a'}`,
      at: out.rolledBackAt,
    });
    logger.info('rollback finished', { functionName: fn, status: out.status });
    return out;
  });
}
