/**
 * Collect: gathers the evidence for the alarm (metric series, REPORT and error lines, the
 * sanitized configuration), stores it in the table and returns a small summary at
 * `$.collection`. Partial data continues, marked incomplete; so does a busy function's window,
 * read newest first with its older part sampled (`collectLogs`).
 */
import { evaluationPeriodsOf } from '../runtime/alarm-event';
import { now } from '../runtime/clock';
import { collectEvidence } from '../runtime/collector';
import { envNumber, envString } from '../runtime/env';
import { InvalidInputError } from '../runtime/errors';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { CollectOutput, DEFAULT_WORKFLOW_POLICY, ENV, HANDLERS, HandlerInputs } from '../workflow/contract';

export async function handler(input: HandlerInputs['collect'], context?: HandlerContext): Promise<CollectOutput> {
  return runHandler('collect', HANDLERS.collect.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['collect']>(input, 'collect input');
    requireFields(state, ['executionId', 'alarm.functionName', 'alarm.alarmEvent'], 'collect input');
    if (state.alarm.status !== 'ACCEPTED') {
      throw new InvalidInputError(`collect needs an ACCEPTED alarm, got status '${state.alarm.status}'`);
    }
    const ev = state.alarm.alarmEvent!;
    const end = now();
    const windowSeconds = envNumber(ENV.COLLECTION_WINDOW_SECONDS, DEFAULT_WORKFLOW_POLICY.collectionWindowSeconds);
    const alarmAt = new Date(ev.stateChangeTime);
    // A follow-up looks at the last window: its alarm may have changed state hours ago.
    const anchor = state.alarm.followUp ? end : alarmAt;
    const start = new Date(Math.min(anchor.getTime(), end.getTime()) - windowSeconds * 1000);
    const evidence = await collectEvidence({
      functionName: state.alarm.functionName!,
      qualifier: state.alarm.qualifier,
      alarmDetails: {
        alarmName: ev.alarmName,
        metricName: ev.metricName,
        // Unknown stays absent (contributor events carry none): never 0.
        ...(ev.threshold !== undefined ? { threshold: ev.threshold } : {}),
        evaluationPeriods: evaluationPeriodsOf(state.event),
      },
      alarmTime: ev.stateChangeTime,
      windowStart: start,
      windowEnd: end,
      maxLogEvents: envNumber(ENV.MAX_LOG_EVENTS, DEFAULT_WORKFLOW_POLICY.maxLogEvents),
      maxLogBytes: envNumber(ENV.MAX_LOG_BYTES, DEFAULT_WORKFLOW_POLICY.maxLogBytes),
    });
    const store = new Store(envString(ENV.TABLE_NAME));
    const key = await store.putEvidence(state.executionId, evidence.request, end);
    metrics.addMetric('LogEventsCollected', MetricUnit.Count, evidence.logEventCount);
    if (evidence.incompleteReasons.length > 0) {
      metrics.addMetric('IncompleteCollections', MetricUnit.Count, 1);
      logger.warn('evidence incomplete', { reasons: evidence.incompleteReasons });
    }
    logger.info('evidence collected', {
      functionName: evidence.config.functionName,
      logEvents: evidence.logEventCount,
      metricPoints: evidence.metricPointCount,
      logsTruncated: evidence.logsTruncated,
      logCoverage: evidence.logCoverage,
    });
    return {
      evidenceKey: key,
      functionName: evidence.config.functionName,
      ...(evidence.config.functionArn ? { functionArn: evidence.config.functionArn } : {}),
      logGroup: evidence.config.logGroup,
      functionConfig: evidence.config.summary,
      ...(evidence.config.revisionId ? { revisionId: evidence.config.revisionId } : {}),
      windowStart: start.toISOString(),
      windowEnd: end.toISOString(),
      logEventCount: evidence.logEventCount,
      metricPointCount: evidence.metricPointCount,
      incomplete: evidence.incompleteReasons.length > 0,
      incompleteReasons: evidence.incompleteReasons,
    };
  }, input);
}
