/** Unit tests of the mock HTTP layer's pure parts: profiles, casing, dates, routing, targets, negotiation, tokens, credentials. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyJsonProfile, camelCaseKey, getProfile, makeDateFormatter, PROFILES } from '../../src/mock/http/profiles.ts';
import { AUTH_OPERATIONS, parseTarget, Router } from '../../src/mock/http/router.ts';
import { negotiate, serializeError, xmlSafe } from '../../src/mock/http/negotiate.ts';
import { Credentials, logonVersion, requestToken, SessionStore } from '../../src/mock/http/auth.ts';
import { redact } from '../../src/mock/http/server.ts';
import { MockHttpError } from '../../src/mock/types.ts';
import { listOperations } from '../../src/contract/spec.ts';
import { validateXml } from '../../src/contract/validate.ts';

describe('profiles', () => {
  it('state only their differences from v12', () => {
    expect(PROFILES.v12).toMatchObject({ versions: ['v1_5', 'v1_6', 'v1_7'], jsonKeys: 'PascalCase', jsonAbsent: 'null', timestampDigits: 3, trimFractionZeros: true });
    expect(PROFILES.v13).toMatchObject({ versions: ['v1_5', 'v1_6', 'v1_7'], jsonKeys: 'camelCase', jsonAbsent: 'null', timestampDigits: 6 });
    expect(PROFILES['9.5u4']).toMatchObject({ versions: ['v1', 'v1_1', 'v1_2', 'v1_3', 'v1_4'], jsonKeys: 'PascalCase', jsonAbsent: 'omit', timestampDigits: 0, errorJsonAbsent: 'null' });
    expect(getProfile()).toBe(PROFILES.v12);
    expect(Object.isFrozen(PROFILES.v13)).toBe(true);
  });

  it('camelCase follows System.Text.Json (em-api-notes §4.1 rule 10)', () => {
    const cases: Record<string, string> = {
      UID: 'uid', NASJobs: 'nasJobs', VAppRestorePoints: 'vAppRestorePoints', VCloudOrganizationConfigs: 'vCloudOrganizationConfigs', CreationTimeUTC: 'creationTimeUTC',
      IsRetry: 'isRetry', SessionId: 'sessionId', Links: 'links', Href: 'href', PagingInfo: 'pagingInfo', FirstChanceExceptionMessage: 'firstChanceExceptionMessage',
      already: 'already', A: 'a', '': '', ID: 'id', URLValue: 'urlValue', X1: 'x1', _Private: '_Private',
    };
    for (const [k, v] of Object.entries(cases)) expect(camelCaseKey(k), k).toBe(v);
  });

  it('applyJsonProfile renames keys and drops nulls without touching values; v12 is the identity', () => {
    const body = { UID: 'urn:veeam:Job:1', Links: [{ Rel: 'Up', Name: null, Type: 'JobReference' }], Nested: { NASJobs: null, List: [null, 1] } };
    expect(applyJsonProfile(body, 'PascalCase', 'null')).toBe(body);
    expect(applyJsonProfile(body, 'camelCase', 'null')).toEqual({ uid: 'urn:veeam:Job:1', links: [{ rel: 'Up', name: null, type: 'JobReference' }], nested: { nasJobs: null, list: [null, 1] } });
    expect(applyJsonProfile(body, 'PascalCase', 'omit')).toEqual({ UID: 'urn:veeam:Job:1', Links: [{ Rel: 'Up', Type: 'JobReference' }], Nested: { List: [null, 1] } });
    expect(body.Links[0]!.Name).toBeNull(); // not mutated
  });

  it('timestamps per profile: v12 ms trimmed, v13 µs, 9.5u4 whole seconds; never rounded up', () => {
    const v12 = makeDateFormatter(PROFILES.v12);
    const v13 = makeDateFormatter(PROFILES.v13);
    const u4 = makeDateFormatter(PROFILES['9.5u4']);
    const t = Date.parse('2026-06-15T05:50:44.620Z');
    expect(v12(t)).toBe('2026-06-15T05:50:44.62Z');
    expect(v12(Date.parse('2026-06-15T05:50:44.000Z'))).toBe('2026-06-15T05:50:44Z');
    expect(v12(t + 0.9)).toBe('2026-06-15T05:50:44.62Z');
    expect(v13(t + 0.559)).toBe('2026-06-15T05:50:44.620559Z');
    expect(v13(t)).toBe('2026-06-15T05:50:44.620000Z');
    expect(u4(Date.parse('2026-06-15T05:50:44.999Z'))).toBe('2026-06-15T05:50:44Z');
    expect(v12(Date.parse('1753-01-01T00:00:00Z'))).toBe('1753-01-01T00:00:00Z');
    expect(() => v12(Number.NaN)).toThrow(RangeError);
  });

  it('formatted timestamps always parse back to the truncated instant', () => {
    const v12 = makeDateFormatter(PROFILES.v12);
    const v13 = makeDateFormatter(PROFILES.v13);
    const u4 = makeDateFormatter(PROFILES['9.5u4']);
    fc.assert(
      fc.property(fc.integer({ min: -6e12, max: 2.5e14 }), fc.integer({ min: 0, max: 999 }), (ms, micro) => {
        const t = ms + micro / 1000;
        for (const [fmt, unit] of [[v12, 1], [v13, 1], [u4, 1000]] as const) {
          const s = fmt(t);
          expect(s).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?Z$/);
          expect(Date.parse(s)).toBe(Math.floor(Math.floor(t) / unit) * unit);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('router', () => {
  const router = Router.fromSpec();

  it('routes every operation of the spec, and the five auth operations', () => {
    const ops = listOperations();
    for (const op of ops) {
      const segments = op.path.split('/').filter(Boolean).map((s) => (s.startsWith('{') ? 'task-1' : s));
      const m = router.match(op.method, segments);
      expect(m.kind, `${op.method} ${op.path}`).toBe('found');
      if (m.kind === 'found') expect(m.operation.operationId).toBe(op.operationId);
    }
    for (const op of AUTH_OPERATIONS) expect(ops.some((o) => o.operationId === op.operationId && o.path === op.path && o.method === op.method), op.operationId).toBe(true);
  });

  it('extracts parameters, prefers literals, matches literals case-insensitively, reports allowed methods', () => {
    expect(router.match('GET', ['backupSessions', 'abc', 'taskSessions'])).toMatchObject({ kind: 'found', operation: { operationId: 'listBackupSessionTaskSessions' }, params: { ID: 'abc' } });
    expect(router.match('GET', ['AGENTS', 'Jobs'])).toMatchObject({ kind: 'found', operation: { operationId: 'listAgentJobs' } });
    expect(router.match('GET', ['agents', 'backupSessions'])).toMatchObject({ kind: 'found', operation: { operationId: 'listAgentBackupSessions' } });
    expect(router.match('PUT', ['tasks', 'task-1'])).toEqual({ kind: 'method', allow: ['DELETE', 'GET'] });
    expect(router.match('GET', ['nothing'])).toEqual({ kind: 'none' });
    expect(router.match('GET', [])).toMatchObject({ kind: 'found', operation: { operationId: 'getEnterpriseManager' } });
    expect(router.match('POST', ['sessionMngr'])).toMatchObject({ kind: 'found', operation: { operationId: 'createLogonSession' } });
  });

  it('a router without the spec still serves the auth operations', () => {
    const r = Router.fromSpec([]);
    expect(r.operations.map((o) => o.operationId).sort()).toEqual(AUTH_OPERATIONS.map((o) => o.operationId).sort());
  });

  it('parseTarget decodes segments, collapses slashes and rejects tricks', () => {
    expect(parseTarget('//api//backupSessions/a%20b/?format=Entity', 100)).toMatchObject({ segments: ['backupSessions', 'a b'], rawQuery: 'format=Entity' });
    expect(parseTarget('http://h:1/api/querySvc', 100).segments).toEqual(['querySvc']);
    expect(parseTarget('/API', 100).segments).toEqual([]);
    const status = (url: string, max = 100): number => {
      try {
        parseTarget(url, max);
        return 0;
      } catch (err) {
        return (err as MockHttpError).status;
      }
    };
    expect(status('/api/..')).toBe(400);
    expect(status('/api/%2E')).toBe(400);
    expect(status('/api/a%2Fb')).toBe(400);
    expect(status('/api/%00')).toBe(400);
    expect(status('/api/%E0%A4%A')).toBe(400);
    expect(status('*')).toBe(400);
    expect(status('/other')).toBe(404);
    expect(status('/')).toBe(404);
    expect(status(`/api/${'x'.repeat(200)}`)).toBe(414);
  });

  it('parseTarget never throws anything but MockHttpError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (url) => {
        try {
          const t = parseTarget(url, 150);
          for (const s of t.segments) expect(s).not.toMatch(/[\u0000-\u001f/\\]/);
        } catch (err) {
          expect(err).toBeInstanceOf(MockHttpError);
          expect([400, 404, 414]).toContain((err as MockHttpError).status);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('negotiation', () => {
  it('JSON when Accept contains application/json, XML for XML-compatible or absent Accept, null otherwise', () => {
    expect(negotiate(undefined)).toBe('xml');
    expect(negotiate('')).toBe('xml');
    expect(negotiate('application/json')).toBe('json');
    expect(negotiate('application/xml, application/json')).toBe('json');
    expect(negotiate('application/json;q=0')).toBe('json');
    expect(negotiate('*/*')).toBe('xml');
    expect(negotiate('text/xml')).toBe('xml');
    expect(negotiate('application/atom+xml')).toBe('xml');
    expect(negotiate('text/html')).toBeNull();
    expect(negotiate('garbage')).toBeNull();
  });

  it('Error bodies are well-formed XML whatever the message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(400, 401, 404, 405, 413, 431), (message, status) => {
        const xml = serializeError('xml', status, message, PROFILES.v12).toString('utf8');
        expect(validateXml(xml, { expectedRoots: ['Error'] })).toEqual([]);
        const json = JSON.parse(serializeError('json', status, message, PROFILES.v12).toString('utf8'));
        expect(json.StatusCode).toBe(status);
      }),
      { numRuns: 300 },
    );
    expect(xmlSafe('a\u0000b\ud800c\uffff')).toBe('a\ufffdb\ufffdc\ufffd');
    expect(serializeError('xml', 400, 'x'.repeat(5000), PROFILES.v12).length).toBeLessThan(2400);
  });
});

