/**
 * The AWS SDK for JavaScript v3's own retry, as the handlers' clients run it. The simulated
 * account serves the mocked clients' `send` directly (aws-sdk-client-mock), which bypasses the
 * SDK's middleware stack and so its retry middleware; this module does what that middleware does,
 * in virtual time, so that a throttled or transient failure is retried by the client exactly as
 * often as in AWS, and every attempt is a call the service sees (and a fault can count).
 *
 * Source: @smithy/core 3.41 `submodules/retry` (the SDK's retry implementation,
 * https://github.com/smithy-lang/smithy-typescript/tree/main/packages/core/src/submodules/retry):
 * - `retryMiddleware`: an error is THROTTLING (`isThrottlingError`), else TRANSIENT
 *   (`isTransientError`), else SERVER_ERROR (`isServerError`), else CLIENT_ERROR;
 * - `StandardRetryStrategy`: only THROTTLING and TRANSIENT are retried, while the attempt number is
 *   below `maxAttempts` and the client's retry quota (500, a retry costs 5 after throttling and
 *   14 otherwise; a success gives back the retry's cost, or 1) allows it;
 * - `DefaultRetryBackoffStrategy` with the 2026 retry configuration (`Retry`): the delay before retry
 *   i (0-based) is `floor(random * min(base * 2^i, 20000))` ms, base 1,000 ms after a throttling
 *   error and 50 ms otherwise ("full jitter", https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 * Not modelled: the adaptive mode's client-side rate limiter (it only delays later requests after
 * a throttle) and the `Retry-After` hint (the simulated services send none).
 */
import { SeededRandom } from '../random';

/** How the SDK classifies an error for retry. */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

// @smithy/core retry/service-error-classification/constants.ts
const THROTTLING_ERROR_CODES = [
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException',
  'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException',
  'TransactionInProgressException',
];
const TRANSIENT_ERROR_CODES = ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];
const TRANSIENT_ERROR_STATUS_CODES = [500, 502, 503, 504];
const NODEJS_TIMEOUT_ERROR_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'];

const MAXIMUM_RETRY_DELAY = 20_000;
const DELAY_BASE = 50;
const THROTTLING_DELAY_BASE = 1_000;
const INITIAL_RETRY_TOKENS = 500;
const RETRY_COST = 14;
const THROTTLING_RETRY_COST = 5;
const NO_RETRY_INCREMENT = 1;

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
  $retryable?: { throttling?: boolean };
}

/** The SDK's classification of an error (retryMiddleware's `getRetryErrorType`). */
export function retryErrorType(error: unknown): RetryErrorType {
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || THROTTLING_ERROR_CODES.includes(e.name ?? '') || e.$retryable?.throttling === true) return 'THROTTLING';
  if (e.$metadata?.clockSkewCorrected || TRANSIENT_ERROR_CODES.includes(e.name ?? '') || NODEJS_TIMEOUT_ERROR_CODES.includes(e.code ?? '')
    || TRANSIENT_ERROR_STATUS_CODES.includes(status ?? 0)) return 'TRANSIENT';
  if (status !== undefined && status >= 500 && status <= 599) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/** What a client was configured with. */
export interface ClientRetryConfig {
  readonly maxAttempts: number;
  readonly retryMode: string;
}

/** Reads a real SDK client's retry configuration (the handlers set it per client in src/runtime). */
export async function clientRetryConfig(client: unknown): Promise<ClientRetryConfig> {
  const config = (client as { config?: { maxAttempts?: unknown; retryMode?: unknown } } | undefined)?.config;
  const read = async (v: unknown) => (typeof v === 'function' ? (v as () => unknown)() : v);
  const maxAttempts = Number(await read(config?.maxAttempts)) || 3;
  const retryMode = String((await read(config?.retryMode)) ?? 'standard');
  return { maxAttempts, retryMode };
}

/** A call the SDK made: its output, the attempts and the delays between them. */
export interface RetriedCall<T> {
  readonly output: T;
  readonly attempts: number;
  readonly totalRetryDelayMs: number;
}

/**
 * The SDK retry of every client of the simulated account: one retry quota per client instance,
 * delays slept on the virtual clock, jitter from its own seeded generator (so that retries do not
 * change the workloads' random sequence).
 */
export class SdkRetryModel {
  private readonly capacity = new WeakMap<object, { tokens: number }>();
  private readonly random: SeededRandom;

  constructor(seed: number, private readonly sleep: (ms: number) => Promise<void>) {
    // Its own sequence, apart from the workloads' (seed + a constant).
    this.random = new SeededRandom(seed + 0x5eed);
  }

  /** Run `attempt` as the client's retry middleware would; throws the last error like the SDK. */
  public async send<T>(client: object, config: ClientRetryConfig, attempt: (n: number) => Promise<T>): Promise<RetriedCall<T>> {
    const quota = this.quota(client);
    let retries = 0;
    let lastCost: number | undefined;
    let totalRetryDelayMs = 0;
    for (;;) {
      try {
        const output = await attempt(retries + 1);
        quota.tokens = Math.min(INITIAL_RETRY_TOKENS, quota.tokens + (lastCost ?? NO_RETRY_INCREMENT));
        return { output, attempts: retries + 1, totalRetryDelayMs };
      } catch (err) {
        const type = retryErrorType(err);
        const cost = type === 'THROTTLING' ? THROTTLING_RETRY_COST : RETRY_COST;
        const retryable = type === 'THROTTLING' || type === 'TRANSIENT';
        if (!retryable || retries + 1 >= config.maxAttempts || quota.tokens < cost) {
          annotate(err, retries + 1, totalRetryDelayMs);
          throw err;
        }
        quota.tokens -= cost;
        lastCost = cost;
        const base = type === 'THROTTLING' ? THROTTLING_DELAY_BASE : DELAY_BASE;
        const delay = Math.floor(this.random.next() * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY));
        retries++;
        totalRetryDelayMs += delay;
        if (delay > 0) await this.sleep(delay);
      }
    }
  }

  private quota(client: object): { tokens: number } {
    let q = this.capacity.get(client);
    if (!q) {
      q = { tokens: INITIAL_RETRY_TOKENS };
      this.capacity.set(client, q);
    }
    return q;
  }
}

/** The SDK puts the attempt count and total delay on the error it finally throws. */
function annotate(err: unknown, attempts: number, totalRetryDelay: number): void {
  if (!err || typeof err !== 'object') return;
  const e = err as { $metadata?: Record<string, unknown> };
  e.$metadata = { ...(e.$metadata ?? {}), attempts, totalRetryDelay };
}
