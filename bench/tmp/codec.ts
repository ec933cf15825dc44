import libxml from 'libxmljs2';
import { codec } from '../../src/contract/codec.ts';
import { startMock } from '../../src/mock/index.ts';
const mock = await startMock({ port: 0, sessions: 300 });
const tok = (await fetch(mock.url + '/sessionMngr/?v=latest', { method: 'POST', headers: { Authorization: 'Basic ' + Buffer.from('emuser:emuser-password').toString('base64') } })).headers.get('x-restsvcsessionid')!;
for (const p of ['/backupSessions?format=Entity', '/query?type=BackupJobSession&format=Entities&pageSize=100', '/backupTaskSessions']) {
  const body = await (await fetch(mock.url + p, { headers: { 'X-RestSvcSessionId': tok } })).text();
  const doc = libxml.parseXml(body);
  for (let i = 0; i < 5; i++) codec().fromDocument(doc);
  const t = performance.now(); const N = 40;
  for (let i = 0; i < N; i++) codec().fromDocument(doc);
  console.log(p, body.length, ((performance.now() - t) / N).toFixed(2), 'ms');
}
await mock.close();