describe('auth pieces', () => {
  it('requestToken: the cookie wins, first cookie counts, quotes stripped, header otherwise', () => {
    expect(requestToken({ cookie: 'X-RestSvcSessionId=c', 'x-restsvcsessionid': 'h' })).toBe('c');
    expect(requestToken({ cookie: 'a=1; X-RestSvcSessionId="q"; X-RestSvcSessionId=second' })).toBe('q');
    expect(requestToken({ cookie: 'other=1', 'x-restsvcsessionid': ' h ' })).toBe('h');
    expect(requestToken({ cookie: 'x-restsvcsessionid=lower' })).toBeUndefined(); // cookie names are case-sensitive
    expect(requestToken({})).toBeUndefined();
  });

  it('Credentials: strict Basic parsing, roles, 401 with the Basic challenge', () => {
    const c = new Credentials({ emuser: 'pw:with:colons', op: { password: 'x', role: 'RestoreOperator' } });
    const b = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(c.check(b('emuser:pw:with:colons'))).toEqual({ name: 'emuser', role: 'PortalAdministrator' });
    expect(c.check(`basic  ${Buffer.from('op:x').toString('base64')}`)).toEqual({ name: 'op', role: 'RestoreOperator' });
    for (const bad of [undefined, '', 'Basic', b('emuser:pw'), b(':pw:with:colons'), b('emuser'), 'Basic a', 'Basic ====', 'Basic YQ=', 'Token abc']) {
      try {
        c.check(bad);
        expect.unreachable(String(bad));
      } catch (err) {
        expect(err).toBeInstanceOf(MockHttpError);
        expect((err as MockHttpError).status).toBe(401);
        expect((err as MockHttpError).headers['WWW-Authenticate']).toBe('Basic Realm=RestSvc');
      }
    }
    expect(() => new Credentials({ 'a:b': 'x' })).toThrow(/colon/);
    expect(() => new Credentials({ a: { password: 'x', role: 'Root' as never } })).toThrow(/role/);
  });

  it('logonVersion: latest by default, case-insensitive, 400 for unknown versions', () => {
    const q = (s: string): URLSearchParams => new URLSearchParams(s);
    expect(logonVersion(q(''), PROFILES.v12)).toBe('v1_7');
    expect(logonVersion(q('v=LATEST'), PROFILES.v12)).toBe('v1_7');
    expect(logonVersion(q('V=v1_5'), PROFILES.v12)).toBe('v1_5');
    expect(logonVersion(q('v=v1_4'), PROFILES['9.5u4'])).toBe('v1_4');
    expect(() => logonVersion(q('v=v1_4'), PROFILES.v12)).toThrow(MockHttpError);
    expect(() => logonVersion(q(`v=${'x'.repeat(10000)}`), PROFILES.v12)).toThrow(/not supported/);
  });

  it('SessionStore: tokens are base64(SessionId); expiry at exactly the idle timeout; lookups by id ignore case', () => {
    const s = new SessionStore(1000, 10);
    const a = s.create({ name: 'u', role: 'PortalUser' }, 'v1_7', 0);
    expect(a.token).toBe(Buffer.from(a.id).toString('base64'));
    expect(s.get(a.id.toUpperCase(), 0)).toBe(a);
    expect(s.authenticate(a.token, 999)).toBe(a);
    expect(s.authenticate(a.token, 1998)).toBe(a);
    expect(s.authenticate(a.token, 2998)).toBeUndefined();
    expect(s.count(2998)).toBe(0);
  });

  it('redact hides SessionIds in logged URLs', () => {
    expect(redact('/api/logonSessions/0f1e/x?y=1')).toBe('/api/logonSessions/<redacted>/x?y=1');
    expect(redact('/API/LOGONSESSIONS/abc')).toBe('/API/LOGONSESSIONS/<redacted>');
    expect(redact('/api/logonSessions')).toBe('/api/logonSessions');
  });
});
