/**
 * Compare what a scenario run produced with what its file expects. Each check is one line of
 * the report: name, passed, and the actual value when it failed.
 */
import { ApiCall } from './account/api-recorder';
import { PublishedMessage } from './account/messaging-service';
import { ScenarioExpectations, SecretSink } from './scenario';

export interface ExpectationResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** What the checks read. */
export interface ObservedRun {
  readonly records: Array<Record<string, unknown>>;
  readonly apiCalls: ApiCall[];
  readonly notifications: PublishedMessage[];
  readonly outcomes: Record<string, number>;
  readonly executions: Array<{ outcome?: string }>;
  readonly alarmEvents: number;
  /** Calls IAM denied; undefined when IAM was not evaluated. */
  readonly accessDenied?: Array<{ action: string; resource: string }>;
  /** Locks still held at the end (TTL not passed); undefined when not known. */
  readonly locksHeld?: number;
  /** Per aliased function: does the alias's version run other code than at the start? */
  readonly aliasCodeChanged?: Record<string, boolean>;
  /** Per function with an alias: the memory of the alias's version and whether it routes to a second version, at the end. */
  readonly aliasAtEnd?: Record<string, { readonly memoryMb: number; readonly routed: boolean }>;
  /** The secrets found in each sink. */
  readonly secretsBySink?: Partial<Record<SecretSink, string[]>>;
  /** The latest AWS Config evaluation per function (resource id), when Config rules exist. */
  readonly configCompliance?: Record<string, string>;
  /** The statuses of the Automation executions. */
  readonly automationStatuses?: string[];
  /** A hub scenario's spokes by `<account>/<region>`: memory and updates of their functions, events forwarded and refused. */
  readonly spokeRuns?: Record<string, {
    readonly forwarded: number;
    readonly refused: number;
    memoryOf(functionName: string): number;
    updates(functionName: string): number;
  }>;
  /** STS AssumeRole of the hub's handlers. */
  readonly assumeRoleCounts?: { readonly allowed: number; readonly denied: number };
  /** The OpsItems OpsCenter holds. */
  readonly opsItems?: Array<{ title: string; description: string; status: string; operationalData: Record<string, { Value?: string }> }>;
}

