// Replays of bsv9/check_veeam_em.rb (Ruby Nagios plugin, em-api-notes.md §7.5) and of the Zabbix template's script
// item (§7.10): Basic auth on every request, the plugin's Content-Length check, its unquoted JobName filter encoded
// by URI.encode_www_form; Zabbix logging on without ?v= (and with the older template's double slash), then GETs
// without the token header, carried by the cookie its HttpRequest object replays, and the summary links' Names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, json, mock, type Obj, read, readAll, type Running, send } from './clients-helpers.ts';

let em: Running;
beforeAll(async () => {
  // An estate with a one-word job name: the plugin sends the name unquoted, and EM ignores the spaces of an unquoted
  // value (em-api-notes.md §3.1), so only such names find their sessions.
  const estate = path.join(mkdtempSync(path.join(tmpdir(), 'em-ruby-')), 'estate.yaml');
  writeFileSync(estate, 'jobs:\n  - { name: SQLDaily, time: "22:00", vms: [sql01, sql02] }\n  - { name: Fileserver Backup, time: "23:00", vms: [fs01] }\nagentJobs:\n  - { name: Agents, computers: [pc01.tech.local] }\n');
  em = await mock('v12', { data: estate });
});
afterAll(() => em.close());

describe('check_veeam_em.rb', () => {
  it('logs on, then reads the last five sessions of a job', async () => {
    const login = await send(`${em.origin}/api/sessionMngr/?v=latest`, { method: 'POST', headers: { Authorization: basic(), Accept: 'application/json' } });
    expect([200, 201]).toContain(login.status);
    expect(Number(login.headers['content-length'])).toBeGreaterThanOrEqual(3); // response.content_length < 3 fails
    const token = String(login.headers['x-restsvcsessionid']);
    JSON.parse(login.body);
    const headers = { Authorization: basic(), 'X-RestSvcSessionId': token, Accept: 'application/json' };
    const jobs = json(await send(`${em.origin}/api/jobs`, { headers })).Refs as Obj[];
    // URI.encode_www_form([['type','BackupJobSession'],['filter',"JobName==#{name}"],…]): spaces become '+'.
    const form = (name: string) => new URLSearchParams([['type', 'BackupJobSession'], ['filter', `JobName==${name}`], ['format', 'entities'], ['pageSize', '5'], ['sortDesc', 'EndTime']]).toString();
    let seen = 0;
    for (const job of jobs.filter((j) => !/\s/.test(j.Name))) {
      const r = await send(`${em.origin}/api/query?${form(job.Name)}`, { headers });
      const list = read(json(r), 'Entities.BackupJobSessions.BackupJobSessions', 'array') as Obj[];
      expect(list.length).toBeLessThanOrEqual(5);
      for (const s of list) {
        seen++;
        expect(['Success', 'Warning', 'Failed', 'None']).toContain(read(s, 'Result', 'string'));
        if (s.Result !== 'None') read(s, 'EndTimeUTC', 'date'); // Time.parse
      }
    }
    expect(seen, 'the plugin finds the sessions of a one-word job').toBeGreaterThan(0);
    // A name with spaces, unquoted: the spaces are ignored, the filter matches no job (documented), and the answer
    // is still the structure the plugin parses.
    const spaced = json(await send(`${em.origin}/api/query?${form('Fileserver Backup')}`, { headers }));
    expect(read(spaced, 'Entities.BackupJobSessions.BackupJobSessions', 'array')).toEqual([]);
  });
});

describe('Zabbix template (script item)', () => {
  for (const [label, path] of [['current template: api/sessionMngr without ?v=', '/api/sessionMngr'], ['6.0 template: double slash', '/api//sessionMngr']] as const) {
    it(`${label}; GETs ride on the cookie`, async () => {
      const login = await send(`${em.origin}${path}`, { method: 'POST', headers: { Authorization: basic(), Accept: 'application/json' } });
      expect(login.status).toBe(201);
      const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
      const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
      expect(cookie).toMatch(/^X-RestSvcSessionId=/);
      // HttpRequest replays the cookie; the template also sends Basic, never X-RestSvcSessionId.
      const get = (url: string) => send(url, { headers: { Accept: 'application/json', Authorization: basic(), Cookie: cookie } });
      const summary = json(await get(`${em.origin}/api/reports/summary`));
      const byName: Record<string, Obj> = {};
      for (const l of read(summary, 'Links', 'array') as Obj[]) {
        const r = await get(l.Href);
        expect(r.status, l.Href).toBe(200); // the template requires 200
        byName[read(l, 'Name', 'string')] = json(r);
      }
      expect(Object.keys(byName)).toEqual(expect.arrayContaining(['JobStatistics', 'Overview']));
      read(byName.JobStatistics!, 'TotalJobRuns', 'int');
      read(byName.Overview!, 'RunningJobs', 'int');
      const refs = read(json(await get(`${em.origin}/api/backupFiles`)), 'Refs', 'array') as Obj[];
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs.slice(0, 5)) {
        // The template reads the entity's numbers: it follows the Ref to its entity (the Ref's Alternate link).
        const entity = json(await get(`${read(ref, 'Href', 'string')}?format=Entity`));
        readAll(entity, { CompressRatio: 'number', DataSize: 'int', DeduplicationRatio: 'number', BackupSize: 'int' });
      }
    });
  }
});
