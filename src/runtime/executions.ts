/**
 * The workflow starting executions of its own state machine: one per further function of a log
 * alarm, and one re-examination when a lock is released with alarms waiting on it. Names are
 * deterministic so a retried start never starts twice: "StartExecution is idempotent for STANDARD
 * workflows. For a STANDARD workflow, if you call StartExecution with the same name and input as a
 * running execution, the call succeeds ... If the execution is closed or if the input is
 * different, it returns a 400 ExecutionAlreadyExists error"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
import { createHash } from 'crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { client, registerClient } from './clients';
import { toNamedError } from './errors';
import { currentRemote } from './target-account';
import { INTAKE_SOURCE, IntakeInput } from '../workflow/contract';
import { COORDINATOR_RUN_NAME_FIELD } from '../workflow/coordinator-contract';

registerClient('sfn', (o) => new SFNClient({ region: o.region, maxAttempts: 5 }));
registerClient('lambda', (o) => new LambdaClient({ region: o.region, ...(o.credentials ? { credentials: o.credentials } : {}), retryMode: 'adaptive', maxAttempts: 5 }));

/**
 * A deterministic execution name: `<kind>-<first 40 hex of sha256(parts)>`. Execution names are
 * at most 80 characters and, for CloudWatch Logs, only `0-9 A-Z a-z - _`
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 */
export function executionName(kind: string, parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.map((p) => `${p.length}:${p}`).join('|')).digest('hex').slice(0, 40);
  return `${kind.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 30)}-${hash}`;
}

/** The execution input the workflow writes itself. */
export function intakeInput<D>(detailType: string, detail: D): IntakeInput<D> {
  // Started from a spoke's run (hub): the further run acts in the same spoke (target-account.ts).
  const spoke = currentRemote();
  return { 'source': INTAKE_SOURCE, 'detail-type': detailType, detail, ...(spoke ? { account: spoke.account, region: spoke.region } : {}) };
}

/** What a start did. */
export type StartResult = 'STARTED' | 'ALREADY_EXISTS';

/**
 * Start `name` with `input` once. `ExecutionAlreadyExists` counts as done: the execution of that
 * name was started before (by an earlier attempt of the same step).
 */
export async function startExecutionOnce(stateMachineArn: string, name: string, input: unknown): Promise<StartResult> {
  // With Workflow.lambdaCoordinator() the "machine" is the coordinator function: an asynchronous
  // invoke whose run name rides in the input. A second start of the same name is recognised by the
  // coordinator's checkpoint (coordinator.ts), so the start is once as well.
  if (/^arn:[^:]+:lambda:/.test(stateMachineArn)) return invokeCoordinator(stateMachineArn, name, input);
  try {
    await client('sfn').send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return 'STARTED';
  } catch (err) {
    if ((err as { name?: string })?.name === 'ExecutionAlreadyExists') return 'ALREADY_EXISTS';
    throw toNamedError(err, `states:StartExecution ${name}`);
  }
}

/** `arn:<partition>:states:<region>:<account>:...` → its parts, or undefined when not such an ARN. */
export function arnParts(arn: string | undefined): { partition: string; region: string; account: string } | undefined {
  const m = arn?.match(/^arn:([^:]+):[^:]+:([^:]*):(\d{12}):/);
  return m ? { partition: m[1], region: m[2], account: m[3] } : undefined;
}

/**
 * Start a run of the coordinator function: `InvocationType: Event` (asynchronous: Lambda queues
 * the event, retries the function twice on error and then hands it to the on-failure destination,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
async function invokeCoordinator(functionArn: string, name: string, input: unknown): Promise<StartResult> {
  const payload = { ...(input as Record<string, unknown>), [COORDINATOR_RUN_NAME_FIELD]: name };
  try {
    await client('lambda').send(new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }));
    return 'STARTED';
  } catch (err) {
    throw toNamedError(err, `lambda:InvokeFunction ${name}`);
  }
}

/** The name of an execution (the last part of its ARN): a case's id in the case history. */
export function executionNameOf(executionId: string): string {
  const parts = executionId.split(':');
  return parts[parts.length - 1] || executionId;
}
