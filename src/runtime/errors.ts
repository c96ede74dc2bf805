/**
 * Named errors thrown by the handlers. The `name` is what Step Functions Retry/Catch match
 * (see `ERROR_NAMES` in the workflow contract), so every class sets it explicitly: minifiers
 * rename classes, they do not rename string literals.
 */
import { ERROR_NAMES } from '../workflow/contract';

/** Base of the handlers' errors; `transient` says whether a retry can help. */
export abstract class RemediationError extends Error {
  public abstract readonly transient: boolean;
}

/** An AWS API kept throttling after the SDK's retries. */
export class ThrottledError extends RemediationError {
  public readonly transient = true;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.THROTTLED; }
}

/** The function was being updated by someone else (`ResourceConflictException`). */
export class UpdateConflictError extends RemediationError {
  public readonly transient = true;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.CONFLICT; }
}

/** A dependency took too long. */
export class DependencyTimeoutError extends RemediationError {
  public readonly transient = true;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.TIMEOUT; }
}

/** A service answered with a 5xx. */
export class ServiceUnavailableError extends RemediationError {
  public readonly transient = true;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.SERVICE_UNAVAILABLE; }
}

/** The handler's input breaks its contract. */
export class InvalidInputError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.INVALID_INPUT; }
}

/** The EventBridge event is not a well-formed alarm state change. */
export class MalformedEventError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.MALFORMED_EVENT; }
}

/** AWS refused the call; retrying will not help. */
export class AccessDeniedError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.ACCESS_DENIED; }
}

/** The target function does not exist. */
export class FunctionNotFoundError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.FUNCTION_NOT_FOUND; }
}

/** A required environment variable is missing or invalid. */
export class ConfigurationError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.CONFIGURATION; }
}

/** The memory update was rejected or ended `Failed`; the function is as it was. */
export class RepairFailedError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.REPAIR_FAILED; }
}

/** Restoring the original size failed. */
export class RollbackFailedError extends RemediationError {
  public readonly transient = false;
  constructor(message: string) { super(message); this.name = ERROR_NAMES.ROLLBACK_FAILED; }
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'ProvisionedThroughputExceededException',
  'RequestLimitExceeded', 'LimitExceededException', 'ServiceQuotaExceededException', 'RequestThrottled',
  'ThrottledException',
]);
const ACCESS_NAMES = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException',
  'AuthorizationError', 'NotAuthorized', 'ExpiredTokenException', 'InvalidClientTokenId', 'KMSAccessDeniedException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError', 'ModelTimeoutException']);

/**
 * Turn an AWS SDK (or network) error into a named error. `what` names the call for the message,
 * for example `lambda:UpdateFunctionConfiguration on orders`. Already-named errors pass through.
 */
export function toNamedError(err: unknown, what: string): Error {
  if (err instanceof RemediationError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const name = e?.name ?? 'Error';
  const message = `${what} failed: ${name}: ${e?.message ?? String(err)}`;
  if (THROTTLE_NAMES.has(name)) return new ThrottledError(message);
  if (ACCESS_NAMES.has(name) || e?.$metadata?.httpStatusCode === 403) return new AccessDeniedError(message);
  if (name === 'ResourceConflictException') return new UpdateConflictError(message);
  if (name === 'ResourceNotFoundException' && what.startsWith('lambda:')) return new FunctionNotFoundError(message);
  if (TIMEOUT_NAMES.has(name) || /ETIMEDOUT|ECONNRESET|socket hang up/i.test(e?.message ?? '')) return new DependencyTimeoutError(message);
  if (e?.$fault === 'server' || (e?.$metadata?.httpStatusCode ?? 0) >= 500) return new ServiceUnavailableError(message);
  if (name === 'ValidationException' || name === 'InvalidParameterValueException') return new InvalidInputError(message);
  return new ServiceUnavailableError(message);
}

/** True when the SDK error is a throttle (used by in-handler backoff loops). */
export function isThrottle(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return THROTTLE_NAMES.has(name) || name === ERROR_NAMES.THROTTLED;
}
