/**
 * The seam between the mock's HTTP layer (server, auth, negotiation, profiles: src/mock/http/) and its domain
 * (data, store, representations, operation handlers: src/mock/domain/). The HTTP layer routes a request to an
 * operationId of spec/openapi.yaml and calls the domain handler with a context; the handler returns a JSON-form
 * body (the component's JSON shape, docs/architecture.md) and the XML root element; the HTTP layer serialises it
 * (codec.toXml for XML, JSON.stringify after the profile's JSON transforms) and writes the headers.
 */
import type { JsonValue } from '../contract/codec.ts';

export interface Profile {
  /** `v12` (default), `v13`, `9.5u4`. */
  name: string;
  /** API versions GET /api/ advertises, oldest first; `latest` is the last. */
  versions: string[];
  /** JSON key casing: EM 12 PascalCase, EM 13's regression camelCase (em-api-notes §4.1 rule 10). */
  jsonKeys: 'PascalCase' | 'camelCase';
  /** EM 10–13 send null for absent values; 9.5 U4 omits them (em-api-notes §4.1 rule 5). */
  jsonAbsent: 'null' | 'omit';
  /** Fraction digits of timestamps: 3 with trailing zeros trimmed (v12), 6 (v13), 0 (9.5 U4). */
  timestampDigits: 0 | 3 | 6;
  /** Trim trailing zeros of the fraction (v12 sends …44.62Z). */
  trimFractionZeros: boolean;
}

export interface RequestContext {
  operationId: string;
  /** Path parameters (`ID`). */
  params: Record<string, string>;
  /** Query parameters, names as sent (the handler matches case-insensitively where EM does). */
  query: URLSearchParams;
  /** Absolute base URL ending in `/api` built from the request's scheme, host and port (every Href starts with it). */
  baseUrl: string;
  /** The mock's clock (injectable). */
  now(): Date;
  profile: Profile;
  /** Formats a timestamp the way the profile's server generation does. */
  formatDate(epochMs: number): string;
  /** The logon session the request runs in (tasks are per logon session, em-api-notes §5.6). */
  logonSessionId: string;
  /**
   * The account behind the logon session (absent for the unauthenticated entry point). EM roles (em-api-notes §1.4):
   * a handler answers 403 where the role is inadequate (e.g. /jobs is for Portal Administrators only, §8.14).
   */
  user?: RequestUser;
}

export type EmRole = 'PortalAdministrator' | 'PortalUser' | 'RestoreOperator';

export interface RequestUser {
  name: string;
  role: EmRole;
}

export interface HandlerResult {
  status: number;
  /** XML root element name (also picks the JSON component). Absent for 204. */
  root?: string;
  body?: JsonValue;
  headers?: Record<string, string>;
}

/** An error the HTTP layer turns into EM's Error body in the negotiated format. */
export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Handler = (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>;

/** What the domain exports: one handler per operationId it implements. */
export type HandlerTable = Record<string, Handler>;
