import { resolve } from 'node:path';
import { handlerOfDescription, loadHandlerModule } from '../../src/simulation/handler-modules';
import { HandlerId, HANDLERS } from '../../src/workflow/contract';

const ROOT = resolve(__dirname, '..', '..');

describe('handler modules the simulation binds', () => {
  test.each(Object.keys(HANDLERS) as HandlerId[])('%s loads the module its contract entry names, with a handler function', (id) => {
    // GIVEN the contract's source file for the handler
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const byEntry = require(resolve(ROOT, HANDLERS[id].entry));
    // WHEN loaded through the static table (what the CLI bundle contains)
    const mod = loadHandlerModule(id);
    // THEN it is that very module
    expect(mod).toBe(byEntry);
    expect(typeof mod.handler).toBe('function');
  });

  test('a function is matched to its handler by the description the constructs give it', () => {
    expect(handlerOfDescription(HANDLERS.repair.description)?.id).toBe('repair');
    expect(handlerOfDescription(`lambda-auto-remediation: ${HANDLERS.verify.description}`)?.id).toBe('verify');
    expect(handlerOfDescription(HANDLERS.finalize.entry)?.id).toBe('finalize');
    expect(handlerOfDescription('orders API')).toBeUndefined();
    expect(handlerOfDescription(undefined)).toBeUndefined();
  });
});
