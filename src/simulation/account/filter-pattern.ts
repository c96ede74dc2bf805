/**
 * CloudWatch Logs filter and subscription pattern syntax, as `FilterLogEvents` and metric filters
 * apply it: terms (all must appear, case-sensitive), `"quoted phrases"`, `?term` alternatives,
 * `-term` exclusions, `%regex%`, JSON patterns `{ $.a.b = "v" && $.n > 5 }` and space-delimited
 * patterns `[a, b="REPORT", ..., c > 100]`.
 */

/** A compiled pattern: does a message match, and which named fields did it extract. */
export interface CompiledPattern {
  matches(message: string): boolean;
  /** Space-delimited / JSON field values for metric filter `$name` / `$.path` metric values. */
  extract(message: string): Record<string, string | number> | undefined;
}

export function compileFilterPattern(pattern: string | undefined): CompiledPattern {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return { matches: () => true, extract: () => ({}) };
  if (p.startsWith('{')) return compileJsonPattern(p);
  if (p.startsWith('[')) return compileSpacePattern(p);
  return compileTermPattern(p);
}

function compileTermPattern(p: string): CompiledPattern {
  const tokens = [...p.matchAll(/([?-]?)("(?:[^"\\]|\\.)*"|%[^%]*%|\S+)/g)].map((m) => ({ prefix: m[1], term: m[2] }));
  const test = (term: string, message: string) => {
    if (term.startsWith('%') && term.endsWith('%') && term.length > 1) return new RegExp(term.slice(1, -1)).test(message);
    const t = term.startsWith('"') ? term.slice(1, -1).replace(/\\"/g, '"') : term;
    return message.includes(t);
  };
  const optional = tokens.filter((t) => t.prefix === '?');
  const excluded = tokens.filter((t) => t.prefix === '-');
  const requiredTerms = tokens.filter((t) => t.prefix === '');
  const matches = (message: string) => {
    if (optional.length > 0 && !optional.some((t) => test(t.term, message))) return false;
    if (!requiredTerms.every((t) => test(t.term, message))) return false;
    return !excluded.some((t) => test(t.term, message));
  };
  return { matches, extract: (m) => (matches(m) ? {} : undefined) };
}

type JsonCond = { path: string[]; op: string; value: string | number | boolean | null };

function compileJsonPattern(p: string): CompiledPattern {
  const body = p.replace(/^\{\s*/, '').replace(/\s*\}$/, '');
  // Disjunction of conjunctions; parentheses are rare in practice and not supported here.
  const disjuncts = body.split('||').map((d) => d.replace(/[()]/g, '').split('&&').map((c) => parseJsonCond(c.trim())));
  const get = (obj: unknown, path: string[]): unknown => path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
  const evalCond = (doc: unknown, c: JsonCond) => {
    const v = get(doc, c.path);
    if (c.op === 'EXISTS') return v !== undefined;
    if (c.op === 'NOT EXISTS') return v === undefined;
    if (typeof c.value === 'number') {
      if (typeof v !== 'number') return false;
      switch (c.op) {
        case '=': return v === c.value;
        case '!=': return v !== c.value;
        case '>': return v > c.value;
        case '>=': return v >= c.value;
        case '<': return v < c.value;
        case '<=': return v <= c.value;
        default: return false;
      }
    }
    if (typeof c.value === 'string') {
      const re = new RegExp('^' + c.value.split('*').map(escapeRegex).join('.*') + '$');
      const hit = typeof v === 'string' && re.test(v);
      return c.op === '!=' ? !hit : hit;
    }
    return c.op === '!=' ? v !== c.value : v === c.value;
  };
  const parse = (message: string): unknown => {
    try {
      return JSON.parse(message);
    } catch {
      return undefined;
    }
  };
  const matches = (message: string) => {
    const doc = parse(message);
    return doc !== undefined && typeof doc === 'object' && disjuncts.some((conj) => conj.every((c) => evalCond(doc, c)));
  };
  return {
    matches,
    extract: (message) => {
      if (!matches(message)) return undefined;
      const doc = parse(message) as Record<string, unknown>;
      return new Proxy({}, { get: (_t, k) => (typeof k === 'string' ? get(doc, k.replace(/^\$\./, '').split('.')) : undefined) }) as Record<string, string | number>;
    },
  };
}

function parseJsonCond(c: string): JsonCond {
  const m = /^\$\.([\w.\[\]]+)\s*(=|!=|>=|<=|>|<|IS|NOT EXISTS|EXISTS)?\s*(.*)$/.exec(c);
  if (!m) throw new FilterPatternError(`unsupported json filter condition '${c}'`);
  const path = m[1].split('.');
  const op = m[2] ?? 'EXISTS';
  const raw = m[3].trim();
  let value: JsonCond['value'];
  if (raw.startsWith('"')) value = raw.slice(1, -1);
  else if (raw === 'TRUE' || raw === 'true') value = true;
  else if (raw === 'FALSE' || raw === 'false') value = false;
  else if (raw === 'NULL' || raw === 'null') value = null;
  else if (raw === '') value = null;
  else if (!Number.isNaN(Number(raw))) value = Number(raw);
  else value = raw;
  return { path, op: op === 'IS' ? '=' : op, value };
}

function compileSpacePattern(p: string): CompiledPattern {
  const inner = p.replace(/^\[\s*/, '').replace(/\s*\]$/, '');
  const fields = inner.split(',').map((f) => f.trim()).map((f) => {
    if (f === '...') return { name: '...', op: '', value: '' };
    const m = /^([\w]+)\s*(=|!=|>=|<=|>|<)?\s*(.*)$/.exec(f);
    if (!m) throw new FilterPatternError(`unsupported space-delimited field '${f}'`);
    return { name: m[1], op: m[2] ?? '', value: m[3].replace(/^"(.*)"$/, '$1') };
  });
  const split = (message: string): string[] => [...message.matchAll(/"[^"]*"|\[[^\]]*\]|\S+/g)].map((m) => m[0].replace(/^"(.*)"$/, '$1'));
  const fieldOk = (f: { op: string; value: string }, token: string) => {
    if (!f.op) return true;
    const num = Number(f.value);
    if (['>', '<', '>=', '<='].includes(f.op)) {
      const t = Number(token);
      if (Number.isNaN(t)) return false;
      return f.op === '>' ? t > num : f.op === '<' ? t < num : f.op === '>=' ? t >= num : t <= num;
    }
    const re = new RegExp('^' + f.value.split('*').map(escapeRegex).join('.*') + '$');
    return f.op === '=' ? re.test(token) : !re.test(token);
  };
  const extract = (message: string): Record<string, string | number> | undefined => {
    const tokens = split(message);
    const out: Record<string, string | number> = {};
    // Match fields to tokens; `...` absorbs any number of tokens (backtracking).
    const go = (fi: number, ti: number): boolean => {
      if (fi === fields.length) return ti === tokens.length || fields[fields.length - 1]?.name === '...';
      const f = fields[fi];
      if (f.name === '...') {
        for (let k = ti; k <= tokens.length; k++) if (go(fi + 1, k)) return true;
        return false;
      }
      if (ti >= tokens.length || !fieldOk(f, tokens[ti])) return false;
      out[f.name] = Number.isNaN(Number(tokens[ti])) ? tokens[ti] : Number(tokens[ti]);
      return go(fi + 1, ti + 1);
    };
    return go(0, 0) ? out : undefined;
  };
  return { matches: (m) => extract(m) !== undefined, extract };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}
