/**
 * The simulated CloudWatch metric store: raw datapoints per metric and minute, statistics over
 * any period, metric math (arithmetic over other query ids) and Metrics Insights queries.
 *
 * Follows:
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html
 *   (the grammar; WHERE with =, != and AND only; quoting rules)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html
 *   (10,000 metrics processed, 500 series returned, ORDER BY picks which)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-alarm-create.html
 *   (`tag.<key>` filters match only resources that carry the tag)
 * Not modelled: the account-id / cross-account labels (`AWS.AccountId`), high-resolution data,
 * label values with wildcards, tag history (a query sees the tags the resource has now), metric
 * math functions beyond + - * / and parentheses.
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
    addValue(this.seriesOf(metricKey(id), id), timestamp, value);
  }

  /**
   * `put` for one metric, its key worked out once: for a caller that publishes many datapoints
   * of the same metrics (a minute of invocations). The metric exists from its first datapoint.
   */
  public writer(id: MetricId): (timestamp: number, value: number) => void {
    const key = metricKey(id);
    let minutes: Map<number, number[]> | undefined;
    return (timestamp, value) => addValue(minutes ??= this.seriesOf(key, id), timestamp, value);
  }

  /** The raw values by minute of the metric `key` names, the metric created when new. */
  private seriesOf(key: string, id: MetricId): Map<number, number[]> {
    let entry = this.data.get(key);
    if (!entry) {
      entry = { id: { ...id, dimensions: { ...id.dimensions } }, minutes: new Map() };
      this.data.set(key, entry);
    }
    return entry.minutes;
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

  /** A statistic over [start, end) of all observations of several metrics together, per period. */
  public statSeriesOf(ids: MetricId[], stat: string, periodSeconds: number, start: number, end: number): { timestamps: number[]; values: number[] } {
    const entries = ids.map((id) => this.data.get(metricKey(id))).filter((e): e is NonNullable<typeof e> => e !== undefined);
    const periodMs = Math.max(60, periodSeconds) * 1000;
    const timestamps: number[] = [];
    const values: number[] = [];
    const first = Math.floor(start / periodMs) * periodMs;
    for (let t = first; t < end; t += periodMs) {
      const raw: number[] = [];
      for (let m = t; m < t + periodMs; m += MINUTE) {
        if (m < start || m >= end) continue;
        for (const e of entries) {
          const v = e.minutes.get(m);
          if (v) raw.push(...v);
        }
      }
      if (raw.length === 0) continue;
      timestamps.push(t);
      values.push(statistic(raw, stat));
    }
    return { timestamps, values };
  }

  /** Every observation of these metrics in [start, end). */
  public rawValuesOf(ids: MetricId[], start: number, end: number): number[] {
    const out: number[] = [];
    for (const id of ids) {
      const e = this.data.get(metricKey(id));
      if (!e) continue;
      for (const [m, v] of e.minutes) if (m >= start && m < end) out.push(...v);
    }
    return out;
  }

  /** The observations of one metric in [start, end), per minute (anomaly detection learns from these). */
  public minutesOf(id: MetricId): Map<number, number[]> {
    return this.data.get(metricKey(id))?.minutes ?? new Map();
  }
}

