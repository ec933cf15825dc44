/**
 * The estate file: a JSON or YAML description of the backup infrastructure the mock serves (servers, VM jobs,
 * agent jobs and what they protect). Sections left out are generated from the seed; the session history is always
 * generated (its size from `sessions`).
 *
 * ```yaml
 * seed: 7
 * sessions: 5000                # task sessions to generate
 * backupServers:
 *   - name: vbr01.tech.local    # id, port (9392), version (12.1.2.172), wcfPort (9405), description,
 *                               # certificateThumbprint, utcOffset (hours) are optional
 * jobs:
 *   - name: Fileserver Backup
 *     server: vbr01.tech.local  # name or id of a backupServers entry (default: the first)
 *     type: Backup              # Backup | BackupCopy
 *     platform: VMware          # VMware | Hyperv
 *     time: "22:00"             # daily start, UTC
 *     vms: [fileserver01, { name: dbserver01, uid: "urn:VMware:Vm:…" }]
 *   - name: Offsite Copy
 *     type: BackupCopy
 *     source: Fileserver Backup # copies that job's VMs (or give vms)
 * agentJobs:
 *   - name: Agent Backup Job SQL
 *     platform: AgentForWindows # AgentForWindows | AgentForLinux
 *     computers: [sql01.tech.local, sql02.tech.local]
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { GUID_RE } from './prng.ts';

export interface EstateServer {
  name: string;
  id?: string;
  port?: number;
  version?: string;
  wcfPort?: number;
  description?: string;
  certificateThumbprint?: string;
  utcOffset?: number;
}

export interface EstateVm {
  name: string;
  uid?: string;
}

export interface EstateJob {
  name: string;
  id?: string;
  server?: string;
  type?: 'Backup' | 'BackupCopy';
  platform?: 'VMware' | 'Hyperv';
  description?: string;
  scheduleConfigured?: boolean;
  scheduleEnabled?: boolean;
  time?: string;
  source?: string;
  vms?: (string | EstateVm)[];
}

export interface EstateComputer {
  name: string;
  /** ID of the per-machine child job (`<job> - <computer>`). */
  id?: string;
}

export interface EstateAgentJob {
  name: string;
  id?: string;
  server?: string;
  platform?: 'AgentForWindows' | 'AgentForLinux';
  description?: string;
  scheduleConfigured?: boolean;
  scheduleEnabled?: boolean;
  time?: string;
  computers: (string | EstateComputer)[];
}

export interface EstateFile {
  seed?: number;
  sessions?: number;
  backupServers?: EstateServer[];
  jobs?: EstateJob[];
  agentJobs?: EstateAgentJob[];
}

export class EstateError extends Error {
  override readonly name = 'EstateError';
}

type Obj = Record<string, unknown>;

function fail(where: string, msg: string): never {
  throw new EstateError(`${where}: ${msg}`);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function obj(where: string, v: unknown, known: string[]): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(where, `expected an object, got ${show(v)}`);
  for (const k of Object.keys(v as Obj))
    if (!known.includes(k)) fail(`${where}.${k}`, `unknown field; known fields: ${known.join(', ')}`);
  return v as Obj;
}

function list(where: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(where, `expected a list, got ${show(v)}`);
  return v;
}

function str(where: string, v: unknown, opts: { optional?: boolean; nonEmpty?: boolean } = {}): string | undefined {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') fail(where, `expected a string, got ${show(v)}`);
  if (opts.nonEmpty !== false && v.trim() === '') fail(where, 'must not be empty');
  return v;
}

