/**
 * Normalize + lock: the first task of the workflow. Reads the alarm event (or one of the
 * workflow's own inputs), asks CloudWatch what the event does not say, ignores what the workflow
 * does not act on, leaves muted and suppressed alarms alone, takes the per-function lock and
 * enforces the cooldown and the daily repair budget. Output at `$.alarm`.
 *
 * The lock is never left held by a failure here: the intake record is written before the lock
 * (so the cleanup after a crashed execution finds it), and any error after the lock was taken
 * releases it before the error propagates.
 */
import {
  ContributorDetail,
  CONTRIBUTOR_DETAIL_TYPE,
  DEFAULT_WORKFLOW_POLICY,
  ENV,
  FollowUpDetail,
  FollowUpInfo,
  HANDLERS,
  NormalizeOutput,
  ReexamineDetail,
  STANDING_OUTCOMES,
  WorkflowState,
} from './contract';
import { DEFAULT_SPOKE_ALARM_PREFIX, DEFAULT_SPOKE_TAG_KEY, HUB_ENV } from '../hub/hub-contract';
import {
  AlarmRef,
  AlarmTarget,
  functionOfContributor,
  ParsedIntake,
  parseIntake,
  targetFromQueries,
  thresholdFromStateReason,
  toAlarmEvent,
  valueFromStateReason,
} from '../runtime/alarm-event';
import { alarmContributors, ContributorInAlarm, DescribedAlarm, describeAlarm, describeAlarms, latestMetricValue } from '../runtime/alarms';
import { now } from '../runtime/clock';
import { effectivePolicy, envNumber, envOptional, envString, readPolicyConfig } from '../runtime/env';
import { ConfigurationError, ServiceUnavailableError } from '../runtime/errors';
import { arnParts, executionName, executionNameOf, intakeInput, startExecutionOnce } from '../runtime/executions';
import { LockFollowUp, releaseAndReexamine } from '../runtime/lock-followup';
import { functionArnOf, isManagedFunction, managedSettings, Membership, parseMembership } from '../runtime/membership';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { currentRemote, hubHome, isAdmitted } from '../runtime/target-account';
import { requireFields, requireObject } from '../runtime/validate';

/** What normalize knows about where it runs. */
interface Intake {
  readonly state: WorkflowState;
  readonly at: Date;
  readonly membership: Membership;
  readonly where: { partition: string; region: string; account: string };
  readonly logGroupFunctions: Record<string, string>;
}

/** The alarm and function one execution handles. */
interface Chosen {
  readonly alarm: AlarmRef;
  readonly target: AlarmTarget;
  readonly startedExecutions?: string[];
  /** Set when the execution is a follow-up. */
  readonly followUp?: FollowUpInfo;
}

export async function handler(input: WorkflowState, context?: HandlerContext): Promise<NormalizeOutput> {
  return runHandler('normalize', HANDLERS.normalize.requiredEnv, context, async () => {
    const state = requireObject<WorkflowState>(input, 'normalize input');
    requireFields(state, ['executionId', 'event'], 'normalize input');
    const at = now();
    // On a hub, an alarm from a spoke: its account and region, its alarm prefix and management tag.
    const spoke = currentRemote();
    if (spoke && !isAdmitted(spoke.account)) return notAdmitted(state, spoke);
    const membership = spoke
      ? parseMembership(`tag:${process.env[HUB_ENV.SPOKE_TAG] || `${DEFAULT_SPOKE_TAG_KEY}=${DEFAULT_SPOKE_ALARM_PREFIX}`}`)
      : parseMembership(envString(ENV.MANAGED_FUNCTIONS), envString(ENV.TABLE_NAME));
    const home = whereOf(state);
    const intake: Intake = {
      state,
      at,
      membership,
      where: spoke ? { partition: home.partition, region: spoke.region, account: spoke.account } : home,
      // Past the environment's size the custom log groups are in the settings item too.
      logGroupFunctions: membership.mode === 'table'
        ? { ...readLogGroupFunctions(), ...(await managedSettings(membership.tableName)).logGroupFunctions }
        : readLogGroupFunctions(),
    };
    const parsed = parseIntake(state.event, at, { logAlarmPrefix: spoke ? undefined : envOptional(ENV.LOG_ALARM_NAME_PREFIX) });
    const prefix = spoke ? (process.env[HUB_ENV.SPOKE_ALARM_PREFIX] || DEFAULT_SPOKE_ALARM_PREFIX) : envOptional(ENV.ALARM_NAME_PREFIX);
    const named = alarmNameOf(parsed);
    if (prefix && named && !named.startsWith(prefix)) {
      return placed(ignored(`alarm ${named} does not start with the managed prefix ${prefix}`), intake.where);
    }
    const resolved = await resolve(parsed, intake);
    if ('verdict' in resolved) {
      logger.info('alarm not acted on', { status: resolved.verdict.status, reason: resolved.verdict.reason });
      return placed(resolved.verdict, intake.where);
    }
    return placed(await lockAndGuard(intake, resolved), intake.where);
  }, input);
}