export function checkExpectations(expect: ScenarioExpectations, run: ObservedRun, memoryOf: (functionName: string) => number): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const check = (name: string, expected: unknown, actual: unknown) => {
    const passed = JSON.stringify(expected) === JSON.stringify(actual);
    out.push({ name, passed, detail: passed ? `${JSON.stringify(actual)}` : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}` });
  };
  const updates = run.apiCalls.filter((c) => c.service === 'Lambda' && c.operation === 'UpdateFunctionConfiguration');

  if (expect.executions !== undefined) check('executions', expect.executions, run.executions.length);
  if (expect.outcomes) {
    for (const [outcome, n] of Object.entries(expect.outcomes)) check(`outcome ${outcome}`, n, run.outcomes[outcome] ?? 0);
    const allowed = new Set([...Object.keys(expect.outcomes), ...(expect.otherOutcomesAllowed ?? [])]);
    const unexpected = Object.entries(run.outcomes).filter(([o]) => !allowed.has(o));
    out.push({
      name: 'no other outcomes',
      passed: unexpected.length === 0,
      detail: unexpected.length === 0 ? 'none' : `unexpected ${JSON.stringify(Object.fromEntries(unexpected))}`,
    });
  }
  if (expect.updateFunctionConfigurationCalls !== undefined) check('UpdateFunctionConfiguration calls', expect.updateFunctionConfigurationCalls, updates.length);
  for (const [fn, e] of Object.entries(expect.functions ?? {})) {
    if (e.finalMemoryMb !== undefined) check(`${fn} final memory (MB)`, e.finalMemoryMb, memoryOf(fn));
    if (e.updateFunctionConfigurationCalls !== undefined) {
      check(`${fn} UpdateFunctionConfiguration calls`, e.updateFunctionConfigurationCalls, updates.filter((c) => String((c.input as { FunctionName?: string }).FunctionName).split(':').includes(fn)).length);
    }
    if (e.aliasVersionCodeChanged !== undefined) check(`${fn} alias version code changed`, e.aliasVersionCodeChanged, run.aliasCodeChanged?.[fn]);
    if (e.aliasVersionMemoryMb !== undefined) check(`${fn} alias version memory (MB)`, e.aliasVersionMemoryMb, run.aliasAtEnd?.[fn]?.memoryMb);
    if (e.aliasRouted !== undefined) check(`${fn} alias routes to a second version`, e.aliasRouted, run.aliasAtEnd?.[fn]?.routed);
  }
  const n = expect.notifications;
  if (n) {
    if (n.count !== undefined) check('notifications', n.count, run.notifications.length);
    if (n.types) check('notification types', n.types, run.notifications.map((m) => (m.json as { type?: string } | undefined)?.type ?? m.attributes.type));
    const texts = run.notifications.map(notificationText);
    for (const t of n.contain ?? []) {
      const hit = texts.some((x) => x.includes(t));
      out.push({ name: `a notification contains '${t}'`, passed: hit, detail: hit ? 'found' : `not in ${texts.length} notification(s)` });
    }
    for (const t of n.notContain ?? []) {
      const hit = texts.some((x) => x.includes(t));
      out.push({ name: `no notification contains '${t}'`, passed: !hit, detail: hit ? 'found' : 'absent' });
    }
  }
  for (const [key, e] of Object.entries(expect.spokes ?? {})) {
    const sp = run.spokeRuns?.[key];
    if (!sp) {
      out.push({ name: `spoke ${key}`, passed: false, detail: 'not simulated' });
      continue;
    }
    for (const [fn, f] of Object.entries(e.functions ?? {})) {
      if (f.finalMemoryMb !== undefined) check(`${key} ${fn} final memory (MB)`, f.finalMemoryMb, sp.memoryOf(fn));
      if (f.updateFunctionConfigurationCalls !== undefined) check(`${key} ${fn} UpdateFunctionConfiguration calls`, f.updateFunctionConfigurationCalls, sp.updates(fn));
    }
    if (e.forwardedEvents !== undefined) check(`${key} alarm events forwarded to the hub`, e.forwardedEvents, sp.forwarded);
    if (e.refusedEvents !== undefined) check(`${key} alarm events refused on the way to the hub`, e.refusedEvents, sp.refused);
  }
  if (expect.assumeRole?.allowed !== undefined) check('sts:AssumeRole allowed', expect.assumeRole.allowed, run.assumeRoleCounts?.allowed ?? 0);
  if (expect.assumeRole?.denied !== undefined) check('sts:AssumeRole denied', expect.assumeRole.denied, run.assumeRoleCounts?.denied ?? 0);
  for (const place of expect.records?.places ?? []) {
    const hit = run.records.some((item) => Object.entries(place).every(([k, v]) => item[k] === v));
    out.push({ name: `a record with ${JSON.stringify(place)}`, passed: hit, detail: hit ? 'found' : `not among ${run.records.length} item(s)` });
  }
  const r = expect.records;
  if (r) {
    const kind = (prefix: string) => run.records.filter((i) => String(i.sk ?? '').startsWith(prefix));
    const repairs = latestRepairRecords(run.records);
    if (r.diagnosis !== undefined) check('diagnosis records', r.diagnosis, kind('DIAGNOSIS#').length);
    if (r.repair !== undefined) check('repair records', r.repair, repairs.length);
    if (r.minAudit !== undefined) {
      const audits = kind('AUDIT#').length;
      out.push({ name: `at least ${r.minAudit} audit records`, passed: audits >= r.minAudit, detail: `${audits}` });
    }
    if (r.repairStatuses) check('repair record statuses', r.repairStatuses, repairs.map((i) => String(i.status)).sort());
    if (r.verificationStatuses) check('repair record verification statuses', r.verificationStatuses, repairs.map((i) => String(i.verificationStatus)).sort());
    if (r.drift !== undefined) check('drift records', r.drift, kind('DRIFT#').length);
  }
  if (expect.opsItems) {
    const o = expect.opsItems;
    const items = run.opsItems ?? [];
    if (o.count !== undefined) check('OpsItems', o.count, items.length);
    const texts = items.map((i) => `${i.title}\n${i.description}\n${JSON.stringify(i.operationalData)}`);
    for (const t of o.contain ?? []) {
      const hit = texts.some((x) => x.includes(t));
      out.push({ name: `an OpsItem contains '${t}'`, passed: hit, detail: hit ? 'found' : `not in ${items.length} OpsItem(s)` });
    }
    if (o.records !== undefined) check('OpsItem records', o.records, run.records.filter((i) => String(i.sk ?? '').startsWith('OPSITEM#')).length);
  }
  if (expect.automationStatuses) check('Automation execution statuses', expect.automationStatuses, [...(run.automationStatuses ?? [])].sort());
  if (expect.configCompliance) {
    for (const [fn, compliance] of Object.entries(expect.configCompliance)) check(`${fn} AWS Config compliance`, compliance, run.configCompliance?.[fn]);
  }
  out.push(...checkAccessDenied(expect, run));
  // Every scenario ends with no lock held unless it says otherwise.
  if (run.locksHeld !== undefined) check('locks held at the end', expect.locksHeldAtEnd ?? 0, run.locksHeld);
  for (const sink of expect.secretsNotIn ?? []) {
    const found = run.secretsBySink?.[sink];
    out.push({
      name: `no secret in ${sink}`,
      passed: found !== undefined && found.length === 0,
      detail: found === undefined ? `${sink} was not observed` : found.length === 0 ? 'none' : `${found.length} secret(s) found`,
    });
  }
  if (expect.analyzerStatuses) {
    const statuses = run.records.filter((i) => String(i.sk ?? '').startsWith('DIAGNOSIS#'))
      .flatMap((i) => (Array.isArray(i.analyzers) ? i.analyzers as Array<{ status?: unknown }> : []))
      .map((a) => String(a.status).split(':')[0]);
    check('custom analyzer statuses', expect.analyzerStatuses, statuses.sort());
  }
  if (expect.decidedBy) {
    const diag = run.records.filter((i) => String(i.sk ?? '').startsWith('DIAGNOSIS#')).map((i) => String(i.decidedBy ?? (i as { diagnosis?: { decidedBy?: string } }).diagnosis?.decidedBy));
    check('diagnoses decided by', expect.decidedBy, diag.sort());
  }
  return out;
}

/**
 * Denied calls: each expected entry must match (exactly `count` calls when given, else at least
 * one), and every denied call must match an expected entry (default: none is expected).
 */
function checkAccessDenied(expect: ScenarioExpectations, run: ObservedRun): ExpectationResult[] {
  const expected = expect.accessDenied ?? [];
  if (!run.accessDenied) {
    return expected.length ? [{ name: 'expected denied calls', passed: false, detail: 'iam was not evaluated in this run' }] : [];
  }
  const denied = run.accessDenied;
  const matches = (e: { action: string; resource?: string }, d: { action: string; resource: string }) =>
    d.action === e.action && (e.resource === undefined || d.resource === e.resource);
  const out: ExpectationResult[] = [];
  for (const e of expected) {
    const n = denied.filter((d) => matches(e, d)).length;
    const name = `denied ${e.action}${e.resource ? ` on ${e.resource}` : ''}`;
    const passed = e.count !== undefined ? n === e.count : n > 0;
    out.push({ name, passed, detail: passed ? `${n}` : `expected ${e.count ?? 'at least 1'}, got ${n}` });
  }
  const unexpected = denied.filter((d) => !expected.some((e) => matches(e, d)));
  out.push({
    name: 'no unexpected denied call',
    passed: unexpected.length === 0,
    detail: unexpected.length === 0 ? 'none' : unexpected.slice(0, 5).map((d) => `${d.action} on ${d.resource}`).join('; ') + (unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : ''),
  });
  return out;
}

/**
 * One repair record per repairId: the latest written (by endTime). A repair is recorded when it
 * happens and again when the workflow finishes; both describe the same repair.
 */
export function latestRepairRecords(records: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of records.filter((i) => String(i.sk ?? '').startsWith('REPAIR#'))) {
    const id = String(r.repairId ?? r.sk);
    const prev = byId.get(id);
    if (!prev || String(r.endTime ?? '') >= String(prev.endTime ?? '')) byId.set(id, r);
  }
  return [...byId.values()];
}

/**
 * A notification as its subscribers read it: the subject, the default message and each protocol's
 * own message (SNS MessageStructure "json"), so the e-mail text is checked as well as the JSON.
 */
export function notificationText(m: { readonly subject?: string; readonly message: string; readonly protocols?: Record<string, string> }): string {
  return [m.subject ?? '', m.message, ...Object.values(m.protocols ?? {})].join('\n');
}
