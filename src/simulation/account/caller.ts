/**
 * Which handler is making an AWS call. Lambda runs a function's code with the credentials of its
 * execution role (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html),
 * so every SDK call made while a handler runs is made by that function's role. The executor runs
 * each handler invocation inside `runAsCaller`; the simulated account asks `currentCaller()` when a
 * call arrives. Outside any handler (scenario setup, the simulation's own reads) there is no
 * caller: those calls are the account's own and are not authorized.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The function whose code is running. */
export interface Caller {
  readonly functionArn: string;
  readonly functionName: string;
}

const storage = new AsyncLocalStorage<Caller>();

/** Run `fn` (and every async continuation it starts) as `caller`. */
export function runAsCaller<T>(caller: Caller, fn: () => T): T {
  return storage.run(caller, fn);
}

/** The handler of the calling async context, if any. */
export function currentCaller(): Caller | undefined {
  return storage.getStore();
}
