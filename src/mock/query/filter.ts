/**
 * The `filter` parameter of `/api/query`: parser, compiler (to closures) and canonical renderer.
 *
 * Grammar (em-api-notes.md §3.1, §3.3):
 *
 *     filter     := orExpr
 *     orExpr     := andExpr (',' andExpr)*          ',' = OR
 *     andExpr    := term (';' term)*                ';' = AND
 *     term       := '(' orExpr ')' | comparison
 *     comparison := field op value
 *     field      := [A-Za-z_0-9]+                   case-insensitive
 *     op         := '==' | '!=' | '<=' | '>=' | '<' | '>'
 *     value      := '"' ( [^"] | '""' )* '"'        quoted, '""' is a literal quote
 *                 | ( [^;,()"] | '""' )+           unquoted, whitespace removed, '""' is a literal quote
 *
 * Whitespace (space, tab, CR, LF) outside quotes is ignored.
 */
// CHOICE: ';' (AND) binds tighter than ',' (OR), as in FIQL; the documented example
// `(jobtype==replica;scheduleconfigured==false),(jobtype==backup;scheduleconfigured==true)` reads the same either way.
// CHOICE: an unquoted value runs up to the next `;` `,` `(` `)` or the end; all whitespace inside it is removed
// ("the server will ignore spaces in the string", em-api-notes §3.1). Use quotes for values containing those
// characters. A single `"` inside an unquoted value is BadFilter; `""` is a literal quote, so the documented
// `Name==""Backup""` is the 8-character value `"Backup"`. A value that is exactly `""` is the empty string.
// `"""x"""` (quoted, CSV style) is also `"x"`. Typographic quotes (” “) are ordinary characters.
// CHOICE: a comparison needs a value: `Name==` (nothing before the next delimiter) is BadFilter; `Name==""` compares
// with the empty string. There is no null literal: `EndTime==null` is BadValue (datetime), `Name==null` is the
// string "null".
// CHOICE: `=` alone, `=>`, `=<`, `<>` are not operators (BadFilter, or BadValue when the rest reads as a value).
// Characters such as `=` `!` `<` `>` may appear inside a value (`Name==a=b` is the value `a=b`).
import { foldCompare, foldEqualsFolded, foldString } from './fold.ts';
import { enumIndexer, parseFilterValue, recordUid } from './values.ts';
import {
  type FieldDef,
  type FieldType,
  fieldList,
  findField,
  type QueryLimits,
  type QueryTypeDef,
  QueryError,
  resolveLimits,
} from './types.ts';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ComparisonNode {
  kind: 'cmp';
  /** Canonical field name (as in the QueryTypeDef). */
  field: string;
  type: FieldType;
  op: CompareOp;
  /**
   * Typed value: string (as given), uid (lower-cased bare id), datetime (epoch ms), enum (index in `values`),
   * int/long (number), bool (boolean).
   */
  value: string | number | boolean;
  /** Value text (unescaped; the canonical enum name for enums). */
  text: string;
  /** Offset of the field name in the filter text. */
  position: number;
}

export interface LogicalNode {
  kind: 'and' | 'or';
  children: FilterNode[];
}

export type FilterNode = ComparisonNode | LogicalNode;

