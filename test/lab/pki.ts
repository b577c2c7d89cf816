// The lab's private CA and the https registry's server certificate (openssl on the host).
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './util.ts';

export interface LabPki {
  caCertPath: string;
  caKeyPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

/** Creates dir/ca.crt (+ ca.key) and dir/<host>.crt/.key with subjectAltName=DNS:<host>. */
export async function generatePki(dir: string, host: string, labId: string): Promise<LabPki> {
  const caKeyPath = path.join(dir, 'ca.key');
  const caCertPath = path.join(dir, 'ca.crt');
  const serverKeyPath = path.join(dir, `${host}.key`);
  const serverCertPath = path.join(dir, `${host}.crt`);
  const work = await mkdtemp(path.join(tmpdir(), 'dockhand-lab-pki-'));
  try {
    await run('openssl', [
      'req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-days', '3650',
      '-keyout', caKeyPath, '-out', caCertPath,
      '-subj', `/O=dockhand lab/CN=dockhand lab CA ${labId}`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const csr = path.join(work, 'server.csr');
    await run('openssl', [
      'req', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256',
      '-keyout', serverKeyPath, '-out', csr, '-subj', `/O=dockhand lab/CN=${host}`,
    ]);
    const ext = path.join(work, 'server.ext');
    await writeFile(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=DNS:${host}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid,issuer',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'x509', '-req', '-in', csr, '-CA', caCertPath, '-CAkey', caKeyPath, '-CAcreateserial',
      '-CAserial', path.join(work, 'ca.srl'), '-days', '825', '-sha256', '-extfile', ext, '-out', serverCertPath,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await chmod(caKeyPath, 0o600);
  await chmod(serverKeyPath, 0o600);
  await chmod(caCertPath, 0o644);
  await chmod(serverCertPath, 0o644);
  return {
    caCertPath,
    caKeyPath,
    serverCertPath,
    serverKeyPath,
    caCert: await readFile(caCertPath, 'utf8'),
    serverCert: await readFile(serverCertPath, 'utf8'),
    serverKey: await readFile(serverKeyPath, 'utf8'),
  };
}
