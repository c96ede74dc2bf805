/**
 * Renders the notification examples of examples/README.md from the code Finalize and
 * RequestApproval run (test/core/notification/examples.ts), so the README cannot drift from it.
 *
 *   npx ts-node --transpile-only scripts/render-notifications.ts          # print them
 *   npx ts-node --transpile-only scripts/render-notifications.ts --write  # update examples/README.md
 *
 * test/core/notification/readme.test.ts fails when the README differs from the rendering.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_EXAMPLES, renderReadme } from '../test/core/notification/examples';

const README = join(__dirname, '..', 'examples', 'README.md');

if (process.argv.includes('--write')) {
  const before = readFileSync(README, 'utf8');
  const after = renderReadme(before);
  if (after !== before) writeFileSync(README, after);
  process.stdout.write(after === before ? 'examples/README.md is up to date\n' : 'examples/README.md updated\n');
} else {
  for (const [name, render] of Object.entries(README_EXAMPLES)) process.stdout.write(`== ${name}\n${render()}\n`);
}
