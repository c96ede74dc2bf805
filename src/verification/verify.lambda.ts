/**
 * Verify: after the verification window, compares the alarm metric, error rate, out-of-memory and
 * timeout rates and memory utilisation before and after the repair. Too few invocations extends
 * the window once; a failed verification asks for a rollback when the policy says so. Output at
 * `$.verification`.
 */
import { parseLogs } from '../core/logs';
import type { DiagnosisRequest, TimedValue } from '../core/model';
import { compareCanary, compareWindows, WindowFacts } from '../core/verification/compare';
import { now } from '../runtime/clock';
import { collectLogs, collectMetrics, collectVersionCounts } from '../runtime/collector';
import { effectivePolicy, envNumber, envString } from '../runtime/env';
import { InvalidInputError } from '../runtime/errors';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import { DEFAULT_WORKFLOW_POLICY, ENV, HANDLERS, HandlerInputs, VerificationNext, VerifyOutput } from '../workflow/contract';

/** Most verifications per execution: the first, and one extension. */
export const MAX_VERIFY_ATTEMPTS = 2;

function sum(series: TimedValue[] | undefined): number {
  return (series ?? []).reduce((a, p) => a + p.value, 0);
}
function mean(series: TimedValue[] | undefined): number | undefined {
  const l = series ?? [];
  return l.length === 0 ? undefined : l.reduce((a, p) => a + p.value, 0) / l.length;
}

/** Facts of one window from its logs and metric series. */
export function windowFacts(logs: DiagnosisRequest['logs'], alarmSeries: TimedValue[], series: Record<string, TimedValue[]>): WindowFacts {
  const ev = parseLogs(logs);
  return {
    alarmMetric: mean(alarmSeries),
    invocations: sum(series.Invocations),
    errors: sum(series.Errors),
    oomCount: ev.invocations.filter((i) => i.platformOom || i.killed || i.languageOom).length,
    timeoutCount: ev.invocations.filter((i) => i.timeout).length,
    reportCount: ev.memory.reportCount,
    ...(ev.memory.peakUsedRatio !== undefined ? { memoryUtilization: ev.memory.peakUsedRatio } : {}),
  };
}

function before(series: TimedValue[] | undefined, cut: string): TimedValue[] {
  return (series ?? []).filter((p) => p.timestamp < cut);
}

/**
 * A progressive repair: the canary against the version beside it over the bake time, by the
 * alias invocations each version ran. PASSED promotes; FAILED, or no verdict after the one
 * extension, removes the canary (a canary is never left half-routed, whatever
 * `rollbackOnFailedVerification` says: it is not a release anyone chose).
 */
async function verifyCanary(
  state: HandlerInputs['verify'], store: Store, policy: ReturnType<typeof effectivePolicy>, attempt: number, repairedAt: Date, end: Date,
): Promise<VerifyOutput> {
  const fn = state.alarm.functionName!;
  const canary = state.repair.canary!;
  const m = await collectVersionCounts(fn, canary.aliasName, [canary.previousVersion, canary.version], repairedAt, end);
  const zero = { invocations: 0, errors: 0 };
  const cmp = compareCanary({
    baseline: { version: canary.previousVersion, ...(m.counts[canary.previousVersion] ?? zero) },
    canary: { version: canary.version, ...(m.counts[canary.version] ?? zero) },
    minInvocations: policy.verificationMinInvocations,
  });
  let status = cmp.status;
  let reason = cmp.reason;
  if (m.problem) {
    status = 'INCONCLUSIVE';
    reason = `${reason}; data incomplete: ${m.problem}`;
  }
  let next: VerificationNext = 'ROLLBACK';
  if (status === 'SUCCEEDED') next = 'PROMOTE';
  if (status === 'INCONCLUSIVE' && attempt < MAX_VERIFY_ATTEMPTS) next = 'EXTEND';
  const out: VerifyOutput = {
    status,
    next,
    attempt,
    extendSeconds: state.repair.verifyAfterSeconds,
    reason,
    metricsComparison: cmp.metricsComparison,
    details: cmp.details,
    invocationsAfter: m.counts[canary.version]?.invocations ?? 0,
  };
  await store.putAudit({
    executionId: state.executionId,
    functionName: fn,
    step: 'verify',
    actor: 'lambda-auto-remediation',
    action: `canary verification ${status} (attempt ${attempt})`,
    before: { version: canary.previousVersion, ...(m.counts[canary.previousVersion] ?? zero) },
    after: { version: canary.version, ...(m.counts[canary.version] ?? zero) },
    why: reason,
    at: end.toISOString(),
  });
  metrics.addMetric(`Verification${status}`, MetricUnit.Count, 1);
  logger.info('canary verification finished', { functionName: fn, status, next, attempt });
  return out;
}