const QUOTE = 34; // "
const LPAREN = 40;
const RPAREN = 41;
const COMMA = 44;
const SEMI = 59;

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isDelim(c: number): boolean {
  return c === SEMI || c === COMMA || c === LPAREN || c === RPAREN;
}
function show(s: string, i: number): string {
  return i >= s.length ? 'end of filter' : `'${s[i]}'`;
}

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly type: QueryTypeDef<any>,
    readonly limits: QueryLimits,
  ) {}

  fail(message: string, position: number): never {
    throw new QueryError('BadFilter', `Bad filter: ${message} (at position ${position})`, position);
  }

  skipWs(): void {
    const s = this.s;
    while (this.i < s.length && isWs(s.charCodeAt(this.i))) this.i++;
  }

  parseOr(depth: number): FilterNode {
    const first = this.parseAnd(depth);
    this.skipWs();
    if (this.s.charCodeAt(this.i) !== COMMA) return first;
    const children: FilterNode[] = [];
    push(children, first, 'or');
    while (this.s.charCodeAt(this.i) === COMMA) {
      this.i++;
      push(children, this.parseAnd(depth), 'or');
      this.skipWs();
    }
    return { kind: 'or', children };
  }

  parseAnd(depth: number): FilterNode {
    const first = this.parseTerm(depth);
    this.skipWs();
    if (this.s.charCodeAt(this.i) !== SEMI) return first;
    const children: FilterNode[] = [];
    push(children, first, 'and');
    while (this.s.charCodeAt(this.i) === SEMI) {
      this.i++;
      push(children, this.parseTerm(depth), 'and');
      this.skipWs();
    }
    return { kind: 'and', children };
  }

  parseTerm(depth: number): FilterNode {
    this.skipWs();
    const s = this.s;
    const start = this.i;
    if (start >= s.length) {
      const j = lastNonWs(s, start);
      if (j < 0) this.fail('the filter is empty', 0);
      this.fail(`the filter ends where a comparison was expected (after '${s[j]}')`, start);
    }
    if (s.charCodeAt(start) === LPAREN) {
      if (depth + 1 > this.limits.maxDepth)
        throw new QueryError(
          'TooDeep',
          `Bad filter: parentheses are nested deeper than ${this.limits.maxDepth} levels (at position ${start})`,
          start,
        );
      this.i++;
      const inner = this.parseOr(depth + 1);
      this.skipWs();
      if (s.charCodeAt(this.i) !== RPAREN) {
        if (this.i >= s.length) this.fail(`unbalanced parentheses: '(' at position ${start} is never closed`, start);
        this.fail(`expected ')' or an operator ';' ',' but found ${show(s, this.i)}`, this.i);
      }
      this.i++;
      return inner;
    }
    return this.parseComparison();
  }

  parseComparison(): ComparisonNode {
    const s = this.s;
    const start = this.i;
    let i = start;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    if (i === start) {
      const c = s.charCodeAt(i);
      if (c === RPAREN) this.fail(`expected a comparison but found ')' (empty parentheses or a dangling operator)`, i);
      if (c === SEMI || c === COMMA) this.fail(`expected a comparison before ${show(s, i)} (empty term)`, i);
      this.fail(`expected a field name but found ${show(s, i)}`, i);
    }
    const name = s.slice(start, i);
    const field = findField(this.type, name);
    if (field === undefined)
      throw new QueryError(
        'UnknownField',
        `Unknown filter field '${name}' for type ${this.type.name} (at position ${start}); valid fields: ${fieldList(this.type)}`,
        start,
      );
    this.i = i;
    this.skipWs();
    const op = this.parseOp(name);
    this.skipWs();
    const vpos = this.i;
    const raw = this.parseValueText(name, op);
    let parsed;
    try {
      parsed = parseFilterValue(field, raw, this.limits);
    } catch (e) {
      if (e instanceof QueryError && e.code === 'BadValue' && e.position === undefined)
        throw new QueryError(
          'BadValue',
          `Bad filter value for ${field.name} (${field.type}) at position ${vpos}: ${e.message}`,
          vpos,
        );
      throw e;
    }
    return { kind: 'cmp', field: field.name, type: field.type, op, value: parsed.value, text: parsed.text, position: start };
  }

  parseOp(name: string): CompareOp {
    const s = this.s;
    const i = this.i;
    const c = s.charCodeAt(i);
    const d = s.charCodeAt(i + 1);
    let op: CompareOp | undefined;
    if (d === 61 /* = */) {
      if (c === 61) op = '==';
      else if (c === 33) op = '!=';
      else if (c === 60) op = '<=';
      else if (c === 62) op = '>=';
      if (op !== undefined) {
        this.i = i + 2;
        return op;
      }
    }
    if (c === 60) op = '<';
    else if (c === 62) op = '>';
    if (op !== undefined) {
      this.i = i + 1;
      return op;
    }
    if (c === 61) this.fail(`'=' is not an operator after field '${name}'; use '=='`, i);
    this.fail(`expected an operator (== != < <= > >=) after field '${name}' but found ${show(s, i)}`, i);
  }

  /** Reads a value (quoted or not) and returns its unescaped text. */
  parseValueText(name: string, op: string): string {
    const s = this.s;
    const pos = this.i;
    if (s.charCodeAt(pos) === QUOTE) {
      const n1 = s.charCodeAt(pos + 1);
      if (n1 !== QUOTE || s.charCodeAt(pos + 2) === QUOTE) return this.parseQuoted(pos);
      // Starts with `""` (not `"""`): the empty string if nothing follows, else an unquoted value with `""` escapes.
      let j = pos + 2;
      while (j < s.length && isWs(s.charCodeAt(j))) j++;
      if (j >= s.length || isDelim(s.charCodeAt(j))) {
        this.i = pos + 2;
        return '';
      }
    }
    let out = '';
    let i = pos;
    let segStart = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (isDelim(c)) break;
      if (isWs(c)) {
        out += s.slice(segStart, i);
        i++;
        segStart = i;
        continue;
      }
      if (c === QUOTE) {
        if (s.charCodeAt(i + 1) !== QUOTE)
          this.fail(`a quote inside an unquoted value must be doubled ("") or the whole value quoted`, i);
        out += s.slice(segStart, i + 1);
        i += 2;
        segStart = i;
        continue;
      }
      i++;
    }
    out += s.slice(segStart, i);
    this.i = i;
    if (out === '')
      this.fail(`missing value after '${name}${op}'`, pos);
    return out;
  }

  parseQuoted(pos: number): string {
    const s = this.s;
    let out = '';
    let i = pos + 1;
    for (;;) {
      const q = s.indexOf('"', i);
      if (q < 0) this.fail(`the quoted value starting at position ${pos} is not terminated`, pos);
      out += s.slice(i, q);
      if (s.charCodeAt(q + 1) === QUOTE) {
        out += '"';
        i = q + 2;
        continue;
      }
      this.i = q + 1;
      break;
    }
    this.skipWs();
    const c = s.charCodeAt(this.i);
    if (this.i < s.length && !(c === SEMI || c === COMMA || c === RPAREN))
      this.fail(`unexpected ${show(s, this.i)} after the quoted value starting at position ${pos}`, this.i);
    return out;
  }
}

