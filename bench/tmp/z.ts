import { validateXml } from '../../src/contract/validate.ts';
console.log(validateXml(`<?xml version="1.0" encoding="utf-8"?><EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0"><Bogus/><Links/></EnterpriseManager>`));
console.log(validateXml(`<?xml version="1.0" encoding="utf-16"?><EnterpriseManager xmlns="http://www.veeam.com/ent/v1.0"><SupportedVersions/><Links>é</Links></EnterpriseManager>`));
