// The probe against servers of this test's own on 127.0.0.1 (name localhost), certificates made with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFingerprint } from '../../../src/onboard/certificates.ts';
import { checkLogin } from '../../../src/onboard/login.ts';
import { probeRegistry } from '../../../src/onboard/probe.ts';
import { readRegistryTarget } from '../../../src/onboard/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-probe-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const servers: net.Server[] = [];
const ports: Record<string, number> = {};
let ca = '';

function listen(name: string, server: net.Server): Promise<void> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    ports[name] = (server.address() as net.AddressInfo).port;
    resolve();
  }));
}

/** A Registry API v2 answer: 401 with a challenge unless the Basic login is user:pass, or 200 when open. */
function registry(open: boolean): http.RequestListener {
  return (req, res) => {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const login = `Basic ${Buffer.from('user:pass').toString('base64')}`;
    if (!open && req.headers.authorization !== login) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('{}');
      return;
    }
    res.writeHead(req.url?.startsWith('/v2/library/tiny/manifests/') ? (req.url.endsWith('/1') ? 200 : 404) : req.url === '/v2/' ? 200 : 404).end();
  };
}

beforeAll(async () => {
  openssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-days', '30', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=probe test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'leaf.ext', '-out', 'leaf.crt');
  openssl('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-days', '30', '-keyout', 'self.key', '-out', 'self.crt', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-addext', 'basicConstraints=critical,CA:TRUE');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  ca = read('ca.crt');
  await listen('tls', https.createServer({ cert: read('leaf.crt'), key: read('leaf.key') }, registry(false)));
  await listen('tlsChain', https.createServer({ cert: read('leaf.crt') + ca, key: read('leaf.key') }, registry(true)));
  await listen('self', https.createServer({ cert: read('self.crt'), key: read('self.key') }, registry(true)));
  await listen('http', http.createServer(registry(true)));
  await listen('web', http.createServer((_req, res) => res.writeHead(404).end('not here')));
  await listen('redirect', http.createServer((req, res) => res.writeHead(308, { Location: `https://localhost:${ports['tls']}${req.url}` }).end()));
  const closed = net.createServer();
  await listen('closed', closed);
  await new Promise((resolve) => closed.close(resolve));
  servers.pop();
}, 60_000);

afterAll(() => {
  for (const server of servers) server.close();
});

const probe = (url: string) => probeRegistry(readRegistryTarget(url), { address: '127.0.0.1', timeoutMs: 3000 });

describe('registry probe names what answers', { timeout: 30_000 }, () => {
  it('an https registry with a private CA: its chain, not trusted here, its name in the certificate, no CA offered', async () => {
    const { report, endpoint } = await probe(`https://localhost:${ports['tls']}`);
    expect(report.verdict).toMatchObject({ kind: 'https', problems: [] });
    expect(report.registry).toBe(`localhost:${ports['tls']}`);
    expect(endpoint).toEqual({ scheme: 'https', name: 'localhost', port: ports['tls'], address: '127.0.0.1' });
    const [only] = report.endpoints;
    expect(only).toMatchObject({ kind: 'registry', status: 401, apiVersion: 'registry/2.0', challenge: { scheme: 'basic', realm: 'test' } });
    expect(only!.tls).toMatchObject({ trustedHere: false, nameInCertificate: true, expired: false });
    expect(only!.tls!.chain.map((c) => c.subject)).toEqual(['CN=localhost']);
    expect(report.ca).toEqual({ candidates: [], chosen: undefined });
    expect(report.harbor).toMatchObject({ detected: false });
    expect(report.notes.join('\n')).toMatch(/not Harbor: its CA endpoint .* does not apply/);
  });

  it('offers the root of a chain the server sends, checked against it', async () => {
    const { report } = await probe(`localhost:${ports['tlsChain']}`);
    expect(report.ca!.candidates).toHaveLength(1);
    expect(report.ca!.candidates[0]).toMatchObject({ source: 'chain-root', check: { ok: true } });
    expect(report.ca!.chosen).toBe(0);
    expect(readFingerprint(report.ca!.candidates[0]!.certificates[0]!.sha256)).toBe(readFingerprint(execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'ca.crt')], { encoding: 'utf8' })));
  });

  it('offers a self-signed certificate that is its own CA', async () => {
    const { report } = await probe(`https://localhost:${ports['self']}`);
    expect(report.ca!.candidates.map((c) => [c.source, c.check?.ok])).toEqual([['self-signed', true]]);
  });

  it('a CA file given is checked too: one that does not sign the chain is said so', async () => {
    const { report } = await probeRegistry(readRegistryTarget(`https://localhost:${ports['tls']}`), {
      address: '127.0.0.1', timeoutMs: 3000, caFile: { name: 'self.crt', bytes: readFileSync(join(dir, 'self.crt')) },
    });
    expect(report.ca!.candidates[0]).toMatchObject({ source: 'file', check: { ok: false, kind: 'untrusted' } });
    const right = await probeRegistry(readRegistryTarget(`https://localhost:${ports['tls']}`), { address: '127.0.0.1', timeoutMs: 3000, caFile: { name: 'ca.crt', bytes: Buffer.from(ca) } });
    expect(right.report.ca!.candidates[0]).toMatchObject({ source: 'file', check: { ok: true } });
  });

  it('a plain-http registry; an http port that redirects to https leads to that port', async () => {
    expect((await probe(`http://localhost:${ports['http']}`)).report.verdict.kind).toBe('http');
    const { report } = await probe(`http://localhost:${ports['redirect']}`);
    expect(report.endpoints.map((e) => [e.url, e.kind])).toEqual([
      [`http://localhost:${ports['redirect']}`, 'redirect'],
      [`https://localhost:${ports['tls']}`, 'registry'],
    ]);
    expect(report.verdict).toMatchObject({ kind: 'https', url: `https://localhost:${ports['tls']}` });
  });

  it('a TLS port spoken to in http, an http port spoken to in TLS, a port where nothing listens, a web server', async () => {
    const tlsAsHttp = await probe(`http://localhost:${ports['tls']}`);
    expect(tlsAsHttp.report.endpoints[0]).toMatchObject({ kind: 'tls-spoken-as-http' });
    expect(tlsAsHttp.report.verdict.kind).toBe('wrong-scheme');
    expect(tlsAsHttp.report.verdict.said).toContain(`use https://localhost:${ports['tls']}`);
    const httpAsTls = await probe(`https://localhost:${ports['http']}`);
    expect(httpAsTls.report.endpoints[0]).toMatchObject({ kind: 'http-spoken-as-tls' });
    expect(httpAsTls.report.verdict.said).toContain(`use http://localhost:${ports['http']}`);
    // no scheme: TLS first, then plain http on the same port
    expect((await probe(`localhost:${ports['http']}`)).report.verdict).toMatchObject({ kind: 'http', url: `http://localhost:${ports['http']}` });
    const nothing = await probe(`localhost:${ports['closed']}`);
    expect(nothing.report.verdict.kind).toBe('unreachable');
    expect(nothing.report.endpoints[0]).toMatchObject({ kind: 'nothing-listens' });
    expect((await probe(`http://localhost:${ports['web']}`)).report.verdict.kind).toBe('not-registry');
  });
});