function lastNonWs(s: string, i: number): number {
  let j = i - 1;
  while (j >= 0 && isWs(s.charCodeAt(j))) j--;
  return j;
}

function push(children: FilterNode[], node: FilterNode, kind: 'and' | 'or'): void {
  if (node.kind === kind) for (const c of node.children) children.push(c);
  else children.push(node);
}

/**
 * Parses a filter for `type`. Throws only QueryError: BadFilter (syntax), UnknownField, BadValue, FilterTooLong,
 * TooDeep. The result has AND/OR nodes flattened (n-ary) and parenthesised groups removed.
 */
export function parseFilter(text: string, type: QueryTypeDef<any>, limits?: Partial<QueryLimits>): FilterNode {
  const l = resolveLimits(limits);
  if (typeof text !== 'string') throw new QueryError('BadFilter', `Bad filter: the filter must be a string`, 0);
  if (text.length > l.maxFilterLength)
    throw new QueryError(
      'FilterTooLong',
      `Bad filter: the filter is ${text.length} characters long; the maximum is ${l.maxFilterLength}`,
      l.maxFilterLength,
    );
  const p = new Parser(text, type, l);
  let node: FilterNode;
  try {
    node = p.parseOr(0);
  } catch (e) {
    if (e instanceof RangeError)
      // Stack exhaustion with very permissive limits: report as nesting too deep rather than crash.
      throw new QueryError('TooDeep', `Bad filter: parentheses are nested too deeply`, p.i);
    throw e;
  }
  p.skipWs();
  if (p.i < text.length) {
    if (text.charCodeAt(p.i) === RPAREN)
      p.fail(`unbalanced parentheses: ')' at position ${p.i} has no matching '('`, p.i);
    p.fail(`unexpected ${show(text, p.i)}; expected ';' (and), ',' (or) or the end of the filter`, p.i);
  }
  return node;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation

type Pred<R> = (r: R) => boolean;

/**
 * Compiles a parsed filter into a predicate: closures with pre-parsed values, no per-record AST walk.
 */
// CHOICE: null semantics are SQL's: a comparison with a record value that is null/undefined (or, for numeric
// fields, not a finite number; for enums, a value not in the enum list) is false, whatever the operator — also `!=`.
// `EndTime!=2025-01-01` therefore excludes running sessions whose EndTime is null.
// CHOICE: string fields compare case-insensitively by default (limits.stringCompare), by folded ordinal code units
// (see fold.ts); UID comparisons are always case-insensitive on the bare id; bool orders false < true; enum values
// compare by index in the documented order (em-api-notes §3.3).
export function compileFilter<R>(node: FilterNode, type: QueryTypeDef<R>, limits?: Partial<QueryLimits>): Pred<R> {
  const l = resolveLimits(limits);
  return compileNode(node, type, l.stringCompare === 'case-sensitive', l.enumOrder === 'text');
}

function compileNode<R>(node: FilterNode, type: QueryTypeDef<R>, cs: boolean, enumText: boolean): Pred<R> {
  if (node.kind === 'cmp') return compileComparison(node, type, cs, enumText);
  const preds = node.children.map((c) => compileNode(c, type, cs, enumText));
  if (preds.length === 0) return node.kind === 'and' ? () => true : () => false;
  if (preds.length === 1) return preds[0]!;
  if (node.kind === 'and') {
    if (preds.length === 2) {
      const [a, b] = preds as [Pred<R>, Pred<R>];
      return (r) => a(r) && b(r);
    }
    if (preds.length === 3) {
      const [a, b, c] = preds as [Pred<R>, Pred<R>, Pred<R>];
      return (r) => a(r) && b(r) && c(r);
    }
    return (r) => {
      for (let i = 0; i < preds.length; i++) if (!preds[i]!(r)) return false;
      return true;
    };
  }
  if (preds.length === 2) {
    const [a, b] = preds as [Pred<R>, Pred<R>];
    return (r) => a(r) || b(r);
  }
  if (preds.length === 3) {
    const [a, b, c] = preds as [Pred<R>, Pred<R>, Pred<R>];
    return (r) => a(r) || b(r) || c(r);
  }
  return (r) => {
    for (let i = 0; i < preds.length; i++) if (preds[i]!(r)) return true;
    return false;
  };
}

/** `cmp` result (-1/0/1 or any sign) → boolean for `op`. */
function opTest(op: CompareOp): (d: number) => boolean {
  switch (op) {
    case '==':
      return (d) => d === 0;
    case '!=':
      return (d) => d !== 0;
    case '<':
      return (d) => d < 0;
    case '<=':
      return (d) => d <= 0;
    case '>':
      return (d) => d > 0;
    case '>=':
      return (d) => d >= 0;
  }
}

function compileNumeric<R>(get: (r: R) => unknown, op: CompareOp, v: number): Pred<R> {
  // `x - x === 0` rejects NaN and ±Infinity (treated as null).
  switch (op) {
    case '==':
      return (r) => get(r) === v;
    case '!=':
      return (r) => {
        const x = get(r);
        return typeof x === 'number' && x - x === 0 && x !== v;
      };
    case '<':
      return (r) => {
        const x = get(r);
        return typeof x === 'number' && x - x === 0 && x < v;
      };
    case '<=':
      return (r) => {
        const x = get(r);
        return typeof x === 'number' && x - x === 0 && x <= v;
      };
    case '>':
      return (r) => {
        const x = get(r);
        return typeof x === 'number' && x - x === 0 && x > v;
      };
    case '>=':
      return (r) => {
        const x = get(r);
        return typeof x === 'number' && x - x === 0 && x >= v;
      };
  }
}

function toStr(x: unknown): string | null {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return null;
}

function compileComparison<R>(node: ComparisonNode, type: QueryTypeDef<R>, cs: boolean, enumText = false): Pred<R> {
  const field: FieldDef<R> | undefined = findField(type, node.field);
  if (field === undefined)
    throw new QueryError('UnknownField', `Unknown filter field '${node.field}'; valid fields: ${fieldList(type)}`);
  if (field.type !== node.type)
    throw new QueryError(
      'BadValue',
      `Filter field ${field.name} is of type ${field.type} in ${type.name} but the filter was parsed as ${node.type}`,
    );
  const get = field.get.bind(field) as (r: R) => unknown;
  const op = node.op;
  switch (field.type) {
    case 'datetime':
    case 'int':
    case 'long':
      return compileNumeric(get, op, node.value as number);
    case 'bool': {
      const v = node.value ? 1 : 0;
      const t = opTest(op);
      return (r) => {
        const x = get(r);
        return typeof x === 'boolean' && t((x ? 1 : 0) - v);
      };
    }
    case 'enum': {
      const v = node.value as number;
      const t = opTest(op);
      const idx = enumIndexer(field);
      const vals = field.values ?? [];
      if (enumText && op !== '==' && op !== '!=') {
        // The enumOrder 'text' mutant: ordering by the values' text instead of their documented order.
        const text = foldString(vals[v] ?? '');
        return (r) => {
          const x = get(r);
          return typeof x === 'string' && idx(x) >= 0 && t(foldCompare(foldString(x), text));
        };
      }
      const res = vals.map((_, i) => t(i - v));
      const cache = new Map<string, boolean>();
      return (r) => {
        const x = get(r);
        if (typeof x !== 'string') return false;
        for (let i = 0; i < vals.length; i++) if (x === vals[i]) return res[i]!; // canonical spelling: no lookup
        let b = cache.get(x);
        if (b === undefined) {
          const i = idx(x);
          b = i >= 0 && t(i - v);
          if (cache.size < 1024) cache.set(x, b);
        }
        return b;
      };
    }
    case 'uid': {
      const v = node.value as string; // lower-case id
      if (op === '==')
        return (r) => {
          const x = get(r);
          return typeof x === 'string' && foldEqualsFolded(recordUid(x), v);
        };
      if (op === '!=')
        return (r) => {
          const x = get(r);
          return typeof x === 'string' && !foldEqualsFolded(recordUid(x), v);
        };
      const t = opTest(op);
      return (r) => {
        const x = get(r);
        return typeof x === 'string' && t(foldCompare(recordUid(x), v));
      };
    }
    case 'string': {
      const v = node.value as string;
      if (cs) {
        switch (op) {
          case '==':
            return (r) => toStr(get(r)) === v;
          case '!=':
            return (r) => {
              const x = toStr(get(r));
              return x !== null && x !== v;
            };
          default: {
            const t = opTest(op);
            return (r) => {
              const x = toStr(get(r));
              return x !== null && t(x < v ? -1 : x > v ? 1 : 0);
            };
          }
        }
      }
      const fv = foldString(v);
      if (op === '==')
        return (r) => {
          const x = get(r);
          if (typeof x === 'string') return foldEqualsFolded(x, fv);
          const y = toStr(x);
          return y !== null && foldEqualsFolded(y, fv);
        };
      if (op === '!=')
        return (r) => {
          const x = toStr(get(r));
          return x !== null && !foldEqualsFolded(x, fv);
        };
      const t = opTest(op);
      return (r) => {
        const x = toStr(get(r));
        return x !== null && t(foldCompare(x, fv));
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Renders a node as filter text that parses back to the same node (every value quoted, `"` doubled). */
export function formatFilter(node: FilterNode): string {
  return fmt(node, false);
}

function fmt(node: FilterNode, inAnd: boolean): string {
  if (node.kind === 'cmp') return `${node.field}${node.op}"${node.text.replace(/"/g, '""')}"`;
  if (node.kind === 'and') return node.children.map((c) => fmt(c, true)).join(';');
  const s = node.children.map((c) => fmt(c, false)).join(',');
  return inAnd ? `(${s})` : s;
}
