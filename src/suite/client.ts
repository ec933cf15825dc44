/**
 * The `em` client of the suite: sends the session token and the Accept of the current project, and runs the fixed
 * response checks of the contract on every response it receives (status allowed by the spec, Content-Type,
 * Content-Length, body valid against the XSD or JSON Schema). Tests state only what is special to their rule.
 */
import type { Document as XmlDocument } from 'libxmljs2';
import { codec, type JsonValue } from '../contract/codec.ts';
import { matchOperation } from '../contract/routes.ts';
import { validateResponse, type MediaType, type Violation } from '../contract/validate.ts';
import { redact } from './redact.ts';
import { lenientJson, lenientXml, looksJson } from './lenient.ts';
import type { HttpClient } from './http.ts';

export type Representation = 'xml' | 'json';

export const MEDIA_TYPE: Record<Representation, MediaType> = { xml: 'application/xml', json: 'application/json' };

export interface RequestOptions {
  /** Accept header; `null` sends none (XML is then the documented default). Defaults to the project's. */
  accept?: string | null;
  /** Extra headers (e.g. a Cookie); `X-RestSvcSessionId: null` leaves the token out. */
  headers?: Record<string, string | null>;
  /** Query parameters appended to the URL. */
  params?: Record<string, string | number>;
  /** Skip the automatic contract check (for requests that deliberately leave the contract, e.g. an unknown path). */
  unchecked?: boolean;
  /** The representation the caller expects (narrows the schema check: EntityRef vs BackupJobSession). */
  expectedRoot?: string;
  data?: string;
}

export class EmResponse {
  private parsedJson: unknown;
  private parsedXml: { root: string; value: Record<string, JsonValue> } | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly text: string,
    readonly accept: string | null,
    readonly operationId: string | undefined,
    readonly violations: Violation[],
    /** The body as parsed by the automatic check, when it was well-formed XML: read from it instead of parsing again. */
    private readonly xmlDocument?: XmlDocument,
  ) {}

  get mediaType(): string {
    return (this.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  }

  /** Whether the body is JSON: by the media type when it names XML or JSON, else by the body's first character. */
  get isJson(): boolean {
    return looksJson(this.mediaType, this.text);
  }

  /**
   * The body in JSON form, whatever the representation: JSON, or XML read through the documented mapping. Read
   * leniently (src/suite/lenient.ts): a deviation from the representation rules is for their own tests to report,
   * which read `text` or `rawJson()`.
   */
  body<T = any>(): T {
    if (this.isJson) {
      this.parsedJson ??= lenientJson(this.text);
      return this.parsedJson as T;
    }
    return this.xml().value as T;
  }

  /**
   * The JSON body with its keys and nesting exactly as sent, for the rules of the JSON mapping (a byte order mark,
   * NEG-007's to report, is dropped).
   */
  rawJson<T = any>(): T {
    return JSON.parse(this.text.replace(/^\uFEFF/, '')) as T;
  }

  /** XML root element (or, for JSON, undefined: JSON has no root). */
  get root(): string | undefined {
    return this.isJson ? undefined : this.xml().root;
  }

  xml(): { root: string; value: Record<string, JsonValue> } {
    this.parsedXml ??= this.xmlDocument ? codec().fromDocument(this.xmlDocument) : lenientXml(this.text);
    return this.parsedXml;
  }

  /** One line for evidence: request line and status, secrets redacted. */
  describe(): string {
    return redact(`${this.method} ${this.url} → ${this.status}${this.headers['content-type'] ? ` (${this.headers['content-type']})` : ''}`);
  }

  /** The body for evidence, redacted and cut to a readable size. */
  evidence(max = 2000): string {
    const body = this.text.length > max ? `${this.text.slice(0, max)}… (${this.text.length} bytes)` : this.text;
    return redact(`${this.describe()}\n${body}`);
  }
}

export interface ClientOptions {
  request: HttpClient;
  apiBase: string;
  representation: Representation;
  token?: string;
  jsonMapping: 'strict' | 'omit-absent';
  /** Receives every checked response (the fixture collects violations and counts requests). */
  onResponse?: (r: EmResponse) => void;
}

export class EmClient {
  constructor(readonly opts: ClientOptions) {}

  get apiBase(): string {
    return this.opts.apiBase;
  }

  get representation(): Representation {
    return this.opts.representation;
  }

  /** A client like this one for the other representation or without a token. */
  with(changes: Partial<Pick<ClientOptions, 'representation' | 'token'>>): EmClient {
    return new EmClient({ ...this.opts, ...changes });
  }

  /** Absolute URL for a path relative to the API base (`/backupSessions`) or an Href taken from a body. */
  resolve(target: string, params?: Record<string, string | number>): string {
    const url = /^https?:\/\//i.test(target) ? new URL(target) : new URL(this.opts.apiBase + (target.startsWith('/') ? target : `/${target}`));
    for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, String(v));
    return url.toString();
  }

  get(target: string, options: RequestOptions = {}): Promise<EmResponse> {
    return this.send('GET', target, options);
  }

  post(target: string, options: RequestOptions = {}): Promise<EmResponse> {
    return this.send('POST', target, options);
  }

  delete(target: string, options: RequestOptions = {}): Promise<EmResponse> {
    return this.send('DELETE', target, options);
  }

  async send(method: string, target: string, options: RequestOptions = {}): Promise<EmResponse> {
    const url = this.resolve(target, options.params);
    const accept = options.accept === undefined ? MEDIA_TYPE[this.opts.representation] : options.accept;
    const headers: Record<string, string> = {};
    if (accept !== null) headers.Accept = accept;
    if (this.opts.token) headers['X-RestSvcSessionId'] = this.opts.token;
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      if (v === null) delete headers[k];
      else headers[k] = v;
    }
    const response = await this.opts.request.fetch(url, { method, headers, ...(options.data !== undefined ? { data: options.data } : {}) });
    const { text, headers: responseHeaders, status } = response;
    const match = matchOperation(method, url, this.opts.apiBase);
    let xmlDocument: XmlDocument | undefined;
    const violations =
      match && !options.unchecked
        ? validateResponse({
            operationId: match.op.operationId,
            status,
            headers: responseHeaders,
            body: text,
            accept,
            mapping: this.opts.jsonMapping,
            onXmlDocument: (doc) => (xmlDocument = doc),
            ...(options.expectedRoot && status < 300 ? { expectedRoot: options.expectedRoot } : {}),
          })
        : [];
    const r = new EmResponse(method, url, status, responseHeaders, text, accept, match?.op.operationId, violations, xmlDocument);
    this.opts.onResponse?.(r);
    return r;
  }
}