/** Turn what the event says into one function to handle, or a verdict. */
async function resolve(parsed: ParsedIntake, intake: Intake): Promise<Chosen | { verdict: NormalizeOutput }> {
  switch (parsed.kind) {
    case 'ignored':
      return verdict('IGNORED', parsed.reason, parsed);
    case 'suppressed':
      metrics.addMetric('AlarmSuppressed', MetricUnit.Count, 1);
      return verdict('SUPPRESSED', parsed.reason, parsed);
    case 'target': {
      const refused = await refusal(parsed.target.functionName, intake);
      if (refused) return verdict('IGNORED', refused, { ...parsed.target, alarmKind: parsed.target.alarmKind });
      return { alarm: parsed.alarm, target: await completeNumbers(parsed.alarm, parsed.target, intake.at) };
    }
    case 'lookupAlarm':
      return fromDescribedAlarm(parsed.alarm, parsed.contributorId, intake);
    case 'composite':
      return fromComposite(parsed.alarm, parsed.childAlarmNames, intake);
    case 'contributor':
      return fromContributorInput(parsed.detail, intake);
    case 'reexamine':
      return fromReexamination(parsed.detail, intake);
    case 'followUp':
      return fromFollowUp(parsed.detail, intake);
  }
}

/** A log alarm, or an alarm whose event does not say what it is: ask CloudWatch. */
async function fromDescribedAlarm(
  alarm: AlarmRef, contributorId: string | undefined, intake: Intake,
): Promise<Chosen | { verdict: NormalizeOutput }> {
  const described = await describeAlarm(alarm.alarmName);
  if (!described) return verdict('IGNORED', `alarm ${alarm.alarmName} does not exist (any more)`);
  if (described.type === 'LogAlarm' || contributorId) {
    return fromContributors(alarm, described, contributorId, intake);
  }
  if (described.type === 'CompositeAlarm') {
    return verdict('IGNORED', `composite alarm ${alarm.alarmName}: its event names no triggering alarm`, { alarmKind: 'COMPOSITE' });
  }
  const found = targetFromQueries(described.queries, parseJson(described.stateReasonData), alarm);
  if ('ignored' in found) return verdict('IGNORED', found.ignored, { alarmKind: found.alarmKind });
  const refused = await refusal(found.target.functionName, intake);
  if (refused) return verdict('IGNORED', refused, found.target);
  return { alarm, target: await completeNumbers(alarm, withAlarmThreshold(found.target, described), intake.at) };
}

/**
 * The functions in ALARM on a log (or multi-time-series) alarm, from DescribeAlarmContributors:
 * a contributor event handles its own contributor if it is still in ALARM; an alarm-level event
 * handles the first managed function in ALARM and starts one execution per further one.
 */
