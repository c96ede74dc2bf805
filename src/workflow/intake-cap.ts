/**
 * The intake's say in the decision: when normalize found that automation must not change the
 * function (`humanReviewReason`, e.g. an alarm on an alias the alias option does not name), a
 * REPAIR or REQUEST_APPROVAL becomes HUMAN_REVIEW with that reason. It only ever lowers the action.
 * Pure.
 */
import type { DecisionAction, NormalizeOutput } from './contract';

/** A decision as diagnose makes it. */
export interface CappableDecision {
  readonly action: DecisionAction;
  readonly targetMemoryMb: number;
  readonly reason: string;
}

/** Cap `decision` at HUMAN_REVIEW when the intake said a person must decide. */
export function capForIntake<D extends CappableDecision>(decision: D, alarm: Pick<NormalizeOutput, 'humanReviewReason'> | undefined, currentMb: number): D {
  const why = alarm?.humanReviewReason;
  if (!why || (decision.action !== 'REPAIR' && decision.action !== 'REQUEST_APPROVAL')) return decision;
  return {
    ...decision,
    action: 'HUMAN_REVIEW',
    targetMemoryMb: currentMb,
    reason: `${why} (the diagnosis proposed ${currentMb} -> ${decision.targetMemoryMb} MB: ${decision.reason})`.slice(0, 1000),
  };
}
