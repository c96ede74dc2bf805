/**
 * Repair: raises the target's memory to the size the diagnosis proposed, clamped again by the
 * policy (the model never widens it). `dryRun` records only. Output at `$.repair`.
 *
 * Idempotent per execution. Before `UpdateFunctionConfiguration` it records a repair intent
 * (execution, function, from, to, the RevisionId it updates from). Whatever fails after the update
 * took effect (the wait for `LastUpdateStatus` gives up, a record write is throttled, the alias
 * publish fails, the response is lost), the state machine retries this handler, which finds the
 * intent and recognises the function at the target size on a newer revision as its own change:
 * it finishes as SUCCEEDED (verification and rollback follow, the repair counts once in the
 * cooldown and the daily budget), never as "nothing to do". A function at neither size was
 * changed by someone else: the repair stops with CHANGED_BY_OTHERS.
 *
 * An alarm on a qualifier only repairs through an alias configured with
 * `addFunction(fn, { alias })`, and only when the alias's version runs the same code and
 * configuration as `$LATEST` (apart from memory): publishing `$LATEST` must never release
 * anything but the new memory size.
 *
 * With `RepairStrategy.progressive` the published version starts as a canary (progressive.ts):
 * it gets a share of the alias's traffic, the alias staying on its version; the function's
 * configured alias is used for an alarm on the function as a whole too. Invoked again with
 * `{ promote: true, state }` (the PromoteCanary step), this handler promotes a verified canary.
 */
import { randomUUID } from 'crypto';
import { promoteCanary, startCanary } from './progressive';
import { iacChangeFor } from '../core/notification/build';
import { LAMBDA_MAX_MEMORY_MB } from '../core/policy';
import { now } from '../runtime/clock';
import { functionNameOfArn, invokeCustomRepair } from '../runtime/custom-strategy';
import { effectivePolicy, envString } from '../runtime/env';
import { InvalidInputError, RepairFailedError } from '../runtime/errors';
import {
  applyMemoryChange,
  getAliasTarget,
  isAlias,
  moveAlias,
  publishVersion,
  readAliasRelease,
  readConfig,
  readLatestRelease,
  releaseDifferences,
  RevisionChangedError,
  waitUntilUpdated,
} from '../runtime/lambda-config';
import { HandlerContext, logger, metrics, MetricUnit, runHandler } from '../runtime/powertools';
import { Store, utcDay } from '../runtime/store';
import { requireFields, requireObject } from '../runtime/validate';
import {
  ENV, HANDLERS, HandlerInputs, PromotionOutput, RepairIntent, RepairOutput, RepairStatus, WorkflowState,
} from '../workflow/contract';

/** The PromoteCanary step's input: the state of a repair whose canary passed verification. */
export interface PromotionInput {
  readonly promote: true;
  readonly state: WorkflowState;
}

function isPromotion(input: unknown): input is PromotionInput {
  return typeof input === 'object' && input !== null && (input as { promote?: unknown }).promote === true;
}

export async function handler(input: PromotionInput, context?: HandlerContext): Promise<PromotionOutput>;
export async function handler(input: HandlerInputs['repair'], context?: HandlerContext): Promise<RepairOutput>;
export async function handler(input: HandlerInputs['repair'] | PromotionInput, context?: HandlerContext): Promise<RepairOutput | PromotionOutput> {
  if (isPromotion(input)) return promote(input, context);
  return repair(input, context);
}

