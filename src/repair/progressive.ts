/**
 * The progressive repair (`RepairStrategy.progressive`), in the order it runs:
 *
 * 1. repair (repair.lambda.ts): `$LATEST` gets the new memory size, as for every strategy; it is
 *    published as a version only when it runs what the alias's version runs apart from memory;
 *    then {@link startCanary} gives that version `canaryWeight` of the alias's invocations, the
 *    alias still pointing at the old version (weighted alias routing).
 * 2. the state machine waits the bake time (`$.repair.verifyAfterSeconds`).
 * 3. verify (verify.lambda.ts) compares the two versions side by side over the bake time, with
 *    the metrics Lambda publishes per `ExecutedVersion` for alias invocations.
 * 4. a canary that fails less is promoted by {@link promoteCanary} (the repair handler invoked
 *    with `{ promote: true }`): the alias points at it, the routing is cleared. Any other verdict
 *    goes to rollback (rollback.lambda.ts), whose {@link removeCanary} clears the routing and
 *    leaves the alias on the old version, then restores `$LATEST`.
 *
 * Each step reads the alias first and acts only on the state the previous step left (conditional
 * on the alias's RevisionId): a retry finds its own change done; an alias changed by someone
 * else (a deploy) is left alone and the outcome says so.
 *
 * Lambda's rules for weighted aliases
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html and
 * https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html): at most two
 * versions, both published (never `$LATEST`), a weight between 0.0 and 1.0 for the second one.
 */
import { now } from '../runtime/clock';
import { getAliasTarget, publishVersion, RevisionChangedError, routeAlias } from '../runtime/lambda-config';
import { Store } from '../runtime/store';
import { CanaryRelease, PromotionOutput, RepairIntent } from '../workflow/contract';

/** True when the alias routes exactly `weight` of its traffic to `version` and the rest to `primary`. */
function routesCanary(target: { version: string; weights: Readonly<Record<string, number>> }, primary: string, version: string): boolean {
  const keys = Object.keys(target.weights);
  return target.version === primary && keys.length === 1 && keys[0] === version;
}

function hasNoRouting(target: { weights: Readonly<Record<string, number>> }): boolean {
  return Object.values(target.weights).every((w) => w === 0);
}

/**
 * Step 1: publish `$LATEST` (the revision our memory update produced, with the code compared
 * against the alias's version) and route `canaryWeight` of the alias's traffic to it. Retry-safe:
 * the version is recorded in the intent once published, and an alias already routing to it is done.
 */
export async function startCanary(
  store: Store, executionId: string, fn: string, intent: RepairIntent, revisionAfterRepair: string | undefined,
): Promise<{ canary: CanaryRelease } | { changedByOthers: string }> {
  const alias = intent.alias!;
  const weight = alias.canaryWeight!;
  const target = await getAliasTarget(fn, alias.name);
  if (intent.publishedVersion && routesCanary(target, alias.versionBefore, intent.publishedVersion)) {
    const version = intent.publishedVersion;
    return { canary: { aliasName: alias.name, version, previousVersion: alias.versionBefore, weight: target.weights[version] } };
  }
  if (target.version !== alias.versionBefore || !hasNoRouting(target)) {
    return {
      changedByOthers: `alias ${alias.name} was changed by someone else (it points at version ${target.version}`
        + `${hasNoRouting(target) ? '' : ` with routing ${JSON.stringify(target.weights)}`}; it pointed at ${alias.versionBefore} alone): no canary started`,
    };
  }
  try {
    const version = intent.publishedVersion ?? await publishVersion(fn, revisionAfterRepair, alias.codeSha256);
    if (!intent.publishedVersion) await store.updateRepairIntent(executionId, { publishedVersion: version });
    if (version === alias.versionBefore) {
      // Lambda returns the last version when nothing changed since it was published: the memory
      // update is then not in it, and there is nothing to release.
      return { changedByOthers: `publishing $LATEST returned version ${version}, the alias's own: the new memory size is not in a new version; no canary started` };
    }
    await routeAlias(fn, alias.name, alias.versionBefore, { [version]: weight }, target.revisionId);
    return { canary: { aliasName: alias.name, version, previousVersion: alias.versionBefore, weight } };
  } catch (err) {
    if (err instanceof RevisionChangedError) return { changedByOthers: err.message };
    throw err;
  }
}

/**
 * Step 4a: point the alias at the canary and clear the routing, only while the alias is as the
 * canary left it. Retry-safe: an alias already on the canary without routing is promoted.
 */
export async function promoteCanary(fn: string, canary: CanaryRelease): Promise<PromotionOutput> {
  const at = () => now().toISOString();
  const target = await getAliasTarget(fn, canary.aliasName);
  if (target.version === canary.version && hasNoRouting(target)) {
    return { status: 'PROMOTED', reason: `alias ${canary.aliasName} of ${fn} points at version ${canary.version} (promoted)`, aliasVersion: canary.version, promotedAt: at() };
  }
  const othersReason = `alias ${canary.aliasName} of ${fn} was changed by someone else since the canary started (now version ${target.version}`
    + `${hasNoRouting(target) ? '' : ` with routing ${JSON.stringify(target.weights)}`}): not promoted`;
  if (!routesCanary(target, canary.previousVersion, canary.version)) {
    return { status: 'CHANGED_BY_OTHERS', reason: othersReason, aliasVersion: target.version, promotedAt: at() };
  }
  try {
    await routeAlias(fn, canary.aliasName, canary.version, {}, target.revisionId);
  } catch (err) {
    if (err instanceof RevisionChangedError) return { status: 'CHANGED_BY_OTHERS', reason: othersReason, aliasVersion: target.version, promotedAt: at() };
    throw err;
  }
  return {
    status: 'PROMOTED',
    reason: `canary version ${canary.version} promoted: alias ${canary.aliasName} of ${fn} moved from version ${canary.previousVersion} to ${canary.version}, routing cleared`,
    aliasVersion: canary.version,
    promotedAt: at(),
  };
}

/** What {@link removeCanary} found or did. */
export type CanaryRemoval = { readonly removed: true; readonly note: string } | { readonly removed: false; readonly changedByOthers: string };

/**
 * Step 4b: clear the routing, the alias staying on the old version, only while the alias is as
 * the canary left it. Retry-safe: an alias on the old version without routing is done.
 */
export async function removeCanary(fn: string, canary: CanaryRelease): Promise<CanaryRemoval> {
  const note = `canary routing to version ${canary.version} removed; alias ${canary.aliasName} stays on version ${canary.previousVersion}`;
  const target = await getAliasTarget(fn, canary.aliasName);
  if (target.version === canary.previousVersion && hasNoRouting(target)) return { removed: true, note };
  const changed = `alias ${canary.aliasName} of ${fn} (now version ${target.version}`
    + `${hasNoRouting(target) ? '' : ` with routing ${JSON.stringify(target.weights)}`})`;
  if (!routesCanary(target, canary.previousVersion, canary.version)) return { removed: false, changedByOthers: changed };
  try {
    await routeAlias(fn, canary.aliasName, canary.previousVersion, {}, target.revisionId);
  } catch (err) {
    if (err instanceof RevisionChangedError) return { removed: false, changedByOthers: changed };
    throw err;
  }
  return { removed: true, note };
}
