// The mock's data: determinism, sizes, shape of the generated history, GUID codec, estate files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDomain, EstateError, loadEstateFile, validateEstate, type Store } from '../../src/mock/domain/index.ts';
import { IdCodec } from '../../src/mock/domain/prng.ts';
import { DAY_MS, RESULTS, SESSION_STATES, TASK_STATES } from '../../src/mock/domain/store.ts';
import { NOW } from './mock-domain-helpers.ts';

function digest(store: Store): string {
  const h = createHash('sha256');
  for (const s of store.servers) h.update(JSON.stringify(s));
  for (const j of store.jobs) h.update(JSON.stringify(j));
  for (const o of store.objects) h.update(JSON.stringify(o));
  for (let i = 0; i < store.sessionCount; i++)
    h.update(`${store.sessionId(i)}|${store.sessionName(i)}|${store.sEnded.get(i)}|${store.sState.get(i)}|${store.sResult.get(i)}|${store.sFlags.get(i)}|${store.sParent.get(i)}|${store.sMessage.get(i)}\n`);
  for (let t = 0; t < store.taskCount; t++)
    h.update(`${store.taskId(t)}|${store.taskName(t)}|${store.tSession.get(t)}|${store.tEnded.get(t)}|${store.tResult.get(t)}|${store.tReason.get(t)}|${store.tSize.get(t)}\n`);
  return h.digest('hex');
}

const build = (seed: number, sessions: number, now = NOW) => createDomain({ seed, sessions, now: () => now }).store;

describe('determinism', () => {
  it('same seed, size and clock give identical data', () => {
    expect(digest(build(7, 3000))).toBe(digest(build(7, 3000)));
  });
  it('another seed gives other data', () => {
    expect(digest(build(7, 3000))).not.toBe(digest(build(8, 3000)));
  });
  it('the clock moves the history with it', () => {
    const a = build(7, 500);
    const b = build(7, 500, new Date(NOW.getTime() + DAY_MS));
    expect(b.sCreated.get(0) - a.sCreated.get(0)).toBe(DAY_MS);
  });
});

describe('sizes', () => {
  for (const n of [0, 1, 5, 37, 200, 2000, 10_000]) {
    it(`exactly ${n} task sessions`, () => {
      const store = build(1, n);
      expect(store.taskCount).toBe(n);
      if (n > 0) expect(store.sessionCount).toBeGreaterThan(0);
    });
  }
  it('100k task sessions build quickly and compactly', () => {
    const t0 = performance.now();
    const d = createDomain({ seed: 3, sessions: 100_000, now: () => NOW });
    const ms = performance.now() - t0;
    expect(d.store.taskCount).toBe(100_000);
    expect(ms).toBeLessThan(5000);
    // Column storage: well under 100 bytes per task session (sessions included).
    expect(d.stats().columnBytes / 100_000).toBeLessThan(100);
  });
  it('the estate grows with the history (2–3 backup servers, more jobs for more sessions)', () => {
    const small = createDomain({ sessions: 100, now: () => NOW }).stats();
    const large = createDomain({ sessions: 50_000, now: () => NOW }).stats();
    for (const s of [small, large]) expect(s.backupServers).toBeGreaterThanOrEqual(2);
    for (const s of [small, large]) expect(s.backupServers).toBeLessThanOrEqual(3);
    expect(large.jobs).toBeGreaterThan(small.jobs);
    expect(large.agentJobs).toBeGreaterThan(small.agentJobs);
  });
});