describe('the login check', { timeout: 30_000 }, () => {
  const endpoint = () => ({ scheme: 'https' as const, name: 'localhost', port: ports['tls']!, address: '127.0.0.1' });
  it('tells a wrong password from a right one, and whether it can pull an image', async () => {
    const trust = { verify: true as const, ca: [ca] };
    expect(await checkLogin(endpoint(), trust, { username: 'user', password: 'nope' }, undefined, 3000)).toMatchObject({ kind: 'rejected', via: 'basic' });
    expect(await checkLogin(endpoint(), trust, { username: 'user', password: 'pass' }, { repository: 'library/tiny', reference: '1' }, 3000))
      .toEqual({ kind: 'accepted', via: 'basic', pull: { kind: 'can-pull', image: 'library/tiny:1' } });
    expect(await checkLogin(endpoint(), trust, { username: 'user', password: 'pass' }, { repository: 'library/tiny', reference: '2' }, 3000))
      .toMatchObject({ pull: { kind: 'not-found' } });
  });

  it('from a registry that needs none', async () => {
    expect(await checkLogin({ scheme: 'http', name: 'localhost', port: ports['http']!, address: '127.0.0.1' }, { verify: false }, { username: 'u', password: 'p' }, undefined, 3000)).toEqual({ kind: 'not-needed' });
  });

  it('never sends the login to a server it does not trust', async () => {
    await expect(checkLogin(endpoint(), { verify: true, ca: [] }, { username: 'user', password: 'pass' }, undefined, 3000)).rejects.toMatchObject({ kind: 'tls-untrusted' });
  });
});