function addValue(minutes: Map<number, number[]>, timestamp: number, value: number): void {
  const minute = Math.floor(timestamp / MINUTE) * MINUTE;
  const values = minutes.get(minute);
  if (values) values.push(value);
  else minutes.set(minute, [value]);
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

/**
 * A parsed Metrics Insights query. Grammar, from
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html :
 * "SELECT FUNCTION(metricName) FROM namespace | SCHEMA(...) [ WHERE labelKey OPERATOR labelValue
 * [AND ... ] ] [ GROUP BY labelKey [ , ... ] ] [ ORDER BY FUNCTION() [ DESC | ASC ] ] [ LIMIT number ]"
 */
export interface InsightsQuery {
  /** AVG, COUNT, MAX, MIN or SUM. */
  readonly func: string;
  readonly metricName: string;
  readonly namespace: string;
  /** Dimension keys of SCHEMA(...): a metric matches only with exactly these dimensions. */
  readonly schemaKeys?: string[];
  /** Label filters; a key `tag.<name>` filters on the resource's tag. */
  readonly where: Array<{ key: string; op: '=' | '!='; value: string }>;
  readonly groupBy: string[];
  readonly orderBy?: { func: string; desc: boolean };
  readonly limit?: number;
}

/** The functions SELECT and ORDER BY accept: "The valid values for FUNCTION are AVG, COUNT, MAX, MIN, and SUM." */
const INSIGHTS_FUNCTIONS = ['AVG', 'COUNT', 'MAX', 'MIN', 'SUM'];
/** "A single query can return no more than 500 time series." (cloudwatch-metrics-insights-limits.html) */
export const INSIGHTS_MAX_SERIES = 500;
/** "A single query can process no more than 10,000 metrics." (cloudwatch-metrics-insights-limits.html) */
export const INSIGHTS_MAX_METRICS = 10_000;
const RESERVED = new Set(['SELECT', 'FROM', 'SCHEMA', 'WHERE', 'AND', 'OR', 'IN', 'NOT', 'LIKE', 'GROUP', 'ORDER', 'BY', 'ASC', 'DESC', 'LIMIT']);

type InsightsToken = { kind: 'word' | 'dquote' | 'squote' | 'number' | 'punct'; text: string; value: string; at: number };

function insightsTokens(query: string): InsightsToken[] {
  const out: InsightsToken[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === '\'') {
      // Quoted names ("...") and label values ('...'); a backslash escapes the quote character.
      let value = '';
      i++;
      while (i < query.length && query[i] !== ch) {
        if (query[i] === '\\' && i + 1 < query.length) i++;
        value += query[i++];
      }
      if (i >= query.length) throw new MetricQueryError(`unterminated ${ch === '"' ? 'double' : 'single'}-quoted text at position ${start} of metrics insights query '${query}'`);
      i++;
      out.push({ kind: ch === '"' ? 'dquote' : 'squote', text: query.slice(start, i), value, at: start });
      continue;
    }
    const two = query.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      out.push({ kind: 'punct', text: two, value: two, at: i });
      i += 2;
      continue;
    }
    if ('(),=.<>*;'.includes(ch)) {
      out.push({ kind: 'punct', text: ch, value: ch, at: i });
      i++;
      continue;
    }
    const word = /^[A-Za-z0-9_]+/.exec(query.slice(i));
    if (word) {
      out.push({ kind: /^\d+$/.test(word[0]) ? 'number' : 'word', text: word[0], value: word[0], at: i });
      i += word[0].length;
      continue;
    }
    throw new MetricQueryError(`unexpected character '${ch}' at position ${i} of metrics insights query '${query}': names with characters other than letters, numbers and underscore must be in double quotes`);
  }
  return out;
}

/**
 * Parse a Metrics Insights query exactly as documented, rejecting everything else with the
 * validation error PutMetricAlarm and GetMetricData give. WHERE is "WHERE labelKey OPERATOR
 * labelValue [AND ... ]" with the operators `=` and `!=` only: no IN, no OR, no parentheses
 * (the grammar above; /work/shared/AWS-FACTS.md, checked against the same page).
 */
