/**
 * Lambda's invocation model for the template's own functions (the workflow handlers, the
 * coordinator, the cleanup): what the `Invoke` API, an EventBridge rule target and an
 * EventBridge Scheduler target get from Lambda. Each invocation runs the bound handler module as
 * Lambda would (executor.ts `invokeHandler`: a JSON copy in and out, the function's role, handler
 * faults).
 *
 * Follows:
 * - https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html: `InvocationType`
 *   `RequestResponse` (default) answers 200 with the payload, and with `FunctionError: Unhandled`
 *   and the error document `{errorType, errorMessage}` when the function failed; `Event` answers 202
 *   at once and queues the event; `DryRun` answers 204 after the authorization only.
 * - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html: an
 *   asynchronous event whose invocation fails is tried two more times by default, one minute and
 *   then two minutes later; `MaximumRetryAttempts` (0-2) and `MaximumEventAgeInSeconds`
 *   (60-21,600, default 6 hours) of the function's event invoke config change that.
 * - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html: once Lambda
 *   gives up on an event, the on-failure destination gets the invocation record
 *   (`requestContext.condition` `RetriesExhausted` or `EventAgeExceeded`, `requestPayload`,
 *   `responseContext`, `responsePayload`), sent with the function's execution role, which needs
 *   permission to invoke the destination function.
 * Not modelled: throttling of the function (reserved concurrency) and the queue's own delay,
 * SQS / SNS / EventBridge destinations, on-success destinations, qualifiers other than $LATEST.
 */
import { FaultInjector } from './account/faults';
import type { IamDecision, IamRequest } from './account/iam';
import { BoundHandler, invokeHandler } from './executor';
import { VirtualScheduler } from './scheduler';

const MINUTE = 60_000;

/** A function's `AWS::Lambda::EventInvokeConfig`. */
export interface AsyncInvokeConfig {
  /** @default 2 */
  readonly maximumRetryAttempts?: number;
  /** @default 21600 */
  readonly maximumEventAgeSeconds?: number;
  /** ARN of the on-failure destination function. */
  readonly onFailure?: string;
}

/** One attempt of an asynchronous invocation, for the report. */
export interface AsyncAttempt {
  /** Virtual epoch ms. */
  readonly at: number;
  readonly functionName: string;
  /** Who queued the event: `Invoke`, a rule, a schedule, a destination. */
  readonly source: string;
  /** 1, then 2 and 3 for Lambda's retries. */
  readonly attempt: number;
  readonly error?: string;
}

/** What Lambda answered a synchronous invocation. */
export interface SyncInvokeResult {
  readonly StatusCode: number;
  readonly FunctionError?: string;
  readonly ExecutedVersion: string;
  /** The payload as JSON text (the API returns its bytes). */
  readonly payload: string;
}

export interface HandlerInvocationsOptions {
  readonly handlers: Map<string, BoundHandler>;
  readonly scheduler: VirtualScheduler;
  readonly requestId: () => string;
  readonly faults?: FaultInjector;
  /** The event invoke config of each function (by unqualified ARN). */
  readonly asyncConfigs?: Map<string, AsyncInvokeConfig>;
  /** Authorizes Lambda's own calls made with a function's role (the destination). */
  readonly authorize?: (req: IamRequest) => Promise<IamDecision>;
  /** The execution role of a function (for the destination's authorization). */
  readonly roleOf?: (functionArn: string) => string | undefined;
  /** Runs `fn` as a participant of the virtual time. */
  readonly participate: (name: string, fn: () => Promise<unknown>) => Promise<unknown>;
  /** Each attempt of an asynchronous invocation as it ends. */
  readonly onAsyncAttempt?: (attempt: AsyncAttempt) => void;
  /** The run a payload belongs to (handler faults count per execution), if any. */
  readonly executionOf?: (payload: unknown) => string | undefined;
  /** Sees every invocation: when it starts and how it ended. */
  readonly observer?: InvocationObserver;
}