/** Promote the canary of `$.repair.canary` after a passed verification; output at `$.promotion`. */
async function promote(input: PromotionInput, context?: HandlerContext): Promise<PromotionOutput> {
  return runHandler('repair', HANDLERS.repair.requiredEnv, context, async () => {
    const state = requireObject<WorkflowState>(input.state, 'promotion state');
    requireFields(state, ['executionId', 'alarm.functionName', 'repair.canary.version', 'repair.canary.previousVersion', 'repair.canary.aliasName', 'verification.status'], 'promotion state');
    if (state.verification!.next !== 'PROMOTE') {
      throw new InvalidInputError(`promotion needs a verification that asks for it, got next '${state.verification!.next}'`);
    }
    const fn = state.alarm!.functionName!;
    const canary = state.repair!.canary!;
    const store = new Store(envString(ENV.TABLE_NAME));
    const out = await promoteCanary(fn, canary);
    await store.putAudit({
      executionId: state.executionId,
      functionName: fn,
      step: 'promote',
      actor: 'lambda-auto-remediation',
      action: out.status === 'PROMOTED' ? 'UpdateAlias FunctionVersion (canary promoted, routing cleared)' : `promotion ${out.status}`,
      before: { aliasVersion: canary.previousVersion, canaryVersion: canary.version, canaryWeight: canary.weight },
      after: { aliasVersion: out.aliasVersion },
      why: `${out.reason}; verification: ${state.verification!.reason}`,
      at: out.promotedAt,
    });
    metrics.addMetric(`Promotion${out.status}`, MetricUnit.Count, 1);
    logger.info('promotion finished', { functionName: fn, status: out.status, version: out.aliasVersion });
    return out;
  });
}