export function parseInsightsQuery(query: string): InsightsQuery {
  const toks = insightsTokens(query);
  let i = 0;
  const fail = (what: string): never => {
    const t = toks[i];
    throw new MetricQueryError(`${what} ${t ? `at '${t.text}' (position ${t.at})` : 'at the end'} of metrics insights query '${query}'`);
  };
  const isKw = (kw: string) => toks[i]?.kind === 'word' && toks[i].value.toUpperCase() === kw;
  const expectKw = (kw: string) => (isKw(kw) ? i++ : fail(`expected ${kw}`));
  const expectPunct = (p: string) => (toks[i]?.kind === 'punct' && toks[i].value === p ? i++ : fail(`expected '${p}'`));
  // "Metric namespaces that include / or any other character that is not a letter, number, or
  // underscore must be surrounded by double quotation marks."
  const name = (what: string): string => {
    const t = toks[i];
    if (t?.kind === 'dquote' || (t?.kind === 'word' && !RESERVED.has(t.value.toUpperCase())) || t?.kind === 'number') {
      i++;
      return t.value;
    }
    return fail(`expected ${what}`);
  };
  const func = (): string => {
    const t = toks[i];
    if (t?.kind === 'word' && INSIGHTS_FUNCTIONS.includes(t.value.toUpperCase())) {
      i++;
      return t.value.toUpperCase();
    }
    return fail(`expected one of ${INSIGHTS_FUNCTIONS.join(', ')}`);
  };
  // A label key, or a resource tag `tag.<key>` (Create_Metrics_Insights_Alarm / alarm-create: "WHERE tag.keyName = 'value'").
  const labelKey = (): string => {
    if (isKw('TAG') && toks[i + 1]?.value === '.') {
      i += 2;
      return `tag.${name('a tag key')}`;
    }
    return name('a label key');
  };

  expectKw('SELECT');
  const f = func();
  expectPunct('(');
  const metricName = name('a metric name');
  expectPunct(')');
  expectKw('FROM');
  let namespace: string;
  let schemaKeys: string[] | undefined;
  if (isKw('SCHEMA')) {
    // "If you use the SCHEMA clause, it must contain at least one argument, and this first argument
    // must be the metric namespace being queried."
    i++;
    expectPunct('(');
    namespace = name('the namespace as the first SCHEMA argument');
    schemaKeys = [];
    while (toks[i]?.value === ',') {
      i++;
      schemaKeys.push(name('a dimension name in SCHEMA'));
    }
    expectPunct(')');
  } else {
    namespace = name('a namespace or SCHEMA(...)');
  }
  const where: InsightsQuery['where'] = [];
  if (isKw('WHERE')) {
    i++;
    for (;;) {
      const key = labelKey();
      const op = toks[i];
      if (op?.kind === 'word' && ['IN', 'LIKE', 'NOT'].includes(op.value.toUpperCase())) fail(`operator ${op.value.toUpperCase()} is not supported in WHERE (only =, != and AND are)`);
      if (!(op?.kind === 'punct' && (op.value === '=' || op.value === '!='))) fail('only = and != compare a label in WHERE; found');
      i++;
      // Label values are string literals in single quotes (the query-language page's examples, e.g. WHERE InstanceType = 'c3.4xlarge').
      if (toks[i]?.kind !== 'squote') fail('a label value must be in single quotes');
      where.push({ key, op: op.value as '=' | '!=', value: toks[i++].value });
      if (isKw('AND')) {
        i++;
        continue;
      }
      if (isKw('OR')) fail('OR is not supported in WHERE (only =, != and AND are)');
      break;
    }
  }
  const groupBy: string[] = [];
  if (isKw('GROUP')) {
    i++;
    expectKw('BY');
    groupBy.push(labelKey());
    while (toks[i]?.value === ',') {
      i++;
      groupBy.push(labelKey());
    }
  }
  let orderBy: InsightsQuery['orderBy'];
  if (isKw('ORDER')) {
    i++;
    expectKw('BY');
    const of = func();
    expectPunct('(');
    expectPunct(')');
    let desc = false;
    if (isKw('DESC')) {
      desc = true;
      i++;
    } else if (isKw('ASC')) {
      i++;
    }
    orderBy = { func: of, desc };
  }
  let limit: number | undefined;
  if (isKw('LIMIT')) {
    i++;
    if (toks[i]?.kind !== 'number') fail('expected a number after LIMIT');
    limit = Number(toks[i++].value);
    // The limits page: "A single query can return no more than 500 time series." LIMIT above that is rejected.
    if (!(limit >= 1 && limit <= INSIGHTS_MAX_SERIES)) {
      i--;
      fail(`LIMIT must be between 1 and ${INSIGHTS_MAX_SERIES}, got ${limit},`);
    }
  }
  if (i < toks.length) fail('unexpected text');
  return { func: f, metricName, namespace, schemaKeys, where, groupBy, orderBy, limit };
}

const INSIGHTS_STAT: Record<string, string> = { AVG: 'Average', SUM: 'Sum', MAX: 'Maximum', MIN: 'Minimum', COUNT: 'SampleCount' };

/** Resource tags of the resource a metric describes (for `tag.<key>` filters), if known. */
export type ResourceTagLookup = (metric: MetricId) => Record<string, string> | undefined;

