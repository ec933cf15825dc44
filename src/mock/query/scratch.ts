/**
 * Reusable typed-array scratch buffers, so a query over a large record set does not allocate (and zero) several
 * megabytes of ArrayBuffer each time. Buffers are handed out exclusively (take → give back); contents are garbage
 * and callers overwrite what they read. Re-entrant use simply allocates a fresh buffer.
 */
const MAX_POOLED = 1 << 24; // elements; larger buffers are not kept

const u32: Uint32Array[] = [];
const f64: Float64Array[] = [];

function take<T extends Uint32Array | Float64Array>(pool: T[], n: number, make: (n: number) => T): T {
  for (let i = 0; i < pool.length; i++) {
    const b = pool[i]!;
    if (b.length >= n) {
      pool.splice(i, 1);
      return b.subarray(0, n) as T;
    }
  }
  // Grow geometrically so a slowly growing record set does not reallocate every time.
  return make(n <= 1024 ? 1024 : n + (n >> 2)).subarray(0, n) as T;
}

export function takeU32(n: number): Uint32Array {
  return take(u32, n, (k) => new Uint32Array(k));
}
export function takeF64(n: number): Float64Array {
  return take(f64, n, (k) => new Float64Array(k));
}
export function giveU32(a: Uint32Array): void {
  const full = new Uint32Array(a.buffer);
  if (full.length <= MAX_POOLED && u32.length < 4) u32.push(full);
}
export function giveF64(a: Float64Array): void {
  const full = new Float64Array(a.buffer);
  if (full.length <= MAX_POOLED && f64.length < 4) f64.push(full);
}
