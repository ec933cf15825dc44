import { validateXml } from '../../src/contract/validate.ts';
for (const b of ['', 'not xml', '<a', '\uFEFF<?xml version="1.0" encoding="utf-16"?><EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0"><Links/></EnterpriseManager>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Error xmlns="http://www.veeam.com/ent/v1.0">&e;</Error>'])
  console.log(JSON.stringify(b.slice(0, 30)), validateXml(b).map((v) => `${v.check} ${v.where}: ${v.message}`));