async function repair(input: HandlerInputs['repair'], context?: HandlerContext): Promise<RepairOutput> {
  return runHandler('repair', HANDLERS.repair.requiredEnv, context, async () => {
    const state = requireObject<HandlerInputs['repair']>(input, 'repair input');
    requireFields(state, ['executionId', 'alarm.functionName', 'collection.functionConfig.memorySize', 'diagnosis.targetMemoryMb', 'diagnosis.action'], 'repair input');
    const d = state.diagnosis;
    if (d.action === 'REQUEST_APPROVAL' && state.approval?.approved !== true) {
      throw new InvalidInputError(`repair of ${state.alarm.functionName} needs an approval, got ${JSON.stringify(state.approval ?? null)}`);
    }
    if (d.action !== 'REPAIR' && d.action !== 'REQUEST_APPROVAL') {
      throw new InvalidInputError(`repair needs diagnosis action REPAIR or REQUEST_APPROVAL, got '${d.action}'`);
    }
    const fn = state.alarm.functionName!;
    const qualifier = state.alarm.qualifier;
    const policy = effectivePolicy(fn);
    const store = new Store(envString(ENV.TABLE_NAME));
    const dryRun = d.dryRun || policy.dryRun;

    // A retry of this execution finds the intent it recorded and continues that change.
    const earlier = await store.getIntent('REPAIR', state.executionId);
    const startedAt = earlier?.startedAt ?? now().toISOString();
    const repairId = earlier?.repairId ?? randomUUID();

    const finish = async (
      status: RepairStatus, original: number, newMemory: number, reason: string, extra: Partial<RepairOutput> = {},
    ): Promise<RepairOutput> => {
      const repairedAt = now().toISOString();
      const out: RepairOutput = {
        repairId,
        status,
        reason,
        result: { functionName: fn, originalMemory: original, newMemory, status, timestamp: repairedAt, executionId: state.executionId },
        originalMemoryMb: original,
        newMemoryMb: newMemory,
        startedAt,
        repairedAt,
        verifyAfterSeconds: policy.verificationWindowSeconds,
        iacChange: iacChangeFor(newMemory),
        ...extra,
      };
      // Same keys on every attempt (repair id and start from the intent): a retry overwrites.
      await store.putRepairRecord({
        repairId,
        functionName: fn,
        diagnosisId: d.diagnosisId,
        executionId: state.executionId,
        startTime: startedAt,
        endTime: repairedAt,
        originalMemory: original,
        newMemory,
        status,
        verificationStatus: status === 'SUCCEEDED' ? 'PENDING' : 'NOT_APPLICABLE',
        notificationStatus: 'PENDING',
      }, {
        reason,
        dryRun,
        approver: state.approval?.approver,
        // Which environment's guardrails and which strategy applied (absent: the stack's, raise memory).
        ...(policy.environment ? { environment: policy.environment } : {}),
        ...(policy.strategy.kind !== 'RAISE_MEMORY' ? { repairStrategy: policy.strategy.kind } : {}),
      });
      await store.putAudit({
        executionId: state.executionId,
        functionName: fn,
        step: 'repair',
        actor: state.approval?.approver ? `approved by ${state.approval.approver}` : 'lambda-auto-remediation',
        action: status === 'SUCCEEDED' ? 'UpdateFunctionConfiguration MemorySize' : `repair ${status}`,
        before: { memorySize: original },
        after: { memorySize: newMemory },
        why: reason,
        at: startedAt,
      });
      metrics.addMetric(`Repair${status}`, MetricUnit.Count, 1);
      logger.info('repair finished', { functionName: fn, status, original, newMemory });
      return out;
    };

    let intent: RepairIntent;
    let current = await readConfig(fn);
    if (earlier) {
      intent = earlier;
      logger.info('repair retried: continuing the recorded change', { functionName: fn, from: intent.fromMb, to: intent.toMb });
    } else {
      const original = current.summary.memorySize;
      const progressive = policy.strategy.kind === 'PROGRESSIVE';
      const refusal = progressive ? canaryRefusal(fn, qualifier, policy.aliases) : qualifierRefusal(fn, qualifier, policy.aliases);
      if (refusal) return finish('REFUSED', original, original, refusal);
      // A progressive repair goes through the configured alias, whatever the alarm watched.
      const via = progressive ? (isAlias(qualifier) ? qualifier : policy.aliases[0]) : qualifier;
      const ceiling = Math.min(policy.core.maxMemoryMb, LAMBDA_MAX_MEMORY_MB);
      const target = Math.min(Math.floor(d.targetMemoryMb), ceiling, original + policy.core.maxStepMb);
      if (target <= original) {
        return finish('SKIPPED', original, original, `function ${fn} already has ${original} MB, not below the proposed ${target} MB`);
      }
      // The configuration may have changed while the workflow waited (approval): not ours to override.
      if (original !== state.collection.functionConfig.memorySize) {
        const collected = state.collection.functionConfig.memorySize;
        return finish('SKIPPED', original, original, `memory of ${fn} changed from ${collected} MB to ${original} MB since collection; not overriding`);
      }
      let alias: RepairIntent['alias'];
      // A custom strategy's function decides how the change reaches the alias; ours only reads back.
      if (isAlias(via) && policy.strategy.kind !== 'CUSTOM') {
        const aliasRelease = await readAliasRelease(fn, via);
        const latest = await readLatestRelease(fn);
        const differs = releaseDifferences(aliasRelease.release, latest);
        if (differs.length > 0) {
          return finish('REFUSED', original, original,
            `alias ${via} of ${fn} runs version ${aliasRelease.version}, whose ${differs.join(', ')} differ from $LATEST: `
            + `publishing $LATEST would release changes that are not released yet. Raise the memory in your infrastructure code instead (${iacChangeFor(target)}) and deploy`);
        }
        alias = {
          name: via,
          versionBefore: aliasRelease.version,
          aliasRevisionBefore: aliasRelease.aliasRevisionId,
          codeSha256: latest.codeSha256,
          ...(progressive ? { canaryWeight: policy.strategy.canaryWeight! } : {}),
        };
      }
      if (dryRun) {
        const how = alias?.canaryWeight !== undefined
          ? ` and give it ${Math.round(alias.canaryWeight * 100)}% of alias ${alias.name}'s traffic as a canary`
          : alias ? ` and move alias ${alias.name}` : '';
        return finish('DRY_RUN', original, target, `dry run: would raise ${fn} from ${original} MB to ${target} MB${how}`);
      }
      // The revision read at collection guards against overwriting a deploy made since. With a
      // qualifier the collected revision is the version's, so $LATEST's own is used.
      const fromRevisionId = qualifier ? current.revisionId : state.collection.revisionId ?? current.revisionId;
      const recorded = await store.createIntent('REPAIR', {
        executionId: state.executionId,
        functionName: fn,
        repairId,
        startedAt,
        fromMb: original,
        toMb: target,
        ...(fromRevisionId ? { fromRevisionId } : {}),
        ...(alias ? { alias } : {}),
      }, now());
      intent = recorded.intent;
    }

    if (policy.strategy.kind === 'CUSTOM') {
      return customRepair(store, state, intent, !!earlier, policy.strategy.functionArn!, policy.strategy.timeoutMs!, finish);
    }

    let applied;
    try {
      const change = { functionName: fn, fromMb: intent.fromMb, toMb: intent.toMb, fromRevisionId: intent.fromRevisionId };
      applied = await applyMemoryChange(change, { current });
    } catch (err) {
      if (err instanceof RepairFailedError) return finish('FAILED', intent.fromMb, intent.fromMb, err.message);
      throw err;
    }
    if (applied.kind === 'changed-by-others') {
      const size = applied.current.summary.memorySize;
      return finish('CHANGED_BY_OTHERS', intent.fromMb, size, `${applied.reason}; the repair to ${intent.toMb} MB stopped`);
    }
    current = applied.config;
    const revisionAfterRepair = intent.appliedRevisionId ?? current.revisionId;
    if (!intent.appliedRevisionId && revisionAfterRepair) {
      await store.updateRepairIntent(state.executionId, { appliedRevisionId: revisionAfterRepair });
    }
    // Counted once per execution, on the day the repair started, however often it is retried.
    await store.noteRepair(fn, now().toISOString(), state.executionId, utcDay(intent.startedAt));

    let extra: Partial<RepairOutput> = revisionAfterRepair ? { revisionAfterRepair } : {};
    if (intent.alias?.canaryWeight !== undefined) {
      const started = await startCanary(store, state.executionId, fn, intent, revisionAfterRepair);
      if ('changedByOthers' in started) {
        return finish('CHANGED_BY_OTHERS', intent.fromMb, intent.toMb,
          `memory of $LATEST raised from ${intent.fromMb} MB to ${intent.toMb} MB, but ${started.changedByOthers}; alias ${intent.alias.name} still runs what it ran`, extra);
      }
      const c = started.canary;
      const bake = policy.strategy.bakeTimeSeconds ?? policy.verificationWindowSeconds;
      return finish('SUCCEEDED', intent.fromMb, intent.toMb,
        `canary: version ${c.version} of ${fn} with ${intent.toMb} MB (was ${intent.fromMb} MB) serves ${Math.round(c.weight * 100)}% of alias ${c.aliasName}, `
        + `which stays on version ${c.previousVersion} until the canary is verified: ${d.reason}`,
        {
          ...extra, aliasName: c.aliasName, publishedVersion: c.version, previousAliasVersion: c.previousVersion, canary: c, verifyAfterSeconds: bake,
        });
    }
    if (intent.alias) {
      const moved = await publishAndMove(store, state.executionId, fn, intent, revisionAfterRepair);
      if ('changedByOthers' in moved) {
        return finish('CHANGED_BY_OTHERS', intent.fromMb, intent.toMb,
          `memory of $LATEST raised from ${intent.fromMb} MB to ${intent.toMb} MB, but ${moved.changedByOthers}; alias ${intent.alias.name} still runs what it ran`, extra);
      }
      extra = { ...extra, aliasName: intent.alias.name, publishedVersion: moved.version, previousAliasVersion: intent.alias.versionBefore };
    }
    const why = `raised ${fn} from ${intent.fromMb} MB to ${intent.toMb} MB: ${d.reason}`;
    return finish('SUCCEEDED', intent.fromMb, intent.toMb, why, extra);
  }, input);
}

