/**
 * What people read: the e-mail and chat text of the outcome notification, the approval request
 * and the cleanup notice. Pure: no AWS SDK import.
 *
 * Built only from fields the workflow computed: the outcome, the policy's action, sizes, counts,
 * the rules' evidence (whose descriptions the rules write from parsed figures, never from log
 * text), the verification's comparisons. Text from anywhere else (a model's reasoning and the
 * evidence it cites, knowledge-base titles, an operator's comment, an error message) is quoted
 * by quote.ts and never used as the summary, the decision or its reason. When a model took part,
 * the policy's reason embeds its reasoning, so that reason is not shown either: the decision is
 * stated from the structured fields instead.
 */
import { Block, bullet, bulletWith, code, command, link, NotificationDocument, paragraph, Section, Segment } from './document';
import { ConsoleLinks, consoleLinks } from './links';
import { productLine, quote, Quotation } from './quote';
import { findRunbook } from '../../knowledge/catalogue';
import type { Outcome, RepairIntent, WorkflowState } from '../../workflow/contract';
import { formatPercent } from '../format';
import { displayNumber, IncidentCategory, KnowledgeReference } from '../model';

/** What each incident category means, as the clause after "because". */
export const CATEGORY_CAUSE: Record<IncidentCategory, string> = {
  OUT_OF_MEMORY: 'it ran out of memory',
  MEMORY_PRESSURE: 'its memory use reached the limit',
  FUNCTION_TIMEOUT: 'it timed out',
  DOWNSTREAM_TIMEOUT: 'calls to other services timed out',
  THROTTLING: 'it was throttled',
  CODE_ERROR: 'its code raised errors',
  PERMISSION_ERROR: 'calls were denied for lack of permission',
  INIT_FAILURE: 'its init phase failed',
  CPU_BOUND: 'it is short of CPU at its memory size',
  INSUFFICIENT_DATA: 'there is too little data to tell',
  UNKNOWN: 'the cause is unclear',
};

/** Where the machine-readable copy of every notification goes (see protocols.ts). */
export const JSON_COPY_LINE = 'The same notification as JSON goes to email-json, SQS, Lambda and HTTP subscribers of the topic.';

/** Everything a renderer needs besides the state. */
export interface OutcomeRenderInput {
  readonly state: WorkflowState;
  readonly outcome: Outcome;
  /** The outcome's reason (decideOutcome). Shown only when it holds no text from outside the product. */
  readonly reason: string;
  /** The size the function is left at, when the notification body worked it out (rollback, repair). */
  readonly newMemoryMb?: number;
  /** The IaC change to make (present only while the function keeps the repaired size). */
  readonly iacChange?: string;
  /** The repair intent of an execution whose repair failed without returning. */
  readonly repairIntent?: RepairIntent;
}

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

function functionOf(state: WorkflowState): string {
  return state.alarm?.functionName ?? state.collection?.functionName ?? 'unknown function';
}

/** The memory size before this execution changed anything, when known. */
function originalOf(state: WorkflowState): number | undefined {
  return state.repair?.originalMemoryMb ?? state.diagnosis?.originalMemoryMb ?? state.collection?.functionConfig?.memorySize;
}

function mb(n: number): string {
  return `${n} MB`;
}

/** `512 MB → 768 MB` */
function change(from: number, to: number): string {
  return `${mb(from)} → ${mb(to)}`;
}

/** True when a model or agent shaped the diagnosis (its reasoning is then in `reasoning` and in the policy's reason). */
function modelTookPart(state: WorkflowState): boolean {
  const by = state.diagnosis?.decidedBy ?? state.diagnosis?.result.decidedBy;
  return by === 'model' || by === 'agent';
}

function sourceWord(state: WorkflowState): string {
  return state.diagnosis?.decidedBy === 'agent' ? 'agent' : 'model';
}

/** `it ran out of memory (OUT_OF_MEMORY, confidence 0.95)` */
function cause(state: WorkflowState): string | undefined {
  const r = state.diagnosis?.result;
  if (!r) return undefined;
  return `${CATEGORY_CAUSE[r.category] ?? CATEGORY_CAUSE.UNKNOWN} (${r.category}, confidence ${r.confidence.toFixed(2)})`;
}