/** What a Metrics Insights query returned, and whether the documented limits cut it short. */
export interface InsightsResult {
  readonly series: Series[];
  /** More than 10,000 metrics matched or more than 500 series: only part of the data was used. */
  readonly partialData: boolean;
  readonly matchedMetrics: number;
}

/**
 * Run a Metrics Insights query: one series per group (or a single aggregated series). Limits
 * from https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html :
 * "if the SELECT, FROM, and WHERE clauses match more than 10,000 metrics, the query only processes
 * the first 10,000 of these metrics that it finds"; "If you use an ORDER BY clause, then all the
 * metrics being processed are sorted, and the 500 that have the highest or lowest values according
 * to your ORDER BY clause are returned."
 */
export function runInsightsQueryDetailed(
  store: MetricStore,
  query: InsightsQuery,
  periodSeconds: number,
  start: number,
  end: number,
  tags?: ResourceTagLookup,
): InsightsResult {
  const stat = INSIGHTS_STAT[query.func];
  const labelOf = (id: MetricId, key: string): string | undefined => {
    if (key.startsWith('tag.')) {
      // "When using tags, the alarm matches a metric only if the associated resource has the
      // specified tag during the alarm evaluation period." (cloudwatch-metrics-insights-alarm-create.html)
      return tags?.(id)?.[key.slice(4)];
    }
    return id.dimensions[key];
  };
  const matched = store.list(query.namespace, query.metricName).filter((id) => {
    if (query.schemaKeys) {
      // "If you specify one or more label keys, the results are scoped to only those metrics that
      // have that exact set of dimensions." (SCHEMA with only the namespace: metrics with no dimensions.)
      const keys = Object.keys(id.dimensions).sort();
      const want = [...query.schemaKeys].sort();
      if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) return false;
    }
    return query.where.every((w) => {
      const v = labelOf(id, w.key);
      return w.op === '=' ? v === w.value : v !== w.value;
    });
  });
  const candidates = matched.slice(0, INSIGHTS_MAX_METRICS);
  const groups = new Map<string, { group: Dimensions; ids: MetricId[] }>();
  for (const id of candidates) {
    const values = query.groupBy.map((k) => labelOf(id, k));
    if (values.some((v) => v === undefined)) continue;
    const group: Dimensions = Object.fromEntries(query.groupBy.map((k, n) => [k, values[n]!]));
    const key = JSON.stringify(group);
    if (!groups.has(key)) groups.set(key, { group, ids: [] });
    groups.get(key)!.ids.push(id);
  }
  const out: Array<Series & { order: number }> = [];
  for (const { group, ids } of groups.values()) {
    // Each period aggregates every observation of every metric of the group.
    const s = store.statSeriesOf(ids, stat, periodSeconds, start, end);
    // A group with no datapoint in the time range returns no time series.
    if (s.values.length === 0) continue;
    const all = store.rawValuesOf(ids, start, end);
    const order = query.orderBy && all.length ? statistic(all, INSIGHTS_STAT[query.orderBy.func]) : NaN;
    out.push({
      label: query.groupBy.length ? query.groupBy.map((k) => group[k]).join(' ') : query.metricName,
      timestamps: s.timestamps,
      values: s.values,
      ...(query.groupBy.length ? { group } : {}),
      order,
    });
  }
  if (query.orderBy) {
    const dir = query.orderBy.desc ? -1 : 1;
    out.sort((a, b) => (Number.isNaN(a.order) ? 1 : Number.isNaN(b.order) ? -1 : (a.order - b.order) * dir));
  }
  const limit = Math.min(query.limit ?? INSIGHTS_MAX_SERIES, INSIGHTS_MAX_SERIES);
  const partialData = matched.length > INSIGHTS_MAX_METRICS || out.length > INSIGHTS_MAX_SERIES;
  return {
    series: out.slice(0, limit).map(({ order: _order, ...s }) => s),
    partialData,
    matchedMetrics: matched.length,
  };
}

/** Run a Metrics Insights query and return its series. */
export function runInsightsQuery(
  store: MetricStore, query: InsightsQuery, periodSeconds: number, start: number, end: number, tags?: ResourceTagLookup,
): Series[] {
  return runInsightsQueryDetailed(store, query, periodSeconds, start, end, tags).series;
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

export class MetricQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricQueryError';
  }
}