export async function handler(input: HandlerInputs['verify'], context?: HandlerContext): Promise<VerifyOutput> {
  return runHandler('verify', HANDLERS.verify.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['verify']>(input, 'verify input');
    requireFields(state, ['executionId', 'alarm.functionName', 'collection.evidenceKey', 'repair.repairedAt', 'repair.status'], 'verify input');
    if (state.repair.status !== 'SUCCEEDED') {
      throw new InvalidInputError(`verify needs a SUCCEEDED repair, got '${state.repair.status}'`);
    }
    const fn = state.alarm.functionName!;
    const policy = effectivePolicy(fn);
    const attempt = Math.min((state.verification?.attempt ?? 0) + 1, MAX_VERIFY_ATTEMPTS);
    const store = new Store(envString(ENV.TABLE_NAME));
    const evidence = await store.getEvidence(state.collection.evidenceKey);
    if (!evidence) throw new InvalidInputError(`evidence ${state.collection.evidenceKey.pk} of ${fn} is gone`);

    const repairedAt = new Date(state.repair.repairedAt);
    const end = now();
    if (state.repair.canary) return verifyCanary(state, store, policy, attempt, repairedAt, end);
    const cut = repairedAt.toISOString();
    const beforeSeries: Record<string, TimedValue[]> = {};
    for (const [k, v] of Object.entries(evidence.metricSeries ?? {})) beforeSeries[k] = before(v, cut);
    const beforeFacts = windowFacts(evidence.logs.filter((l) => l.timestamp < cut), before(evidence.metrics, cut), beforeSeries);

    const m = await collectMetrics(fn, state.alarm.qualifier, evidence.alarmDetails.metricName, repairedAt, end);
    const l = await collectLogs(
      state.collection.logGroup ?? `/aws/lambda/${fn}`, repairedAt, end,
      envNumber(ENV.MAX_LOG_EVENTS, DEFAULT_WORKFLOW_POLICY.maxLogEvents),
      envNumber(ENV.MAX_LOG_BYTES, DEFAULT_WORKFLOW_POLICY.maxLogBytes),
    );
    const afterFacts = windowFacts(l.logs, m.metrics, m.series);
    const cmp = compareWindows({ before: beforeFacts, after: afterFacts, minInvocations: policy.verificationMinInvocations });
    const problems = [m.problem, l.problem].filter((p): p is string => !!p);
    let status = cmp.status;
    let reason = cmp.reason;
    if (problems.length > 0 && status !== 'FAILED') {
      // Without data a success cannot be claimed; a failure seen in partial data still counts.
      status = 'INCONCLUSIVE';
      reason = `${reason}; data incomplete: ${problems.join('; ')}`;
    }
    let next: VerificationNext = 'DONE';
    if (status === 'INCONCLUSIVE' && attempt < MAX_VERIFY_ATTEMPTS) next = 'EXTEND';
    if (status === 'FAILED' && policy.rollbackOnFailedVerification) next = 'ROLLBACK';

    const out: VerifyOutput = {
      status,
      next,
      attempt,
      extendSeconds: policy.verificationWindowSeconds,
      reason,
      metricsComparison: cmp.metricsComparison,
      details: cmp.details,
      invocationsAfter: Math.max(afterFacts.invocations, afterFacts.reportCount),
    };
    await store.putAudit({
      executionId: state.executionId,
      functionName: fn,
      step: 'verify',
      actor: 'lambda-auto-remediation',
      action: `verification ${status} (attempt ${attempt})`,
      before: cmp.metricsComparison.before,
      after: cmp.metricsComparison.after,
      why: reason,
      at: end.toISOString(),
    });
    metrics.addMetric(`Verification${status}`, MetricUnit.Count, 1);
    logger.info('verification finished', { functionName: fn, status, next, attempt });
    return out;
  }, input);
}
