/**
 * A small seeded pseudo-random generator (mulberry32): the same scenario and seed always produce
 * the same invocations, log lines and request ids, so expectations can be exact.
 */
// A PRNG is bit arithmetic by nature.
/* eslint-disable no-bitwise */
const HEX_DIGITS = '0123456789abcdef';

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (Math.floor(seed) >>> 0) || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  public between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability p. */
  public chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Approximately normal (sum of uniforms), mean 0, standard deviation 1. */
  public gaussian(): number {
    let s = 0;
    for (let i = 0; i < 6; i++) s += this.next();
    return (s - 3) * Math.SQRT2;
  }

  /** A UUID v4-shaped id (Lambda request ids, event ids). */
  public uuid(): string {
    // One draw a character, in order (the simulation makes thousands: no arrays per id).
    let id = '';
    const hex = (n: number) => {
      for (let i = 0; i < n; i++) id += HEX_DIGITS[Math.floor(this.next() * 16)];
    };
    hex(8);
    id += '-';
    hex(4);
    id += '-4';
    hex(3);
    id += '-';
    id += '89ab'[Math.floor(this.next() * 4)];
    hex(3);
    id += '-';
    hex(12);
    return id;
  }
}
