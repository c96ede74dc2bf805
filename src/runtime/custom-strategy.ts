/**
 * `RepairStrategy.custom`: the user's Lambda function makes the memory change. It is invoked
 * synchronously (RequestResponse) with a small JSON event and a time limit; what it answers is
 * not trusted: the caller reads the function configuration afterwards and only the size it finds
 * counts. https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html: a function error comes
 * back as HTTP 200 with `FunctionError` set, so it is checked here.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { client } from './clients';
import { delay } from './clock';
import { DependencyTimeoutError, toNamedError } from './errors';
import { maskSecrets } from '../core/logs/mask';

/** The event the user's function receives. */
export interface CustomRepairEvent {
  /** RAISE for the repair, ROLLBACK to put the original size back after a failed verification. */
  readonly action: 'RAISE' | 'ROLLBACK';
  readonly functionName: string;
  /** The qualifier the alarm watched, if any. */
  readonly qualifier?: string;
  readonly fromMemoryMb: number;
  readonly toMemoryMb: number;
  readonly executionId: string;
  readonly reason: string;
}

/** The short name of a function ARN. */
export function functionNameOfArn(arn: string): string {
  return arn.split(':')[6] ?? arn;
}

/**
 * Invoke the user's function and wait at most `timeoutMs`. Resolves when it returned without a
 * function error; rejects with a named error (DependencyTimeoutError for the time limit) otherwise.
 */
export async function invokeCustomRepair(functionArn: string, event: CustomRepairEvent, timeoutMs: number): Promise<void> {
  const name = functionNameOfArn(functionArn);
  const controller = new AbortController();
  const budget = delay(timeoutMs);
  const timeout = budget.promise.then((): never => {
    controller.abort();
    throw new DependencyTimeoutError(`repair function ${name} did not answer within ${timeoutMs} ms`);
  });
  const call = async () => {
    let out;
    try {
      out = await client('lambda').send(new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }), { abortSignal: controller.signal });
    } catch (err) {
      throw toNamedError(err, `lambda:InvokeFunction ${name}`);
    }
    if (out.FunctionError) {
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      const err = new Error(`repair function ${name} failed (${out.FunctionError}): ${maskSecrets(text).slice(0, 300)}`);
      err.name = 'CustomRepairFunctionError';
      throw err;
    }
  };
  try {
    await Promise.race([call(), timeout]);
  } finally {
    budget.cancel();
  }
}
