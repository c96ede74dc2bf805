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
  /** The invocation: its execution and whether its sandbox is gone (handler faults). */
  readonly invocation?: InvocationControl;
}

/**
 * One invocation of a handler as the simulated account sees its calls. When a handler fault
 * kills the sandbox, the handler's code (which JavaScript cannot stop) may still be running:
 * every call it makes afterwards fails without reaching a service, as no call leaves a dead
 * sandbox.
 */
export interface InvocationControl {
  /** The execution the invocation belongs to (its name), if any. */
  readonly executionId?: string;
  /** The workflow handler running (its contract id, e.g. `finalize`), if known. */
  readonly handlerId?: string;
  /** The sandbox is gone. */
  killed: boolean;
  /** Each AWS call the handler made, once it has returned (or failed). */
  callDone?(service: string, operation: string): void;
}

/** The error a call from a killed sandbox gets (it never reaches AWS, and nobody sees it). */
export class SandboxGoneError extends Error {
  constructor(functionName: string) {
    super(`the sandbox of ${functionName} is gone: this call never left it`);
    this.name = 'SandboxGoneError';
  }
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