async function fromContributors(
  alarm: AlarmRef, described: DescribedAlarm, contributorId: string | undefined, intake: Intake,
): Promise<Chosen | { verdict: NormalizeOutput }> {
  const kind = described.type === 'LogAlarm' ? 'LOG' as const : 'METRICS_INSIGHTS' as const;
  const inAlarm = await alarmContributors(alarm.alarmName);
  const candidates = contributorId ? inAlarm.filter((c) => c.contributorId === contributorId) : inAlarm;
  if (contributorId && candidates.length === 0) {
    return verdict('IGNORED', `contributor ${contributorId} of alarm ${alarm.alarmName} is no longer in ALARM`, { alarmKind: kind, contributorId });
  }
  const managed: Array<{ contributor: ContributorInAlarm; functionName: string }> = [];
  const skipped: string[] = [];
  for (const c of candidates) {
    const fn = functionOfContributor(c.attributes, intake.logGroupFunctions);
    const refused = fn ? await refusal(fn, intake) : `contributor ${c.contributorId} (${JSON.stringify(c.attributes)}) maps to no function`;
    if (refused) skipped.push(refused);
    else if (!managed.some((m) => m.functionName === fn)) managed.push({ contributor: c, functionName: fn! });
  }
  if (managed.length === 0) {
    const why = candidates.length === 0 ? 'no contributor is in ALARM' : skipped.join('; ');
    return verdict('IGNORED', `alarm ${alarm.alarmName}: no managed function to handle (${why})`.slice(0, 1000), { alarmKind: kind, ...(contributorId ? { contributorId } : {}) });
  }
  const [first, ...others] = managed;
  const started: string[] = [];
  if (!contributorId && others.length > 0) {
    const machine = intake.state.stateMachineArn;
    if (!machine) throw new ConfigurationError('normalize input lacks stateMachineArn ($$.StateMachine.Id): cannot hand further functions to their own executions');
    for (const o of others) {
      const detail: ContributorDetail = {
        alarmName: alarm.alarmName,
        functionName: o.functionName,
        contributorId: o.contributor.contributorId,
        reason: o.contributor.stateReason.slice(0, 500),
        stateTimestamp: alarm.stateChangeTime,
      };
      // Same alarm, contributor and state change -> same name: a retried normalize starts nothing twice.
      const name = executionName('contributor', [alarm.alarmName, o.contributor.contributorId, alarm.stateChangeTime]);
      await startExecutionOnce(machine, name, intakeInput(CONTRIBUTOR_DETAIL_TYPE, detail));
      started.push(name);
    }
    metrics.addMetric('ContributorExecutionsStarted', MetricUnit.Count, started.length);
  }
  const target = contributorTarget(first.functionName, first.contributor, described, kind);
  return {
    alarm: contributorId ? alarm : { ...alarm, stateReason: first.contributor.stateReason.slice(0, 1000) || alarm.stateReason },
    target: await completeNumbers(alarm, target, intake.at),
    ...(started.length > 0 ? { startedExecutions: started } : {}),
  };
}

function contributorTarget(functionName: string, c: ContributorInAlarm, described: DescribedAlarm, kind: 'LOG' | 'METRICS_INSIGHTS'): AlarmTarget {
  const value = valueFromStateReason(c.stateReason);
  return {
    functionName,
    alarmKind: kind,
    metricName: kind === 'LOG' ? 'memoryUtilization' : metricNameOf(described),
    ...(described.threshold !== undefined ? { threshold: described.threshold, thresholdSource: 'alarm' as const } : { thresholdSource: 'unknown' as const }),
    ...(value !== undefined ? { currentValue: value, valueSource: 'stateReason' as const } : { valueSource: 'unknown' as const }),
    contributorId: c.contributorId,
  };
}

function metricNameOf(described: DescribedAlarm): string {
  const q = described.queries.find((x) => x.expression) ?? described.queries[0];
  return q?.label ?? q?.metric?.name ?? q?.expression ?? 'Unknown';
}