type Finish = (status: RepairStatus, original: number, newMemory: number, reason: string, extra?: Partial<RepairOutput>) => Promise<RepairOutput>;

/**
 * RepairStrategy.custom: the user's function makes the change; only the size read back counts.
 * A retry that finds the function at the target size (its earlier attempt worked) does not invoke
 * again. An error, a timeout or another size is FAILED with no change assumed.
 */
async function customRepair(
  store: Store, state: HandlerInputs['repair'], intent: RepairIntent, retried: boolean, functionArn: string, timeoutMs: number, finish: Finish,
): Promise<RepairOutput> {
  const fn = intent.functionName;
  const qualifier = state.alarm.qualifier;
  const name = functionNameOfArn(functionArn);
  const readBack = () => readConfig(fn, isAlias(qualifier) ? qualifier : undefined);
  const extra = { strategyFunction: functionArn, strategyTimeoutMs: timeoutMs };
  let found = await readBack();
  if (!(retried && found.summary.memorySize === intent.toMb)) {
    try {
      await invokeCustomRepair(functionArn, {
        action: 'RAISE',
        functionName: fn,
        ...(qualifier ? { qualifier } : {}),
        fromMemoryMb: intent.fromMb,
        toMemoryMb: intent.toMb,
        executionId: state.executionId,
        reason: state.diagnosis.reason,
      }, timeoutMs);
      // Lambda applies a configuration update asynchronously: wait for it like our own update.
      found = isAlias(qualifier) ? await readBack() : await waitUntilUpdated(fn);
    } catch (err) {
      const e = err as Error;
      const after = await readBack().catch(() => undefined);
      const note = after && after.summary.memorySize !== intent.fromMb ? `; ${fn} now has ${after.summary.memorySize} MB: check it` : '';
      return finish('FAILED', intent.fromMb, intent.fromMb,
        `repair function ${name} did not make the change (${e.name}: ${e.message}); no change assumed${note}`, extra);
    }
  }
  if (found.summary.memorySize !== intent.toMb) {
    return finish('FAILED', intent.fromMb, intent.fromMb,
      `repair function ${name} answered, but ${fn} has ${found.summary.memorySize} MB, not the ${intent.toMb} MB asked for: no change assumed`, extra);
  }
  await store.noteRepair(fn, now().toISOString(), state.executionId, utcDay(intent.startedAt));
  return finish('SUCCEEDED', intent.fromMb, intent.toMb,
    `raised ${fn} from ${intent.fromMb} MB to ${intent.toMb} MB through repair function ${name} (read back from the function's configuration): ${state.diagnosis.reason}`,
    { ...extra, ...(found.revisionId ? { revisionAfterRepair: found.revisionId } : {}) });
}

