/**
 * A CloudWatch Logs Insights interpreter: `fields`, `filter`, `parse` (regex with named groups, or
 * glob with `as`), `sort`, `limit`, `display`, `dedup` and `stats` (count, sum, avg, min, max,
 * pct/percentile, stddev, count_distinct, `by` fields and `bin()`), boolean and comparison
 * operators, arithmetic, `like`/`=~` regular expressions and the scalar functions listed in
 * `scalarFunction`, over the fields Insights discovers.
 *
 * Follows:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html ("To create
 *   queries that contain multiple commands, separate the commands with the pipe character (|).")
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html
 *   (system fields `@message`, `@timestamp`, `@ingestionTime`, `@logStream`, and "`@log` is a log
 *   group identifier in the form of account-id:log-group-name"; for Lambda REPORT lines `@type`,
 *   `@requestId`, `@duration`, `@billedDuration`, `@memorySize`, `@maxMemoryUsed`, `@initDuration`;
 *   fields of JSON log events by their dotted path, e.g. `record.metrics.maxMemoryUsedMB`).
 * `@memorySize` and `@maxMemoryUsed` are in bytes: the discovered-fields page gives no unit, and
 * AWS's Lambda Operator Guide divides them by 1000/1000 to get MB ("avg(@maxMemoryUsed/1000/1000)",
 * https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/useful-queries).
 * A command or function Logs Insights does not have fails the query (MalformedQueryException at
 * StartQuery). Not modelled: `unnest`, `lookup`, `join`, `pattern`, `anomaly`, `diff`, `SOURCE`,
 * `filterIndex`, the `datefloor`/`fromMillis` family, `sort` over several fields, comments.
 */

export type Row = Record<string, string | number | undefined>;

/** The fields Logs Insights discovers in one Lambda log event. */
export function discoverFields(message: string, timestamp: number, logGroup: string, logStream: string, ingestionTime = timestamp): Row {
  const row: Row = {
    '@timestamp': timestamp,
    '@message': message,
    '@ingestionTime': ingestionTime,
    '@log': `123456789012:${logGroup}`,
    '@logStream': logStream,
  };
  const report = /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB(?:\tInit Duration: ([\d.]+) ms)?/.exec(message);
  if (report) {
    row['@type'] = 'REPORT';
    row['@requestId'] = report[1];
    row['@duration'] = Number(report[2]);
    row['@billedDuration'] = Number(report[3]);
    // Insights reports the memory fields in bytes (1 MB = 1,000,000 bytes as Lambda logs them).
    row['@memorySize'] = Number(report[4]) * 1e6;
    row['@maxMemoryUsed'] = Number(report[5]) * 1e6;
    if (report[6]) row['@initDuration'] = Number(report[6]);
    return row;
  }
  const startEnd = /^(START|END) RequestId: (\S+)/.exec(message);
  if (startEnd) {
    row['@type'] = startEnd[1];
    row['@requestId'] = startEnd[2];
    return row;
  }
  if (message.startsWith('{')) {
    try {
      flatten(JSON.parse(message), '', row);
    } catch {
      // not JSON after all: only @message
    }
  }
  return row;
}

function flatten(value: unknown, prefix: string, out: Row): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === 'number' || typeof value === 'string') {
    out[prefix] = value;
  } else if (typeof value === 'boolean') {
    out[prefix] = String(value);
  }
}

type Tok = { t: 'num' | 'str' | 're' | 'id' | 'op' | 'punct'; v: string };

