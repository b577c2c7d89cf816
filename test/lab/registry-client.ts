// A minimal Registry HTTP API v2 client (host -> lab registry container), for seeding and readiness.
import http from 'node:http';
import https from 'node:https';

export interface RegistryEndpoint {
  /** name the registry is known by (Host header, TLS servername) */
  host: string;
  /** address actually connected to (the container's IP on the lab network) */
  address: string;
  port: number;
  /** PEM CA to verify the registry's certificate; present = https */
  ca?: string;
  auth?: { username: string; password: string };
}

export interface RegistryResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function registryRequest(
  ep: RegistryEndpoint,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  body?: Buffer,
  timeoutMs = 10_000,
): Promise<RegistryResponse> {
  const defaultPort = ep.ca ? 443 : 80;
  const allHeaders: Record<string, string> = {
    Host: ep.port === defaultPort ? ep.host : `${ep.host}:${ep.port}`,
    ...(ep.auth ? { Authorization: `Basic ${Buffer.from(`${ep.auth.username}:${ep.auth.password}`).toString('base64')}` } : {}),
    ...(body ? { 'Content-Length': String(body.length) } : {}),
    ...headers,
  };
  return new Promise((resolve, reject) => {
    const opts: https.RequestOptions = { host: ep.address, port: ep.port, method, path: pathAndQuery, headers: allHeaders, timeout: timeoutMs };
    const req = ep.ca
      ? https.request({ ...opts, ca: ep.ca, servername: ep.host, agent: false })
      : http.request({ ...opts, agent: false });
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathAndQuery}: timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(body);
  });
}

/** Path and query of a Location header (absolute or relative), to be sent to ep.address again. */
export function locationPath(location: string): string {
  const u = new URL(location, 'http://placeholder');
  return `${u.pathname}${u.search}`;
}
