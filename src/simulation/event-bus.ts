/**
 * The default event bus of the simulated account: each event (alarm state changes, Step
 * Functions execution status changes) goes to every rule of the template whose pattern matches
 * it, and to each of the rule's targets: the workflow's state machine (StartExecution) or a
 * Lambda function of the template bound to a handler (an asynchronous invocation).
 *
 * - Target input (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html):
 *   `Input` (constant JSON) replaces the event, `InputPath` selects part of it, else the event.
 * - Lambda targets are invoked asynchronously; on a function error Lambda retries twice, one
 *   minute and then two minutes later
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 * - Step Functions sends `Step Functions Execution Status Change` for every status of a standard
 *   workflow execution (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), `detail` being what
 *   DescribeExecution returns (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html).
 */
import { SIM_ACCOUNT, SIM_REGION } from './account/lambda-service';
import { matchesPattern } from './event-pattern';
import { BoundHandler, ExecutionRecord, ExecutionStatus, invokeHandler, jsonPath } from './executor';
import { VirtualScheduler } from './scheduler';
import { TemplateRule } from './template';

const MINUTE = 60_000;

/** A bus's name from its name or ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`); none is the default bus. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

/** One invocation of a handler by a rule's target, and how it ended. */
export interface TargetInvocation {
  readonly at: string;
  readonly rule: string;
  readonly function: string;
  readonly detailType: string;
  /** 1 for the first attempt, 2 and 3 for Lambda's retries of a failed one. */
  readonly attempt: number;
  readonly error?: string;
}

/** One attempt of an asynchronous invocation as it ended. */
export interface AttemptEnded {
  readonly at: number;
  readonly attempt: number;
  readonly error?: string;
}

export interface EventBusOptions {
  readonly rules: TemplateRule[];
  readonly stateMachineArn: string;
  readonly handlers: Map<string, BoundHandler>;
  readonly scheduler: VirtualScheduler;
  readonly requestId: () => string;
  readonly eventId: () => string;
  /** Start an execution of the state machine with this input. */
  readonly startExecution: (input: unknown) => void;
  /** Runs `fn` as a participant of the virtual time (so its sleeps and I/O count). */
  readonly participate: (name: string, fn: () => Promise<unknown>) => Promise<unknown>;
  /**
   * Lambda's asynchronous invocation of a function target (lambda-invocations.ts: retries, the
   * function's event invoke config and on-failure destination). Without it the bus tries three
   * times itself, one and two minutes apart.
   */
  readonly invokeAsync?: (bound: BoundHandler, input: unknown, source: string, delayMs: number, onAttempt: (a: AttemptEnded) => void) => void;
}

export class EventBus {
  public readonly invocations: TargetInvocation[] = [];
  /** Events that matched no rule. */
  public unrouted = 0;
  private seq = 0;

  constructor(private readonly options: EventBusOptions) {}

  /**
   * Deliver `event` to the targets of every matching rule.
   * @param startExecution starts the state machine (defaults to the bus's own)
   * @param delayMs when a function target's invocation arrives (a storm's copies spread over their minute)
   * @param busName the bus the event is put on (its name or ARN): only that bus's rules see it
   *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rules.html: a rule belongs to one event bus)
   */
  public put(event: Record<string, unknown>, startExecution?: (input: unknown) => void, delayMs = 0, busName?: string): void {
    const bus = busNameOf(busName);
    const matched = this.options.rules.filter((r) => busNameOf(r.eventBusName) === bus && matchesPattern(r.eventPattern, event));
    if (matched.length === 0) {
      this.unrouted++;
      return;
    }
    for (const rule of matched) {
      for (const target of rule.targets) {
        const input = target.input !== undefined ? JSON.parse(target.input) : target.inputPath ? jsonPath(event, target.inputPath) : event;
        if (target.arn === this.options.stateMachineArn) {
          (startExecution ?? this.options.startExecution)(input);
          continue;
        }
        const bound = this.options.handlers.get(target.arn);
        if (!bound) continue;
        const detailType = String(event['detail-type'] ?? '');
        if (this.options.invokeAsync) {
          this.options.invokeAsync(bound, input, `rule ${rule.logicalId}`, delayMs, (a) => this.invocations.push({
            at: new Date(a.at).toISOString(),
            rule: rule.logicalId,
            function: bound.functionName,
            detailType,
            attempt: a.attempt,
            ...(a.error ? { error: a.error } : {}),
          }));
          continue;
        }
        void this.invokeAsync(rule, bound, input, detailType);
      }
    }
  }

  /**
   * An asynchronous invocation of a template function by another service (AWS Config invoking a
   * rule's function), with Lambda's retries; false when no handler is bound to the ARN.
   */
  public invokeFunction(source: string, functionArn: string, input: unknown, kind: string): boolean {
    const bound = this.options.handlers.get(functionArn);
    if (!bound) return false;
    void this.invokeAsync({ logicalId: source } as TemplateRule, bound, input, kind);
    return true;
  }

  /** The event Step Functions sends when an execution's status changes. */
  public executionStatusEvent(record: ExecutionRecord, stateMachineArn: string, status: ExecutionStatus, now: number): Record<string, unknown> {
    const ended = status !== 'RUNNING';
    return {
      'version': '0',
      'id': this.options.eventId(),
      'detail-type': 'Step Functions Execution Status Change',
      'source': 'aws.states',
      'account': SIM_ACCOUNT,
      'time': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'region': SIM_REGION,
      'resources': [record.executionArn],
      'detail': {
        executionArn: record.executionArn,
        stateMachineArn,
        name: record.name,
        status,
        startDate: record.startedAt,
        stopDate: ended ? record.endedAt ?? now : null,
        input: JSON.stringify(record.input ?? {}),
        output: status === 'SUCCEEDED' ? JSON.stringify(record.output ?? null) : null,
      },
    };
  }

  private async invokeAsync(rule: TemplateRule, bound: BoundHandler, input: unknown, detailType: string): Promise<void> {
    const name = `event-${String(++this.seq).padStart(4, '0')}`;
    await this.options.participate(name, async () => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        if (attempt > 1) await this.options.scheduler.sleep((attempt - 1) * MINUTE);
        const at = new Date(this.options.scheduler.clock.now()).toISOString();
        try {
          await invokeHandler(bound, input, { scheduler: this.options.scheduler, requestId: this.options.requestId() });
          this.invocations.push({ at, rule: rule.logicalId, function: bound.functionName, detailType, attempt });
          return;
        } catch (err) {
          this.invocations.push({ at, rule: rule.logicalId, function: bound.functionName, detailType, attempt, error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 300) });
        }
      }
    });
  }
}
