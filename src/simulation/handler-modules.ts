/**
 * The handler modules the simulation binds to the template's functions. Each is a `require` of a
 * literal path, so that esbuild puts every handler into the command-line bundle (a path computed
 * at run time would be left out); each is loaded on first use, as Lambda loads a handler at its
 * first invocation (loading one sets up its Powertools logger and SDK clients).
 */
import { DRIFT_HANDLER } from '../drift/drift-contract';
import { MANUAL_REPAIR_HANDLER, OPS_ITEM_HANDLER } from '../opscenter/ops-item-contract';
import { HANDLERS, HandlerId, HandlerSpec } from '../workflow/contract';
import { SETUP_DESCRIPTION } from '../workflow/remediation-setup';

/** What a handler module exports. */
export interface HandlerModule {
  readonly handler?: (event: unknown, context: unknown) => Promise<unknown>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const LOADERS: Readonly<Record<HandlerId, () => HandlerModule>> = {
  normalize: () => require('../workflow/normalize.lambda'),
  collect: () => require('../diagnosis/collect.lambda'),
  diagnose: () => require('../diagnosis/diagnose.lambda'),
  requestApproval: () => require('../workflow/request-approval.lambda'),
  repair: () => require('../repair/repair.lambda'),
  verify: () => require('../verification/verify.lambda'),
  rollback: () => require('../repair/rollback.lambda'),
  finalize: () => require('../verification/finalize.lambda'),
  cleanup: () => require('../workflow/cleanup.lambda'),
  coordinator: () => require('../workflow/coordinator.lambda'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The deploy-time setup handler behind the setup custom resource (not a workflow step). */
export const SETUP_HANDLER = { id: 'setup', entry: 'src/workflow/setup.lambda.ts', description: SETUP_DESCRIPTION } as const;

/** The opt-in integrations' handlers (drift detection, OpsItems, the manual repair runbook): not workflow steps. */
export const EXTENSION_HANDLERS = [DRIFT_HANDLER, OPS_ITEM_HANDLER, MANUAL_REPAIR_HANDLER] as const;
type ExtensionHandlerId = typeof EXTENSION_HANDLERS[number]['id'];

/* eslint-disable @typescript-eslint/no-require-imports */
const EXTENSION_LOADERS: Readonly<Record<ExtensionHandlerId, () => HandlerModule>> = {
  drift: () => require('../drift/drift.lambda'),
  opsItem: () => require('../opscenter/ops-item.lambda'),
  manualRepair: () => require('../opscenter/manual-repair.lambda'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Load the module of a workflow handler, of the deploy-time setup, or of an integration's handler. */
export function loadHandlerModule(id: HandlerId | typeof SETUP_HANDLER.id | ExtensionHandlerId): HandlerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (id === SETUP_HANDLER.id) return require('../workflow/setup.lambda');
  if (id in EXTENSION_LOADERS) return EXTENSION_LOADERS[id as ExtensionHandlerId]();
  return LOADERS[id as HandlerId]();
}

/**
 * The workflow handler a template function runs, from its description: the constructs describe
 * each handler function with the handler's description (projen's default description is the
 * source file itself).
 */
export function handlerOfDescription(description: string | undefined): HandlerSpec | undefined {
  const d = description ?? '';
  return Object.values(HANDLERS).find((h) => d === h.entry || (h.description.length > 0 && d.includes(h.description)));
}

/** The handler a template function of the construct runs: a workflow handler, the deploy-time setup or an integration's handler. */
export function constructHandlerOfDescription(
  description: string | undefined,
): HandlerSpec | typeof SETUP_HANDLER | typeof EXTENSION_HANDLERS[number] | undefined {
  const d = description ?? '';
  return handlerOfDescription(description)
    ?? (d.includes(SETUP_DESCRIPTION) ? SETUP_HANDLER : undefined)
    ?? EXTENSION_HANDLERS.find((h) => d.includes(h.description));
}
