/**
 * Numbers as the diagnosis text shows them. A share is never rounded to a figure that says
 * something else: a real failure is never "0 %" and a partial share never "100 %".
 */

/**
 * A fraction (0..1) as a percentage: whole percents from 1 % to 99 %, one decimal below 1 % and
 * above 99 %, and `< 0.1 %` / `> 99.9 %` at the edges. Exactly 0 and 1 read `0 %` and `100 %`.
 */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction) || fraction <= 0) return '0 %';
  if (fraction >= 1) return `${fraction === 1 ? 100 : Math.round(fraction * 100)} %`;
  const p = fraction * 100;
  if (p < 0.1) return '< 0.1 %';
  if (p > 99.9) return '> 99.9 %';
  if (p < 1 || p > 99) return `${trimZero(p.toFixed(1))} %`;
  // Whole percents between 1 and 99: round, but never onto the edges 0 or 100.
  return `${Math.min(99, Math.max(1, Math.round(p)))} %`;
}

/** `12 of 40 invocations (30 %)`, `1 of 250 invocations (0.4 %)`; `3 log events` without a total. */
export function formatShare(count: number, total: number, noun = 'invocations'): string {
  return total > 0 ? `${count} of ${total} ${noun} (${formatPercent(count / total)})` : `${count} log event${count === 1 ? '' : 's'}`;
}

/** A duration in milliseconds as people read it: `850 ms`, `2.6 s`, `14 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${trimZero(s.toFixed(1))} s` : `${Math.round(s)} s`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
