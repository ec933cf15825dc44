import libxml from 'libxmljs2';
import { readFileSync } from 'node:fs';
const xsd = libxml.parseXml(readFileSync('schemas/em.xsd','utf8'));
const body = `<?xml version="1.0" encoding="utf-8"?><EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><SupportedVersions><SupportedVersion Name="v1_2"><Links><Link Href="https://x:9398/api/" Type="EnterpriseManager" Rel="Up"/></Links></SupportedVersion></SupportedVersions><Links/></EnterpriseManager>`;
let t=performance.now(); let ok;
for (let i=0;i<500;i++){ const d=libxml.parseXml(body); ok=d.validate(xsd);} 
console.log('parse+validate', ((performance.now()-t)/500).toFixed(3),'ms', ok);
t=performance.now();
for (let i=0;i<500;i++){ const d=libxml.parseXml(body);} 
console.log('parse only', ((performance.now()-t)/500).toFixed(3),'ms');
