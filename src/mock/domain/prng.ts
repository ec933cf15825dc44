/**
 * Deterministic randomness for the mock's data: a seeded PRNG (mulberry32) and GUIDs.
 *
 * Small entity sets (backup servers, jobs, VMs) draw their GUIDs from the PRNG and keep them as strings. The large
 * sets (job sessions, task sessions, restore points, VM restore points: up to millions) do not store GUIDs at all:
 * {@link IdCodec} computes the GUID of record i of a kind from (seed, kind, i) with a keyed 32-bit bijection in the
 * first GUID group, so a GUID from a URL decodes back to its index in O(1) without any index structure.
 */

/** mulberry32: a small, fast 32-bit PRNG with a good enough distribution for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick on an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks an index by weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  u32(): number {
    return (this.next() * 4294967296) >>> 0;
  }
  /** A random (version 4 shaped) GUID, lower case. */
  guid(): string {
    return formatGuid(this.u32(), this.u32(), this.u32(), this.u32());
  }
  /** A random upper-case hex string of `n` characters (certificate thumbprints). */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).toUpperCase().padStart(8, '0');
    return s.slice(0, n);
  }
}

/** 32-bit avalanche hash (murmur3 finaliser). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX2[(n >>> 24) & 0xff]! + HEX2[(n >>> 16) & 0xff]! + HEX2[(n >>> 8) & 0xff]! + HEX2[n & 0xff]!;
}

function hex4(n: number): string {
  return HEX2[(n >>> 8) & 0xff]! + HEX2[n & 0xff]!;
}

/** Formats four 32-bit words as a GUID, forcing the version-4 nibble and the RFC 4122 variant bits. */
export function formatGuid(w0: number, w1: number, w2: number, w3: number): string {
  const b = ((w1 & 0xffff0fff) | 0x00004000) >>> 0;
  const c = ((w2 & 0x3fffffff) | 0x80000000) >>> 0;
  return `${hex8(w0)}-${hex4(b >>> 16)}-${hex4(b)}-${hex4(c >>> 16)}-${hex4(c)}${hex8(w3)}`;
}

export const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Computes GUIDs for record indices of one kind and decodes them back. The first group is a 4-round Feistel
 * permutation of the 32-bit index keyed by (seed, kind); the other groups are hashes of it. Distinct indices give
 * distinct GUIDs; a GUID that was not produced by the codec decodes to -1.
 */
export class IdCodec {
  private readonly k0: number;
  private readonly k1: number;
  private readonly k2: number;
  private readonly k3: number;
  private readonly h1: number;
  private readonly h2: number;
  private readonly h3: number;
  constructor(seed: number, kind: number) {
    const base = mix32((seed >>> 0) ^ Math.imul(kind + 1, 0x9e3779b9));
    this.k0 = mix32(base ^ 0x1234567);
    this.k1 = mix32(base ^ 0x89abcdef);
    this.k2 = mix32(base ^ 0x2468ace0);
    this.k3 = mix32(base ^ 0x13579bdf);
    this.h1 = mix32(base ^ 0x0f0f0f0f);
    this.h2 = mix32(base ^ 0x33333333);
    this.h3 = mix32(base ^ 0x55555555);
  }

  /** Four Feistel rounds on the two 16-bit halves: a keyed bijection of 32-bit integers. */
  private permute(i: number): number {
    let l = (i >>> 16) & 0xffff;
    let r = i & 0xffff;
    let t: number;
    t = r; r = (l ^ mix32(r ^ this.k0)) & 0xffff; l = t;
    t = r; r = (l ^ mix32(r ^ this.k1)) & 0xffff; l = t;
    t = r; r = (l ^ mix32(r ^ this.k2)) & 0xffff; l = t;
    t = r; r = (l ^ mix32(r ^ this.k3)) & 0xffff; l = t;
    return ((l << 16) | r) >>> 0;
  }

  private unpermute(x: number): number {
    let l = (x >>> 16) & 0xffff;
    let r = x & 0xffff;
    let t: number;
    t = l; l = (r ^ mix32(l ^ this.k3)) & 0xffff; r = t;
    t = l; l = (r ^ mix32(l ^ this.k2)) & 0xffff; r = t;
    t = l; l = (r ^ mix32(l ^ this.k1)) & 0xffff; r = t;
    t = l; l = (r ^ mix32(l ^ this.k0)) & 0xffff; r = t;
    return ((l << 16) | r) >>> 0;
  }

  encode(i: number): string {
    const w0 = this.permute(i);
    return formatGuid(w0, mix32(w0 ^ this.h1), mix32(w0 ^ this.h2), mix32(w0 ^ this.h3));
  }

  /** The index the GUID encodes, or -1 when it is not one of this codec's GUIDs. Case-insensitive. */
  decode(guid: string): number {
    if (!GUID_RE.test(guid)) return -1;
    const w0 = parseInt(guid.slice(0, 8), 16) >>> 0;
    const i = this.unpermute(w0);
    return this.encode(i) === guid.toLowerCase() ? i : -1;
  }
}
