/** Certificates for `tls: true` (a self-signed one made at start-up) or the user's own cert and key files. */
import { readFileSync } from 'node:fs';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when made at start-up. */
  selfSigned: boolean;
}

/** A fresh self-signed EC P-256 certificate for localhost, 127.0.0.1 and ::1 (plus `host` when it is a name or IP). */
export async function selfSignedCertificate(host?: string): Promise<TlsMaterial> {
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (host && !['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host)) {
    altNames.push(/^[0-9.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'em-conformance mock' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}

/** Reads PEM cert and key files; the error names the file that could not be read. */
export function readTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key'), selfSigned: false };
}
