/**
 * Where the function a run handles lives, on a hub (`AutoRemediation` with `hub`): the alarm
 * event's `account` and `region` fields say it (EventBridge keeps them when a rule forwards the
 * event to another account's bus). A handler runs its body in that target's scope; the clients
 * of the SDK-facing modules that act on the function (`targetClient`: Lambda, CloudWatch, Logs)
 * are then built for that region with the credentials of the spoke's access role (clients.ts).
 *
 * Without the hub's environment (a single-stack deployment) there is never a remote target:
 * everything stays as it was, with the handlers' own rights in their own account and region.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { HUB_ENV } from '../hub/hub-contract';

/** An account and region. */
export interface TargetEnv {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** A remote target as the running code holds it: the spoke, and the function that acts there. */
interface Scope extends TargetEnv {
  /** The Lambda function running (its own credentials assume the spoke role). */
  readonly holder: string;
}

const storage = new AsyncLocalStorage<Scope>();

/** The hub's own account and region, when the handler runs on a hub. */
export function hubHome(): TargetEnv | undefined {
  const account = process.env[HUB_ENV.HOME_ACCOUNT];
  const region = process.env.AWS_REGION;
  if (!account || !region) return undefined;
  return { account, region };
}

/** `where` when it is another account or region than the hub's (a spoke); undefined otherwise or off a hub. */
export function remoteOf(where: TargetEnv | undefined): TargetEnv | undefined {
  const home = hubHome();
  if (!home || !where) return undefined;
  return where.account === home.account && where.region === home.region ? undefined : where;
}

/**
 * Run `fn` (and what it awaits) for the target `where` (undefined: the handler's own account).
 * `holder`: the Lambda function running it (its name), whose role assumes the spoke's role.
 */
export function inTarget<T>(where: TargetEnv | undefined, fn: () => T, holder = process.env.AWS_LAMBDA_FUNCTION_NAME ?? ''): T {
  const remote = remoteOf(where);
  return remote ? storage.run({ ...remote, holder }, fn) : fn();
}

/** The spoke the running code acts in, if any. */
export function currentRemote(): TargetEnv | undefined {
  const s = storage.getStore();
  return s ? { account: s.account, region: s.region, ...(s.partition ? { partition: s.partition } : {}) } : undefined;
}

/** The function acting in the current spoke (credentials are its own: one cache per function). */
export function currentHolder(): string {
  return storage.getStore()?.holder ?? '';
}

/**
 * The key a function goes by in the records and the lock: its name at home, and
 * `<account>/<region>/<name>` in a spoke (two spokes may both have an `orders` function).
 */
export function functionKey(functionName: string): string {
  const r = currentRemote();
  return r ? `${r.account}/${r.region}/${functionName}` : functionName;
}

/**
 * The target of a handler input: normalize's output (`alarm.account` / `alarm.region`), else the
 * raw CloudWatch alarm event's `account` and `region` (or those of a further run the workflow
 * started for a spoke's function). Undefined when neither says.
 */
export function targetOfInput(input: unknown): TargetEnv | undefined {
  const s = (input ?? {}) as { alarm?: { account?: unknown; region?: unknown }; event?: { source?: unknown; account?: unknown; region?: unknown } };
  if (typeof s.alarm?.account === 'string' && typeof s.alarm?.region === 'string') return { account: s.alarm.account, region: s.alarm.region };
  const e = s.event;
  // A CloudWatch alarm event, or a further run the workflow started for a spoke's function (intakeInput).
  const ours = e?.source === 'aws.cloudwatch' || e?.source === 'lambda-auto-remediation';
  if (ours && typeof e?.account === 'string' && typeof e.region === 'string') return { account: e.account, region: e.region };
  return undefined;
}

/** Whether the hub acts for `account`: its own, a listed one, or any (`*`: the bus policy admitted it). */
export function isAdmitted(account: string): boolean {
  const home = hubHome();
  if (!home || account === home.account) return true;
  const raw = (process.env[HUB_ENV.ADMITTED_ACCOUNTS] ?? '').split(',').map((a) => a.trim()).filter((a) => a);
  return raw.includes('*') || raw.includes(account);
}

/** On a hub, the `account` and `region` a record carries: the spoke's, or the hub's own. Off a hub, none. */
export function recordPlace(): { account?: string; region?: string } {
  const home = hubHome();
  if (!home) return {};
  const where = currentRemote() ?? home;
  return { account: where.account, region: where.region };
}