function int(where: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(where, `expected an integer, got ${show(v)}`);
  if (v < min || v > max) fail(where, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function bool(where: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(where, `expected true or false, got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(where: string, v: unknown, values: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !values.includes(v as T))
    fail(where, `expected one of ${values.join(', ')}, got ${show(v)}`);
  return v as T;
}

function guid(where: string, v: unknown): string | undefined {
  const s = str(where, v, { optional: true });
  if (s !== undefined && !GUID_RE.test(s)) fail(where, `expected a GUID like 4856ab37-2235-45e8-affe-d515878b01a9, got ${show(v)}`);
  return s?.toLowerCase();
}

function time(where: string, v: unknown): string | undefined {
  const s = str(where, v, { optional: true });
  if (s !== undefined && !/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(s)) fail(where, `expected a time HH:MM (UTC), got ${show(v)}`);
  return s;
}

function defined<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function unique(where: string, names: string[], what: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    const k = n.toLowerCase();
    if (seen.has(k)) fail(`${where}[${i}].name`, `duplicate ${what} name ${JSON.stringify(n)}`);
    seen.add(k);
  });
}

/** Validates a parsed estate document; throws EstateError naming the offending field (`estate.jobs[2].platform: …`). */
export function validateEstate(doc: unknown, where = 'estate'): EstateFile {
  const root = obj(where, doc, ['seed', 'sessions', 'backupServers', 'jobs', 'agentJobs']);
  const out: EstateFile = {};
  const seed = int(`${where}.seed`, root.seed, 0, 0xffffffff);
  if (seed !== undefined) out.seed = seed;
  const sessions = int(`${where}.sessions`, root.sessions, 0, 10_000_000);
  if (sessions !== undefined) out.sessions = sessions;

  const ids = new Set<string>();
  const claim = (w: string, id: string | undefined) => {
    if (id === undefined) return;
    if (ids.has(id)) fail(w, `duplicate id ${id}`);
    ids.add(id);
  };

  if (root.backupServers !== undefined) {
    const w = `${where}.backupServers`;
    const items = list(w, root.backupServers);
    if (items.length === 0) fail(w, 'must list at least one backup server');
    out.backupServers = items.map((v, i) => {
      const p = `${w}[${i}]`;
      const o = obj(p, v, ['name', 'id', 'port', 'version', 'wcfPort', 'description', 'certificateThumbprint', 'utcOffset']);
      const s: EstateServer = defined({
        name: str(`${p}.name`, o.name)!,
        id: guid(`${p}.id`, o.id),
        port: int(`${p}.port`, o.port, 1, 65535),
        version: str(`${p}.version`, o.version, { optional: true }),
        wcfPort: int(`${p}.wcfPort`, o.wcfPort, 1, 65535),
        description: str(`${p}.description`, o.description, { optional: true, nonEmpty: false }),
        certificateThumbprint: str(`${p}.certificateThumbprint`, o.certificateThumbprint, { optional: true }),
        utcOffset: int(`${p}.utcOffset`, o.utcOffset, -12, 14),
      });
      if (s.version !== undefined && !/^[0-9]+\.[0-9]+(\.[0-9]+)?(\.[0-9]+)?$/.test(s.version))
        fail(`${p}.version`, `expected a version like 12.1.2.172, got ${show(s.version)}`);
      claim(`${p}.id`, s.id);
      return s;
    });
    unique(w, out.backupServers.map((s) => s.name), 'backup server');
  }

  const serverRef = (p: string, v: unknown): string | undefined => {
    const s = str(p, v, { optional: true });
    if (s === undefined) return undefined;
    if (out.backupServers && !out.backupServers.some((b) => b.name.toLowerCase() === s.toLowerCase() || b.id === s.toLowerCase()))
      fail(p, `no backup server named ${JSON.stringify(s)} in backupServers (${out.backupServers.map((b) => b.name).join(', ')})`);
    if (!out.backupServers) fail(p, 'naming a server requires a backupServers section');
    return s;
  };

  if (root.jobs !== undefined) {
    const w = `${where}.jobs`;
    out.jobs = list(w, root.jobs).map((v, i) => {
      const p = `${w}[${i}]`;
      const o = obj(p, v, ['name', 'id', 'server', 'type', 'platform', 'description', 'scheduleConfigured', 'scheduleEnabled', 'time', 'source', 'vms']);
      const j: EstateJob = defined({
        name: str(`${p}.name`, o.name)!,
        id: guid(`${p}.id`, o.id),
        server: serverRef(`${p}.server`, o.server),
        type: oneOf(`${p}.type`, o.type, ['Backup', 'BackupCopy'] as const),
        platform: oneOf(`${p}.platform`, o.platform, ['VMware', 'Hyperv'] as const),
        description: str(`${p}.description`, o.description, { optional: true, nonEmpty: false }),
        scheduleConfigured: bool(`${p}.scheduleConfigured`, o.scheduleConfigured),
        scheduleEnabled: bool(`${p}.scheduleEnabled`, o.scheduleEnabled),
        time: time(`${p}.time`, o.time),
        source: str(`${p}.source`, o.source, { optional: true }),
      });
      claim(`${p}.id`, j.id);
      if (o.vms !== undefined) {
        j.vms = list(`${p}.vms`, o.vms).map((vm, k) => {
          const q = `${p}.vms[${k}]`;
          if (typeof vm === 'string') return str(q, vm)!;
          const vo = obj(q, vm, ['name', 'uid']);
          const uid = str(`${q}.uid`, vo.uid, { optional: true });
          if (uid !== undefined && !/^urn:[A-Za-z_0-9-]+:[A-Za-z_0-9-]+:[A-Za-z_0-9.:-]+$/.test(uid))
            fail(`${q}.uid`, `expected a URN like urn:VMware:Vm:<guid>.vm-<n>, got ${show(uid)}`);
          return defined({ name: str(`${q}.name`, vo.name)!, uid });
        });
      }
      if (j.type === 'BackupCopy') {
        if (j.source === undefined && !j.vms) fail(p, 'a BackupCopy job needs a source job or vms');
      } else if (j.source !== undefined) fail(`${p}.source`, 'only a BackupCopy job has a source');
      if ((j.type ?? 'Backup') === 'Backup' && (!j.vms || j.vms.length === 0)) fail(`${p}.vms`, 'a Backup job must list at least one VM');
      return j;
    });
    unique(w, out.jobs.map((j) => j.name), 'job');
    out.jobs.forEach((j, i) => {
      if (j.source === undefined) return;
      const src = out.jobs!.find((s) => s.name.toLowerCase() === j.source!.toLowerCase());
      if (!src) fail(`${w}[${i}].source`, `no job named ${JSON.stringify(j.source)} in jobs`);
      if (src === j) fail(`${w}[${i}].source`, 'a job cannot copy itself');
      if (src.type === 'BackupCopy') fail(`${w}[${i}].source`, `source ${JSON.stringify(j.source)} must be a Backup job`);
    });
  }

  if (root.agentJobs !== undefined) {
    const w = `${where}.agentJobs`;
    out.agentJobs = list(w, root.agentJobs).map((v, i) => {
      const p = `${w}[${i}]`;
      const o = obj(p, v, ['name', 'id', 'server', 'platform', 'description', 'scheduleConfigured', 'scheduleEnabled', 'time', 'computers']);
      const j: EstateAgentJob = defined({
        name: str(`${p}.name`, o.name)!,
        id: guid(`${p}.id`, o.id),
        server: serverRef(`${p}.server`, o.server),
        platform: oneOf(`${p}.platform`, o.platform, ['AgentForWindows', 'AgentForLinux'] as const),
        description: str(`${p}.description`, o.description, { optional: true, nonEmpty: false }),
        scheduleConfigured: bool(`${p}.scheduleConfigured`, o.scheduleConfigured),
        scheduleEnabled: bool(`${p}.scheduleEnabled`, o.scheduleEnabled),
        time: time(`${p}.time`, o.time),
        computers: [],
      });
      claim(`${p}.id`, j.id);
      const comps = list(`${p}.computers`, o.computers);
      if (comps.length === 0) fail(`${p}.computers`, 'an agent job must list at least one computer');
      j.computers = comps.map((c, k) => {
        const q = `${p}.computers[${k}]`;
        if (typeof c === 'string') return str(q, c)!;
        const co = obj(q, c, ['name', 'id']);
        const id = guid(`${q}.id`, co.id);
        claim(`${q}.id`, id);
        return defined({ name: str(`${q}.name`, co.name)!, id });
      });
      unique(`${p}.computers`, j.computers.map((c) => (typeof c === 'string' ? c : c.name)), 'computer');
      return j;
    });
    unique(w, out.agentJobs.map((j) => j.name), 'agent job');
  }
  return out;
}

/** Reads an estate file (`.json`, or YAML for anything else) and validates it. */
export function loadEstateFile(path: string): EstateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EstateError(`${path}: cannot read the estate file (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new EstateError(`${path}: not valid ${path.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  try {
    return validateEstate(doc);
  } catch (err) {
    if (err instanceof EstateError) throw new EstateError(`${path}: ${err.message}`);
    throw err;
  }
}
