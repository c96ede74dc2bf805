/**
 * Presenting scenario results: a readable timeline per scenario (alarm -> collected -> diagnosed
 * -> decided -> repaired -> verified -> notified, with virtual timestamps and time to repair) and
 * the JSON report.
 */
import { ExecutionSummary, ScenarioResult } from './runner';

/** What each state of the workflow means in the timeline. */
const MILESTONES: Record<string, string> = {
  NormalizeAlarmAndLock: 'accepted',
  CollectMetricsAndLogs: 'collected',
  DiagnoseIssue: 'diagnosed',
  RequestApproval: 'approval',
  ExecuteRepair: 'repaired',
  WaitForVerificationWindow: 'waited',
  ExtendVerificationWindow: 'waited more',
  VerifyRepair: 'verified',
  RollbackRepair: 'rolled back',
  NotifyResult: 'notified',
};

/** Outcomes that only say "someone else handles it" or "not for us": summarised, not listed. */
const QUIET = new Set(['IGNORED', 'ALREADY_IN_PROGRESS']);

/** The timeline text of one scenario. */
export function formatTimeline(r: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`== ${r.scenario}: ${r.passed ? 'PASS' : 'FAIL'} (simulated ${minutes(Date.parse(r.virtualEnd) - Date.parse(r.virtualStart))} in ${(r.wallTimeMs / 1000).toFixed(1)} s)`);
  lines.push(wrap(r.description, 100, '   '));
  const events: Array<{ at: string; what: string; detail: string }> = [];
  for (const f of r.functions) {
    if (f.firstFailureAt) events.push({ at: f.firstFailureAt, what: 'first failure', detail: `${f.functionName} (${f.originalMemoryMb} MB)` });
  }
  const seenAlarm = new Set<string>();
  for (const t of r.alarmTransitions) {
    if (t.to !== 'ALARM') continue;
    const key = `${t.alarmName}|${JSON.stringify(t.contributor ?? {})}|${t.at}`;
    if (seenAlarm.has(key)) continue;
    seenAlarm.add(key);
    events.push({ at: t.at, what: 'alarm', detail: `${shortAlarm(t.alarmName)} -> ALARM${t.contributor?.FunctionName ? ` (${t.contributor.FunctionName})` : ''}` });
  }
  const loud = r.executions.filter((e) => !QUIET.has(e.outcome ?? ''));
  const listSteps = loud.length <= 6;
  for (const e of loud) {
    if (!listSteps) {
      events.push({ at: e.endedAt ?? e.startedAt, what: 'finished', detail: `${e.name} ${e.functionName ?? ''}: ${e.outcome ?? e.status}` });
      continue;
    }
    for (const s of e.steps) {
      const what = MILESTONES[s.state];
      if (!what || what === 'accepted' || what.startsWith('waited')) continue;
      events.push({ at: s.at, what: what === 'diagnosed' ? 'diagnosed+decided' : what, detail: `${e.functionName ?? e.name}: ${s.detail}` });
    }
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  for (const ev of events) lines.push(`  ${ev.at.slice(11, 19)}  ${ev.what.padEnd(17)} ${truncate(ev.detail, 110)}`);
  for (const f of r.functions) {
    if (f.timeToRepairMs === undefined && f.finalMemoryMb === f.originalMemoryMb) continue;
    const parts = [`${f.functionName}: ${f.originalMemoryMb} -> ${f.finalMemoryMb} MB`];
    if (f.timeToRepairMs !== undefined) parts.push(`time to repair ${duration(f.timeToRepairMs)}`);
    if (f.timeToVerifiedRecoveryMs !== undefined) parts.push(`to verified recovery ${duration(f.timeToVerifiedRecoveryMs)}`);
    if (r.functions.length <= 6) lines.push(`  ${parts.join('; ')}`);
  }
  const quiet = r.executions.filter((e) => QUIET.has(e.outcome ?? ''));
  const updates = r.apiCalls.filter((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration').length;
  lines.push(`  alarm events ${r.alarmEvents}; executions ${r.executions.length} (${Object.entries(r.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')})${quiet.length ? `, ${quiet.length} quiet` : ''}`);
  lines.push(`  UpdateFunctionConfiguration calls ${updates}; notifications ${r.notifications.length}; records ${r.records.length}; AWS API calls ${r.apiCalls.length}`);
  if (r.iamEvaluated) {
    lines.push(`  iam: ${r.authorizedCalls} handler calls authorized by the evaluator; denied ${r.accessDenied.length}${r.unlistedActions.length ? `; unlisted-action calls ${r.unlistedActions.length} (${[...new Set(r.unlistedActions.map((u) => u.action))].join(', ')})` : ''}`);
  } else {
    lines.push('  iam: not evaluated');
  }
  for (const d of r.accessDenied.slice(0, 10)) lines.push(`    DENIED ${d.time.slice(11, 19)} ${d.principal} ${d.action} on ${truncate(d.resource, 90)} ${truncate(d.reason, 120)}`);
  if (r.injectedFaults.length) {
    lines.push(`  faults injected: ${r.injectedFaults.length}`);
    for (const f of r.injectedFaults.slice(0, 10)) lines.push(`    minute ${f.minute.toFixed(2)} ${f.target}: ${f.effect}${f.executionId ? ` (${f.executionId})` : ''}`);
    if (r.injectedFaults.length > 10) lines.push(`    ... and ${r.injectedFaults.length - 10} more`);
  }
  for (const d of r.deploys) lines.push(`  deploy ${d.at.slice(11, 19)} ${d.functionName}: ${[d.memorySizeMb ? `${d.memorySizeMb} MB` : '', d.codeChange ? 'new code' : '', d.movedAliasTo ? `alias -> version ${d.movedAliasTo}` : ''].filter(Boolean).join(', ')}`);
  for (const t of r.targetInvocations) lines.push(`  ${t.at.slice(11, 19)}  ${t.function} (${t.detailType}, attempt ${t.attempt})${t.error ? `: ${truncate(t.error, 100)}` : ''}`);
  if (r.locksHeldAtEnd.length) lines.push(`  locks held at the end: ${r.locksHeldAtEnd.map((l) => l.pk).join(', ')}`);
  if (r.accessDenied.length > 10) lines.push(`    ... and ${r.accessDenied.length - 10} more denied calls`);
  const failed = r.expectations.filter((e) => !e.passed);
  lines.push(`  expectations: ${r.expectations.length - failed.length}/${r.expectations.length} met`);
  for (const f of failed) lines.push(`    FAILED ${f.name}: ${f.detail}`);
  if (r.error) lines.push(`  ERROR ${r.error}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}

/** The JSON report of a run. */
export function buildReport(results: ScenarioResult[]): Record<string, unknown> {
  return {
    tool: 'lambda-remediation simulate',
    passed: results.every((r) => r.passed),
    scenarios: results.map((r) => ({
      ...r,
      finalMemory: Object.fromEntries(r.functions.map((f) => [f.functionName, f.finalMemoryMb])),
      outcome: primaryOutcome(r.executions),
    })),
  };
}

/** The outcome that matters most: the first that is not IGNORED / ALREADY_IN_PROGRESS. */
export function primaryOutcome(executions: ExecutionSummary[]): string | undefined {
  return executions.find((e) => e.outcome && !QUIET.has(e.outcome))?.outcome ?? executions[0]?.outcome;
}

function shortAlarm(name: string): string {
  const parts = name.split('-');
  return parts.length > 2 ? parts.slice(-2).join('-') : name;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60000)} min`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    if ((line + ' ' + w).trim().length > width) {
      out.push(indent + line.trim());
      line = w;
    } else {
      line += ' ' + w;
    }
  }
  if (line.trim()) out.push(indent + line.trim());
  return out.join('\n');
}
