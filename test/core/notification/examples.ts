/**
 * The notifications shown in examples/README.md, rendered by the code Finalize and RequestApproval
 * run, from the fixture states. `scripts/render-notifications.ts --write` puts them in the README;
 * readme.test.ts fails when the README and the rendering differ.
 */
import { APPROVAL_STATE, NOW, STATES, TASK_TOKEN } from './fixtures';
import { approvalMessage, outcomeMessage } from '../../../src/core/notification/messages';
import { decideOutcome } from '../../../src/core/notification/outcome';

/** `Subject: ...`, a blank line, then the e-mail body. */
function mail(subject: string, text: string): string {
  return `Subject: ${subject}\n\n${text}`;
}

/** The e-mail of the fixture state `name` (an outcome). */
export function outcomeMail(name: string): string {
  const state = STATES[name];
  const { outcome, reason } = decideOutcome(state);
  const m = outcomeMessage(state, outcome, reason, NOW);
  return mail(m.subject, m.text);
}

/** The approval request e-mail. */
export function approvalMail(): string {
  const m = approvalMessage(APPROVAL_STATE, TASK_TOKEN);
  return mail(m.subject, m.text);
}

/** The README's examples, by marker name. */
export const README_EXAMPLES: Record<string, () => string> = {
  REPAIRED: () => outcomeMail('REPAIRED'),
  HUMAN_REVIEW: () => outcomeMail('HUMAN_REVIEW'),
  APPROVAL_REQUEST: approvalMail,
};

const BLOCK = /(<!-- begin notification (\S+) -->\n```text\n)([\s\S]*?)(```\n<!-- end notification \2 -->)/g;

/** The blocks of a README, by name. */
export function readmeBlocks(readme: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readme.matchAll(BLOCK)) out[m[2]] = m[3];
  return out;
}

/** The README with every block replaced by its current rendering. */
export function renderReadme(readme: string): string {
  return readme.replace(BLOCK, (_all, open: string, name: string, _body: string, close: string) => {
    const render = README_EXAMPLES[name];
    if (!render) throw new Error(`examples/README.md names an unknown notification example '${name}'`);
    return `${open}${render()}${close}`;
  });
}
