/** Error answers: unknown IDs, bad queries, wrong methods, missing privileges (rules ERR-*). */
import { listOperations } from '../../src/contract/spec.ts';
import { basicAuth, expect, notApplicable, rules, test } from '../../src/suite/fixtures.ts';
import { registerSecret } from '../../src/suite/redact.ts';

/** A GUID no server will have issued (all zeros but the last digit). */
const UNKNOWN_GUID = '00000000-0000-4000-8000-000000000001';

const ITEM_GETS = listOperations().filter((op) => op.method === 'GET' && /\{ID\}/.test(op.path));

test('unknown IDs get 404 with an Error body', rules('ERR-003', 'ERR-006'), async ({ em }) => {
  for (const op of ITEM_GETS) {
    const id = op.path.startsWith('/tasks/') ? 'task-999999999' : UNKNOWN_GUID;
    expect(await em.get(op.path.replace('{ID}', id)), `${op.operationId}`).toBeEmError(404);
  }
});

test('bad queries get 400 with an Error body', rules('ERR-004', 'ERR-006'), async ({ em }) => {
  expect(await em.get('/query')).toBeEmError(400);
  expect(await em.get('/query', { params: { type: 'NoSuchType' } })).toBeEmError(400);
  expect(await em.get('/query', { params: { type: 'BackupJobSession', filter: 'Result==' } })).toBeEmError(400);
  expect(await em.get('/query', { params: { type: 'BackupJobSession', filter: 'NoSuchField==1' } })).toBeEmError(400);
});

test('error answers pass the automatic checks (Error schema, Content-Type, Content-Length)', rules('SCHEMA-001', 'SCHEMA-002', 'SCHEMA-003', 'NEG-003', 'NEG-004'), async ({ em }) => {
  // The other tests of error answers judge status and Error body; the representation of an error is judged here,
  // by the em fixture's automatic checks (a malformed filter and an unknown field: 400 on every server).
  expect(await em.get('/query', { params: { type: 'BackupJobSession', filter: 'Result==' } })).toHaveStatus(400);
  expect(await em.get('/query', { params: { type: 'BackupJobSession', filter: 'NoSuchField==1' } })).toHaveStatus(400);
});

test('unsupported methods get 405 with an Error body', rules('ERR-005', 'ERR-006'), async ({ em }) => {
  // These requests leave the contract on purpose: no operation is documented for them.
  expect(await em.delete('/backupSessions', { unchecked: true })).toBeEmError(405);
  expect(await em.send('PUT', '/query', { params: { type: 'BackupJobSession' }, unchecked: true })).toBeEmError(405);
});

test('an account without the Portal Administrator role gets 403 on /jobs', rules('ERR-002', 'ERR-006'), async ({ anonymous, config }) => {
  if (!config.restrictedUser) notApplicable('no restricted account configured (EM_RESTRICTED_USER and EM_RESTRICTED_PASSWORD)', 'config');
  const logon = await anonymous.post(`/sessionMngr/?v=${config.apiVersion}`, { headers: { Authorization: basicAuth(config.restrictedUser!, config.restrictedPassword!) } });
  expect(logon).toHaveStatus(201);
  const token = logon.headers['x-restsvcsessionid']!;
  registerSecret(token);
  registerSecret(String(logon.body().SessionId));
  const restricted = anonymous.with({ token });
  try {
    expect(await restricted.get('/jobs')).toBeEmError(403);
  } finally {
    await restricted.delete(`/logonSessions/${logon.body().SessionId}`);
  }
});
