// The groups of `npm run mutation`, shared by stryker.config.mjs and stryker/run.mjs.

/**
 * The groups: what is mutated, and the tests that cover it (jest `testMatch`, under <rootDir>/test/).
 * Each group's TypeScript checker project is stryker/tsconfig.<group>.json.
 */
export const GROUPS = {
  // repair and rollback with their strategies, the Lambda calls they are made of (idempotence, alias
  // release), their intents
  repair: {
    mutate: [
      'src/repair/repair.lambda.ts',
      'src/repair/rollback.lambda.ts',
      'src/repair/progressive.ts', // the canary's alias routing (RepairStrategy.progressive)
      'src/runtime/custom-strategy.ts', // the user's repair function (RepairStrategy.custom)
      'src/runtime/lambda-config.ts:41-372',
      'src/runtime/store.ts:127-150', // Store.getIntent, Store.createIntent
      'src/runtime/store.ts:249-264', // Store.updateRepairIntent
    ],
    tests: ['handlers/repair.test.ts', 'runtime/lambda-config.test.ts', 'runtime/store.test.ts'],
  },
  // the lock store and the normalize guards: membership (names, tag, the list kept in the table), exclusion,
  // suppression, a standing conclusion, a superseded follow-up, lock, cooldown, budget, qualifier
  lock: {
    mutate: [
      // Store.releaseLock (lines 78-93) is left out: no handler calls it (releases go through
      // LockFollowUp.releaseIfUnchanged below, which checks the owner).
      'src/runtime/store.ts:36-76', // isConditionFailure, utcDay, Store.acquireLock
      'src/runtime/store.ts:95-124', // Store.functionState, Store.noteRepair (cooldown and budget)
      'src/runtime/store.ts:363-373', // Store.managedSettings (the managed list kept in the table)
      'src/runtime/lock-followup.ts',
      // normalize.lambda.ts by function. Line ranges (here and above) are of the code at 9143b23: when the
      // code moves, move them with it (the lock group's run of 2 December had ranges older than the code)
      'src/workflow/normalize.lambda.ts:89-93', // handler: the managed alarm-name prefix
      'src/workflow/normalize.lambda.ts:106-114', // resolve: ignored, suppressed, refusal of a target
      'src/workflow/normalize.lambda.ts:143-144', // fromDescribedAlarm: refusal
      'src/workflow/normalize.lambda.ts:164-169', // fromContributors: refusal per contributor, each function once
      'src/workflow/normalize.lambda.ts:237-238', // fromComposite: refusal per child
      'src/workflow/normalize.lambda.ts:253-258', // fromContributorInput: same function, refusal
      'src/workflow/normalize.lambda.ts:270-275', // fromReexamination: refusal; a standing conclusion is not diagnosed again
      'src/workflow/normalize.lambda.ts:305-309', // fromFollowUp: a superseded follow-up ends
      'src/workflow/normalize.lambda.ts:321-325', // refusal: membership, exclusion
      'src/workflow/normalize.lambda.ts:379-485', // lockAndGuard, guard (cooldown, budget), releaseQuietly, qualifierReview
      'src/workflow/normalize.lambda.ts:532-540', // alarmNameOf
      'src/runtime/membership.ts:28-68', // parseMembership, isManagedFunction
      'src/runtime/membership.ts:86-96', // managedSettings (fails closed without the settings item)
    ],
    tests: [
      'runtime/store.test.ts', 'runtime/lock-followup.test.ts', 'runtime/membership.test.ts', 'handlers/normalize.test.ts', 'handlers/reexamine.test.ts',
      'handlers/cleanup.test.ts', 'handlers/case-history.test.ts',
    ],
  },
  // policy resolution and validation: at synthesis, in the pure core, and as the handlers read it.
  // settings.ts is not in this group's checker project (stryker/tsconfig.policy.json): checking it
  // loads the CDK's types, so its mutants are tested without the type check.
  policy: {
    mutate: ['src/workflow/settings.ts', 'src/core/policy.ts', 'src/runtime/env.ts:56-242'],
    tests: [
      'constructs/policy-validation.test.ts', 'constructs/environments.test.ts', 'constructs/strategy-settings.test.ts', 'core/policy.test.ts',
      'runtime/env.test.ts', 'core/sizing.test.ts',
    ],
  },
  // sizing, the model merge and the decision
  decision: {
    mutate: ['src/core/sizing.ts', 'src/runtime/model-diagnosis.ts:137-248', 'src/runtime/diagnosis-engine.ts:115-176'],
    tests: ['core/sizing.test.ts', 'runtime/model-diagnosis.test.ts', 'handlers/diagnose.test.ts'],
  },
};
