/**
 * Small input checks for the handlers' payloads: a payload that breaks the contract is an
 * `InvalidInputError` naming the missing field, never a TypeError deep inside.
 */
import { InvalidInputError } from './errors';

/** Throws unless `value` is a non-null object; returns it typed. */
export function requireObject<T>(value: unknown, what: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be an object, got ${value === null ? 'null' : typeof value}`);
  }
  return value as T;
}

/** Throws unless each dotted path under `root` is present (not undefined / null). */
export function requireFields(root: unknown, paths: readonly string[], what: string): void {
  const missing = paths.filter((p) => {
    let v: unknown = root;
    for (const part of p.split('.')) {
      if (typeof v !== 'object' || v === null) return true;
      v = (v as Record<string, unknown>)[part];
    }
    return v === undefined || v === null;
  });
  if (missing.length > 0) throw new InvalidInputError(`${what} lacks ${missing.join(', ')}`);
}
