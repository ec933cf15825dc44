import libxml from 'libxmljs2';
import { XmlDocument, XsdValidator, XmlValidateError } from 'libxml2-wasm';
import { readFileSync } from 'node:fs';
let t=performance.now();
const xsdW = XmlDocument.fromString(readFileSync('schemas/em.xsd','utf8'));
const v = XsdValidator.fromDoc(xsdW);
console.log('wasm load+compile', (performance.now()-t).toFixed(1));
// a real body from the mock
import { startMock } from '../../src/mock/index.ts';
const mock = await startMock({ port: 0, sessions: 300 });
const tokenRes = await fetch(mock.url + '/sessionMngr/?v=latest', { method: 'POST', headers: { Authorization: 'Basic ' + Buffer.from('emuser:' + process.env.PW).toString('base64') } });
const tok = tokenRes.headers.get('x-restsvcsessionid')!;
for (const p of ['/', '/backupSessions', '/backupSessions?format=Entity', '/query?type=BackupJobSession&format=Entities&pageSize=100']) {
  const body = await (await fetch(mock.url + p, { headers: { 'X-RestSvcSessionId': tok } })).text();
  const xsdJ = libxml.parseXml(readFileSync('schemas/em.xsd','utf8'));
  const N=200;
  t=performance.now(); let ok;
  for (let i=0;i<N;i++){ const d=libxml.parseXml(body); ok=d.validate(xsdJ);} 
  const a=(performance.now()-t)/N;
  t=performance.now(); let ok2=true;
  for (let i=0;i<N;i++){ const d=XmlDocument.fromString(body); try { v.validate(d);} catch(e){ ok2=false; if(i==0) console.log((e as Error).message.slice(0,200)); } d.dispose(); } 
  const b=(performance.now()-t)/N;
  console.log(p, body.length, 'libxmljs2 parse+validate', a.toFixed(3), ok, 'wasm parse+validate', b.toFixed(3), ok2);
}
await mock.close();
