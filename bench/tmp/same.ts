import { startMock } from '../../src/mock/index.ts';
const mock = await startMock({ port: 0, sessions: 300 });
const tok = (await fetch(mock.url + '/sessionMngr/?v=latest', { method: 'POST', headers: { Authorization: 'Basic ' + Buffer.from('emuser:emuser-password').toString('base64') } })).headers.get('x-restsvcsessionid')!;
for (const p of ['/backupSessions?format=Entity', '/backupTaskSessions?format=Entity', '/query?type=Task&format=Entities&pageSize=60', '/reports/summary/job_statistics']) {
  const a = await (await fetch(mock.url + p, { headers: { 'X-RestSvcSessionId': tok } })).text();
  await new Promise((r) => setTimeout(r, 1100));
  const b = await (await fetch(mock.url + p, { headers: { 'X-RestSvcSessionId': tok } })).text();
  console.log(p, a.length, a === b);
}
await mock.close();
