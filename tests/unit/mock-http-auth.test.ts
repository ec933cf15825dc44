/** The mock's auth lifecycle (em-api-notes §1.4–§1.6; rules AUTH-001…011, ERR-001). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../src/mock/index.ts';
import { BASIC, expectErrorBody, expectValid, header, logon, send } from './mock-http-helpers.ts';

const START = Date.parse('2026-06-15T08:00:00Z');
const MINUTE = 60_000;

describe('mock auth lifecycle', () => {
  let t = START;
  let mock: RunningMock;
  let base: string;
  const lines: string[] = [];

  beforeAll(async () => {
    mock = await startMock({
      port: 0,
      now: () => new Date(t),
      users: { emuser: 'emuser-password', other: 'other-password', viewer: { password: 'viewer-password', role: 'PortalUser' } },
      log: (line) => lines.push(line),
    });
    base = mock.url;
  });
  afterAll(() => mock.close());

  it('GET /api/ needs no auth and advertises v1_5..v1_7 with logon links', async () => {
    const a = await send(`${base}/`);
    expect(a.status).toBe(200);
    expectValid('getEnterpriseManager', a);
    expect(a.body).toContain(`<Link Rel="Create" Href="${base}/sessionMngr/?v=latest" Type="LogonSession" />`);
    expect(a.body).toContain(`<Link Rel="Down" Href="${base}/logonSessions" Type="LogonSessionList" />`);
    for (const v of ['v1_5', 'v1_6', 'v1_7']) expect(a.body).toContain(`<SupportedVersion Name="${v}"><Links><Link Rel="Create" Href="${base}/sessionMngr/?v=${v}" Type="LogonSession" /></Links></SupportedVersion>`);
    expect(a.body).not.toMatch(/<EnterpriseManager[^>]*(Href|Type)=/);
    const j = await send(`${base}/`, { headers: { Accept: 'application/json' } });
    expectValid('getEnterpriseManager', j, 'application/json');
    const doc = JSON.parse(j.body);
    expect(doc.Href).toBeNull();
    expect(doc.Type).toBeNull();
    expect(doc.SupportedVersions.SupportedVersions.map((v: { Name: string }) => v.Name)).toEqual(['v1_5', 'v1_6', 'v1_7']);
  });

  it('logon: 201, LogonSession, token = base64(SessionId) in the header and the cookie', async () => {
    for (const accept of [undefined, 'application/json']) {
      const a = await send(`${base}/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: BASIC(), ...(accept ? { Accept: accept } : {}) } });
      expect(a.status).toBe(201);
      expectValid('createLogonSession', a, accept);
      const token = header(a, 'x-restsvcsessionid')!;
      const sessionId = accept ? JSON.parse(a.body).SessionId : /<SessionId>([^<]+)<\/SessionId>/.exec(a.body)![1]!;
      expect(sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(token).toBe(Buffer.from(sessionId).toString('base64'));
      expect(header(a, 'set-cookie')).toBe(`X-RestSvcSessionId=${token}; Path=/api`);
      expect(header(a, 'location')).toBe(`${base}/logonSessions/${sessionId}`);
      if (accept) {
        const s = JSON.parse(a.body);
        expect(s.UserName).toBe('emuser');
        expect(s.Href).toBe(`${base}/logonSessions/${sessionId}`);
        expect(s.Type).toBe('LogonSession');
        const links = s.Links as Array<{ Rel: string; Type: string | null; Href: string }>;
        expect(links[0]).toEqual({ Rel: 'Up', Href: `${base}/`, Name: null, Type: 'EnterpriseManager' });
        expect(links.at(-1)).toEqual({ Rel: 'Delete', Href: `${base}/logonSessions/${sessionId}`, Name: null, Type: null });
        for (const type of ['BackupServerReferenceList', 'JobReferenceList', 'BackupJobSessionReferenceList', 'BackupTaskSessionReferenceList', 'TaskList', 'QueryService', 'AgentsService']) {
          expect(links.some((l) => l.Rel === 'Down' && l.Type === type)).toBe(true);
        }
      }
    }
  });

  it('logon tolerates a missing ?v=, //sessionMngr and a stray body; versions are case-insensitive', async () => {
    for (const path of ['/sessionMngr', '//sessionMngr/', '/sessionMngr/?v=v1_5', '/sessionMngr/?V=V1_7', '/sessionMngr/?v=']) {
      const a = await send(`${base}${path}`, { method: 'POST', headers: { Authorization: BASIC(), 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'make-this=a-post-request' });
      expect(a.status, path).toBe(201);
    }
  });

  it('logon with an unsupported version is 400 with an Error body', async () => {
    const a = await send(`${base}/sessionMngr/?v=v1_4`, { method: 'POST', headers: { Authorization: BASIC() } });
    expect(a.status).toBe(400);
    expectValid('createLogonSession', a);
    expect(a.body).toContain('v1_5, v1_6, v1_7, latest');
  });

  it('bad, missing or broken credentials: 401 + WWW-Authenticate + Error body', async () => {
    const cases: Array<string | undefined> = [
      undefined,
      '',
      BASIC('emuser', 'wrong'),
      BASIC('nobody', 'emuser-password'),
      BASIC('', 'emuser-password'),
      `Basic ${Buffer.from('emuser').toString('base64')}`, // no colon
      'Basic !!!not-base64!!!',
      'Basic ZW11c2VyOmVtdXNlci1wYXNzd29yZA', // missing padding
      'Bearer abc',
      'Basic',
      'Basic    ',
      'Digest username="emuser"',
    ];
    for (const auth of cases) {
      for (const accept of [undefined, 'application/json']) {
        const a = await send(`${base}/sessionMngr/?v=latest`, { method: 'POST', headers: { ...(auth !== undefined ? { Authorization: auth } : {}), ...(accept ? { Accept: accept } : {}) } });
        expect(a.status, String(auth)).toBe(401);
        expect(header(a, 'www-authenticate')).toBe('Basic Realm=RestSvc');
        expectValid('createLogonSession', a, accept);
        expectErrorBody(a, accept ? 'json' : 'xml');
      }
    }
  });

  it('user names are case-insensitive, passwords are not', async () => {
    expect((await send(`${base}/sessionMngr/`, { method: 'POST', headers: { Authorization: BASIC('EMUSER', 'emuser-password') } })).status).toBe(201);
    expect((await send(`${base}/sessionMngr/`, { method: 'POST', headers: { Authorization: BASIC('emuser', 'EMUSER-PASSWORD') } })).status).toBe(401);
  });

  it('the token works from the header and from the cookie; the cookie wins', async () => {
    const { token, sessionId } = await logon(base);
    const { token: otherToken } = await logon(base, { user: 'other', password: 'other-password' });
    const fromHeader = await send(`${base}/logonSessions/${sessionId}`, { headers: { 'X-RestSvcSessionId': token } });
    expect(fromHeader.status).toBe(200);
    expectValid('getLogonSession', fromHeader);
    const fromCookie = await send(`${base}/logonSessions/${sessionId}`, { headers: { Cookie: `foo=bar; X-RestSvcSessionId=${token}; baz=1` } });
    expect(fromCookie.status).toBe(200);
    // valid cookie + bogus header → served
    const cookieWins = await send(`${base}/logonSessions/${sessionId}`, { headers: { Cookie: `X-RestSvcSessionId=${token}`, 'X-RestSvcSessionId': 'bogus' } });
    expect(cookieWins.status).toBe(200);
    // bogus cookie + valid header → 401
    const bogusCookie = await send(`${base}/logonSessions/${sessionId}`, { headers: { Cookie: 'X-RestSvcSessionId=bogus', 'X-RestSvcSessionId': token } });
    expect(bogusCookie.status).toBe(401);
    // another user's cookie + this user's header: the cookie's user is asking, and cannot see this session
    const otherCookie = await send(`${base}/logonSessions/${sessionId}`, { headers: { Cookie: `X-RestSvcSessionId=${otherToken}`, 'X-RestSvcSessionId': token } });
    expect(otherCookie.status).toBe(404);
    expectValid('getLogonSession', otherCookie);
  });

  it('no, unknown or malformed token: 401 with an Error body and no WWW-Authenticate', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { 'X-RestSvcSessionId': '' },
      { 'X-RestSvcSessionId': 'bm90LWEtc2Vzc2lvbg==' },
      { 'X-RestSvcSessionId': '%%%garbage' },
      { Cookie: 'X-RestSvcSessionId=' },
      { Cookie: 'X-RestSvcSessionId' },
      { Authorization: BASIC() }, // Basic is for the logon only
    ];
    for (const headers of cases) {
      for (const accept of [undefined, 'application/json']) {
        const a = await send(`${base}/logonSessions`, { headers: { ...headers, ...(accept ? { Accept: accept } : {}) } });
        expect(a.status, JSON.stringify(headers)).toBe(401);
        expect(header(a, 'www-authenticate')).toBeUndefined();
        expectValid('listLogonSessions', a, accept);
        expectErrorBody(a, accept ? 'json' : 'xml');
      }
    }
  });

  it('GET /logonSessions lists the caller\'s own sessions, the calling one first', async () => {
    const first = await logon(base, { user: 'viewer', password: 'viewer-password' });
    const second = await logon(base, { user: 'viewer', password: 'viewer-password' });
    const a = await send(`${base}/logonSessions`, { headers: { 'X-RestSvcSessionId': second.token, Accept: 'application/json' } });
    expect(a.status).toBe(200);
    expectValid('listLogonSessions', a, 'application/json');
    const list = JSON.parse(a.body).LogonSessions as Array<{ SessionId: string; UserName: string; Href: string }>;
    expect(list.map((s) => s.SessionId)).toEqual([second.sessionId, first.sessionId]);
    expect(list.every((s) => s.UserName === 'viewer')).toBe(true);
    // GET of the entry's Href returns the same LogonSession (AUTH-010)
    const one = await send(list[1]!.Href, { headers: { 'X-RestSvcSessionId': second.token, Accept: 'application/json' } });
    expect(JSON.parse(one.body)).toEqual(list[1]);
    const xml = await send(`${base}/logonSessions`, { headers: { 'X-RestSvcSessionId': second.token } });
    expectValid('listLogonSessions', xml);
    expect(xml.body).toContain('<LogonSessions ');
  });

  it('log off: 204, empty body, then the token is 401; unknown or foreign sessions are 404', async () => {
    const me = await logon(base);
    const other = await logon(base, { user: 'other', password: 'other-password' });
    const foreign = await send(`${base}/logonSessions/${other.sessionId}`, { method: 'DELETE', headers: { 'X-RestSvcSessionId': me.token } });
    expect(foreign.status).toBe(404);
    expectValid('deleteLogonSession', foreign);
    const unknown = await send(`${base}/logonSessions/00000000-0000-0000-0000-000000000000`, { method: 'DELETE', headers: { 'X-RestSvcSessionId': me.token, Accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expectValid('deleteLogonSession', unknown, 'application/json');
    const bye = await send(`${base}/logonSessions/${me.sessionId.toUpperCase()}`, { method: 'DELETE', headers: { 'X-RestSvcSessionId': me.token } });
    expect(bye.status).toBe(204);
    expect(bye.body).toBe('');
    expect(header(bye, 'content-length')).toBe('0');
    expectValid('deleteLogonSession', bye);
    const after = await send(`${base}/logonSessions`, { headers: { 'X-RestSvcSessionId': me.token } });
    expect(after.status).toBe(401);
    expectValid('listLogonSessions', after);
    // the other user's session is untouched
    expect((await send(`${base}/logonSessions`, { headers: { 'X-RestSvcSessionId': other.token } })).status).toBe(200);
  });

  it('sessions expire after 15 idle minutes on the mock clock; each request refreshes', async () => {
    const { token } = await logon(base);
    const ask = () => send(`${base}/logonSessions`, { headers: { 'X-RestSvcSessionId': token } });
    t += 14 * MINUTE + 59_999;
    expect((await ask()).status).toBe(200); // refreshed here
    t += 14 * MINUTE;
    expect((await ask()).status).toBe(200);
    const before = mock.sessions();
    t += 15 * MINUTE;
    const expired = await ask();
    expect(expired.status).toBe(401);
    expectValid('listLogonSessions', expired);
    expectErrorBody(expired, 'xml');
    expect(mock.sessions()).toBeLessThan(before);
    expect((await ask()).status).toBe(401);
  });

  it('never logs tokens or SessionIds', async () => {
    const { token, sessionId } = await logon(base);
    await send(`${base}/logonSessions/${sessionId}`, { headers: { 'X-RestSvcSessionId': token } });
    await send(`${base}/logonSessions/${sessionId}`, { method: 'DELETE', headers: { Cookie: `X-RestSvcSessionId=${token}` } });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(sessionId);
    expect(all).toContain('/logonSessions/<redacted>');
  });
});

describe('mock logon session store', () => {
  it('is bounded: the least recently used sessions go first', async () => {
    const mock = await startMock({ port: 0, limits: { maxSessions: 3 } });
    try {
      const s1 = await logon(mock.url);
      const s2 = await logon(mock.url);
      await logon(mock.url);
      // s1 used again: s2 is now the least recently used
      expect((await send(`${mock.url}/logonSessions`, { headers: { 'X-RestSvcSessionId': s1.token } })).status).toBe(200);
      await logon(mock.url);
      expect(mock.sessions()).toBe(3);
      expect((await send(`${mock.url}/logonSessions`, { headers: { 'X-RestSvcSessionId': s2.token } })).status).toBe(401);
      expect((await send(`${mock.url}/logonSessions`, { headers: { 'X-RestSvcSessionId': s1.token } })).status).toBe(200);
    } finally {
      await mock.close();
    }
  });

  it('honours a configured idle timeout', async () => {
    let t = START;
    const mock = await startMock({ port: 0, now: () => new Date(t), idleTimeoutMs: 1000 });
    try {
      const { token } = await logon(mock.url);
      t += 999;
      expect((await send(`${mock.url}/logonSessions`, { headers: { 'X-RestSvcSessionId': token } })).status).toBe(200);
      t += 1000;
      expect((await send(`${mock.url}/logonSessions`, { headers: { 'X-RestSvcSessionId': token } })).status).toBe(401);
      expect(mock.sessions()).toBe(0);
    } finally {
      await mock.close();
    }
  });
});

describe('mock default accounts and roles', () => {
  it('emuser (Portal Administrator) and emoperator (Restore Operator) exist by default; handlers see the role', async () => {
    const seen: unknown[] = [];
    const mock = await startMock({
      port: 0,
      handlers: {
        listJobs: (ctx) => {
          seen.push({ ...ctx.user, logonSessionId: ctx.logonSessionId });
          return { status: 200, root: 'EntityReferences', body: { Refs: [] } };
        },
      },
    });
    try {
      const admin = await logon(mock.url);
      const operator = await logon(mock.url, { user: 'emoperator', password: 'emoperator-password' });
      for (const s of [admin, operator]) {
        const a = await send(`${mock.url}/jobs`, { headers: { 'X-RestSvcSessionId': s.token } });
        expect(a.status).toBe(200);
        expectValid('listJobs', a);
      }
      expect(seen).toEqual([
        { name: 'emuser', role: 'PortalAdministrator', logonSessionId: admin.sessionId },
        { name: 'emoperator', role: 'RestoreOperator', logonSessionId: operator.sessionId },
      ]);
    } finally {
      await mock.close();
    }
  });
});
