/**
 * Allocation-free case-insensitive string comparison.
 *
 * CHOICE: "case-insensitive" means ordinal comparison of UTF-16 code units after a simple per-code-unit lower-case
 * mapping (`String.fromCharCode(c).toLowerCase()` when that is a single code unit; otherwise the unit is kept).
 * It is deterministic, locale-independent and needs no allocation per record. It differs from SQL Server collations
 * (which are culture-aware) only for punctuation/accent ordering.
 */

let FOLD: Uint16Array | undefined;

function table(): Uint16Array {
  if (FOLD !== undefined) return FOLD;
  const t = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    if (c < 128) {
      t[c] = c >= 65 && c <= 90 ? c + 32 : c;
      continue;
    }
    const l = String.fromCharCode(c).toLowerCase();
    t[c] = l.length === 1 ? l.charCodeAt(0) : c;
  }
  // Make the mapping idempotent (fold(fold(c)) === fold(c)) so comparing folded and unfolded strings agrees.
  for (let c = 0; c < 65536; c++) {
    let f = t[c]!;
    for (let k = 0; k < 4 && t[f] !== f; k++) f = t[f]!;
    t[c] = f;
  }
  FOLD = t;
  return t;
}

/** Folds a string (used once per filter value, not per record). */
export function foldString(s: string): string {
  const t = table();
  let out = '';
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const f = t[c]!;
    if (f !== c) changed = true;
    out += String.fromCharCode(f);
  }
  return changed ? out : s;
}

/** Equality of `a` (any case) with `foldedB` (already folded). */
export function foldEqualsFolded(a: string, foldedB: string): boolean {
  const n = a.length;
  if (n !== foldedB.length) return false;
  const t = table();
  for (let i = 0; i < n; i++) {
    const c = a.charCodeAt(i);
    const d = foldedB.charCodeAt(i);
    if (c !== d && t[c] !== d) return false;
  }
  return true;
}

/** Three-way case-insensitive ordinal comparison: negative, 0 or positive. */
export function foldCompare(a: string, b: string): number {
  const t = table();
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const c = a.charCodeAt(i);
    const d = b.charCodeAt(i);
    if (c === d) continue;
    const fc = t[c]!;
    const fd = t[d]!;
    if (fc !== fd) return fc - fd;
  }
  return a.length - b.length;
}

/** Three-way ordinal (case-sensitive) comparison by UTF-16 code units. */
export function ordinalCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
