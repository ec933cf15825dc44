/**
 * The mock's query engine (`/api/query` semantics without HTTP): filter parsing and compilation, sorting, paging
 * and paging links. Pure library; every input error is a QueryError with a code the HTTP layer maps to a status.
 */
export {
  DEFAULT_LIMITS,
  FIELD_TYPES,
  type FieldDef,
  type FieldType,
  type FieldValue,
  fieldList,
  findField,
  findQueryType,
  parseFormat,
  QueryError,
  type QueryErrorCode,
  type QueryFormat,
  type QueryLimits,
  type QueryTypeDef,
  resolveLimits,
} from './types.ts';
export {
  type CompareOp,
  type ComparisonNode,
  compileFilter,
  type FilterNode,
  formatFilter,
  type LogicalNode,
  parseFilter,
} from './filter.ts';
export { parseDateTime, parseUid } from './values.ts';
export { parseSort, type SortDir, type SortSpec, sortRecords, type TieBreak } from './sort.ts';
export {
  encodeQueryValue,
  type PageInfo,
  pageInfo,
  type PagingLinkParams,
  type PagingLinks,
  pagingLinkHrefs,
  parsePaging,
} from './paging.ts';
export { type QueryOutcome, type QueryParams, runQuery } from './run.ts';
