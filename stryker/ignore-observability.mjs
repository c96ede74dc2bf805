/**
 * Stryker ignorer: mutants inside log and metric calls (`logger.info(...)`, `metrics.addMetric(...)`)
 * are not counted. Those calls are observability only: nothing in the workflow reads them back, so
 * a mutant there cannot change what the remediation does (the log text itself is covered where it
 * matters, e.g. secrets kept out of logs, by the tests of the code that builds it).
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const OBSERVERS = new Set(['logger', 'metrics']);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'observability', {
    shouldIgnore(path) {
      if (!path.isExpressionStatement()) return undefined;
      let call = path.node.expression;
      if (call.type === 'AwaitExpression') call = call.argument;
      if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
      const object = call.callee.object;
      if (object.type === 'Identifier' && OBSERVERS.has(object.name)) {
        return `observability only: a ${object.name}.* call does not change what the workflow does`;
      }
      return undefined;
    },
  }),
];