/** A composite alarm: the Lambda function of the first triggering child that is a metric alarm on one. */
async function fromComposite(alarm: AlarmRef, children: string[], intake: Intake): Promise<Chosen | { verdict: NormalizeOutput }> {
  let described: DescribedAlarm[];
  try {
    described = await describeAlarms(children);
  } catch (err) {
    if ((err as Error).name === 'AccessDeniedError') {
      return verdict('IGNORED', `composite alarm ${alarm.alarmName}: cannot read its children ${children.join(', ')} (${(err as Error).message}); add them to the workflow's alarms`.slice(0, 1000), { alarmKind: 'COMPOSITE' });
    }
    throw err;
  }
  const notes: string[] = [];
  for (const name of children) {
    const child = described.find((d) => d.alarmName === name);
    if (!child) { notes.push(`${name} does not exist`); continue; }
    if (child.type !== 'MetricAlarm') { notes.push(`${name} is a ${child.type}`); continue; }
    const found = targetFromQueries(child.queries, parseJson(child.stateReasonData), { alarmName: name, stateReason: child.stateReason ?? '' });
    if ('ignored' in found) { notes.push(found.ignored); continue; }
    const refused = await refusal(found.target.functionName, intake);
    if (refused) { notes.push(refused); continue; }
    const target: AlarmTarget = { ...withAlarmThreshold(found.target, child), alarmKind: 'COMPOSITE' };
    return { alarm, target: await completeNumbers(alarm, target, intake.at) };
  }
  return verdict('IGNORED', `composite alarm ${alarm.alarmName}: no triggering child is a metric alarm on a managed Lambda function (${notes.join('; ')})`.slice(0, 1000), { alarmKind: 'COMPOSITE' });
}

/** A further contributor handed over by another execution: still in ALARM, still this function? */
async function fromContributorInput(detail: ContributorDetail, intake: Intake): Promise<Chosen | { verdict: NormalizeOutput }> {
  const described = await describeAlarm(detail.alarmName);
  if (!described) return verdict('IGNORED', `alarm ${detail.alarmName} does not exist (any more)`, { functionName: detail.functionName });
  const c = (await alarmContributors(detail.alarmName)).find((x) => x.contributorId === detail.contributorId);
  if (!c) {
    return verdict('IGNORED', `contributor ${detail.contributorId} of alarm ${detail.alarmName} is no longer in ALARM`, { functionName: detail.functionName, contributorId: detail.contributorId });
  }
  const fn = functionOfContributor(c.attributes, intake.logGroupFunctions);
  if (fn !== detail.functionName) {
    return verdict('IGNORED', `contributor ${detail.contributorId} of alarm ${detail.alarmName} stands for ${fn ?? 'no function'}, not ${detail.functionName}`, { functionName: detail.functionName });
  }
  const refused = await refusal(fn, intake);
  if (refused) return verdict('IGNORED', refused, { functionName: fn });
  const alarm = alarmRefOf(described, c.stateTransitionedAt ?? detail.stateTimestamp, c.stateReason || detail.reason, intake.at);
  const kind = described.type === 'LogAlarm' ? 'LOG' as const : 'METRICS_INSIGHTS' as const;
  return { alarm, target: await completeNumbers(alarm, contributorTarget(fn, c, described, kind), intake.at) };
}

/**
 * Re-examine a function after its lock was released: proceed with the first waiting alarm that is
 * still in ALARM for this function (cooldown and budget apply as always).
 */
