/**
 * Powertools Logger, Tracer and Metrics, created once per container and shared by every module
 * of a handler bundle. `runHandler` is the one place that wires them around a handler body.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { requireEnv } from './env';
import { inTarget, targetOfInput } from './target-account';
import { EnvName, METRICS_NAMESPACE } from '../workflow/contract';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'lambda-auto-remediation';

/** The shared structured logger. Never give it environment variables or raw function configs. */
export const logger = new Logger({ serviceName });

/** The shared tracer (a no-op outside Lambda). */
export const tracer = new Tracer({ serviceName });

/** The shared metrics (EMF). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
});

export { MetricUnit };

/** Minimal shape of the Lambda context the handlers use. */
export interface HandlerContext {
  readonly awsRequestId?: string;
  readonly functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

/**
 * Run a handler body with the environment checked first, the logger keyed to the request,
 * errors logged by name, and metrics flushed on every path. Given the handler's `input`, the body
 * runs for the account and region the input names (target-account.ts: on a hub, a spoke's).
 */
export async function runHandler<T>(
  handlerId: string,
  requiredEnv: readonly EnvName[],
  context: HandlerContext | undefined,
  body: () => Promise<T>,
  input?: unknown,
): Promise<T> {
  logger.appendKeys({ handler: handlerId, requestId: context?.awsRequestId });
  try {
    requireEnv(requiredEnv);
    return await inTarget(targetOfInput(input), body, context?.functionName);
  } catch (err) {
    const e = err as Error;
    logger.error('handler failed', { errorName: e.name, errorMessage: e.message });
    metrics.addMetric(`${handlerId}Error`, MetricUnit.Count, 1);
    throw err;
  } finally {
    try {
      metrics.publishStoredMetrics();
    } catch {
      // Flushing metrics must never turn a result into a failure.
    }
  }
}
