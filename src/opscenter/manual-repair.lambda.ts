/**
 * Applies a recommendation by hand: the step of the Automation runbook ("raise this function's
 * memory within the policy") an operator starts from an OpsItem or the console. The same
 * guardrails as the workflow, in the same places:
 * - the policy (`REMEDIATION_POLICY`, per-function overrides included): excluded functions, the
 *   maximum size, the largest step, the cooldown and the repairs per day (shared with the
 *   workflow's repairs: the function state item counts both), dry run;
 * - the per-function lock: a remediation execution in progress wins, the runbook refuses;
 * - the rights: this handler may read and update exactly the managed functions (by name or by
 *   tag), so a function not under management is refused by IAM;
 * - the update is conditional on the revision read, and a change by someone else is not overwritten.
 * It writes the seed's repair record (verification `NOT_VERIFIED`: nobody compared before and
 * after), an audit entry naming the Automation execution, and notifies the topic. A refusal fails
 * the Automation step with the reason (a named error), and is audited.
 */
import { randomUUID } from 'crypto';
import { manualRepairMessage, ManualRepairInput, ManualRepairOutput, parseManualRepairInput } from './manual-repair';
import { now } from '../runtime/clock';
import { effectivePolicy, envString } from '../runtime/env';
import { RemediationError } from '../runtime/errors';
import { applyMemoryChange, readConfig } from '../runtime/lambda-config';
import { publishToTopic } from '../runtime/notifier';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { ENV } from '../workflow/contract';

/** A guardrail said no: nothing was changed. Fatal for the Automation step. */
export class GuardrailRefusedError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailRefusedError';
  }
}

/** How long the runbook holds the function's lock at most (the update and its wait take seconds). */
const LOCK_TTL_SECONDS = 900;

export async function handler(event: unknown, context?: HandlerContext): Promise<ManualRepairOutput> {
  return runHandler('manualRepair', [ENV.TABLE_NAME, ENV.TOPIC_ARN, ENV.POLICY], context, async () => {
    const input: ManualRepairInput = parseManualRepairInput(event);
    const fn = input.functionName;
    const store = new Store(envString(ENV.TABLE_NAME));
    const started = now().toISOString();
    const actor = `ssm-automation:${input.automationExecutionId}`;
    const refuse = async (why: string): Promise<never> => {
      await store.putAudit({ executionId: input.automationExecutionId, functionName: fn, step: 'manual-repair', actor, action: 'refused', why, at: now().toISOString() });
      metrics.addMetric('ManualRepairRefused', MetricUnit.Count, 1);
      throw new GuardrailRefusedError(`${fn}: ${why}`);
    };

    const policy = effectivePolicy(fn);
    if (policy.excluded) return refuse('the function is in policy.excludedFunctions: never touched');
    // The rights decide membership: a function not under management cannot be read here.
    const current = await readConfig(fn);
    const from = current.summary.memorySize;
    const target = input.memorySizeMb;
    const ceiling = Math.min(policy.core.maxMemoryMb, 10240);
    if (target <= from) return refuse(`${target} MB is not above the current ${from} MB: this runbook only raises memory`);
    if (target > ceiling) return refuse(`${target} MB is above the policy maximum of ${ceiling} MB`);
    if (target - from > policy.core.maxStepMb) return refuse(`${from} -> ${target} MB is a step of ${target - from} MB, above the policy's largest step of ${policy.core.maxStepMb} MB`);
    const state = await store.functionState(fn, utcDay(started));
    if (state.lastRepairAt && Date.parse(started) - Date.parse(state.lastRepairAt) < policy.cooldownSeconds * 1000) {
      return refuse(`repaired at ${state.lastRepairAt}, inside the cooldown of ${policy.cooldownSeconds} s`);
    }
    if (state.repairsOnDay >= policy.maxRepairsPerDay) return refuse(`${state.repairsOnDay} repairs today, the policy allows ${policy.maxRepairsPerDay}`);

    const lock = await store.acquireLock(fn, actor, now(), LOCK_TTL_SECONDS);
    if (!lock.acquired) return refuse(`a remediation (${lock.heldBy ?? 'unknown'}) holds the function's lock; try again when it has finished`);
    try {
      const repairId = randomUUID();
      let status: ManualRepairOutput['status'];
      let reason: string;
      let newMb = from;
      if (policy.dryRun) {
        status = 'DRY_RUN';
        reason = `dry run: would raise ${fn} ${from} -> ${target} MB`;
      } else {
        const result = await applyMemoryChange({ functionName: fn, fromMb: from, toMb: target, fromRevisionId: current.revisionId }, { current });
        if (result.kind === 'changed-by-others') {
          status = 'CHANGED_BY_OTHERS';
          reason = result.reason;
        } else {
          status = 'SUCCEEDED';
          newMb = target;
          reason = `raised by hand ${from} -> ${target} MB: ${input.reason}`;
          // Counts for the cooldown and the daily budget, like the workflow's repairs.
          await store.noteRepair(fn, started, input.automationExecutionId);
          // And ends any chain of follow-ups, as a workflow repair does (finalize schedules none
          // after a repair): a follow-up started before this repair would review a fixed function.
          await store.setFollowUpMarker(fn, undefined, now());
        }
      }
      const at = now().toISOString();
      const message = manualRepairMessage({
        functionName: fn,
        fromMb: from,
        toMb: newMb,
        requestedMb: target,
        status,
        reason: input.reason,
        automationExecutionId: input.automationExecutionId,
      });
      const sent = await publishToTopic(envString(ENV.TOPIC_ARN), message.subject, message.messages, message.attributes);
      await store.putRepairRecord({
        repairId,
        functionName: fn,
        diagnosisId: '',
        executionId: input.automationExecutionId,
        startTime: started,
        endTime: at,
        originalMemory: from,
        newMemory: newMb,
        status,
        verificationStatus: 'NOT_VERIFIED',
        notificationStatus: sent.ok ? 'SENT' : 'FAILED',
      }, { outcome: status === 'SUCCEEDED' ? 'REPAIRED_UNVERIFIED' : status, reason, manual: true, actor, dryRun: status === 'DRY_RUN' });
      await store.putAudit({
        executionId: input.automationExecutionId,
        functionName: fn,
        step: 'manual-repair',
        actor,
        action: status === 'SUCCEEDED' ? `memory ${from} -> ${target} MB` : status.toLowerCase(),
        before: { memorySize: from },
        after: { memorySize: newMb },
        why: input.reason,
        at,
      });
      metrics.addMetric(`ManualRepair${status}`, MetricUnit.Count, 1);
      logger.info('manual repair', { functionName: fn, from, to: newMb, status });
      return { status, reason, functionName: fn, originalMemoryMb: from, newMemoryMb: newMb, repairId, iacChange: `memorySize: ${newMb}` };
    } finally {
      await store.releaseLock(fn, actor);
    }
  });
}