/** The error name of a caught error, as an identifier (it is set by Step Functions or our handlers, but shown as a name only). */
function errorName(state: WorkflowState): string | undefined {
  const name = state.error?.Error;
  if (!name) return undefined;
  const clean = name.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 80);
  return clean || 'an error';
}

/** The message of a caught error (Lambda errors carry JSON `{errorType, errorMessage}`): quoted, never stated. */
function errorMessage(state: WorkflowState): string | undefined {
  const text = state.error?.Cause;
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause itself
  }
  return text;
}

/**
 * Whether the outcome's reason is the product's own words. Not when a model took part and the
 * reason is the policy's (it embeds the model's reasoning), nor when it carries an error message
 * or an operator's comment.
 */
export function reasonIsOwn(state: WorkflowState, outcome: Outcome, reason: string): boolean {
  if (state.error) return false;
  if (outcome === 'REJECTED') return false;
  const d = state.diagnosis;
  if (d && modelTookPart(state) && (reason === d.reason || reason.includes(d.result.reasoning))) return false;
  return true;
}

/** The policy's reason for the action, when it is the product's own words (see {@link reasonIsOwn}). */
function ownDecisionReason(state: WorkflowState): string | undefined {
  const d = state.diagnosis;
  if (!d || modelTookPart(state)) return undefined;
  return d.reason;
}

// ---------------------------------------------------------------------------------------------
// Summary line
// ---------------------------------------------------------------------------------------------

/** The summary line of an outcome: function, outcome, old → new size, why (product words only). */
export function outcomeSummary(input: OutcomeRenderInput): string {
  const { state, outcome } = input;
  const fn = functionOf(state);
  const original = originalOf(state);
  const repair = state.repair;
  const d = state.diagnosis;
  const why = cause(state);
  const stays = original !== undefined ? `memory stays at ${mb(original)}` : 'memory unchanged';
  const proposed = d && d.targetMemoryMb > d.originalMemoryMb ? ` (${mb(d.targetMemoryMb)} was proposed)` : '';
  const own = reasonIsOwn(state, outcome, input.reason) ? productLine(input.reason, 200).replace(/\.$/, '') : undefined;
  let line: string;
  switch (outcome) {
    case 'REPAIRED':
      line = `memory raised ${change(repair!.originalMemoryMb, repair!.newMemoryMb)} and verified, because ${why ?? 'of the alarm'}`;
      break;
    case 'REPAIRED_UNVERIFIED':
      line = `memory raised ${change(repair!.originalMemoryMb, repair!.newMemoryMb)} and kept, not verified, because ${why ?? 'of the alarm'}`;
      break;
    case 'REPAIRED_DRY_RUN':
      line = `dry run, nothing changed: memory would go ${change(repair!.originalMemoryMb, repair!.newMemoryMb)}, because ${why ?? 'of the alarm'}`;
      break;
    case 'ROLLED_BACK':
      line = `repair rolled back, memory ${change(repair!.newMemoryMb, state.rollback!.restoredMemoryMb)}, because the raise did not help: ${productLine(state.verification?.reason ?? 'verification failed', 160)}`;
      break;
    case 'NO_ACTION':
      line = `no action, ${stays}, because ${repair?.status === 'SKIPPED' ? productLine(repair.reason, 160) : `it is not a memory issue: ${why ?? 'no diagnosis'}`}`;
      break;
    case 'HUMAN_REVIEW':
      line = `a person should review, ${stays}${proposed}, because ${humanReviewWhy(state, own)}`;
      break;
    case 'CANNOT_INCREASE':
      line = `memory issue, but ${original !== undefined ? `memory stays at ${mb(original)}, as high as the policy or Lambda allows` : 'memory cannot be raised'}, because ${why ?? 'of the alarm'}`;
      break;
    case 'COOLDOWN':
    case 'DAILY_BUDGET_EXHAUSTED':
      line = `${outcome === 'COOLDOWN' ? 'skipped (cooldown)' : 'skipped (daily repair budget used)'}, memory unchanged, because ${own ?? 'a recent repair limits the next one'}`;
      break;
    case 'REJECTED':
      line = `repair rejected, ${stays}${proposed}, because the approver rejected it${state.approval?.approver ? ` (${approverName(state.approval.approver)})` : ''}`;
      break;
    case 'APPROVAL_TIMED_OUT':
      line = `approval timed out, ${stays}${proposed}, because nobody answered the approval request in time`;
      break;
    case 'FAILED':
      line = `remediation failed, ${failedMemory(state, input.repairIntent)}, because ${errorName(state) ? `a step failed with ${errorName(state)}` : own ?? 'a step failed'}`;
      break;
    default:
      // The quiet outcomes (ALREADY_IN_PROGRESS, IGNORED, SUPPRESSED): recorded, not paged.
      line = `alarm not acted on, memory unchanged, because ${own ?? 'it was not acted on'}`;
  }
  return `${fn}: ${outcome}, ${line}.`;
}

