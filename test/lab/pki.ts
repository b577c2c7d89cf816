// The lab's private CA and the server certificates it signs (openssl on the host): the https registry's,
// and the Harbor stand-in's (a valid one and one that expired years ago).
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
  await run('openssl', [
    'req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-days', '3650',
    '-keyout', caKeyPath, '-out', caCertPath,
    '-subj', `/O=dockhand lab/CN=dockhand lab CA ${labId}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await chmod(caKeyPath, 0o600);
  await chmod(caCertPath, 0o644);
  const server = await signServerCertificate({ caCertPath, caKeyPath }, dir, host, host, { days: 825 });
  return {
    caCertPath,
    caKeyPath,
    serverCertPath: server.certPath,
    serverKeyPath: server.keyPath,
    caCert: await readFile(caCertPath, 'utf8'),
    serverCert: server.cert,
    serverKey: server.key,
  };
}

export interface ServerCertificate {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/**
 * A server certificate for `host` (subjectAltName=DNS:host) signed by the lab CA, in dir as NAME.crt and
 * NAME.key. `validity` gives its notBefore and notAfter (YYYYMMDDHHMMSSZ): `openssl ca` takes any dates,
 * which is how the lab makes a certificate that has already expired (openssl x509 -days cannot).
 */
export async function signServerCertificate(
  pki: Pick<LabPki, 'caCertPath' | 'caKeyPath'>,
  dir: string,
  name: string,
  host: string,
  validity: { notBefore: string; notAfter: string } | { days: number },
): Promise<ServerCertificate> {
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  const work = await mkdtemp(path.join(tmpdir(), 'dockhand-lab-pki-'));
  try {
    const csr = path.join(work, 'server.csr');
    await run('openssl', ['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-sha256', '-keyout', keyPath, '-out', csr, '-subj', `/O=dockhand lab/CN=${host}`]);
    const dates = 'days' in validity
      ? ['-days', String(validity.days)]
      : ['-startdate', validity.notBefore, '-enddate', validity.notAfter];
    await writeFile(path.join(work, 'index.txt'), '');
    await writeFile(path.join(work, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`);
    await writeFile(
      path.join(work, 'ca.cnf'),
      [
        '[ca]', 'default_ca = lab',
        '[lab]', `database = ${work}/index.txt`, `new_certs_dir = ${work}`, `serial = ${work}/serial`,
        'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
        '[any]', 'organizationName = optional', 'commonName = supplied',
        '[server]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth', `subjectAltName = DNS:${host}`, 'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid,issuer', '',
      ].join('\n'),
    );
    await run('openssl', [
      'ca', '-batch', '-notext', '-config', path.join(work, 'ca.cnf'), '-extensions', 'server',
      '-cert', pki.caCertPath, '-keyfile', pki.caKeyPath, '-in', csr, '-out', certPath, ...dates,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await chmod(keyPath, 0o600);
  await chmod(certPath, 0o644);
  return { certPath, keyPath, cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
}
