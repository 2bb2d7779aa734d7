/**
 * Deterministic pseudo-random numbers for synthetic data. A record is derived from (seed, stream, index)
 * alone, so a dataset of any size needs no memory and record i is the same in every process that uses
 * the same seed.
 */

export type Seed = number | string;

// Local bindings: inside a vm context (the test runner) every global lookup is slow.
const imul = Math.imul;
const floor = Math.floor;

/** Seed used when a simulator is started without one. */
export const DEFAULT_SEED = 20250701;

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Seed as an unsigned 32-bit integer. */
export function seedToInt(seed: Seed): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return Math.trunc(seed) >>> 0;
}

/** Murmur3 finaliser: a well-mixed 32-bit value from a 32-bit input. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines 32-bit values into one well-mixed 32-bit value (order matters). */
export function mix32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) h = fmix32((h ^ (value >>> 0)) + 0x7f4a7c15);
  return h >>> 0;
}

/** A small, fast generator (mulberry32) with helpers for picking values. */
export class Rng {
  private state: number;

  constructor(state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[floor(this.next() * items.length)];
  }

  /** Picks by relative weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** `length` random decimal digits. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += floor(this.next() * 10);
    return out;
  }
}

/** The generator for one record: `stream` names the kind of record, `index` its position. */
export function rngFor(seed: Seed, stream: string, ...index: number[]): Rng {
  return new Rng(mix32(seedToInt(seed), hashString(stream), ...index));
}

/**
 * Generators for the records of one stream, with the seed and stream name hashed once: `stream.at(i)`
 * equals `rngFor(seed, name, i)` and `stream.at(i, j)` equals `rngFor(seed, name, i, j)`.
 */
export class RecordStream {
  private readonly seedHash: number;
  private readonly streamHash: number;

  constructor(seed: Seed, name: string) {
    this.seedHash = seedToInt(seed);
    this.streamHash = hashString(name);
  }

  at(index: number, sub?: number): Rng {
    return new Rng(
      sub === undefined
        ? mix32(this.seedHash, this.streamHash, index)
        : mix32(this.seedHash, this.streamHash, index, sub),
    );
  }
}

/**
 * A bijection of [0, modulus) onto itself, n -> (a·n + b) mod modulus, used to scatter sequential record
 * numbers over an identifier space and to find the record number back from an identifier.
 */
export class AffinePermutation {
  private readonly m: bigint;
  private readonly a: bigint;
  private readonly b: bigint;
  private readonly aInverse: bigint;

  constructor(
    readonly modulus: number,
    seed: Seed,
    stream: string,
  ) {
    if (!Number.isSafeInteger(modulus) || modulus < 2)
      throw new RangeError('modulus must be an integer >= 2');
    const rng = rngFor(seed, `${stream}:permutation`);
    this.m = BigInt(modulus);
    let a = BigInt(rng.int(1, 0x3fffffff)) % this.m;
    while (a === 0n || gcd(a, this.m) !== 1n) a = (a + 1n) % this.m;
    this.a = a;
    this.b = BigInt(rng.int(0, 0x3fffffff)) % this.m;
    this.aInverse = modInverse(a, this.m);
  }

  forward(n: number): number {
    return Number((this.a * BigInt(n) + this.b) % this.m);
  }

  inverse(y: number): number {
    return Number(((((BigInt(y) - this.b) % this.m) + this.m) * this.aInverse) % this.m);
  }
}

function gcd(x: bigint, y: bigint): bigint {
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}
