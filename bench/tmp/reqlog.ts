import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { startMock } from '../../src/mock/index.ts';
const lines: string[] = [];
const mock = await startMock({ port: 0, sessions: 300, taskDurationMs: 20, log: (l) => lines.push(l) });
await new Promise((res) => spawn('npx', ['playwright', 'test', '--reporter=dot'], { stdio: 'inherit', env: { ...process.env, EM_URL: mock.url, EM_USER: 'emuser', EM_PASSWORD: 'emuser-password', EM_ALLOW_WRITES: '1', EM_RESTRICTED_USER: 'emoperator', EM_RESTRICTED_PASSWORD: 'emoperator-password', EM_REPORTS_DIR: '/tmp/r7' } }).on('close', res));
writeFileSync('/tmp/reqlog.txt', lines.join('\n'));
await mock.close();
