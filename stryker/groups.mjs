// The groups of `npm run mutation`, shared by stryker.config.mjs and stryker/run.mjs.

/**
 * The groups: what is mutated, and the tests that cover it (jest `testMatch`, under <rootDir>/test/).
 * Each group's TypeScript checker project is stryker/tsconfig.<group>.json.
 */
export const GROUPS = {
  // repair and rollback, the Lambda calls they are made of (idempotence, alias release), their intents
  repair: {
    mutate: [
      'src/repair/repair.lambda.ts',
      'src/repair/rollback.lambda.ts',
      'src/runtime/lambda-config.ts:41-338',
      'src/runtime/store.ts:122-146',
      'src/runtime/store.ts:244-260',
    ],
    tests: ['handlers/repair.test.ts', 'runtime/lambda-config.test.ts'],
  },
  // the lock store and the normalize guards: membership, exclusion, suppression, lock, cooldown, budget, qualifier
  lock: {
    mutate: [
      // Store.releaseLock (lines 73-88) is left out: no handler calls it (releases go through
      // LockFollowUp.releaseIfUnchanged below, which checks the owner).
      'src/runtime/store.ts:32-71',
      'src/runtime/store.ts:90-120',
      'src/runtime/lock-followup.ts',
      'src/workflow/normalize.lambda.ts:72-76',
      'src/workflow/normalize.lambda.ts:89-97',
      'src/workflow/normalize.lambda.ts:124-125',
      'src/workflow/normalize.lambda.ts:147-149',
      'src/workflow/normalize.lambda.ts:218-219',
      'src/workflow/normalize.lambda.ts:234-239',
      'src/workflow/normalize.lambda.ts:251-252',
      'src/workflow/normalize.lambda.ts:277-283',
      'src/workflow/normalize.lambda.ts:336-441',
      'src/workflow/normalize.lambda.ts:463-470',
      'src/runtime/membership.ts:19-55',
    ],
    tests: ['runtime/store.test.ts', 'handlers/normalize.test.ts', 'handlers/reexamine.test.ts', 'handlers/cleanup.test.ts'],
  },
  // policy resolution and validation: at synthesis, in the pure core, and as the handlers read it.
  // settings.ts is not in this group's checker project (stryker/tsconfig.policy.json): checking it
  // loads the CDK's types, so its mutants are tested without the type check.
  policy: {
    mutate: ['src/workflow/settings.ts', 'src/core/policy.ts', 'src/runtime/env.ts:51-175'],
    tests: ['constructs/policy-validation.test.ts', 'core/policy.test.ts', 'runtime/env.test.ts', 'core/sizing.test.ts'],
  },
  // sizing, the model merge and the decision
  decision: {
    mutate: ['src/core/sizing.ts', 'src/runtime/model-diagnosis.ts:137-248', 'src/runtime/diagnosis-engine.ts:108-168'],
    tests: ['core/sizing.test.ts', 'runtime/model-diagnosis.test.ts', 'handlers/diagnose.test.ts'],
  },
};
