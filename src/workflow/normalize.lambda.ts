/**
 * Normalize + lock: the first task of the workflow. Turns the alarm state-change event into the
 * seed's alarm event, ignores what the workflow does not act on, takes the per-function lock and
 * enforces the cooldown and the daily repair budget. Output at `$.alarm`.
 */
import { DEFAULT_WORKFLOW_POLICY, ENV, HANDLERS, NormalizeOutput, WorkflowState } from './contract';
import { normalizeAlarmEvent } from '../runtime/alarm-event';
import { now } from '../runtime/clock';
import { effectivePolicy, envNumber, envOptional, envString, isManaged } from '../runtime/env';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';

export async function handler(input: WorkflowState, context?: HandlerContext): Promise<NormalizeOutput> {
  return runHandler('normalize', HANDLERS.normalize.requiredEnv, context, async () => {
    const state = requireObject<WorkflowState>(input, 'normalize input');
    requireFields(state, ['executionId', 'event'], 'normalize input');
    const at = now();
    const normalized = normalizeAlarmEvent(state.event, at);
    if (normalized.kind === 'ignored') {
      logger.info('alarm ignored', { reason: normalized.output.reason });
      return normalized.output;
    }
    const out = normalized.output;
    const fn = out.functionName;
    const prefix = envOptional(ENV.ALARM_NAME_PREFIX);
    if (prefix && !out.alarmEvent.alarmName.startsWith(prefix)) {
      return ignored(out, `alarm ${out.alarmEvent.alarmName} does not start with the managed prefix ${prefix}`);
    }
    if (!isManaged(fn)) return ignored(out, `function ${fn} is not under management`);
    const policy = effectivePolicy(fn);
    if (policy.excluded) return ignored(out, `function ${fn} is excluded by the policy (never touch)`);

    const store = new Store(envString(ENV.TABLE_NAME));
    const ttl = envNumber(ENV.LOCK_TTL_SECONDS, DEFAULT_WORKFLOW_POLICY.lockTtlSeconds);
    const attempt = await store.acquireLock(fn, state.executionId, at, ttl);
    if (!attempt.acquired) {
      metrics.addMetric('AlreadyInProgress', MetricUnit.Count, 1);
      return {
        ...out,
        status: 'ALREADY_IN_PROGRESS',
        reason: `function ${fn} is already being handled by execution ${attempt.heldBy ?? 'unknown'}`,
      };
    }

    // Checked under the lock, so two alarms cannot both pass the budget.
    const guard = await store.functionState(fn, utcDay(at.toISOString()));
    if (guard.lastRepairAt) {
      const since = (at.getTime() - new Date(guard.lastRepairAt).getTime()) / 1000;
      if (since < policy.cooldownSeconds) {
        await store.releaseLock(fn, state.executionId);
        return {
          ...out,
          status: 'COOLDOWN',
          reason: `function ${fn} was repaired at ${guard.lastRepairAt}, ${Math.floor(since)} s ago; cooldown is ${policy.cooldownSeconds} s`,
        };
      }
    }
    if (guard.repairsOnDay >= policy.maxRepairsPerDay) {
      await store.releaseLock(fn, state.executionId);
      return {
        ...out,
        status: 'DAILY_BUDGET_EXHAUSTED',
        reason: `function ${fn} had ${guard.repairsOnDay} repairs today; the daily budget is ${policy.maxRepairsPerDay}`,
      };
    }
    metrics.addMetric('AlarmAccepted', MetricUnit.Count, 1);
    logger.info('alarm accepted', { functionName: fn, alarmName: out.alarmEvent.alarmName });
    return { ...out, lock: attempt.lock };
  });
}

function ignored(out: NormalizeOutput, reason: string): NormalizeOutput {
  logger.info('alarm ignored', { reason });
  return { ...out, status: 'IGNORED', reason };
}
