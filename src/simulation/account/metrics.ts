/**
 * The simulated CloudWatch metric store: raw datapoints per metric and minute, statistics over
 * any period, metric math (arithmetic over other query ids) and Metrics Insights queries
 * (`SELECT FUNC(metric) FROM [SCHEMA(]"namespace"[, dims)] [WHERE ...] [GROUP BY ...]`).
 */

export type Dimensions = Record<string, string>;

/** One metric identity. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dimensions;
}

/** A series of (timestamp, value) with its label. */
export interface Series {
  readonly label: string;
  /** Epoch ms, ascending. */
  readonly timestamps: number[];
  readonly values: number[];
  /** For grouped Metrics Insights results: the group's dimension values. */
  readonly group?: Dimensions;
}

const MINUTE = 60_000;

export class MetricStore {
  /** key -> minute start -> raw values */
  private readonly data = new Map<string, { id: MetricId; minutes: Map<number, number[]> }>();

  public put(id: MetricId, timestamp: number, value: number): void {
    const key = metricKey(id);
    let entry = this.data.get(key);
    if (!entry) {
      entry = { id: { ...id, dimensions: { ...id.dimensions } }, minutes: new Map() };
      this.data.set(key, entry);
    }
    const minute = Math.floor(timestamp / MINUTE) * MINUTE;
    let values = entry.minutes.get(minute);
    if (!values) {
      values = [];
      entry.minutes.set(minute, values);
    }
    values.push(value);
  }

  /** Metrics matching namespace and name, optionally filtered by an exact dimension set. */
  public list(namespace?: string, metricName?: string): MetricId[] {
    return [...this.data.values()]
      .map((e) => e.id)
      .filter((id) => (!namespace || id.namespace === namespace) && (!metricName || id.metricName === metricName));
  }

  /**
   * A statistic over [start, end) in buckets of `periodSeconds`, one value per bucket that has
   * data (CloudWatch returns no value for a period without datapoints).
   */
  public statSeries(id: MetricId, stat: string, periodSeconds: number, start: number, end: number): { timestamps: number[]; values: number[] } {
    const entry = this.data.get(metricKey(id));
    const periodMs = Math.max(60, periodSeconds) * 1000;
    const timestamps: number[] = [];
    const values: number[] = [];
    if (!entry) return { timestamps, values };
    const first = Math.floor(start / periodMs) * periodMs;
    for (let t = first; t < end; t += periodMs) {
      const raw: number[] = [];
      for (let m = t; m < t + periodMs; m += MINUTE) {
        if (m < start || m >= end) continue;
        const v = entry.minutes.get(m);
        if (v) raw.push(...v);
      }
      if (raw.length === 0) continue;
      timestamps.push(t);
      values.push(statistic(raw, stat));
    }
    return { timestamps, values };
  }
}

export function metricKey(id: MetricId): string {
  const dims = Object.keys(id.dimensions).sort().map((k) => `${k}=${id.dimensions[k]}`).join(',');
  return `${id.namespace}|${id.metricName}|${dims}`;
}

