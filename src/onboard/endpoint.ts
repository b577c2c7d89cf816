/**
 * Talking to a registry from the controller: one HTTP request, or one TLS handshake, to `scheme://name:port`,
 * connecting to `address` when one is given (`--ip`, as curl's `--resolve` does) while the name stays the
 * one in the TLS server name and the Host header. Nothing is cached or kept alive: a probe sees each answer
 * as a client would on its first connection.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { connectionFailure, ConnectionFailure } from './connection-error.ts';
import { urlHost } from './target.ts';

export interface Endpoint {
  readonly scheme: 'http' | 'https';
  /** The registry's name: TLS server name and Host header. */
  readonly name: string;
  readonly port: number;
  /** Where to connect instead of what `name` resolves to. */
  readonly address?: string | undefined;
}

/** How an https request judges the server: not at all (probing, no secret sent), or against CAs. */
export type Trust = { readonly verify: false } | { readonly verify: true; readonly ca: readonly string[] };

export interface HttpAnswer {
  readonly status: number;
  /** Each header's values (lower-case names). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** The body, up to the request's `maxBytes`. */
  readonly body: Buffer;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  readonly trust?: Trust;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1 << 20;

/** `host:port` (or `host:port via address`) for messages. */
export function endpointLabel(endpoint: Endpoint): string {
  const where = `${urlHost(endpoint.name)}:${endpoint.port}`;
  return endpoint.address === undefined || endpoint.address === endpoint.name ? where : `${where} (at ${endpoint.address})`;
}

function hostHeader(endpoint: Endpoint): string {
  const implicit = endpoint.scheme === 'https' ? 443 : 80;
  return endpoint.port === implicit ? urlHost(endpoint.name) : `${urlHost(endpoint.name)}:${endpoint.port}`;
}

/** SNI carries names only (RFC 6066): none for an IP address. */
function serverName(name: string): string | undefined {
  return isIP(name) === 0 ? name : undefined;
}

/** One request; resolves with the answer (any status), rejects with a ConnectionFailure. */
export function request(endpoint: Endpoint, path: string, options: RequestOptions): Promise<HttpAnswer> {
  const trust = options.trust ?? { verify: false };
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const label = endpointLabel(endpoint);
  return new Promise((resolve, reject) => {
    const common: http.RequestOptions = {
      host: endpoint.address ?? endpoint.name,
      port: endpoint.port,
      method: options.method ?? 'GET',
      path,
      headers: { Host: hostHeader(endpoint), 'User-Agent': 'dockhand', Accept: '*/*', ...options.headers },
      agent: false,
      timeout: options.timeoutMs,
    };
    const req = endpoint.scheme === 'https'
      ? https.request({
          ...common,
          servername: serverName(endpoint.name),
          rejectUnauthorized: trust.verify,
          ...(trust.verify ? { ca: [...trust.ca] } : {}),
          // the name checked is the registry's, also when connecting to --ip
          checkServerIdentity: (_host, cert) => tls.checkServerIdentity(endpoint.name, cert),
        })
      : http.request(common);
    req.on('timeout', () => req.destroy(new ConnectionFailure('timeout', `${label}: no answer within ${options.timeoutMs / 1000} s`)));
    req.on('error', (error) => reject(connectionFailure(error, label)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size));
        size += chunk.length;
        if (size >= maxBytes) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headersDistinct as Record<string, string[]>, body: Buffer.concat(chunks) });
      res.on('end', done);
      res.on('close', done);
      res.on('error', (error) => (size >= maxBytes ? done() : reject(connectionFailure(error, label))));
    });
    req.end();
  });
}

/** The first value of a header, if any. */
export function header(answer: HttpAnswer, name: string): string | undefined {
  return answer.headers[name.toLowerCase()]?.[0];
}

export interface Handshake {
  readonly protocol: string | null;
  /** The certificates the server sent, leaf first (and a root this machine's store added, when it has one). */
  readonly chain: readonly X509Certificate[];
  /** Whether the CAs given accept the chain for the registry's name. */
  readonly authorized: boolean;
  /** Why not: OpenSSL's code, or ERR_TLS_CERT_ALTNAME_INVALID for a name the certificate does not hold. */
  readonly authorizationError: string | undefined;
}

/** A TLS handshake with `ca` as the only trusted CAs; rejects with a ConnectionFailure when there is no TLS there. */
export function handshake(endpoint: Endpoint, ca: readonly string[], timeoutMs: number): Promise<Handshake> {
  const label = endpointLabel(endpoint);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: endpoint.address ?? endpoint.name,
      port: endpoint.port,
      servername: serverName(endpoint.name),
      ca: [...ca],
      rejectUnauthorized: false,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(endpoint.name, cert),
      timeout: timeoutMs,
    });
    socket.on('timeout', () => socket.destroy(new ConnectionFailure('timeout', `${label}: no TLS handshake within ${timeoutMs / 1000} s`)));
    socket.on('error', (error) => reject(connectionFailure(error, label)));
    socket.on('secureConnect', () => {
      const result: Handshake = {
        protocol: socket.getProtocol(),
        chain: peerChain(socket),
        authorized: socket.authorized,
        authorizationError: socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown'),
      };
      socket.end();
      socket.destroy();
      resolve(result);
    });
  });
}

function peerChain(socket: tls.TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw !== undefined && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

let systemCas: readonly string[] | undefined;

/** This machine's trusted CAs (the system store; Node's bundled list where the system has none). */
export function systemTrust(): readonly string[] {
  if (systemCas === undefined) {
    const system = tls.getCACertificates('system');
    systemCas = system.length > 0 ? system : tls.getCACertificates('bundled');
  }
  return systemCas;
}
