import { codec } from '../../src/contract/codec.ts';
const ref = { Links: null, UID: 'urn:veeam:BackupJobSession:d2b8d33e-32b5-43be-9d72-02b5d8b290d0', Name: 'J', Href: 'https://h:9398/api/backupSessions/d2b8d33e', Type: 'BackupJobSessionReference' };
console.log(codec().toXml('EntityReferences', { Refs: [ref, ref] }));