/** CloudWatch statistics: Sum, Average, Minimum, Maximum, SampleCount, pNN(.N), IQM. */
export function statistic(values: number[], stat: string): number {
  if (values.length === 0) return NaN;
  switch (stat) {
    case 'Sum': return values.reduce((a, b) => a + b, 0);
    case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum': return Math.min(...values);
    case 'Maximum': return Math.max(...values);
    case 'SampleCount': return values.length;
    default: {
      const p = /^p(\d+(?:\.\d+)?)$/i.exec(stat);
      if (p) return percentile(values, Number(p[1]));
      throw new MetricQueryError(`unsupported statistic '${stat}'`);
    }
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Parsed Metrics Insights query. */
export interface InsightsQuery {
  readonly func: string;
  readonly metricName: string;
  readonly namespace: string;
  /** Dimension keys of SCHEMA(...): a metric matches only with exactly these dimensions. */
  readonly schemaKeys?: string[];
  readonly where: Array<{ key: string; op: '=' | '!=' | 'IN'; values: string[] }>;
  readonly groupBy: string[];
  readonly orderDesc?: boolean;
  readonly limit?: number;
}

/** Parse the subset of Metrics Insights the workflow and the monitoring alarms use. */
export function parseInsightsQuery(query: string): InsightsQuery {
  const m = /^\s*SELECT\s+(\w+)\s*\(\s*([\w.\-"]+)\s*\)\s+FROM\s+(SCHEMA\s*\(([^)]*)\)|"[^"]+"|[\w/.]+)\s*(.*)$/is.exec(query);
  if (!m) throw new MetricQueryError(`unsupported metrics insights query '${query}'`);
  const func = m[1].toUpperCase();
  const metricName = unquote(m[2]);
  let namespace: string;
  let schemaKeys: string[] | undefined;
  if (m[4] !== undefined) {
    const parts = m[4].split(',').map((s) => unquote(s.trim())).filter((s) => s.length > 0);
    namespace = parts[0];
    schemaKeys = parts.slice(1);
  } else {
    namespace = unquote(m[3]);
  }
  let rest = m[5] ?? '';
  const where: InsightsQuery['where'] = [];
  const groupBy: string[] = [];
  let orderDesc: boolean | undefined;
  let limit: number | undefined;
  const limitM = /\bLIMIT\s+(\d+)\s*$/i.exec(rest);
  if (limitM) {
    limit = Number(limitM[1]);
    rest = rest.slice(0, limitM.index);
  }
  const orderM = /\bORDER\s+BY\s+\w+\s*\(\s*\)\s*(ASC|DESC)?\s*$/i.exec(rest);
  if (orderM) {
    orderDesc = (orderM[1] ?? 'ASC').toUpperCase() === 'DESC';
    rest = rest.slice(0, orderM.index);
  }
  const groupM = /\bGROUP\s+BY\s+(.+)$/i.exec(rest);
  if (groupM) {
    groupBy.push(...groupM[1].split(',').map((s) => unquote(s.trim())).filter((s) => s));
    rest = rest.slice(0, groupM.index);
  }
  const whereM = /^\s*WHERE\s+(.+)$/is.exec(rest);
  if (whereM) {
    for (const cond of whereM[1].split(/\s+AND\s+/i)) {
      const c = /^\s*("?[\w.\-]+"?)\s*(!=|=)\s*'([^']*)'\s*$/.exec(cond);
      const inList = /^\s*("?[\w.\-]+"?)\s+IN\s*\((.*)\)\s*$/is.exec(cond);
      if (c) {
        where.push({ key: unquote(c[1]), op: c[2] as '=' | '!=', values: [c[3]] });
      } else if (inList) {
        const values = [...inList[2].matchAll(/'([^']*)'/g)].map((v) => v[1]);
        where.push({ key: unquote(inList[1]), op: 'IN', values });
      } else {
        throw new MetricQueryError(`unsupported metrics insights condition '${cond.trim()}'`);
      }
    }
  } else if (rest.trim()) {
    throw new MetricQueryError(`unsupported metrics insights clause '${rest.trim()}'`);
  }
  return { func, metricName, namespace, schemaKeys, where, groupBy, orderDesc, limit };
}

const INSIGHTS_STAT: Record<string, string> = { AVG: 'Average', SUM: 'Sum', MAX: 'Maximum', MIN: 'Minimum', COUNT: 'SampleCount' };

/** Run a Metrics Insights query: one series per group (or a single aggregated series). */
export function runInsightsQuery(store: MetricStore, query: InsightsQuery, periodSeconds: number, start: number, end: number): Series[] {
  const stat = INSIGHTS_STAT[query.func];
  if (!stat) throw new MetricQueryError(`unsupported metrics insights function '${query.func}'`);
  const candidates = store.list(query.namespace, query.metricName).filter((id) => {
    if (query.schemaKeys && query.schemaKeys.length > 0) {
      const keys = Object.keys(id.dimensions).sort();
      const want = [...query.schemaKeys].sort();
      if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) return false;
    }
    return query.where.every((w) => (w.op === '!=' ? !w.values.includes(id.dimensions[w.key]) : w.values.includes(id.dimensions[w.key])));
  });
  const groups = new Map<string, { group: Dimensions; ids: MetricId[] }>();
  for (const id of candidates) {
    if (query.groupBy.some((k) => id.dimensions[k] === undefined)) continue;
    const group: Dimensions = Object.fromEntries(query.groupBy.map((k) => [k, id.dimensions[k]]));
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, { group, ids: [] });
    groups.get(key)!.ids.push(id);
  }
  const out: Series[] = [];
  for (const { group, ids } of groups.values()) {
    // Aggregate across the group's metrics per period: merge per-metric period stats.
    const byT = new Map<number, number[]>();
    for (const id of ids) {
      const s = store.statSeries(id, stat === 'Average' ? 'Average' : stat, periodSeconds, start, end);
      s.timestamps.forEach((t, i) => {
        if (!byT.has(t)) byT.set(t, []);
        byT.get(t)!.push(s.values[i]);
      });
    }
    const timestamps = [...byT.keys()].sort((a, b) => a - b);
    const combine = stat === 'SampleCount' ? 'Sum' : stat;
    const values = timestamps.map((t) => statistic(byT.get(t)!, combine));
    out.push({ label: query.groupBy.length ? query.groupBy.map((k) => group[k]).join(' ') : query.metricName, timestamps, values, ...(query.groupBy.length ? { group } : {}) });
  }
  if (query.orderDesc !== undefined) {
    const last = (s: Series) => (s.values.length ? s.values[s.values.length - 1] : -Infinity);
    out.sort((a, b) => (query.orderDesc ? last(b) - last(a) : last(a) - last(b)));
  }
  return query.limit !== undefined ? out.slice(0, query.limit) : out;
}

/**
 * Evaluate metric math: + - * / and parentheses over numbers and other series ids, per
 * timestamp present in every referenced series. Enough for `100 * m1 / m2`-style alarms.
 */
export function evaluateMathExpression(expression: string, series: Map<string, Series>): Series {
  const tokens = expression.match(/\s*(\d+(?:\.\d+)?|[A-Za-z_]\w*|[-+*/()])/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new MetricQueryError(`unsupported metric math expression '${expression}'`);
  const refs = [...new Set(tokens.filter((t) => /^[A-Za-z_]/.test(t)))];
  for (const r of refs) if (!series.has(r)) throw new MetricQueryError(`metric math expression '${expression}' references unknown id '${r}'`);
  const timeSets = refs.map((r) => new Set(series.get(r)!.timestamps));
  const timestamps = refs.length === 0 ? [] : [...timeSets[0]].filter((t) => timeSets.every((s) => s.has(t))).sort((a, b) => a - b);
  const values = timestamps.map((t) => {
    let i = 0;
    const lookup = (id: string) => {
      const s = series.get(id)!;
      return s.values[s.timestamps.indexOf(t)];
    };
    const expr = (): number => {
      let v = term();
      while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + term() : v - term();
      return v;
    };
    const term = (): number => {
      let v = factor();
      while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * factor() : v / factor();
      return v;
    };
    const factor = (): number => {
      const tok = tokens[i++];
      if (tok === '(') {
        const v = expr();
        i++;
        return v;
      }
      if (tok === '-') return -factor();
      if (/^\d/.test(tok)) return Number(tok);
      return lookup(tok);
    };
    return expr();
  });
  return { label: expression, timestamps, values };
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1');
}

export class MetricQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricQueryError';
  }
}