async function fromReexamination(detail: ReexamineDetail, intake: Intake): Promise<Chosen | { verdict: NormalizeOutput }> {
  const fn = detail.functionName;
  const refused = await refusal(fn, intake);
  if (refused) return verdict('IGNORED', refused, { functionName: fn });
  if (detail.previousOutcome && STANDING_OUTCOMES.includes(detail.previousOutcome)) {
    const names = detail.alarms.map((a) => a.alarmName).join(', ');
    return verdict('IGNORED', `${detail.previousExecutionId} concluded ${detail.previousOutcome} for ${fn} while ${names} waited on its lock: that conclusion stands for them (no second diagnosis)`.slice(0, 1000), { functionName: fn });
  }
  const described = await describeAlarms(detail.alarms.map((a) => a.alarmName));
  for (const pending of detail.alarms) {
    const d = described.find((x) => x.alarmName === pending.alarmName);
    if (!d) continue;
    if (pending.contributorId || d.type === 'LogAlarm') {
      const inAlarm = await alarmContributors(d.alarmName);
      const c = inAlarm.find((x) => (pending.contributorId ? x.contributorId === pending.contributorId : true)
        && functionOfContributor(x.attributes, intake.logGroupFunctions) === fn);
      if (!c) continue;
      const alarm = alarmRefOf(d, c.stateTransitionedAt ?? d.stateUpdatedAt, c.stateReason, intake.at);
      const kind = d.type === 'LogAlarm' ? 'LOG' as const : 'METRICS_INSIGHTS' as const;
      return { alarm, target: await completeNumbers(alarm, contributorTarget(fn, c, d, kind), intake.at) };
    }
    if (d.stateValue !== 'ALARM' || d.type !== 'MetricAlarm') continue;
    const alarm = alarmRefOf(d, d.stateUpdatedAt, d.stateReason ?? '', intake.at);
    const found = targetFromQueries(d.queries, parseJson(d.stateReasonData), alarm);
    if ('ignored' in found || found.target.functionName !== fn) continue;
    return { alarm, target: await completeNumbers(alarm, withAlarmThreshold(found.target, d), intake.at) };
  }
  const names = detail.alarms.map((a) => a.contributorId ? `${a.alarmName} (contributor ${a.contributorId})` : a.alarmName).join(', ');
  return verdict('IGNORED', `alarm no longer in ALARM: ${names} for ${fn} (re-examined after ${detail.previousExecutionId})`.slice(0, 1000), { functionName: fn });
}

/**
 * A follow-up after a review or no-action outcome: proceed like a re-examination with the first of
 * its alarms still in ALARM for the function; none in ALARM ends the follow-ups (not paged).
 */
async function fromFollowUp(detail: FollowUpDetail, intake: Intake): Promise<Chosen | { verdict: NormalizeOutput }> {
  const self = executionNameOf(intake.state.executionId);
  const marker = await new Store(envString(ENV.TABLE_NAME)).followUpMarker(detail.functionName);
  if (marker !== undefined && marker !== self) {
    const by = marker === '' ? 'a later execution that scheduled none (a repair, or the last round)' : `the later follow-up ${marker}`;
    return verdict('IGNORED', `follow-up ${detail.round} of ${detail.functionName} ends: superseded by ${by}`, { functionName: detail.functionName });
  }
  const found = await fromReexamination({
    functionName: detail.functionName, alarms: detail.alarms, previousExecutionId: detail.previousExecutionId, reason: `follow-up ${detail.round}`,
  }, intake);
  if ('verdict' in found) {
    return verdict('IGNORED', `follow-up ${detail.round} of ${detail.functionName} ends: ${found.verdict.reason}`.slice(0, 1000), { functionName: detail.functionName });
  }
  return { ...found, followUp: { round: detail.round, previousExecutionId: detail.previousExecutionId, baseline: detail.baseline } };
}

/** Why `functionName` is not ours to touch, or undefined when it is. */
async function refusal(functionName: string, intake: Intake): Promise<string | undefined> {
  if (!(await isManagedFunction(intake.membership, functionName, functionArnOf(functionName, intake.where)))) {
    return `function ${functionName} is not under management`;
  }
  if (effectivePolicy(functionName).excluded) return `function ${functionName} is excluded by the policy (never touch)`;
  return undefined;
}

/**
 * Fill in what the event did not carry: the threshold from the alarm (DescribeAlarms), the value
 * from GetMetricData. What stays unknown stays unknown: never 0.
 */
