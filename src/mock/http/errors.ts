/**
 * EM's Error representation (em-api-notes §2.3) and the HTTP status names the mock uses for it.
 *
 * JSON key set and order are the captured 9.5 U4 error's:
 * `{"FirstChanceExceptionMessage":null,"Message":"…","StackTrace":null,"Status":…,"StatusCode":400}`.
 */
import { MockHttpError } from '../types.ts';

/**
 * .NET `HttpStatusCode` names. CHOICE: the HTTP reason phrase of error responses is this name, as on the captured
 * `HTTP/1.1 400 BadRequest` (em-api-notes §2.3); success responses keep the standard phrases.
 */
const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  408: 'RequestTimeout',
  409: 'Conflict',
  411: 'LengthRequired',
  413: 'RequestEntityTooLarge',
  414: 'RequestUriTooLong',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  431: 'RequestHeaderFieldsTooLarge',
  500: 'InternalServerError',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
};

export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequest');
}

/**
 * The JSON form of an Error (PascalCase, nulls), ready for codec().toXml('Error', …) or the profile's JSON mapping.
 * CHOICE: `Status` is null (no XML attribute), as in both captured errors (XML 500 without Status, JSON 400 with
 * "Status": null; em-api-notes §2.3) and the spec's Unauthorized response; the XSD's use="required" is not what EM
 * sends. `StatusCode` always equals the HTTP status (rule ERR-006).
 */
export function errorBody(status: number, message: string): { FirstChanceExceptionMessage: null; Message: string; StackTrace: null; Status: null; StatusCode: number } {
  return { FirstChanceExceptionMessage: null, Message: message, StackTrace: null, Status: null, StatusCode: status };
}

export { MockHttpError };

/** Shorthands for the errors the HTTP layer raises itself. */
export const httpError = {
  badRequest: (message: string) => new MockHttpError(400, message),
  unauthorized: (message: string, headers: Record<string, string> = {}) => new MockHttpError(401, message, headers),
  notFound: (message: string) => new MockHttpError(404, message),
  methodNotAllowed: (message: string, allow: string[]) => new MockHttpError(405, message, allow.length ? { Allow: allow.join(', ') } : {}),
  notAcceptable: (message: string) => new MockHttpError(406, message),
  tooLarge: (message: string) => new MockHttpError(413, message),
  uriTooLong: (message: string) => new MockHttpError(414, message),
};