/** Why a progressive repair cannot release a canary for this function, if it cannot. */
function canaryRefusal(fn: string, qualifier: string | undefined, aliases: readonly string[]): string | undefined {
  if (isAlias(qualifier) && aliases.includes(qualifier)) return undefined;
  if (!qualifier || qualifier === '$LATEST') {
    if (aliases.length === 1) return undefined;
    return aliases.length === 0
      ? `the progressive repair strategy releases the new memory size through the function's alias, and ${fn} has none configured (addFunction(fn, { alias })): nothing was changed`
      : `the progressive repair strategy needs one alias of ${fn}, and ${aliases.length} are configured (${aliases.join(', ')}) while the alarm watched the function as a whole: nothing was changed`;
  }
  return qualifierRefusal(fn, qualifier, aliases);
}

/** Why a repair of an alarm on `qualifier` must not change `$LATEST`, if it must not. */
function qualifierRefusal(fn: string, qualifier: string | undefined, aliases: readonly string[]): string | undefined {
  if (!qualifier || qualifier === '$LATEST') return undefined;
  if (isAlias(qualifier) && aliases.includes(qualifier)) return undefined;
  const kind = isAlias(qualifier) ? 'alias' : 'version';
  return `the alarm watched ${kind} ${qualifier} of ${fn}, which is not configured for repair (addFunction(fn, { alias })): `
    + `changing $LATEST would not change what ${qualifier} runs. Configure the alias, or raise the memory in your infrastructure code`;
}

/**
 * Publish `$LATEST` (only the revision our update produced, with the code that was compared) and
 * move the alias from the version it pointed at. Retry-safe: an alias already at the version
 * this execution published is done; an alias somewhere else was moved by someone else.
 */
async function publishAndMove(
  store: Store, executionId: string, fn: string, intent: RepairIntent, revisionAfterRepair: string | undefined,
): Promise<{ version: string } | { changedByOthers: string }> {
  const alias = intent.alias!;
  const target = await getAliasTarget(fn, alias.name);
  if (intent.publishedVersion && target.version === intent.publishedVersion) return { version: intent.publishedVersion };
  if (target.version !== alias.versionBefore) {
    return { changedByOthers: `alias ${alias.name} was moved by someone else to version ${target.version} (it pointed at ${alias.versionBefore}): not moved` };
  }
  try {
    const version = intent.publishedVersion ?? await publishVersion(fn, revisionAfterRepair, alias.codeSha256);
    if (!intent.publishedVersion) await store.updateRepairIntent(executionId, { publishedVersion: version });
    await moveAlias(fn, alias.name, version, target.revisionId);
    return { version };
  } catch (err) {
    if (err instanceof RevisionChangedError) return { changedByOthers: err.message };
    throw err;
  }
}