async function completeNumbers(alarm: AlarmRef, target: AlarmTarget, at: Date): Promise<AlarmTarget> {
  let t = target;
  if (t.threshold === undefined) {
    const described = await describeAlarm(alarm.alarmName).catch((err: Error) => {
      logger.warn('alarm threshold unavailable', { alarmName: alarm.alarmName, error: err.message });
      return undefined;
    });
    if (described?.threshold !== undefined) {
      t = { ...t, threshold: described.threshold, thresholdSource: 'alarm' };
    } else {
      const fromReason = thresholdFromStateReason(alarm.stateReason);
      if (fromReason !== undefined) t = { ...t, threshold: fromReason, thresholdSource: 'stateReason' };
    }
  }
  if (t.currentValue === undefined && t.valueQuery) {
    try {
      const v = await latestMetricValue(t.valueQuery, at);
      if (v !== undefined) t = { ...t, currentValue: v, valueSource: 'metricData' };
    } catch (err) {
      // The value only informs the record and the people; the diagnosis reads the series itself.
      logger.warn('alarm value unavailable', { alarmName: alarm.alarmName, error: (err as Error).message });
    }
  }
  return t;
}

/** The alarm's own threshold (DescribeAlarms) when the state change did not carry one. */
function withAlarmThreshold(target: AlarmTarget, described: DescribedAlarm): AlarmTarget {
  if (target.threshold !== undefined || described.threshold === undefined) return target;
  return { ...target, threshold: described.threshold, thresholdSource: 'alarm' };
}

function alarmRefOf(d: DescribedAlarm, changedAt: string | undefined, reason: string, at: Date): AlarmRef {
  return {
    alarmName: d.alarmName,
    alarmArn: d.alarmArn,
    stateChangeTime: changedAt ?? at.toISOString(),
    stateValue: 'ALARM',
    stateReason: reason.slice(0, 1000),
    previousState: 'UNKNOWN',
  };
}

/**
 * Take the lock for the chosen function and apply the guards under it. Any failure after the lock
 * was taken releases it (the original error is what propagates; a failed release is logged).
 */
async function lockAndGuard(intake: Intake, chosen: Chosen): Promise<NormalizeOutput> {
  const { state, at } = intake;
  const fn = chosen.target.functionName;
  const policy = effectivePolicy(fn);
  const out: NormalizeOutput = {
    status: 'ACCEPTED',
    reason: `alarm ${chosen.alarm.alarmName} (${chosen.target.alarmKind}) on ${fn}`,
    functionName: fn,
    ...(chosen.target.qualifier ? { qualifier: chosen.target.qualifier } : {}),
    alarmEvent: toAlarmEvent(chosen.alarm, chosen.target),
    alarmKind: chosen.target.alarmKind,
    ...(chosen.target.contributorId ? { contributorId: chosen.target.contributorId } : {}),
    ...(chosen.startedExecutions ? { startedExecutions: chosen.startedExecutions } : {}),
    ...(chosen.followUp ? { followUp: chosen.followUp } : {}),
    ...qualifierReview(fn, chosen.alarm.alarmName, chosen.target.qualifier),
  };
  const table = envString(ENV.TABLE_NAME);
  const store = new Store(table);
  const follow = new LockFollowUp(table);
  const ttl = envNumber(ENV.LOCK_TTL_SECONDS, DEFAULT_WORKFLOW_POLICY.lockTtlSeconds);

  // Before the lock: whoever cleans up after this execution (it may die right after locking) finds the lock from here.
  await follow.recordIntake(state.executionId, fn, at, ttl);
  for (let attempt = 0; attempt < 3; attempt++) {
    const taken = await store.acquireLock(fn, state.executionId, at, ttl);
    if (taken.acquired) {
      try {
        return await guard(store, follow, state, at, out, policy.cooldownSeconds, policy.maxRepairsPerDay, taken.lock);
      } catch (err) {
        await releaseQuietly(follow, fn, state, at);
        throw err;
      }
    }
    // Held by another execution: leave the alarm on its lock, so the holder re-examines the function when it ends.
    const pending = { alarmName: chosen.alarm.alarmName, ...(chosen.target.contributorId ? { contributorId: chosen.target.contributorId } : {}) };
    const recorded = await follow.recordPendingAlarm(fn, pending);
    if (recorded) {
      metrics.addMetric('AlreadyInProgress', MetricUnit.Count, 1);
      return {
        ...out,
        status: 'ALREADY_IN_PROGRESS',
        reason: `function ${fn} is already being handled by execution ${taken.heldBy ?? 'unknown'}; this alarm is re-examined when it ends`,
        recordedOnLock: true,
      };
    }
    // The lock went away between the two calls: try to take it again.
  }
  throw new ServiceUnavailableError(`the lock on ${fn} changed hands three times in a row while ${state.executionId} tried to take it`);
}