describe('the generated history', () => {
  const store = build(11, 5000);
  const now = NOW.getTime();

  it('spreads over the last 60 days, on both sides of the 30-day boundary', () => {
    let older = 0;
    let newer = 0;
    for (let i = 0; i < store.sessionCount; i++) {
      const c = store.sCreated.get(i);
      expect(c).toBeGreaterThanOrEqual(now - 60 * DAY_MS);
      expect(c).toBeLessThan(now);
      if (c < now - 30 * DAY_MS) older++;
      else newer++;
    }
    expect(older).toBeGreaterThan(50);
    expect(newer).toBeGreaterThan(50);
  });

  it('sessions are mostly Success, some Warning and Failed, a few running', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < store.sessionCount; i++) {
      const r = RESULTS[store.sResult.get(i)]!;
      counts[r] = (counts[r] ?? 0) + 1;
    }
    expect(counts.Success! / store.sessionCount).toBeGreaterThan(0.6);
    expect(counts.Warning).toBeGreaterThan(0);
    expect(counts.Failed).toBeGreaterThan(0);
    expect(counts.None).toBeGreaterThan(0);
    for (let i = 0; i < store.sessionCount; i++) {
      const running = RESULTS[store.sResult.get(i)] === 'None';
      expect(SESSION_STATES[store.sState.get(i)]).toBe(running ? 'Working' : 'Stopped');
      expect(Number.isNaN(store.sEnded.get(i))).toBe(running);
      if (!running) expect(store.sEnded.get(i)).toBeGreaterThan(store.sCreated.get(i));
    }
  });

  it('names follow <JobName>@<yyyy-MM-dd HH:mm:ss>', () => {
    for (let i = 0; i < store.sessionCount; i += 17) {
      expect(store.sessionName(i)).toMatch(/^.+@\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(store.sessionName(i).startsWith(`${store.sessionJob(i).name}@`)).toBe(true);
    }
    expect(store.restorePointName(store.sessionCount - 50)).toMatch(/^[A-Z][a-z]{2} [ 1-3]\d \d{4} [ 1]\d:\d{2}[AP]M$/);
  });

  it('task sessions: Reason only for Warning/Failed, VM UIDs, sizes, states', () => {
    for (let t = 0; t < store.taskCount; t++) {
      const r = RESULTS[store.tResult.get(t)]!;
      const state = TASK_STATES[store.tState.get(t)]!;
      expect(store.tReason.get(t) >= 0).toBe(r === 'Warning' || r === 'Failed');
      if (r === 'None') expect(state).not.toBe('Completed');
      else expect(state).toBe('Completed');
      if (r === 'Failed') expect(store.tSize.get(t)).toBe(0);
      if (r === 'Success') expect(store.tSize.get(t)).toBeGreaterThan(0);
      expect(store.taskObject(t).uid).toMatch(/^urn:(VMware:Vm:[0-9a-f-]{36}\.vm-\d+|HyperV:Vm:[0-9a-f-]{36}\.[0-9a-f-]{36}|AgentFor(Windows|Linux):VeeamAgent:0{8}-0{4}-0{4}-0{4}-0{12}\.[0-9a-f-]{36})$/);
    }
    // The 002 document's reasons are among the generated ones.
    expect(store.messages.some((m) => m.startsWith('Error: There is not enough space on the disk.'))).toBe(true);
  });

  it('agent runs: an AgentBackup parent and one AgentManagement child per computer, each child one task', () => {
    let parents = 0;
    for (let i = 0; i < store.sessionCount; i++) {
      const job = store.sessionJob(i);
      if (job.sessionJobType !== 'AgentBackup') continue;
      parents++;
      const children = store.childSessions(i);
      expect(children.length).toBeGreaterThan(0);
      expect(store.sTaskCount.get(i)).toBe(0);
      const jobs = new Set<number>();
      for (const c of children) {
        const cj = store.sessionJob(c);
        expect(cj.sessionJobType).toBe('AgentManagement');
        expect(cj.parent).toBe(job.index);
        expect(cj.name).toBe(`${job.name} - ${store.objects[cj.objects[0]!]!.name}`);
        expect(store.sTaskCount.get(c)).toBe(1);
        jobs.add(cj.index);
      }
      expect(jobs.size).toBe(children.length);
    }
    expect(parents).toBeGreaterThan(0);
  });

  it('retries of failed runs exist and process only failed objects', () => {
    let retries = 0;
    for (let i = 0; i < store.sessionCount; i++) if (store.isRetry(i)) retries++;
    expect(retries).toBeGreaterThan(0);
  });

  it('restore points exactly for finished sessions with a successful task', () => {
    for (let i = 0; i < store.sessionCount; i++) {
      const first = store.sFirstTask.get(i);
      let ok = false;
      for (let t = first; t < first + store.sTaskCount.get(i); t++) {
        const good = RESULTS[store.tResult.get(t)] === 'Success' || RESULTS[store.tResult.get(t)] === 'Warning';
        expect(store.hasVmRestorePoint(t)).toBe(good && !store.isRunning(i));
        ok ||= good;
      }
      expect(store.hasRestorePoint(i)).toBe(ok && !store.isRunning(i));
    }
  });
});

describe('GUID codec', () => {
  it('encodes indices to distinct GUIDs and decodes them back', () => {
    const c = new IdCodec(42, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (i) => {
        const g = c.encode(i);
        expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(c.decode(g)).toBe(i);
        expect(c.decode(g.toUpperCase())).toBe(i);
      }),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) seen.add(c.encode(i));
    expect(seen.size).toBe(20000);
  });
  it('rejects GUIDs it did not make', () => {
    const c = new IdCodec(42, 1);
    const other = new IdCodec(42, 2);
    expect(c.decode(other.encode(5))).toBe(-1);
    expect(c.decode('4856ab37-2235-45e8-affe-d515878b01a9')).toBe(-1);
    expect(c.decode('not-a-guid')).toBe(-1);
  });
});

