/**
 * Every AWS API call the handlers make against the simulated account, in order, with the
 * virtual time it was made at. The report lists these; tests count them.
 */
export interface ApiCall {
  /** Virtual time, ISO-8601. */
  readonly time: string;
  /** Service, e.g. `Lambda`, `CloudWatch`, `DynamoDB`. */
  readonly service: string;
  /** Operation, e.g. `UpdateFunctionConfiguration`. */
  readonly operation: string;
  /** The request as the SDK sent it. */
  readonly input: unknown;
  /** The error name when the call failed, e.g. `ResourceConflictException`. */
  readonly error?: string;
}

export class ApiRecorder {
  private readonly log: ApiCall[] = [];

  constructor(private readonly now: () => string) {}

  public record(service: string, operation: string, input: unknown, error?: string): void {
    this.log.push({ time: this.now(), service, operation, input: sanitize(input), ...(error ? { error } : {}) });
  }

  /** All calls so far (a copy). */
  public calls(): ApiCall[] {
    return [...this.log];
  }

  /** Calls of one operation, e.g. `count('Lambda', 'UpdateFunctionConfiguration')`. */
  public filter(service: string, operation: string): ApiCall[] {
    return this.log.filter((c) => c.service === service && c.operation === operation);
  }
}

/** Make an SDK input JSON-safe (Uint8Array bodies become text, Dates ISO strings). */
export function sanitize(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(sanitize);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== 'function' && v !== undefined) out[k] = sanitize(v);
    }
    return out;
  }
  return value;
}