async function guard(
  store: Store, follow: LockFollowUp, state: WorkflowState, at: Date, out: NormalizeOutput,
  cooldownSeconds: number, maxRepairsPerDay: number, lock: NonNullable<NormalizeOutput['lock']>,
): Promise<NormalizeOutput> {
  const fn = out.functionName!;
  // Checked under the lock, so two alarms cannot both pass the budget.
  const fnState = await store.functionState(fn, utcDay(at.toISOString()));
  if (fnState.lastRepairAt) {
    const since = (at.getTime() - new Date(fnState.lastRepairAt).getTime()) / 1000;
    if (since < cooldownSeconds) {
      await releaseAndReexamine(follow, fn, state.executionId, state.stateMachineArn, at);
      return {
        ...out,
        status: 'COOLDOWN',
        reason: `function ${fn} was repaired at ${fnState.lastRepairAt}, ${Math.floor(since)} s ago; cooldown is ${cooldownSeconds} s`,
      };
    }
  }
  if (fnState.repairsOnDay >= maxRepairsPerDay) {
    await releaseAndReexamine(follow, fn, state.executionId, state.stateMachineArn, at);
    return {
      ...out,
      status: 'DAILY_BUDGET_EXHAUSTED',
      reason: `function ${fn} had ${fnState.repairsOnDay} repairs today; the daily budget is ${maxRepairsPerDay}`,
    };
  }
  metrics.addMetric('AlarmAccepted', MetricUnit.Count, 1);
  logger.info('alarm accepted', { functionName: fn, alarmName: out.alarmEvent?.alarmName, alarmKind: out.alarmKind });
  return { ...out, lock };
}

/** Release after a failure; a failed release is logged, never raised over the original error. */
async function releaseQuietly(follow: LockFollowUp, fn: string, state: WorkflowState, at: Date): Promise<void> {
  try {
    await releaseAndReexamine(follow, fn, state.executionId, state.stateMachineArn, at);
  } catch (err) {
    logger.error('lock release after a normalize failure failed; the cleanup after this execution releases it', {
      functionName: fn, error: (err as Error).message,
    });
  }
}

/**
 * An alarm on an alias or version of a function whose configured alias is another one (or none):
 * raising `$LATEST` would not change what that alias or version runs, so a person decides.
 */
function qualifierReview(fn: string, alarmName: string, qualifier: string | undefined): Pick<NormalizeOutput, 'humanReviewReason'> {
  if (!qualifier || qualifier === '$LATEST') return {};
  if (/^\d+$/.test(qualifier)) {
    return { humanReviewReason: `alarm ${alarmName} watches version ${qualifier} of ${fn}; published versions cannot change, and raising $LATEST would not change what that version runs: a person should decide` };
  }
  const configured = readPolicyConfig().functionOverrides?.[fn]?.aliases ?? [];
  if (configured.includes(qualifier)) return {};
  return {
    humanReviewReason: `alarm ${alarmName} watches alias ${qualifier} of ${fn}, ${configured.length ? `but the alias option names ${configured.join(', ')}` : 'but no alias is configured for it (addFunction alias option)'}; raising $LATEST would not change what ${qualifier} runs: a person should decide`,
  };
}

