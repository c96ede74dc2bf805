/**
 * examples/README.md shows rendered notifications; they must be what the code renders today.
 * Regenerate with `npx ts-node --transpile-only scripts/render-notifications.ts --write`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_EXAMPLES, readmeBlocks, renderReadme } from './examples';

const README = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'README.md'), 'utf8');

describe('examples/README.md notification examples', () => {
  test('shows the e-mail of a REPAIRED, a HUMAN_REVIEW and an approval request', () => {
    expect(Object.keys(readmeBlocks(README)).sort()).toEqual(Object.keys(README_EXAMPLES).sort());
  });

  test.each(Object.keys(README_EXAMPLES))('%s is the current rendering (scripts/render-notifications.ts --write updates it)', (name) => {
    expect(readmeBlocks(README)[name]).toBe(README_EXAMPLES[name]());
  });

  test('re-rendering the README changes nothing', () => {
    expect(renderReadme(README)).toBe(README);
  });
});