function humanReviewWhy(state: WorkflowState, own: string | undefined): string {
  if (state.rollback || state.repair || state.verification) return own ?? 'the repair needs a decision';
  const r = state.diagnosis?.result;
  if (!r) return own ?? 'the evidence needs a person';
  return `the diagnosis needs a person to confirm it (${r.category}, confidence ${r.confidence.toFixed(2)})`;
}

function failedMemory(state: WorkflowState, intent: RepairIntent | undefined): string {
  const r = state.repair;
  if (r?.status === 'SUCCEEDED') return `memory was raised ${change(r.originalMemoryMb, r.newMemoryMb)} before it failed`;
  if (!r && intent) return `memory may have changed ${change(intent.fromMb, intent.toMb)}`;
  const original = originalOf(state);
  return original !== undefined ? `memory stays at ${mb(original)}` : 'memory unchanged';
}

/** An approver's name as typed by a person: shown, but shortened and neutralised like quoted text. */
function approverName(name: string): string {
  return quote('approver', name, { maxChars: 60, maxLines: 1, lineWidth: 60 }).lines[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

/** The structured evidence: the alarm, the function, the data collected, the rules' findings, the diagnosis. */
function whatHappened(state: WorkflowState): Section {
  const blocks: Block[] = [];
  const a = state.alarm?.alarmEvent;
  // On a hub: where the function lives (the spoke's account and region, or the hub's own).
  if (state.alarm?.account && state.alarm.region) blocks.push(bullet('Account ', code(state.alarm.account), ', region ', code(state.alarm.region), '.'));
  if (!a && state.alarm) blocks.push(bullet('The alarm event was not acted on (', code(state.alarm.status), ').'));
  if (a) {
    blocks.push(bullet('Alarm ', code(a.alarmName), ' on ', code(a.metricName), ` went to ${productLine(a.currentState, 20)} at ${a.stateChangeTime}: value ${displayNumber(a.currentValue)}, threshold ${displayNumber(a.threshold)}.`));
  }
  const c = state.collection;
  if (c) {
    const cfg = c.functionConfig;
    blocks.push(bullet('Function ', code(c.functionName), `: ${mb(cfg.memorySize)} memory, ${cfg.timeout} s timeout${cfg.runtime ? `, ${cfg.runtime}` : ''}${cfg.architecture ? ` on ${cfg.architecture}` : ''}.`));
    const data = `Collected ${c.logEventCount} log event${c.logEventCount === 1 ? '' : 's'} and ${c.metricPointCount} metric point${c.metricPointCount === 1 ? '' : 's'} from ${c.windowStart} to ${c.windowEnd}`;
    if (c.incomplete) {
      blocks.push(bulletWith([`${data}; the data is incomplete:`], c.incompleteReasons.slice(0, 4).map((r) => [productLine(r, 200)])));
    } else {
      blocks.push(bullet(`${data}.`));
    }
  }
  const d = state.diagnosis;
  if (d) {
    const own = d.result.evidencePoints.filter((p) => !p.type.includes(':'));
    if (own.length > 0) {
      const shown = own.slice(0, 8).map((p) => [productLine(p.description, 300)] as Segment[]);
      if (own.length > 8) shown.push([`${own.length - 8} more in the JSON notification.`]);
      blocks.push(bulletWith(['Evidence the rules measured:'], shown));
    }
    const r = d.result;
    const by = modelTookPart(state)
      ? `the rules and a ${sourceWord(state)}${d.model?.modelId ? ` (${d.model.modelId})` : ''}, whose answer can lower the action but never raise it`
      : 'the rules';
    blocks.push(bullet('Diagnosis: ', code(r.category), `, ${r.isMemoryIssue ? 'a memory issue' : 'not a memory issue'}, confidence ${r.confidence.toFixed(2)}, decided by ${by}.`));
    if (d.model && d.model.status !== 'ok') {
      blocks.push(bullet(`The ${sourceWord(state)} was not used (${productLine(d.model.status, 120)}): the rules decided.`));
    }
  }
  return { heading: 'What happened', blocks };
}

/** The decision: the outcome, the policy's action with its sizes, and its reason when it is the product's own. */
function decision(input: OutcomeRenderInput): Section {
  const { state, outcome, reason } = input;
  const blocks: Block[] = [];
  const own = reasonIsOwn(state, outcome, reason);
  blocks.push(bullet('Outcome: ', code(outcome), own ? ` (${productLine(reason, 600)})` : '.'));
  const d = state.diagnosis;
  if (d) {
    const sizes = d.targetMemoryMb !== d.originalMemoryMb ? `, ${change(d.originalMemoryMb, d.targetMemoryMb)}` : `, no size change (${mb(d.originalMemoryMb)})`;
    const why = ownDecisionReason(state);
    blocks.push(bullet('Action the policy chose: ', code(d.action), `${sizes}${d.dryRun ? ', as a dry run' : ''}.`));
    if (why && why !== reason) blocks.push(bullet(`Why: ${productLine(why, 600)}.`));
    if (modelTookPart(state)) {
      blocks.push(bullet(`A ${sourceWord(state)} took part: the action is at most what the rules and the policy allow on their own. Its reasoning is quoted below, not verified.`));
    }
  }
  const ap = state.approval;
  if (ap) {
    blocks.push(bullet(`${ap.approved === true ? 'Approved' : 'Not approved'}${ap.approver ? ` by ${approverName(ap.approver)}` : ''}.`));
  }
  const err = state.error;
  if (err) {
    const quoted = errorMessage(state) ? '; the message is quoted below' : '';
    if (err.Error === 'ApprovalRejected') blocks.push(bullet('The approver rejected the request (', code(err.Error), `)${quoted}.`));
    else if (err.Error === 'States.Timeout' && outcome === 'APPROVAL_TIMED_OUT') blocks.push(bullet('The approval step timed out (', code(err.Error), ').'));
    else blocks.push(bullet('The step failed with ', code(errorName(state) ?? 'an error'), `${quoted}.`));
  }
  return { heading: 'Decision', blocks };
}

/** What changed on the function. */
function whatChanged(state: WorkflowState): Section {
  const blocks: Block[] = [];
  const r = state.repair;
  if (r) {
    switch (r.status) {
      case 'SUCCEEDED':
        blocks.push(bullet(`Memory ${change(r.originalMemoryMb, r.newMemoryMb)} at ${r.repairedAt}.`));
        if (r.strategyFunction) {
          blocks.push(bullet('Made by your repair function ', code(r.strategyFunction.split(':')[6] ?? r.strategyFunction), ' (RepairStrategy.custom), and read back from the function\'s configuration.'));
        }
        if (r.canary) {
          const c = r.canary;
          const share = `${Math.round(c.weight * 100)} %`;
          if (state.promotion?.status === 'PROMOTED') {
            blocks.push(bullet('Alias ', code(c.aliasName), ` now runs version ${c.version} (was ${c.previousVersion}): the canary served ${share} of its invocations, was verified and promoted.`));
          } else if (state.rollback?.status === 'ROLLED_BACK') {
            blocks.push(bullet('Canary version ', code(c.version), ` served ${share} of alias `, code(c.aliasName), `; it was not promoted: the routing was removed and the alias stays on version ${c.previousVersion}.`));
          } else {
            blocks.push(bullet('Canary version ', code(c.version), ` serves ${share} of alias `, code(c.aliasName), `, which points at version ${c.previousVersion}.`));
          }
        } else if (r.aliasName && r.publishedVersion) {
          blocks.push(bullet('Alias ', code(r.aliasName), ` now runs version ${r.publishedVersion}${r.previousAliasVersion ? ` (was ${r.previousAliasVersion})` : ''}.`));
        }
        break;
      case 'DRY_RUN':
        blocks.push(bullet(`Nothing changed (dry run): memory would go ${change(r.originalMemoryMb, r.newMemoryMb)}.`));
        break;
      default:
        blocks.push(bullet('Nothing changed (', code(r.status), `): ${productLine(r.reason, 300)}.`));
    }
  }
  const rb = state.rollback;
  if (rb) {
    if (rb.status === 'ROLLED_BACK') blocks.push(bullet(`Rolled back to ${mb(rb.restoredMemoryMb)} at ${rb.rolledBackAt}.`));
    else blocks.push(bullet('Not rolled back (', code(rb.status), `): ${productLine(rb.reason, 300)}.`));
  }
  if (!r && !rb) blocks.push(bullet('Nothing was changed.'));
  return { heading: 'What changed', blocks };
}

/** The IaC change: what to set, what it means. */
function iacSection(input: OutcomeRenderInput): Section {
  const { state, outcome } = input;
  const fn = functionOf(state);
  const blocks: Block[] = [];
  const r = state.repair;
  if (outcome === 'FAILED') {
    const succeeded = r?.status === 'SUCCEEDED';
    const from = succeeded ? r.originalMemoryMb : !r ? input.repairIntent?.fromMb : undefined;
    const to = succeeded ? r.newMemoryMb : !r ? input.repairIntent?.toMb : undefined;
    if (from !== undefined && to !== undefined) {
      blocks.push(bullet(succeeded
        ? `Memory is ${mb(to)} since the repair (it was ${mb(from)}), but the workflow failed before it finished: check the function.`
        : `Memory may now be ${mb(to)} (it was ${mb(from)}): the repair started and may have taken effect before it failed. Check the function.`));
      blocks.push(bullet('To keep it, set ', code(`memorySize: ${to}`), ' for ', code(fn), '; to undo it, set ', code(`memorySize: ${from}`), ' and deploy.'));
    }
  } else if (input.iacChange && r) {
    blocks.push(bullet('Set ', code(input.iacChange), ' for ', code(fn), ' (CloudFormation and SAM: ', code(`MemorySize: ${r.newMemoryMb}`), ').'));
    blocks.push(bullet(`It keeps ${mb(r.newMemoryMb)} (and the CPU share that comes with it) on the next deploy; until then a deploy sets memory back to ${mb(r.originalMemoryMb)}.`));
  } else if (outcome === 'REPAIRED_DRY_RUN' && r) {
    blocks.push(bullet('To make the change yourself, set ', code(`memorySize: ${r.newMemoryMb}`), ' for ', code(fn), ` (${change(r.originalMemoryMb, r.newMemoryMb)}) and deploy.`));
  }
  return { heading: 'Change your infrastructure code', blocks };
}

/** What the verification compared. */
function verified(state: WorkflowState): Section {
  const v = state.verification;
  const blocks: Block[] = [];
  const canary = state.repair?.canary;
  if (v && canary) {
    // A canary is compared with the version beside it over the same minutes, not before/after.
    const inv = v.details.invocations;
    blocks.push(bullet('Verdict: ', code(v.status), ` (${productLine(v.reason, 300)})${v.attempt > 1 ? ', after one extension of the bake' : ''}.`));
    blocks.push(bullet(`Error rate: version ${canary.previousVersion} ${formatPercent(v.details.errorRate?.before ?? 0)}, canary version ${canary.version} ${formatPercent(v.details.errorRate?.after ?? 0)}.`));
    if (inv) blocks.push(bullet(`Invocations over the bake: ${inv.before} on version ${canary.previousVersion}, ${inv.after} on the canary.`));
  } else if (v) {
    blocks.push(bullet('Verdict: ', code(v.status), ` (${productLine(v.reason, 300)}), from ${v.invocationsAfter} invocation${v.invocationsAfter === 1 ? '' : 's'} after the change${v.attempt > 1 ? ', after one extension of the window' : ''}.`));
    const m = v.metricsComparison;
    const metric = state.alarm?.alarmEvent?.metricName;
    blocks.push(bullet(`Alarm metric${metric ? ` (${metric})` : ''}: ${m.before} → ${m.after} (${m.improvement}).`));
    const rates: Array<[string, string]> = [['errorRate', 'Error rate'], ['oomRate', 'Out-of-memory rate'], ['timeoutRate', 'Timeout rate']];
    for (const [key, label] of rates) {
      const c = v.details[key];
      if (c) blocks.push(bullet(`${label}: ${formatPercent(c.before)} → ${formatPercent(c.after)}.`));
    }
    const use = v.details.memoryUtilization;
    if (use) blocks.push(bullet(`Peak memory use: ${formatPercent(use.before)} → ${formatPercent(use.after)} of the memory size.`));
    const inv = v.details.invocations;
    if (inv) blocks.push(bullet(`Invocations: ${inv.before} before, ${inv.after} after.`));
  } else if (state.repair?.status === 'SUCCEEDED') {
    blocks.push(bullet('No verification ran.'));
  }
  return { heading: 'What was verified', blocks };
}

function linksSection(links: ConsoleLinks, executionId: string): Section {
  const blocks: Block[] = [];
  blocks.push(links.execution ? bullet('Execution: ', link(links.execution)) : bullet('Execution: ', code(executionId)));
  if (links.function) blocks.push(bullet('Function: ', link(links.function)));
  return { heading: 'Links', blocks };
}

/** Shipped runbooks by id and title; titles from a knowledge base are quoted instead. */
function references(refs: readonly KnowledgeReference[] | undefined): { section: Section; quotation?: Quotation } {
  const blocks: Block[] = [];
  const outside: string[] = [];
  for (const r of refs ?? []) {
    const shipped = findRunbook(r.id);
    if (shipped) blocks.push(bullet(code(shipped.entryId), `: ${shipped.title}`));
    else outside.push(`${r.id}: ${r.title}`);
  }
  return {
    section: { heading: 'Runbooks', blocks },
    ...(outside.length > 0 ? { quotation: quote('Knowledge-base passages cited (titles quoted from the knowledge base)', outside.join('\n'), { maxLines: 5 }) } : {}),
  };
}

/** Untrusted text of the state, quoted. */
function quotations(state: WorkflowState): Quotation[] {
  const out: Quotation[] = [];
  const d = state.diagnosis;
  if (d && modelTookPart(state)) {
    const who = sourceWord(state) === 'agent' ? 'Agent' : 'Model';
    out.push(quote(`${who}'s reasoning (quoted, not verified; the decision above comes from the rules and the policy)`, d.result.reasoning));
    const cited = d.result.evidencePoints.filter((p) => p.type.includes(':'));
    if (cited.length > 0) {
      out.push(quote(`Evidence the ${who.toLowerCase()} cited (quoted, not verified)`, cited.map((p) => `${p.type.replace(/^[a-z]+:/, '')}: ${p.description}`).join('\n')));
    }
  }
  const comment = state.approval?.comment;
  if (comment) out.push(quote('Approver\'s comment (quoted)', comment, { maxChars: 300, maxLines: 4 }));
  const message = errorMessage(state);
  // A timed-out approval says nothing more than its outcome.
  if (message && state.error?.Error !== 'States.Timeout') {
    const label = state.error?.Error === 'ApprovalRejected' ? 'Approver\'s reason for rejecting (quoted)' : 'Error message of the failed step (quoted)';
    out.push(quote(label, message, { maxChars: 500 }));
  }
  return out;
}

function footer(executionId: string, kind: string): string[] {
  return [`lambda-auto-remediation · ${kind} · execution ${executionId}`, JSON_COPY_LINE];
}

// ---------------------------------------------------------------------------------------------
// The three messages
// ---------------------------------------------------------------------------------------------

/** The outcome notification Finalize sends. */
export function outcomeDocument(input: OutcomeRenderInput): NotificationDocument {
  const { state, outcome } = input;
  const links = consoleLinks(state.executionId, functionOf(state), state.collection?.functionArn ?? placedFunctionArn(state));
  const refs = references(state.diagnosis?.result.knowledgeReferences);
  const quotes = quotations(state);
  if (refs.quotation) quotes.push(refs.quotation);
  return {
    summary: outcomeSummary(input),
    sections: [
      whatHappened(state),
      decision(input),
      whatChanged(state),
      iacSection(input),
      verified(state),
      linksSection(links, state.executionId),
      refs.section,
    ],
    quotations: quotes,
    footer: footer(state.executionId, `outcome ${outcome}`),
  };
}

/** On a hub, the function's ARN in the account and region the alarm came from (its console link is there). */
function placedFunctionArn(state: WorkflowState): string | undefined {
  const { account, region, functionName } = state.alarm ?? {};
  if (!account || !region || !functionName) return undefined;
  const partition = /^arn:([^:]+):/.exec(state.executionId)?.[1] ?? 'aws';
  return `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
}

/** Placeholder the approver replaces with their name (recorded in the audit trail). */
export const APPROVER_PLACEHOLDER = 'YOUR_NAME';

/** Quote for a POSIX shell (single quotes). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, '\'"\'"\'')}'`;
}

/** The two answers to an approval request, as `aws` commands. */
export function approvalCommands(taskToken: string, executionArn: string): { approve: string; reject: string } {
  const region = consoleLinks(executionArn, undefined).region;
  const where = region ? ` --region ${region}` : '';
  const token = shellQuote(taskToken);
  return {
    approve: `aws stepfunctions send-task-success${where} --task-token ${token} --task-output '{"approved":true,"approver":"${APPROVER_PLACEHOLDER}"}'`,
    reject: `aws stepfunctions send-task-failure${where} --task-token ${token} --error ApprovalRejected --cause 'rejected by ${APPROVER_PLACEHOLDER}'`,
  };
}

/** The approval request's summary line. */
export function approvalSummary(state: WorkflowState): string {
  const d = state.diagnosis!;
  return `${functionOf(state)}: APPROVAL_REQUEST, approve raising memory ${change(d.originalMemoryMb, d.targetMemoryMb)}?`
    + ` Proposed because ${cause(state) ?? 'of the alarm'}.`;
}

/**
 * The approval request. `withCommands: false` leaves the task token out (the chat version: a
 * channel is read by more people than those who may approve).
 */
export function approvalDocument(state: WorkflowState, taskToken: string, withCommands = true): NotificationDocument {
  const d = state.diagnosis!;
  const fn = functionOf(state);
  const links = consoleLinks(state.executionId, fn, state.collection?.functionArn);
  const cmds = approvalCommands(taskToken, state.executionId);
  const answer: Block[] = [];
  answer.push(paragraph(`Review the evidence above${links.execution ? ' and the execution (under Links)' : ''}, then answer with one of the commands.`));
  if (withCommands) {
    answer.push(
      command(`Approve (replace ${APPROVER_PLACEHOLDER} with your name; it is recorded in the audit trail):`, cmds.approve),
      command('Reject:', cmds.reject),
      paragraph('The token answers this one request, once. Without an answer the request times out and nothing changes.'),
    );
  } else {
    answer.push(paragraph('The approve and reject commands carry the task token, so they are sent to e-mail, SQS, Lambda and HTTP subscribers only, not to chat.'));
  }
  const refs = references(d.result.knowledgeReferences);
  const quotes = quotations(state);
  if (refs.quotation) quotes.push(refs.quotation);
  const ownWhy = ownDecisionReason(state);
  return {
    summary: approvalSummary(state),
    sections: [
      whatHappened(state),
      {
        heading: 'What would change',
        blocks: [
          bullet(`Memory ${change(d.originalMemoryMb, d.targetMemoryMb)} for `, code(fn), '.'),
          ...(ownWhy ? [bullet(`Why: ${productLine(ownWhy, 600)}.`)] : []),
          ...(modelTookPart(state) ? [bullet(`A ${sourceWord(state)} took part: the proposal is at most what the rules and the policy allow on their own. Its reasoning is quoted below, not verified.`)] : []),
          bullet('After the raise, set ', code(`memorySize: ${d.targetMemoryMb}`), ' in your infrastructure code so the next deploy keeps it (the result notification repeats this).'),
        ],
      },
      { heading: 'How to answer', blocks: answer },
      linksSection(links, state.executionId),
      refs.section,
    ],
    quotations: quotes,
    footer: footer(state.executionId, 'approval request'),
  };
}

/** The repair record of an execution, as the cleanup handler reads it. */
export interface RepairRecordSummary {
  readonly originalMemory?: number;
  readonly newMemory?: number;
  readonly status?: string;
}

/** What the cleanup handler knows of an execution that ended without Finalize. */
export interface CleanupFacts {
  readonly executionArn: string;
  /** FAILED, TIMED_OUT or ABORTED. */
  readonly status: string;
  readonly functionName: string;
  readonly repair?: RepairRecordSummary;
}

/** The memory sentence of a cleanup notice, from the repair record the execution wrote (if any). */
export function memorySentence(repair: RepairRecordSummary | undefined): string {
  if (!repair || repair.originalMemory === undefined) return 'no repair record exists for this execution';
  const original = repair.originalMemory;
  const target = repair.newMemory ?? original;
  switch (repair.status) {
    case 'ROLLED_BACK': return `memory is ${original} MB (the repair to ${target} MB was rolled back)`;
    case 'SUCCEEDED': return `memory is ${target} MB (was ${original} MB before the repair)`;
    default: return `memory is ${original} MB (the repair to ${target} MB did not change it: ${repair.status ?? 'unknown status'})`;
  }
}

/** The status word of an execution, for people: `timed out`, `aborted`, `failed`. */
export function executionStatusWords(status: string): string {
  return status.toLowerCase().replace('_', ' ');
}

/** The cleanup notice: the execution ended abnormally, the lock was released, where memory stands. */
export function cleanupDocument(facts: CleanupFacts): NotificationDocument {
  const { executionArn, status, functionName: fn, repair } = facts;
  const links = consoleLinks(executionArn, fn);
  const changed = repair?.status === 'SUCCEEDED' && repair.newMemory !== undefined && repair.originalMemory !== undefined;
  const blocks: Block[] = [
    bullet('The execution ended ', code(status), ' before its last step (Finalize), so it sent no result notification.'),
    bullet('The lock on ', code(fn), ' was released: the next alarm for it is handled again.'),
    bullet(`From its repair record: ${memorySentence(repair)}.`),
  ];
  const iac: Block[] = changed
    ? [
      bullet(`Memory is ${mb(repair.newMemory!)} now (it was ${mb(repair.originalMemory!)}), but nothing verified the change.`),
      bullet('To keep it, set ', code(`memorySize: ${repair.newMemory}`), ' for ', code(fn), '; to undo it, set ', code(`memorySize: ${repair.originalMemory}`), ' and deploy.'),
    ]
    : [];
  return {
    summary: `${fn}: EXECUTION_ENDED ${status}, ${changed ? `memory ${change(repair.originalMemory!, repair.newMemory!)} not verified` : 'memory unchanged by it'}; the lock was released because the execution ${executionStatusWords(status)} before it finished.`,
    sections: [
      { heading: 'What happened', blocks },
      { heading: 'Change your infrastructure code', blocks: iac },
      { heading: 'What to check', blocks: [bullet('Open the execution to see which step stopped it and why (its input and error are in the execution history).')] },
      linksSection(links, executionArn),
    ],
    quotations: [],
    footer: footer(executionArn, `execution ended ${status}`),
  };
}