/** How one invocation ended. */
export interface InvocationEnded {
  readonly output?: unknown;
  readonly error?: { name: string; message: string };
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Watches invocations (the coordinator's runs are recorded from them). */
export interface InvocationObserver {
  started?(bound: BoundHandler, payload: unknown): void;
  ended?(bound: BoundHandler, payload: unknown, result: InvocationEnded): void;
  /** Lambda gave up on an asynchronous event of `bound`. */
  gaveUp?(bound: BoundHandler, payload: unknown, error: string): void;
}

export class HandlerInvocations {
  public readonly asyncAttempts: AsyncAttempt[] = [];
  /** Records handed to on-failure destinations. */
  public readonly failureRecords: Array<{ functionName: string; destination: string; condition: string }> = [];
  private seq = 0;

  constructor(private readonly options: HandlerInvocationsOptions) {}

  /** The bound handler of a function ARN (a qualifier `$LATEST` or none), name, or undefined. */
  public find(functionRef: string): BoundHandler | undefined {
    const ref = String(functionRef).replace(/:\$LATEST$/, '');
    return this.options.handlers.get(ref) ?? [...this.options.handlers.values()].find((h) => h.functionName === ref || h.functionArn.endsWith(`:function:${ref}`));
  }

  /** `RequestResponse`: run the handler; a failure is a 200 with `FunctionError` and the error document. */
  public async invokeSync(bound: BoundHandler, payload: unknown): Promise<SyncInvokeResult> {
    try {
      const out = await this.run(bound, payload);
      return { StatusCode: 200, ExecutedVersion: '$LATEST', payload: JSON.stringify(out ?? null) };
    } catch (err) {
      return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', payload: errorDocument(err) };
    }
  }

  /**
   * `Event`: queue the event and return (202). Lambda then tries it, retries a failure after one
   * and two minutes, and hands it to the on-failure destination when it gives up.
   * @param source who queued it, for the report
   * @param delayMs when it arrives (a storm's copies spread over their minute)
   */
  public invokeAsync(bound: BoundHandler, payload: unknown, source: string, delayMs = 0, onAttempt?: (a: AsyncAttempt) => void): void {
    const name = `async-${String(++this.seq).padStart(5, '0')}`;
    const config = this.options.asyncConfigs?.get(bound.functionArn) ?? {};
    const retries = config.maximumRetryAttempts ?? 2;
    const maxAgeMs = (config.maximumEventAgeSeconds ?? 21_600) * 1000;
    void this.options.participate(name, async () => {
      if (delayMs > 0) await this.options.scheduler.sleep(delayMs);
      const queuedAt = this.options.scheduler.clock.now();
      let last: unknown;
      let attempt = 0;
      let condition = 'RetriesExhausted';
      for (attempt = 1; attempt <= 1 + retries; attempt++) {
        if (attempt > 1) {
          await this.options.scheduler.sleep((attempt - 1) * MINUTE);
          if (this.options.scheduler.clock.now() - queuedAt > maxAgeMs) {
            condition = 'EventAgeExceeded';
            attempt--;
            break;
          }
        }
        const at = this.options.scheduler.clock.now();
        try {
          const out = await this.run(bound, payload);
          this.recordAttempt({ at, functionName: bound.functionName, source, attempt }, onAttempt);
          return out;
        } catch (err) {
          last = err;
          this.recordAttempt({ at, functionName: bound.functionName, source, attempt, error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 300) }, onAttempt);
        }
      }
      this.options.observer?.gaveUp?.(bound, payload, `${condition}: ${(last as Error | undefined)?.name ?? 'Error'}: ${(last as Error | undefined)?.message ?? ''}`.slice(0, 500));
      if (config.onFailure) await this.toDestination(bound, config.onFailure, payload, last, Math.min(attempt, 1 + retries), condition);
      return undefined;
    });
  }

  private recordAttempt(a: AsyncAttempt, onAttempt?: (a: AsyncAttempt) => void): void {
    this.asyncAttempts.push(a);
    onAttempt?.(a);
    this.options.onAsyncAttempt?.(a);
  }

  /** The invocation record, sent with the function's role to the destination function (itself an asynchronous invocation). */
  private async toDestination(
    bound: BoundHandler, destinationArn: string, payload: unknown, error: unknown, count: number, condition: string,
  ): Promise<void> {
    const role = this.options.roleOf?.(bound.functionArn);
    if (this.options.authorize) {
      const decision = role
        ? await this.options.authorize({ principalArn: role, action: 'lambda:InvokeFunction', resource: destinationArn })
        : { allowed: false, result: 'Error', explanation: 'the function has no execution role' };
      if (!decision.allowed) {
        this.failureRecords.push({ functionName: bound.functionName, destination: destinationArn, condition: `not delivered: ${decision.explanation ?? decision.result}` });
        return;
      }
    }
    const destination = this.find(destinationArn);
    if (!destination) {
      this.failureRecords.push({ functionName: bound.functionName, destination: destinationArn, condition: 'not delivered: the destination is not a function of the template' });
      return;
    }
    const record = {
      version: '1.0',
      timestamp: new Date(this.options.scheduler.clock.now()).toISOString(),
      requestContext: { requestId: this.options.requestId(), functionArn: `${bound.functionArn}:$LATEST`, condition, approximateInvokeCount: count },
      requestPayload: payload,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: JSON.parse(errorDocument(error)),
    };
    this.failureRecords.push({ functionName: bound.functionName, destination: destination.functionName, condition });
    this.invokeAsync(destination, record, `on-failure destination of ${bound.functionName}`);
  }

  private async run(bound: BoundHandler, payload: unknown): Promise<unknown> {
    const observer = this.options.observer;
    const startedAt = this.options.scheduler.clock.now();
    observer?.started?.(bound, payload);
    try {
      const output = await invokeHandler(bound, payload, {
        scheduler: this.options.scheduler,
        requestId: this.options.requestId(),
        faults: this.options.faults,
        executionId: this.options.executionOf?.(payload),
      });
      observer?.ended?.(bound, payload, { output, startedAt, endedAt: this.options.scheduler.clock.now() });
      return output;
    } catch (err) {
      const e = err as Error;
      observer?.ended?.(bound, payload, { error: { name: e.name, message: e.message }, startedAt, endedAt: this.options.scheduler.clock.now() });
      throw err;
    }
  }
}

/** The error document Lambda returns for a failed invocation (executor.ts puts it in the message). */
function errorDocument(err: unknown): string {
  const e = err as Error;
  try {
    const doc = JSON.parse(e.message) as { errorType?: string };
    if (doc && typeof doc.errorType === 'string') return JSON.stringify({ errorType: doc.errorType, errorMessage: (doc as { errorMessage?: string }).errorMessage ?? '', trace: [] });
  } catch {
    // not a document: build one
  }
  return JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message, trace: [] });
}
