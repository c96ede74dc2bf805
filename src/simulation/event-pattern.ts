/**
 * EventBridge event pattern matching: exact values, `prefix`, `suffix`, `anything-but`,
 * `exists`, `numeric`, `equals-ignore-case`, `wildcard`, `$or`, nested objects, arrays in the event.
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
 */

/** Does `event` match `pattern`? */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  const e = event as Record<string, unknown>;
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      // "Comparison operators only work on leaf nodes, with the exception of $or and anything-but."
      // `"$or": [ {...}, {...} ]` matches when any of the sub-patterns matches at this level
      // ("Location is "New York", or Day is "Monday"").
      if (!Array.isArray(rule)) throw new Error(`$or needs a list of patterns, got ${JSON.stringify(rule)}`);
      if (!rule.some((sub) => sub && typeof sub === 'object' && !Array.isArray(sub) && matchesPattern(sub as Record<string, unknown>, e))) return false;
      continue;
    }
    const value = e[key];
    if (Array.isArray(rule)) {
      if (!matchesAny(rule, value)) return false;
    } else if (rule && typeof rule === 'object') {
      if (!matchesPattern(rule as Record<string, unknown>, value)) return false;
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
      return (rule as { exists: boolean }).exists === (value !== undefined);
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