function tokenize(s: string): Tok[] {
  const re = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\/(?:[^/\\]|\\.)+\/[a-z]*)|(@?[A-Za-z_][\w.@]*|`[^`]+`)|(==|!=|<=|>=|=~|[=<>+\-*/%])|([(),*]))/gy;
  const out: Tok[] = [];
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(s)) !== null) {
    last = re.lastIndex;
    if (m[1] !== undefined) {out.push({ t: 'num', v: m[1] });} else if (m[2] !== undefined) {out.push({ t: 'str', v: m[2].slice(1, -1).replace(/\\(.)/g, '$1') });} else if (m[3] !== undefined) {
      const prev = out[out.length - 1];
      if (prev && ((prev.t === 'id' && !['like', 'and', 'or', 'not', 'in'].includes(prev.v.toLowerCase())) || prev.t === 'num' || prev.t === 'str' || prev.v === ')')) {
        // After an operand a slash divides; re-scan from just after it.
        out.push({ t: 'op', v: '/' });
        re.lastIndex = m.index + m[0].indexOf('/') + 1;
        last = re.lastIndex;
        continue;
      }
      out.push({ t: 're', v: m[3] });
    } else if (m[4] !== undefined) {out.push({ t: 'id', v: m[4].replace(/^`|`$/g, '') });} else if (m[5] !== undefined) {out.push({ t: 'op', v: m[5] });} else {out.push({ t: 'punct', v: m[6] });}
    if (re.lastIndex >= s.length) break;
  }
  if (s.slice(last).trim() !== '') throw new InsightsQueryError(`cannot parse '${s.slice(last).trim()}' in logs insights query`);
  return out;
}

type Expr = (row: Row) => unknown;

class ExprParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  public done(): boolean {
    return this.i >= this.toks.length;
  }
  public peek(): Tok | undefined {
    return this.toks[this.i];
  }
  public next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw new InsightsQueryError('unexpected end of logs insights expression');
    return t;
  }
  public isWord(w: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v.toLowerCase() === w;
  }

  public parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.i++;
      const l = left;
      const r = this.parseAnd();
      left = (row) => truthy(l(row)) || truthy(r(row));
    }
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord('and')) {
      this.i++;
      const l = left;
      const r = this.parseNot();
      left = (row) => truthy(l(row)) && truthy(r(row));
    }
    return left;
  }
  private parseNot(): Expr {
    if (this.isWord('not')) {
      this.i++;
      const e = this.parseNot();
      return (row) => !truthy(e(row));
    }
    return this.parseCompare();
  }
  private parseCompare(): Expr {
    const left = this.parseAdd();
    const t = this.peek();
    if (t && ((t.t === 'op' && ['=', '==', '!=', '<', '>', '<=', '>=', '=~'].includes(t.v)) || (t.t === 'id' && ['like', 'in'].includes(t.v.toLowerCase())))) {
      this.i++;
      const op = t.v.toLowerCase();
      if (op === 'like' || op === '=~') {
        const rt = this.next();
        const regex = rt.t === 're' ? toRegex(rt.v) : new RegExp(escapeRegex(rt.v));
        return (row) => {
          const v = left(row);
          return v !== undefined && regex.test(String(v));
        };
      }
      if (op === 'in') {
        // `field in ["a", "b"]` is rare; support the parenthesised list form.
        const values: unknown[] = [];
        this.next();
        while (this.peek() && this.peek()!.v !== ')') {
          const tok = this.next();
          if (tok.v !== ',') values.push(tok.t === 'num' ? Number(tok.v) : tok.v);
        }
        this.next();
        return (row) => values.includes(left(row));
      }
      const right = this.parseAdd();
      return (row) => compare(op, left(row), right(row));
    }
    return left;
  }
  private parseAdd(): Expr {
    let left = this.parseMul();
    while (this.peek()?.t === 'op' && ['+', '-'].includes(this.peek()!.v)) {
      const op = this.next().v;
      const l = left;
      const r = this.parseMul();
      left = (row) => arith(op, l(row), r(row));
    }
    return left;
  }
  private parseMul(): Expr {
    let left = this.parseUnary();
    while ((this.peek()?.t === 'op' && ['/', '%'].includes(this.peek()!.v)) || (this.peek()?.t === 'punct' && this.peek()!.v === '*') || (this.peek()?.t === 'op' && this.peek()!.v === '*')) {
      const op = this.next().v;
      const l = left;
      const r = this.parseUnary();
      left = (row) => arith(op, l(row), r(row));
    }
    return left;
  }
  private parseUnary(): Expr {
    if (this.peek()?.t === 'op' && this.peek()!.v === '-') {
      this.i++;
      const e = this.parseUnary();
      return (row) => -Number(e(row));
    }
    return this.parsePrimary();
  }
  private parsePrimary(): Expr {
    const t = this.next();
    if (t.t === 'num') {
      const n = Number(t.v);
      return () => n;
    }
    if (t.t === 'str') return () => t.v;
    if (t.t === 're') {
      const r = toRegex(t.v);
      return () => r;
    }
    if (t.t === 'punct' && t.v === '(') {
      const e = this.parseOr();
      this.next();
      return e;
    }
    if (t.t === 'id') {
      if (this.peek()?.v === '(') {
        this.next();
        const args: Expr[] = [];
        while (this.peek() && this.peek()!.v !== ')') {
          if (this.peek()!.v === ',') {
            this.next();
            continue;
          }
          args.push(this.parseOr());
        }
        this.next();
        return scalarFunction(t.v.toLowerCase(), args);
      }
      const name = t.v;
      return (row) => row[name];
    }
    throw new InsightsQueryError(`unexpected '${t.v}' in logs insights expression`);
  }
}

function scalarFunction(name: string, args: Expr[]): Expr {
  switch (name) {
    case 'ispresent': return (row) => args[0](row) !== undefined;
    case 'isempty': return (row) => args[0](row) === undefined || args[0](row) === '';
    case 'abs': return (row) => Math.abs(Number(args[0](row)));
    case 'ceil': return (row) => Math.ceil(Number(args[0](row)));
    case 'floor': return (row) => Math.floor(Number(args[0](row)));
    case 'strlen': return (row) => String(args[0](row) ?? '').length;
    case 'tolower': return (row) => String(args[0](row) ?? '').toLowerCase();
    case 'toupper': return (row) => String(args[0](row) ?? '').toUpperCase();
    case 'coalesce': return (row) => args.map((a) => a(row)).find((v) => v !== undefined);
    case 'strcontains': return (row) => (String(args[0](row) ?? '').includes(String(args[1](row) ?? '')) ? 1 : 0);
    case 'concat': return (row) => args.map((a) => a(row) ?? '').join('');
    case 'substr': return (row) => {
      const v = String(args[0](row) ?? '');
      const from = Number(args[1](row));
      return args[2] ? v.substr(from, Number(args[2](row))) : v.substr(from);
    };
    case 'replace': return (row) => String(args[0](row) ?? '').split(String(args[1](row))).join(String(args[2](row)));
    case 'trim': return (row) => String(args[0](row) ?? '').trim();
    case 'greatest': return (row) => Math.max(...args.map((a) => Number(a(row))).filter((n) => Number.isFinite(n)));
    case 'least': return (row) => Math.min(...args.map((a) => Number(a(row))).filter((n) => Number.isFinite(n)));
    default: throw new InsightsQueryError(`unsupported logs insights function '${name}'`);
  }
}

function truthy(v: unknown): boolean {
  return v !== undefined && v !== false && v !== 0 && v !== '';
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (a === undefined) return op === '!=' ? b !== undefined : false;
  const bothNum = typeof a === 'number' || typeof b === 'number';
  const x = bothNum ? Number(a) : String(a);
  const y = bothNum ? Number(b) : String(b);
  switch (op) {
    case '=': case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
    default: return false;
  }
}

function arith(op: string, a: unknown, b: unknown): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return x / y;
    default: return x % y;
  }
}

function toRegex(lit: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(lit)!;
  return new RegExp(m[1], m[2].replace(/[^imsu]/g, ''));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Split at top-level commas. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quote: string | undefined;
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === '\'' || ch === '/') {
      if (ch !== '/' || cur.trim() === '' || /(like|=~)\s*$/.test(cur)) quote = ch;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Split a query at top-level pipes. */
function splitPipes(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of q) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === '\'') quote = ch;
    if (ch === '/' && /(like|=~|parse\s+\S+)\s*$/.test(cur)) quote = '/';
    if (ch === '|') {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function aliasOf(item: string): { expr: string; alias: string } {
  const m = /^(.*?)\s+as\s+([@\w.]+)\s*$/is.exec(item);
  return m ? { expr: m[1].trim(), alias: m[2] } : { expr: item.trim(), alias: item.trim() };
}

function compileExpr(src: string): Expr {
  const p = new ExprParser(tokenize(src));
  const e = p.parseOr();
  if (!p.done()) throw new InsightsQueryError(`unexpected '${p.peek()!.v}' in '${src}'`);
  return e;
}

/** Run `query` over `rows` (already limited to the time range), returning result rows. */
export function runInsightsLogQuery(query: string, rows: Row[]): Row[] {
  let current = rows;
  let limit: number | undefined;
  let projection: string[] | undefined;
  for (const cmd of splitPipes(query)) {
    const m = /^(\w+)\s*(.*)$/s.exec(cmd);
    if (!m) continue;
    const [, name, rest] = m;
    switch (name.toLowerCase()) {
      case 'fields': {
        const items = splitTop(rest).map(aliasOf).map(({ expr, alias }) => ({ alias, e: compileExpr(expr) }));
        current = current.map((row) => {
          const out = { ...row };
          for (const it of items) out[it.alias] = it.e(row) as string | number | undefined;
          return out;
        });
        projection = [...new Set([...(projection ?? []), ...items.map((i) => i.alias)])];
        break;
      }
      case 'display':
        projection = splitTop(rest);
        break;
      case 'filter': {
        const e = compileExpr(rest);
        current = current.filter((row) => truthy(e(row)));
        break;
      }
      case 'parse': {
        const pm = /^(\S+)\s+(\/.*\/[a-z]*)\s*$/s.exec(rest) ?? /^(\S+)\s+"(.*)"\s+as\s+(.+)$/s.exec(rest);
        if (!pm) throw new InsightsQueryError(`unsupported parse command '${cmd}'`);
        const field = pm[1];
        if (pm[2].startsWith('/')) {
          const re = toRegex(pm[2]);
          current = current.map((row) => {
            const mm = re.exec(String(row[field] ?? ''));
            return mm?.groups ? { ...row, ...Object.fromEntries(Object.entries(mm.groups).map(([k, v]) => [k, numeric(v)])) } : row;
          });
        } else {
          const names = pm[3].split(',').map((s) => s.trim());
          const parts = pm[2].split('*');
          if (names.length !== parts.length - 1) throw new InsightsQueryError(`parse pattern '${pm[2]}' has ${parts.length - 1} wildcards but ${names.length} names`);
          // Each * captures as little as it can, except a trailing * that takes the rest of the field.
          const re = new RegExp(parts.map(escapeRegex).map((lit, i) => (i === 0 ? lit : (i === parts.length - 1 && lit === '' ? '(.*)' : `(.*?)${lit}`))).join(''), 's');
          current = current.map((row) => {
            const mm = re.exec(String(row[field] ?? ''));
            return mm ? { ...row, ...Object.fromEntries(names.map((n, i) => [n, numeric(mm[i + 1])])) } : row;
          });
        }
        break;
      }
      case 'sort': {
        const sm = /^(\S+)(?:\s+(asc|desc))?\s*$/i.exec(rest);
        if (!sm) throw new InsightsQueryError(`unsupported sort command '${cmd}'`);
        const dir = (sm[2] ?? 'desc').toLowerCase() === 'asc' ? 1 : -1;
        const f = sm[1];
        current = [...current].sort((a, b) => {
          const x = a[f];
          const y = b[f];
          if (x === y) return 0;
          if (x === undefined) return 1;
          if (y === undefined) return -1;
          return (x < y ? -1 : 1) * dir;
        });
        break;
      }
      case 'limit':
        limit = Number(rest.trim());
        current = current.slice(0, limit);
        break;
      case 'stats':
        current = runStats(rest, current);
        projection = undefined;
        break;
      case 'dedup': {
        const keys = splitTop(rest);
        const seen = new Set<string>();
        current = current.filter((row) => {
          const k = JSON.stringify(keys.map((f) => row[f]));
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        break;
      }
      default:
        throw new InsightsQueryError(`unsupported logs insights command '${name}'`);
    }
  }
  if (projection) {
    const keep = [...projection];
    current = current.map((row) => Object.fromEntries(keep.filter((k) => row[k] !== undefined).map((k) => [k, row[k]])));
  }
  return limit !== undefined ? current.slice(0, limit) : current;
}

function numeric(v: string | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return v.trim() !== '' && !Number.isNaN(n) ? n : v;
}

const STATS_FUNCTIONS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'stddev', 'pct', 'percentile'];

function runStats(spec: string, rows: Row[]): Row[] {
  const byM = /^(.*?)\s+by\s+(.+)$/is.exec(spec);
  const aggPart = byM ? byM[1] : spec;
  const groupItems = byM ? splitTop(byM[2]).map(aliasOf) : [];
  const aggs = splitTop(aggPart).map(aliasOf).map(({ expr, alias }) => {
    const am = /^(\w+)\s*\((.*)\)$/s.exec(expr);
    if (!am) throw new InsightsQueryError(`unsupported stats aggregate '${expr}'`);
    const fn = am[1].toLowerCase();
    const args = splitTop(am[2]);
    const arg = args[0] === '*' || args[0] === undefined || args[0] === '' ? undefined : compileExpr(args[0]);
    if (!STATS_FUNCTIONS.includes(fn)) throw new InsightsQueryError(`unsupported stats function '${fn}'`);
    return { fn, alias, arg, extra: args[1] ? Number(args[1]) : undefined };
  });
  const groupExprs = groupItems.map(({ expr, alias }) => {
    const bm = /^bin\s*\(\s*(\d+)\s*([smhd])\s*\)$/i.exec(expr);
    if (bm) {
      const ms = Number(bm[1]) * ({ s: 1000, m: 60000, h: 3600000, d: 86400000 } as Record<string, number>)[bm[2].toLowerCase()];
      return { alias, e: ((row: Row) => Math.floor(Number(row['@timestamp']) / ms) * ms) as Expr };
    }
    return { alias, e: compileExpr(expr) };
  });
  const groups = new Map<string, { key: Row; rows: Row[] }>();
  for (const row of rows) {
    const key: Row = Object.fromEntries(groupExprs.map((g) => [g.alias, g.e(row) as string | number | undefined]));
    const k = JSON.stringify(key);
    if (!groups.has(k)) groups.set(k, { key, rows: [] });
    groups.get(k)!.rows.push(row);
  }
  const out: Row[] = [];
  for (const { key, rows: rs } of groups.values()) {
    const result: Row = { ...key };
    for (const a of aggs) {
      const vals = a.arg ? rs.map((r) => a.arg!(r)).filter((v) => v !== undefined) : rs;
      const nums = (vals as unknown[]).map(Number).filter((n) => Number.isFinite(n));
      switch (a.fn) {
        case 'count': result[a.alias] = vals.length; break;
        case 'count_distinct': result[a.alias] = new Set(vals.map((v) => JSON.stringify(v))).size; break;
        case 'sum': result[a.alias] = nums.reduce((x, y) => x + y, 0); break;
        case 'avg': result[a.alias] = nums.length ? nums.reduce((x, y) => x + y, 0) / nums.length : undefined; break;
        case 'min': result[a.alias] = nums.length ? Math.min(...nums) : undefined; break;
        case 'max': result[a.alias] = nums.length ? Math.max(...nums) : undefined; break;
        case 'stddev': {
          const mean = nums.reduce((x, y) => x + y, 0) / (nums.length || 1);
          result[a.alias] = nums.length ? Math.sqrt(nums.reduce((x, y) => x + (y - mean) ** 2, 0) / nums.length) : undefined;
          break;
        }
        case 'percentile':
        case 'pct': {
          const sorted = [...nums].sort((x, y) => x - y);
          const rank = Math.ceil(((a.extra ?? 50) / 100) * sorted.length) - 1;
          result[a.alias] = sorted.length ? sorted[Math.max(0, Math.min(sorted.length - 1, rank))] : undefined;
          break;
        }
        default: throw new InsightsQueryError(`unsupported stats function '${a.fn}'`);
      }
    }
    out.push(result);
  }
  return out;
}

export class InsightsQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InsightsQueryError';
  }
}