function verdict(status: 'IGNORED' | 'SUPPRESSED', reason: string, known: {
  alarmKind?: NormalizeOutput['alarmKind']; functionName?: string; qualifier?: string; contributorId?: string;
} = {}): { verdict: NormalizeOutput } {
  return {
    verdict: {
      status,
      reason,
      ...(known.functionName ? { functionName: known.functionName } : {}),
      ...(known.qualifier ? { qualifier: known.qualifier } : {}),
      ...(known.alarmKind ? { alarmKind: known.alarmKind } : {}),
      ...(known.contributorId ? { contributorId: known.contributorId } : {}),
    },
  };
}

/**
 * On a hub, every verdict names the account and region the alarm came from: later steps act
 * there, and the records and notifications say where. Off a hub the output is as it always was.
 */
function placed(out: NormalizeOutput, where: { region: string; account: string }): NormalizeOutput {
  return hubHome() ? { ...out, account: where.account, region: where.region } : out;
}

/**
 * An alarm from an account this hub does not act for (the bus policy admitted it, e.g. through
 * the organization, but the hub's `accounts` do not list it): nothing is read from or changed in
 * that account, no lock is taken; finalize records and notifies NOT_ADMITTED.
 */
function notAdmitted(state: WorkflowState, from: { account: string; region: string }): NormalizeOutput {
  type Metrics = Array<{ metricStat?: { metric?: { dimensions?: Record<string, unknown> } } }>;
  const detail = (state.event as { detail?: { alarmName?: unknown; configuration?: { metrics?: Metrics } } } | undefined)?.detail;
  const alarmName = detail?.alarmName;
  // The function, when the event names it plainly (a metric alarm on FunctionName): for the record only, nothing is asked of that account.
  const named = detail?.configuration?.metrics?.map((m) => m.metricStat?.metric?.dimensions?.FunctionName).find((f) => typeof f === 'string');
  const reason = `alarm ${typeof alarmName === 'string' ? alarmName : '(unnamed)'} comes from account ${from.account} (${from.region}), which this hub does not act for: nothing was read or changed there; add the account to the hub's accounts to manage it`;
  logger.warn('alarm from an account not admitted', { account: from.account, region: from.region });
  metrics.addMetric('AlarmNotAdmitted', MetricUnit.Count, 1);
  return { status: 'NOT_ADMITTED', reason, ...(typeof named === 'string' ? { functionName: named } : {}), account: from.account, region: from.region };
}

function ignored(reason: string): NormalizeOutput {
  logger.info('alarm ignored', { reason });
  return { status: 'IGNORED', reason };
}

function alarmNameOf(parsed: ParsedIntake): string | undefined {
  switch (parsed.kind) {
    case 'ignored': return undefined; // already a verdict
    case 'contributor': return parsed.detail.alarmName;
    case 'reexamine': return undefined; // its alarms passed the check when they were recorded
    case 'followUp': return undefined; // likewise: they are the alarms of the execution it follows
    default: return parsed.alarm.alarmName;
  }
}

function parseJson(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** Partition, region and account: from the execution ARN, else the event, else the environment. */
function whereOf(state: WorkflowState): { partition: string; region: string; account: string } {
  const fromArn = arnParts(state.executionId) ?? arnParts(state.stateMachineArn);
  if (fromArn) return fromArn;
  const event = (state.event ?? {}) as { account?: unknown; region?: unknown };
  return {
    partition: 'aws',
    region: typeof event.region === 'string' ? event.region : process.env.AWS_REGION ?? 'us-east-1',
    account: typeof event.account === 'string' ? event.account : '000000000000',
  };
}

/** `LOG_GROUP_FUNCTIONS`: a JSON list of `[log group name, function name]` pairs. */
function readLogGroupFunctions(): Record<string, string> {
  const raw = envOptional(ENV.LOG_GROUP_FUNCTIONS);
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'))) {
      throw new Error('not a list of [log group, function] pairs');
    }
    return Object.fromEntries(v as Array<[string, string]>);
  } catch (err) {
    throw new ConfigurationError(`environment variable ${ENV.LOG_GROUP_FUNCTIONS} must be a json list of [log group, function name] pairs, got '${raw.slice(0, 80)}': ${(err as Error).message}`);
  }
}