describe('estate files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-estate-'));
  const yaml = `
seed: 5
sessions: 300
backupServers:
  - name: vbr01.lab.local
    id: 11111111-2222-4333-8444-555555555555
  - name: vbr02.lab.local
jobs:
  - name: Fileserver Backup
    id: 4856ab37-2235-45e8-affe-d515878b01a9
    server: vbr02.lab.local
    time: "22:30"
    vms: [fileserver01, { name: dbserver01, uid: "urn:VMware:Vm:de28dc43-b8ee-4e17-8e63-3d38b6604033.vm-62228" }]
  - name: Offsite Copy
    type: BackupCopy
    source: Fileserver Backup
agentJobs:
  - name: Agent Backup Job SQL
    platform: AgentForWindows
    computers: [sql12ten.local, { name: sql2012.local, id: 77dc8834-2102-4edf-8a0d-aba909b2d1ed }]
`;

  it('loads YAML and JSON and builds that estate', () => {
    const file = path.join(dir, 'estate.yaml');
    writeFileSync(file, yaml);
    const estate = loadEstateFile(file);
    const jsonFile = path.join(dir, 'estate.json');
    writeFileSync(jsonFile, JSON.stringify(estate));
    expect(loadEstateFile(jsonFile)).toEqual(estate);

    const d = createDomain({ data: file, now: () => NOW });
    const st = d.store;
    expect(st.taskCount).toBe(300);
    expect(st.servers.map((s) => s.name)).toEqual(['vbr01.lab.local', 'vbr02.lab.local']);
    expect(st.servers[0]!.id).toBe('11111111-2222-4333-8444-555555555555');
    const fs = st.jobs[st.findJob('4856ab37-2235-45e8-affe-d515878b01a9')]!;
    expect(fs.name).toBe('Fileserver Backup');
    expect(st.servers[fs.server]!.name).toBe('vbr02.lab.local');
    expect(fs.hour * 60 + fs.minute).toBe(22 * 60 + 30);
    expect(st.objects[fs.objects[1]!]!.uid).toBe('urn:VMware:Vm:de28dc43-b8ee-4e17-8e63-3d38b6604033.vm-62228');
    const copy = st.jobs.find((j) => j.name === 'Offsite Copy')!;
    expect(copy.jobType).toBe('BackupCopy');
    expect(copy.objects).toEqual(fs.objects);
    const child = st.jobs[st.findJob('77dc8834-2102-4edf-8a0d-aba909b2d1ed')]!;
    expect(child.name).toBe('Agent Backup Job SQL - sql2012.local');
    expect(child.kind).toBe('agentChild');
    // Seed from the file: same data as the parsed estate with seed 5.
    expect(digest(createDomain({ data: estate, seed: 5, sessions: 300, now: () => NOW }).store)).toBe(digest(st));
  });

  const bad: [string, unknown, RegExp][] = [
    ['unknown top-level field', { sesions: 3 }, /estate\.sesions: unknown field/],
    ['wrong platform', { jobs: [{ name: 'A', platform: 'vmware', vms: ['x'] }] }, /estate\.jobs\[0\]\.platform: expected one of VMware, Hyperv, got string "vmware"/],
    ['no VMs', { jobs: [{ name: 'A' }] }, /estate\.jobs\[0\]\.vms: a Backup job must list at least one VM/],
    ['unknown server', { backupServers: [{ name: 'a' }], jobs: [{ name: 'A', server: 'b', vms: ['x'] }] }, /estate\.jobs\[0\]\.server: no backup server named "b"/],
    ['bad id', { backupServers: [{ name: 'a', id: 'xyz' }] }, /estate\.backupServers\[0\]\.id: expected a GUID/],
    ['duplicate names', { jobs: [{ name: 'A', vms: ['x'] }, { name: 'a', vms: ['y'] }] }, /estate\.jobs\[1\]\.name: duplicate job name "a"/],
    ['bad time', { agentJobs: [{ name: 'A', time: '25:00', computers: ['c'] }] }, /estate\.agentJobs\[0\]\.time: expected a time HH:MM/],
    ['unknown copy source', { jobs: [{ name: 'C', type: 'BackupCopy', source: 'Z' }] }, /estate\.jobs\[0\]\.source: no job named "Z"/],
    ['no computers', { agentJobs: [{ name: 'A', computers: [] }] }, /estate\.agentJobs\[0\]\.computers: an agent job must list at least one computer/],
    ['sessions not an integer', { sessions: 1.5 }, /estate\.sessions: expected an integer/],
  ];
  for (const [what, doc, msg] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      expect(() => validateEstate(doc)).toThrow(EstateError);
      expect(() => validateEstate(doc)).toThrow(msg);
    });
  }

  it('names the file in parse and validation errors', () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ "jobs": [ }');
    expect(() => loadEstateFile(broken)).toThrow(/broken\.json: not valid JSON/);
    const invalid = path.join(dir, 'invalid.yaml');
    writeFileSync(invalid, 'jobs:\n  - name: A\n    type: Replica\n');
    expect(() => loadEstateFile(invalid)).toThrow(/invalid\.yaml: estate\.jobs\[0\]\.type: expected one of Backup, BackupCopy/);
    expect(() => loadEstateFile(path.join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read the estate file/);
  });
});
