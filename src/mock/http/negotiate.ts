/**
 * Content negotiation and serialisation.
 *
 * - JSON when the Accept header contains `application/json` anywhere (em-api-notes §2.1, §10; the same rule as
 *   validate.ts `negotiatedMediaType`), whatever its q-value.
 * - Otherwise XML, provided Accept is absent/empty or admits XML: `*` + `/*`, `application/*`, `application/xml`,
 *   `text/xml`, `text/*`, or any `…+xml`.
 * - CHOICE: an Accept that admits neither (e.g. `text/html` alone, or garbage) is served XML by default, as WCF's
 *   automatic format selection does and as the contract says (spec `x-em-status-notes`: 406 is not used; "By default
 *   it delivers XML", em-api-notes §4.2). With `notAcceptable: '406'` the mock answers 406 Not Acceptable with an
 *   Error body in XML instead (stricter clients' tests).
 * - CHOICE: Content-Type is `application/xml` or `application/json` without a charset parameter: the only captured
 *   header is `Content-Type: application/json` (em-api-notes §2.1); the XML declaration states utf-8, and RFC 8259
 *   JSON is UTF-8 by definition. No BOM.
 */
import { codec, type JsonValue } from '../../contract/codec.ts';
import { errorBody } from './errors.ts';
import { applyJsonProfile, type HttpProfile } from './profiles.ts';

export type Representation = 'xml' | 'json';

export const CONTENT_TYPES: Record<Representation, string> = {
  xml: 'application/xml',
  json: 'application/json',
};

const XML_RANGE = /(^|[\s,])(\*\/\*|application\/\*|application\/xml|text\/xml|text\/\*|[\w.+-]+\/[\w.-]+\+xml)\s*(;|,|$)/i;

/** The representation for an Accept header, or null when it admits neither XML nor JSON (see `notAcceptable`). */
export function negotiate(accept: string | undefined): Representation | null {
  if (accept === undefined) return 'xml';
  if (/application\/json/i.test(accept)) return 'json';
  if (accept.trim() === '') return 'xml';
  return XML_RANGE.test(accept) ? 'xml' : null;
}

/** What to do with an Accept that admits neither XML nor JSON: serve XML (EM, default) or answer 406. */
export type NotAcceptablePolicy = 'xml' | '406';

/** Characters XML 1.0 forbids (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) become U+FFFD. */
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML_CHAR, '\ufffd');
}

/** Serialises a JSON-form body in the representation, applying the profile to JSON. */
export function serialize(rep: Representation, root: string, body: JsonValue, profile: HttpProfile, opts: { isError?: boolean } = {}): Buffer {
  if (rep === 'xml') return Buffer.from(codec().toXml(root, body), 'utf8');
  const absent = opts.isError ? profile.errorJsonAbsent : profile.jsonAbsent;
  return Buffer.from(JSON.stringify(applyJsonProfile(body, profile.jsonKeys, absent)), 'utf8');
}

/** The bytes of an Error body; the message is made XML-safe (it may echo request input) and bounded. */
export function serializeError(rep: Representation, status: number, message: string, profile: HttpProfile): Buffer {
  let text = xmlSafe(message.length > 2048 ? `${message.slice(0, 2048)}…` : message);
  if (text.trim() === '') text = 'Error.';
  return serialize(rep, 'Error', errorBody(status, text) as unknown as JsonValue, profile, { isError: true });
}
