/**
 * IAM evaluation in `simulate` is optional. The evaluator, @cloud-copilot/iam-simulate, is
 * AGPL-3.0-or-later, so this Apache-2.0 package neither bundles it nor depends on it: the command
 * line looks for it at run time (the CLI bundle marks it external, so `require` resolves it from
 * the user's own node_modules), and the simulation evaluates IAM only when it is there
 * (src/simulation/account/iam.ts loads it when an authorizer is built; the runner's `iam` option
 * says whether to build one).
 */

/** The evaluator's package name. */
export const IAM_EVALUATOR_PACKAGE = '@cloud-copilot/iam-simulate';

/** Whether the evaluator can be loaded from here. */
export function iamEvaluatorInstalled(resolveModule: () => string = resolveEvaluator): boolean {
  try {
    resolveModule();
    return true;
  } catch {
    return false;
  }
}

// A literal `require.resolve` so that bundlers leave the (external) name as it is.
function resolveEvaluator(): string {
  return require.resolve('@cloud-copilot/iam-simulate');
}

/**
 * The report's line on IAM: on when every scenario's calls were authorized by the evaluator,
 * otherwise off, saying how to turn it on.
 */
export function iamEvaluationLine(installed: boolean, results: ReadonlyArray<{ readonly iamEvaluated?: boolean }>): string {
  if (!installed) return `IAM evaluation: off (install ${IAM_EVALUATOR_PACKAGE} to turn it on)`;
  if (results.length > 0 && results.every((r) => r.iamEvaluated === true)) return `IAM evaluation: on (${IAM_EVALUATOR_PACKAGE})`;
  return `IAM evaluation: off (${IAM_EVALUATOR_PACKAGE} is installed, but this simulation does not evaluate IAM)`;
}
