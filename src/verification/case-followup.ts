/**
 * What finalize adds for the case history and the follow-ups (issue 11, items 2 and 3):
 * - `caseOf`: the case of a diagnosed execution, as the history reads it back;
 * - `recordCase`: its `cases/` document in the knowledge-base bucket, when a knowledge base
 *   records cases (without one, the repair and diagnosis records in the table are the history);
 * - `scheduleFollowUp`: after a HUMAN_REVIEW, NO_ACTION or CANNOT_INCREASE outcome, one execution
 *   that waits the policy's follow-up interval and looks again while the alarm stays in ALARM.
 */
import type { PastCase, RepairRecord } from '../core/model';
import { renderHistoryCase } from '../knowledge/cases';
import { executionNameOf, writeCaseDocument } from '../runtime/case-history';
import { effectivePolicy, envOptional, envString } from '../runtime/env';
import { executionName, intakeInput, startExecutionOnce } from '../runtime/executions';
import { logger, metrics, MetricUnit } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { ENV, FOLLOW_UP_DETAIL_TYPE, FollowUpDetail, OUTCOMES, Outcome, WorkflowState } from '../workflow/contract';

/** Outcomes a follow-up looks at again: a person was asked, or nothing could be done. */
export const FOLLOWED_UP_OUTCOMES: readonly Outcome[] = [OUTCOMES.HUMAN_REVIEW, OUTCOMES.NO_ACTION, OUTCOMES.CANNOT_INCREASE];

/** The case of an execution that ran a diagnosis, or undefined when none ran. */
export function caseOf(state: WorkflowState, outcome: Outcome, at: string): PastCase | undefined {
  const d = state.diagnosis;
  if (!d || !state.executionId) return undefined;
  const r = state.repair;
  // Memory changed only when the update went through and stayed.
  const kept = r?.status === 'SUCCEEDED' && outcome !== OUTCOMES.ROLLED_BACK;
  return {
    caseId: executionNameOf(state.executionId),
    at,
    outcome,
    category: d.result.category,
    originalMemory: r?.originalMemoryMb ?? d.originalMemoryMb,
    newMemory: kept ? r!.newMemoryMb : r?.originalMemoryMb ?? d.originalMemoryMb,
    ...(d.signals ? { memoryClimbing: d.signals.memoryClimbing, memoryFailures: d.signals.memoryFailures, invocations: d.signals.invocations } : {}),
  };
}

/**
 * Write the case document when a knowledge base records cases (`KNOWLEDGE_CASES_BUCKET`). Best
 * effort: a failure is logged and counted, never changes the outcome. Returns what happened.
 */
export async function recordCase(state: WorkflowState, outcome: Outcome, reason: string, at: string, repair?: RepairRecord): Promise<string> {
  if (!envOptional(ENV.CASES_BUCKET)) return 'no knowledge base: the records table is the case history';
  const c = caseOf(state, outcome, at);
  const fn = state.alarm?.functionName ?? state.collection?.functionName;
  if (!c || !fn) return 'no diagnosis ran: no case';
  try {
    const rendered = renderHistoryCase({
      functionName: fn,
      case: c,
      reason,
      ...(state.diagnosis ? { diagnosis: state.diagnosis.result } : {}),
      ...(repair ? { repair } : {}),
      ...(state.collection?.functionConfig.runtime ? { runtime: state.collection.functionConfig.runtime } : {}),
    });
    const { ingestion } = await writeCaseDocument(rendered);
    metrics.addMetric('CaseRecorded', MetricUnit.Count, 1);
    return `case ${rendered.documentKey} recorded; ingestion: ${ingestion}`;
  } catch (err) {
    const e = err as Error;
    metrics.addMetric('CaseNotRecorded', MetricUnit.Count, 1);
    logger.warn('case not recorded in the knowledge base', { functionName: fn, error: `${e.name}: ${e.message}` });
    return `case not recorded: ${e.name}: ${e.message}`;
  }
}

/**
 * Start the next follow-up after a HUMAN_REVIEW, NO_ACTION or CANNOT_INCREASE outcome of a
 * diagnosis, while the policy leaves rounds. The name is derived from this execution and the
 * round, so a retried finalize starts it once. Returns the execution name, or why none started.
 */
export async function scheduleFollowUp(state: WorkflowState, outcome: Outcome, at: string): Promise<{ started?: string; reason: string }> {
  const fn = state.alarm?.functionName;
  const result = await nextFollowUp(state, outcome, at);
  // The latest execution that ran a diagnosis decides which follow-up may run next (none after a
  // repair): parallel chains would page for the same function twice.
  if (state.diagnosis && fn) await new Store(envString(ENV.TABLE_NAME)).setFollowUpMarker(fn, result.started, new Date(at));
  return result;
}

async function nextFollowUp(state: WorkflowState, outcome: Outcome, at: string): Promise<{ started?: string; reason: string }> {
  const d = state.diagnosis;
  const ev = state.alarm?.alarmEvent;
  const fn = state.alarm?.functionName;
  if (!FOLLOWED_UP_OUTCOMES.includes(outcome) || !d || state.repair || state.error || !ev || !fn) {
    return { reason: `no follow-up after ${outcome}` };
  }
  if (!['HUMAN_REVIEW', 'NO_ACTION', 'CANNOT_INCREASE'].includes(d.action)) return { reason: `no follow-up after a ${d.action} decision` };
  let policy;
  try {
    policy = effectivePolicy(fn);
  } catch (err) {
    logger.warn('no follow-up: the policy cannot be read', { functionName: fn, error: (err as Error).message });
    return { reason: `no follow-up: ${(err as Error).message}` };
  }
  const round = (state.alarm?.followUp?.round ?? 0) + 1;
  if (round > policy.followUpMaxRounds) {
    return { reason: policy.followUpMaxRounds === 0 ? 'follow-ups are off (followUpMaxRounds 0)' : `the ${policy.followUpMaxRounds} follow-ups of the policy are done` };
  }
  if (!state.stateMachineArn) return { reason: 'no follow-up: the state lacks stateMachineArn' };
  // An unchanged follow-up paged nobody: the next one still compares with what people last saw.
  const handOn = state.alarm?.followUp && d.followUp?.changed === false;
  const detail: FollowUpDetail = {
    functionName: fn,
    alarms: [{ alarmName: ev.alarmName, ...(state.alarm?.contributorId ? { contributorId: state.alarm.contributorId } : {}) }],
    previousExecutionId: handOn ? state.alarm!.followUp!.previousExecutionId : state.executionId,
    round,
    waitSeconds: policy.followUpSeconds,
    baseline: handOn ? state.alarm!.followUp!.baseline : {
      at,
      action: d.action,
      category: d.result.category,
      ...(d.signals ? { memoryFailures: d.signals.memoryFailures, invocations: d.signals.invocations } : {}),
    },
  };
  const name = executionName('followup', [state.executionId, String(round)]);
  await startExecutionOnce(state.stateMachineArn, name, intakeInput(FOLLOW_UP_DETAIL_TYPE, detail));
  metrics.addMetric('FollowUpScheduled', MetricUnit.Count, 1);
  return { started: name, reason: `follow-up ${round} of ${policy.followUpMaxRounds} in ${policy.followUpSeconds} s while ${ev.alarmName} stays in ALARM` };
}
