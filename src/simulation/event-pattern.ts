/**
 * EventBridge event pattern matching: exact values, `prefix`, `suffix`, `anything-but`,
 * `exists`, `numeric`, `equals-ignore-case`, `wildcard`, `$or`, nested objects, arrays in the event.
 *
 * Sources: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * ("Comparison operators only work on leaf nodes, with the exception of $or and anything-but";
 * "Exists matching only works on leaf nodes"), and the matcher EventBridge runs, Event Ruler
 * (https://github.com/aws/event-ruler, README "The $or Primitive": an `$or` is an array of two or
 * more objects, each an alternative pattern; otherwise `$or` is an ordinary field name). Ruler
 * matches flattened leaf paths, so `{"a": {"b": [{"exists": false}]}}` matches an event without `a`.
 */

/** Does `event` match `pattern`? */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  return matchesObject(pattern, event);
}

/** Ruler's reserved words: an `$or` alternative using one of them as a field is not an `$or`. */
const RESERVED = new Set(['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'wildcard', 'cidr']);

function isOrRule(rule: unknown): rule is Record<string, unknown>[] {
  return Array.isArray(rule) && rule.length >= 2
    && rule.every((alt) => alt !== null && typeof alt === 'object' && !Array.isArray(alt) && !Object.keys(alt).some((k) => RESERVED.has(k)));
}

function matchesObject(pattern: Record<string, unknown>, value: unknown): boolean {
  // An event array is matched element by element (Ruler flattens arrays).
  if (Array.isArray(value)) return value.some((el) => matchesObject(pattern, el));
  // A missing (or non-object) node has no leaves: only `exists: false` leaves can match below it.
  const e = value !== null && typeof value === 'object' ? value as Record<string, unknown> : {};
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or' && isOrRule(rule)) {
      if (!rule.some((alt) => matchesObject(alt, e))) return false;
      continue;
    }
    const v = e[key];
    if (Array.isArray(rule)) {
      if (!matchesAny(rule, v)) return false;
    } else if (rule && typeof rule === 'object') {
      if (!matchesObject(rule as Record<string, unknown>, v)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchesAny(rules: unknown[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule && typeof rule === 'object' && 'exists' in (rule as object)) {
      // Only a leaf exists for `exists`: an object there is an intermediate node (Ruler README).
      const leaf = value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value));
      return (rule as { exists: boolean }).exists === leaf;
    }
    return values.some((v) => matchesOne(rule, v));
  });
}

function matchesOne(rule: unknown, v: unknown): boolean {
  if (rule === null || typeof rule !== 'object') return v !== undefined && rule === v;
  const r = rule as Record<string, unknown>;
  if (v === undefined) return false;
  if ('prefix' in r) return typeof v === 'string' && v.startsWith(String(r.prefix));
  if ('suffix' in r) return typeof v === 'string' && v.endsWith(String(r.suffix));
  if ('equals-ignore-case' in r) return typeof v === 'string' && v.toLowerCase() === String(r['equals-ignore-case']).toLowerCase();
  if ('wildcard' in r) return typeof v === 'string' && new RegExp('^' + String(r.wildcard).split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(v);
  if ('anything-but' in r) {
    const ab = r['anything-but'];
    if (Array.isArray(ab)) return !ab.includes(v);
    if (ab && typeof ab === 'object') return !matchesOne(ab, v);
    return v !== ab;
  }
  if ('numeric' in r) {
    const ops = r.numeric as Array<string | number>;
    if (typeof v !== 'number') return false;
    for (let i = 0; i < ops.length; i += 2) {
      const op = ops[i];
      const n = Number(ops[i + 1]);
      const ok = op === '=' ? v === n : op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : op === '<=' ? v <= n : false;
      if (!ok) return false;
    }
    return true;
  }
  return false;
}
