/**
 * Where data ends up after a run, for the checks that must hold whatever happened: which locks
 * are still held, what the state machine's execution log would contain, and which secrets reached
 * which sink.
 */
import { ApiCall } from './account/api-recorder';
import { PublishedMessage, PutEvent } from './account/messaging-service';
import { ExecutionRecord } from './executor';
import { SecretSink } from './scenario';
import { CfnTemplate, TemplateResolver } from './template';

/** The state machine's `LoggingConfiguration` as the template sets it. */
export interface ExecutionLogging {
  readonly level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  readonly includeExecutionData: boolean;
}

/** The logging configuration of the template's state machine (OFF when it has none). */
export function executionLoggingOf(resolver: TemplateResolver, stateMachineLogicalId: string): ExecutionLogging {
  const r = resolver.template.Resources?.[stateMachineLogicalId];
  const config = r?.Properties?.LoggingConfiguration as { Level?: string; IncludeExecutionData?: boolean } | undefined;
  const level = (config?.Level ?? 'OFF') as ExecutionLogging['level'];
  return { level: ['ALL', 'ERROR', 'FATAL', 'OFF'].includes(level) ? level : 'OFF', includeExecutionData: config?.IncludeExecutionData === true };
}

/**
 * What the execution log of these executions would hold, as JSON lines. The level decides which
 * history events are logged (https://docs.aws.amazon.com/step-functions/latest/dg/cloudwatch-log-level.html:
 * ALL every event; ERROR the failure events: TaskFailed, LambdaFunctionFailed, ExecutionFailed,
 * ExecutionAborted, ExecutionTimedOut...; FATAL only ExecutionFailed, ExecutionAborted and
 * ExecutionTimedOut; OFF none), `includeExecutionData` whether inputs and outputs are in them
 * ("When set to false, data is excluded",
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html).
 * Error names and causes are kept even without execution data: the model errs on the side of
 * finding a secret (a cause is the failed Lambda's error document).
 */
export function executionLogLines(records: ExecutionRecord[], logging: ExecutionLogging): string[] {
  if (logging.level === 'OFF') return [];
  const all = logging.level === 'ALL';
  const errors = all || logging.level === 'ERROR';
  const data = (value: unknown) => (logging.includeExecutionData ? { details: value } : {});
  const lines: unknown[] = [];
  for (const r of records) {
    const id = r.executionArn;
    if (all) lines.push({ type: 'ExecutionStarted', execution_arn: id, ...data({ input: r.input }) });
    for (const s of r.steps) {
      if (s.kind !== 'task') continue;
      if (all) lines.push({ type: 'TaskScheduled', execution_arn: id, state: s.state, ...data({ parameters: s.input }) });
      if (s.error) {
        if (errors) lines.push({ type: 'TaskFailed', execution_arn: id, state: s.state, error: s.error.name, cause: s.error.message });
      } else if (all) {
        lines.push({ type: 'TaskSucceeded', execution_arn: id, state: s.state, ...data({ output: s.output }) });
      }
    }
    switch (r.status) {
      case 'SUCCEEDED':
        if (all) lines.push({ type: 'ExecutionSucceeded', execution_arn: id, ...data({ output: r.output }) });
        break;
      case 'FAILED':
      case 'ABORTED':
      case 'TIMED_OUT': {
        const [error, ...cause] = (r.error ?? '').split(': ');
        const type = r.status === 'FAILED' ? 'ExecutionFailed' : r.status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut';
        lines.push({ type, execution_arn: id, error, cause: cause.join(': ') });
        break;
      }
      default:
        break;
    }
  }
  return lines.map((l) => JSON.stringify(l));
}

/** A lock item still held at `nowMs`: no TTL, or a TTL (epoch seconds) not yet passed. */
export function heldLocks(items: Array<Record<string, unknown>>, ttlAttribute: string | undefined, nowMs: number): Array<Record<string, unknown>> {
  return items.filter((i) => {
    const isLock = i.recordType === 'LOCK' || String(i.pk ?? '').startsWith('LOCK#');
    if (!isLock) return false;
    const ttl = ttlAttribute ? Number(i[ttlAttribute]) : NaN;
    // DynamoDB TTL deletes items whose TTL (epoch seconds) has passed; an expired lock is not held.
    return !(Number.isFinite(ttl) && ttl * 1000 <= nowMs);
  });
}

/** The TTL attribute of the template's tables (`TimeToLiveSpecification`), if any. */
export function ttlAttributeOf(template: CfnTemplate): string | undefined {
  for (const r of Object.values(template.Resources ?? {})) {
    if (r.Type !== 'AWS::DynamoDB::Table') continue;
    const spec = r.Properties?.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (spec?.Enabled && spec.AttributeName) return spec.AttributeName;
  }
  return undefined;
}

/** The text of each sink a secret must never reach. */
export function sinkTexts(run: {
  apiCalls: ApiCall[];
  items: Array<Record<string, unknown>>;
  notifications: PublishedMessage[];
  events: PutEvent[];
  executionLog: string[];
}): Record<SecretSink, string> {
  return {
    // What leaves the workflow to be read by a model, or by a custom analyzer (a user's function).
    prompt: JSON.stringify(run.apiCalls.filter((c) => c.service === 'BedrockRuntime' || c.service === 'BedrockAgentRuntime'
      || (c.service === 'Lambda' && c.operation === 'Invoke')).map((c) => c.input)),
    records: JSON.stringify(run.items),
    notifications: JSON.stringify(run.notifications.map((n) => [n.subject, n.message, n.attributes])),
    events: JSON.stringify(run.events),
    executionLog: run.executionLog.join('\n'),
  };
}

/** Which of `secrets` each sink holds (a secret is checked whole and as it would be JSON-escaped). */
export function secretsInSinks(secrets: string[], texts: Record<SecretSink, string>): Record<SecretSink, string[]> {
  const out = {} as Record<SecretSink, string[]>;
  for (const [sink, text] of Object.entries(texts) as Array<[SecretSink, string]>) {
    out[sink] = secrets.filter((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
  }
  return out;
}
