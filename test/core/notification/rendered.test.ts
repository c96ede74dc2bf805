/**
 * The rendered notifications, as people read them: one snapshot of the e-mail (subject and text)
 * per outcome, the approval request and the cleanup notice, plus the chat version of two. The
 * snapshots are a supplement: behaviour.test.ts asserts what each must say.
 */
import { APPROVAL_STATE, CLEANUP_FACTS, NOW, STATES, TASK_TOKEN } from './fixtures';
import { approvalMessage, cleanupMessage, outcomeMessage } from '../../../src/core/notification/messages';
import { decideOutcome, isQuiet } from '../../../src/core/notification/outcome';
import { OUTCOMES } from '../../../src/workflow/contract';

describe('rendered e-mail text of every outcome', () => {
  test('every outcome has a fixture state, and each state ends in the outcome it is named after', () => {
    const reached = Object.entries(STATES).map(([name, state]) => {
      const { outcome } = decideOutcome(state);
      expect({ name, outcome: name.split(' ')[0] }).toEqual({ name, outcome });
      return outcome;
    });
    expect(new Set(reached)).toEqual(new Set(Object.values(OUTCOMES)));
  });

  test.each(Object.keys(STATES))('%s', (name) => {
    const state = STATES[name];
    const { outcome, reason } = decideOutcome(state);
    const m = outcomeMessage(state, outcome, reason, NOW);
    // Quiet outcomes are recorded and put on the bus, not published; their text is rendered all the same.
    expect(`${isQuiet(outcome, state) ? '(quiet: not published)\n' : ''}Subject: ${m.subject}\n\n${m.text}`).toMatchSnapshot();
  });

  test('the approval request', () => {
    const m = approvalMessage(APPROVAL_STATE, TASK_TOKEN);
    expect(`Subject: ${m.subject}\n\n${m.text}`).toMatchSnapshot();
  });

  test('the cleanup notice', () => {
    const m = cleanupMessage(CLEANUP_FACTS);
    expect(`Subject: ${m.subject}\n\n${m.text}`).toMatchSnapshot();
  });
});

describe('rendered chat text (Amazon Q Developer custom notification)', () => {
  test('REPAIRED', () => {
    const state = STATES.REPAIRED;
    const { outcome, reason } = decideOutcome(state);
    expect(JSON.parse(outcomeMessage(state, outcome, reason, NOW).messages.https!)).toMatchSnapshot();
  });

  test('a model-shaped human review with injected text', () => {
    const state = STATES['HUMAN_REVIEW (model, injected text)'];
    const { outcome, reason } = decideOutcome(state);
    expect(JSON.parse(outcomeMessage(state, outcome, reason, NOW).messages.https!).content.description).toMatchSnapshot();
  });

  test('the approval request (no task token)', () => {
    expect(JSON.parse(approvalMessage(APPROVAL_STATE, TASK_TOKEN).messages.https!).content.description).toMatchSnapshot();
  });
});
