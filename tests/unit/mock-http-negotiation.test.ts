/** Negotiation, profiles, Hrefs and the contract of every answer of the mock's HTTP layer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { validateResponse } from '../../src/contract/validate.ts';
import { expectErrorBody, expectValid, header, logon, rawRequest, send } from './mock-http-helpers.ts';
import { SESSION_ID, stubHandlers } from './mock-http-stub.ts';

const XML_PROLOGUE = '<?xml version="1.0" encoding="utf-8"?>\n';
const NAMESPACES = 'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0"';

function keysDeep(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysDeep(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.add(k), keysDeep(x, out));
  return out;
}

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some(hasNull);
  if (typeof v === 'object') return Object.values(v as object).some(hasNull);
  return false;
}

describe('negotiation (v12 profile)', () => {
  let mock: RunningMock;
  let token: string;
  const internal: unknown[] = [];

  beforeAll(async () => {
    mock = await startMock({ port: 0, handlers: stubHandlers({ boom: true }), onInternalError: (err) => internal.push(err) });
    token = (await logon(mock.url)).token;
  });
  afterAll(() => mock.close());

  it('XML by default: declaration, namespaces, application/xml, Content-Length', async () => {
    for (const accept of [undefined, 'application/xml', '*/*', 'text/xml', 'application/*', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8']) {
      const a = await send(`${mock.url}/backupSessions/${SESSION_ID}?format=Entity`, { headers: { 'X-RestSvcSessionId': token, ...(accept ? { Accept: accept } : {}) } });
      expect(a.status).toBe(200);
      expect(header(a, 'content-type')).toBe('application/xml');
      expect(a.body.startsWith(XML_PROLOGUE)).toBe(true);
      expect(a.body).toContain(`<BackupJobSession ${NAMESPACES}`);
      expectValid('getBackupSession', a, accept);
    }
  });

  it('JSON whenever Accept contains application/json (no BOM, no charset)', async () => {
    for (const accept of ['application/json', 'application/xml, text/xml, application/json, text/json', 'APPLICATION/JSON', 'application/json;q=0.1, application/xml']) {
      const a = await send(`${mock.url}/backupSessions/${SESSION_ID}`, { headers: { 'X-RestSvcSessionId': token, Accept: accept } });
      expect(a.status).toBe(200);
      expect(header(a, 'content-type')).toBe('application/json');
      expect(a.raw[0]).toBe(0x7b); // '{', no BOM
      expectValid('getBackupSession', a, accept);
      expect(JSON.parse(a.body).Type).toBe('BackupJobSessionReference');
    }
  });

  it('CHOICE: an Accept admitting neither XML nor JSON is served XML (EM falls back to XML)', async () => {
    for (const accept of ['text/html', 'image/png', 'garbage;;;', ',']) {
      const a = await send(`${mock.url}/`, { headers: { Accept: accept } });
      expect(a.status).toBe(200);
      expectValid('getEnterpriseManager', a, accept);
    }
  });

  it('errors come in the negotiated representation with StatusCode = HTTP status and the .NET reason phrase', async () => {
    const xml = await send(`${mock.url}/backupSessions/00000000-0000-0000-0000-000000000000`, { headers: { 'X-RestSvcSessionId': token } });
    expect(xml.status).toBe(404);
    expect(xml.statusText).toBe('NotFound');
    expectValid('getBackupSession', xml);
    expectErrorBody(xml, 'xml');
    expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<Error xmlns:xsd=/);
    const json = await send(`${mock.url}/query?type=Nope`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
    expect(json.status).toBe(400);
    expectValid('query', json, 'application/json');
    expect(JSON.parse(json.body)).toEqual({ FirstChanceExceptionMessage: null, Message: "Unknown query type 'Nope'.", StackTrace: null, Status: null, StatusCode: 400 });
    expect(Object.keys(JSON.parse(json.body))).toEqual(['FirstChanceExceptionMessage', 'Message', 'StackTrace', 'Status', 'StatusCode']);
  });

  it('405 with Allow and an Error body for a method a known path lacks; 404 for unknown paths', async () => {
    const put = await send(`${mock.url}/query?type=Job`, { method: 'PUT', headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
    expect(put.status).toBe(405);
    expect(header(put, 'allow')).toBe('GET');
    expectErrorBody(put, 'json');
    const del = await send(`${mock.url}/backupSessions`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expectErrorBody(del, 'xml');
    const both = await send(`${mock.url}/logonSessions/${SESSION_ID}`, { method: 'POST' });
    expect(header(both, 'allow')).toBe('DELETE, GET');
    for (const path of ['/api/managedServers', '/api/nope', '/', '/apiX/', '/foo/api/']) {
      const a = await send(`${new URL(mock.url).origin}${path}`, { headers: { 'X-RestSvcSessionId': token } });
      expect(a.status, path).toBe(404);
      expectErrorBody(a, 'xml');
    }
  });

  it('paths: case-insensitive literals, collapsed slashes, trailing slash ignored', async () => {
    for (const path of [`/API/BackupSessions/${SESSION_ID}`, `//api//backupSessions//${SESSION_ID}/`, `/api/backupSessions/${SESSION_ID.toUpperCase()}`]) {
      const a = await send(`${new URL(mock.url).origin}${path}`, { headers: { 'X-RestSvcSessionId': token } });
      expect(a.status, path).toBe(200);
    }
  });

  it('an internal bug is a 500 with an Error body, reported without request headers', async () => {
    const a = await send(`${mock.url}/tasks/task-1`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
    expect(a.status).toBe(500);
    expectValid('getTask', a, 'application/json');
    expect(JSON.parse(a.body).Message).not.toContain('simulated bug');
    expect(internal).toHaveLength(1);
    expect((internal[0] as Error).message).toBe('simulated bug');
  });

  it('Hrefs follow the Host header, X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const viaHost = await send(`${mock.url}/`, { headers: { Host: 'em.example.test:9398', Accept: 'application/json' } });
    expect(JSON.parse(viaHost.body).Links[0].Href).toBe('http://em.example.test:9398/api/logonSessions');
    const viaProxy = await send(`${mock.url}/`, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'proxy.example.test', Accept: 'application/json' } });
    expect(JSON.parse(viaProxy.body).Links[1].Href).toBe('https://proxy.example.test/api/sessionMngr/?v=latest');
    const ipv6 = await send(`${mock.url}/`, { headers: { Host: '[::1]:9398', Accept: 'application/json' } });
    expect(JSON.parse(ipv6.body).Links[0].Href).toBe('http://[::1]:9398/api/logonSessions');
    // a malformed forwarded header is ignored, a malformed Host is 400
    const badFwd = await send(`${mock.url}/`, { headers: { 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Host': 'a b<c>', Accept: 'application/json' } });
    expect(JSON.parse(badFwd.body).Links[0].Href).toBe(`${mock.url}/logonSessions`);
    const badHost = await send(`${mock.url}/`, { headers: { Host: 'evil.test/"><x' } });
    expect(badHost.status).toBe(400);
    expectErrorBody(badHost, 'xml');
    // the logon's links and the session's Href follow the same address
    const logonAnswer = await send(`${mock.url}/sessionMngr/?v=latest`, { method: 'POST', headers: { Host: 'em.example.test:9398', Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}` } });
    expect(logonAnswer.body).toMatch(/<LogonSession [^>]*Href="http:\/\/em\.example\.test:9398\/api\/logonSessions\/[0-9a-f-]{36}"/);
    expect(header(logonAnswer, 'location')).toMatch(/^http:\/\/em\.example\.test:9398\/api\/logonSessions\//);
    const entity = await send(`${mock.url}/backupSessions/${SESSION_ID}?format=Entity`, { headers: { Host: 'em.example.test:9398', 'X-RestSvcSessionId': token } });
    expect(entity.body).toContain(`Href="http://em.example.test:9398/api/backupSessions/${SESSION_ID}?format=Entity"`);
  });

  it('HTTP/1.1 without Host is 400 with an Error body; HTTP/1.0 without Host uses the server address', async () => {
    const noHost = await rawRequest(mock.port, 'GET /api/ HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(noHost.status).toBe(400);
    expect(noHost.body.toString()).toContain('StatusCode="400"');
    const http10 = await rawRequest(mock.port, 'GET /api/ HTTP/1.0\r\nAccept: application/json\r\n\r\n');
    expect(http10.status).toBe(200);
    expect(JSON.parse(http10.body.toString()).Links[0].Href).toBe(`http://127.0.0.1:${mock.port}/api/logonSessions`);
  });
});

describe('profiles', () => {
  it('v13: camelCase JSON keys (UID→uid), µs timestamps, XML unchanged; the camelCase JSON fails the contract', async () => {
    const v12 = await startMock({ port: 0, handlers: stubHandlers() });
    const v13 = await startMock({ port: 0, profile: 'v13', handlers: stubHandlers() });
    try {
      const entry = await send(`${v13.url}/`, { headers: { Accept: 'application/json' } });
      const doc = JSON.parse(entry.body);
      expect(Object.keys(doc)).toEqual(['supportedVersions', 'links', 'href', 'type']);
      expect(doc.supportedVersions.supportedVersions.map((v: { name: string }) => v.name)).toEqual(['v1_5', 'v1_6', 'v1_7']);
      expect(doc.links[0]).toEqual({ rel: 'Down', href: `${v13.url}/logonSessions`, name: null, type: 'LogonSessionList' });
      const violations = validateResponse({ operationId: 'getEnterpriseManager', status: entry.status, headers: entry.headers, body: entry.body, accept: 'application/json' });
      expect(violations.length).toBeGreaterThan(0);
      expect(violations.every((v) => v.check === 'json-schema')).toBe(true);

      const { token } = await logon13(v13.url);
      const entity = await send(`${v13.url}/backupSessions/${SESSION_ID}?format=Entity`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
      const e = JSON.parse(entity.body);
      expect(e.uid).toBe(`urn:veeam:BackupJobSession:${SESSION_ID}`);
      expect(e.creationTimeUTC).toBe('2020-02-04T08:12:19.453212Z');
      expect(e.endTimeUTC).toBe('2020-02-04T08:47:10.640000Z');
      expect(e.failureMessage).toBeNull();
      expect(e.isRetry).toBe(false);
      expect(e.links[0].type).toBe('BackupServerReference'); // values keep their casing
      expect(validateResponse({ operationId: 'getBackupSession', status: entity.status, headers: entity.headers, body: entity.body, accept: 'application/json' }).length).toBeGreaterThan(0);
      // CHOICE: errors are camelCase too
      const err = await send(`${v13.url}/logonSessions`, { headers: { Accept: 'application/json' } });
      expect(JSON.parse(err.body)).toEqual({ firstChanceExceptionMessage: null, message: expect.any(String), stackTrace: null, status: null, statusCode: 401 });
      // XML identical to v12's (but for the port in the Hrefs)
      const x13 = await send(`${v13.url}/`);
      const x12 = await send(`${v12.url}/`);
      expectValid('getEnterpriseManager', x13);
      expect(x13.body.replaceAll(v13.url, 'BASE')).toBe(x12.body.replaceAll(v12.url, 'BASE'));
    } finally {
      await v12.close();
      await v13.close();
    }

    async function logon13(base: string): Promise<{ token: string }> {
      const a = await send(`${base}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}`, Accept: 'application/json' } });
      expect(a.status).toBe(201);
      expect(JSON.parse(a.body).sessionId).toMatch(/^[0-9a-f-]{36}$/);
      return { token: header(a, 'x-restsvcsessionid')! };
    }
  });

  it('9.5u4: advertises v1..v1_4, omits nulls (valid under omit-absent, not strict), whole-second timestamps', async () => {
    const mock = await startMock({ port: 0, profile: '9.5u4', handlers: stubHandlers() });
    try {
      const xml = await send(`${mock.url}/`);
      expectValid('getEnterpriseManager', xml);
      for (const v of ['v1', 'v1_1', 'v1_2', 'v1_3', 'v1_4']) expect(xml.body).toContain(`<SupportedVersion Name="${v}">`);
      expect(xml.body).not.toContain('v1_5');
      const entry = await send(`${mock.url}/`, { headers: { Accept: 'application/json' } });
      const doc = JSON.parse(entry.body);
      expect(hasNull(doc)).toBe(false);
      expect(Object.keys(doc)).toEqual(['SupportedVersions', 'Links']);
      expect(doc.Links[0]).toEqual({ Rel: 'Down', Href: `${mock.url}/logonSessions`, Type: 'LogonSessionList' });
      expectValid('getEnterpriseManager', entry, 'application/json', 'omit-absent');
      expect(validateResponse({ operationId: 'getEnterpriseManager', status: 200, headers: entry.headers, body: entry.body, accept: 'application/json', mapping: 'strict' }).length).toBeGreaterThan(0);

      const bad = await send(`${mock.url}/sessionMngr/?v=v1_7`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}` } });
      expect(bad.status).toBe(400);
      const a = await send(`${mock.url}/sessionMngr/?v=v1_4`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('emuser:emuser-password').toString('base64')}`, Accept: 'application/json' } });
      expect(a.status).toBe(201);
      expectValid('createLogonSession', a, 'application/json', 'omit-absent');
      const token = header(a, 'x-restsvcsessionid')!;
      const entity = await send(`${mock.url}/backupSessions/${SESSION_ID}?format=Entity`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
      const e = JSON.parse(entity.body);
      expect(e.CreationTimeUTC).toBe('2020-02-04T08:12:19Z');
      expect('FailureMessage' in e).toBe(false);
      expectValid('getBackupSession', entity, 'application/json', 'omit-absent');
      // CHOICE: the Error keeps its nulls, as the one captured 9.5 U4 JSON error does
      const err = await send(`${mock.url}/logonSessions`, { headers: { Accept: 'application/json' } });
      expect(JSON.parse(err.body)).toEqual({ FirstChanceExceptionMessage: null, Message: expect.any(String), StackTrace: null, Status: null, StatusCode: 401 });
      expectValid('listLogonSessions', err, 'application/json', 'omit-absent');
    } finally {
      await mock.close();
    }
  });

  it('v12: millisecond timestamps with trailing zeros trimmed', async () => {
    const mock = await startMock({ port: 0, handlers: stubHandlers() });
    try {
      const { token } = await logon(mock.url);
      const a = await send(`${mock.url}/backupSessions/${SESSION_ID}?FORMAT=entity`, { headers: { 'X-RestSvcSessionId': token, Accept: 'application/json' } });
      expectValid('getBackupSession', a, 'application/json');
      const e = JSON.parse(a.body);
      expect(e.CreationTimeUTC).toBe('2020-02-04T08:12:19.453Z');
      expect(e.EndTimeUTC).toBe('2020-02-04T08:47:10.64Z');
      expect(e.FailureMessage).toBeNull();
      expect(keysDeep(e).has('UID')).toBe(true);
    } finally {
      await mock.close();
    }
  });
});

describe('notAcceptable: 406', () => {
  it('answers 406 with an XML Error body when Accept admits neither XML nor JSON', async () => {
    const mock = await startMock({ port: 0, notAcceptable: '406' });
    try {
      const a = await send(`${mock.url}/`, { headers: { Accept: 'text/html' } });
      expect(a.status).toBe(406);
      expectErrorBody(a, 'xml');
      expect((await send(`${mock.url}/`, { headers: { Accept: '*/*' } })).status).toBe(200);
      expect((await send(`${mock.url}/`, { headers: { Accept: 'text/html, application/json' } })).status).toBe(200);
    } finally {
      await mock.close();
    }
  });
});
