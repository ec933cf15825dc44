/**
 * Growable typed-array columns: the large record sets (job sessions, task sessions) are stored column-wise so that a
 * million task sessions cost tens of megabytes, not hundreds (no object header, no boxed doubles, no id strings).
 */
type TypedArray = Float64Array | Int32Array | Int16Array | Uint8Array;
type TypedArrayCtor<T extends TypedArray> = new (n: number) => T;

export class Column<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    capacity = 16,
  ) {
    this.data = new ctor(Math.max(16, capacity));
  }

  push(value: number): number {
    if (this.length === this.data.length) this.grow(this.length * 2);
    this.data[this.length] = value;
    return this.length++;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, value: number): void {
    this.data[i] = value;
  }

  private grow(capacity: number): void {
    const next = new this.ctor(capacity);
    next.set(this.data as never);
    this.data = next;
  }

  /** Drops unused capacity (after the bulk load). */
  trim(slack = 0): void {
    if (this.data.length > this.length + slack) {
      const next = new this.ctor(Math.max(16, this.length + slack));
      next.set(this.data.subarray(0, this.length) as never);
      this.data = next;
    }
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}

export const f64 = (capacity?: number) => new Column(Float64Array, capacity);
export const i32 = (capacity?: number) => new Column(Int32Array, capacity);
export const i16 = (capacity?: number) => new Column(Int16Array, capacity);
export const u8 = (capacity?: number) => new Column(Uint8Array, capacity);
