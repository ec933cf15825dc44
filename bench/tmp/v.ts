import libxml from 'libxmljs2';
import { readFileSync } from 'node:fs';
const xsd = libxml.parseXml(readFileSync('schemas/em.xsd', 'utf8'));
const d = libxml.parseXml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Error xmlns="http://www.veeam.com/ent/v1.0">&e;</Error>', { nonet: true, noent: false, dtdload: false, dtdvalid: false, huge: false });
console.log(d.validate(xsd), d.validationErrors.map((e: any) => e.message));
