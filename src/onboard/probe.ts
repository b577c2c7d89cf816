/**
 * `dockhand registry probe`: what a registry is, from the controller, changing nothing. Each endpoint the
 * URL can mean (https on 443, plain http on 80, or the one port given) is tried as a client would try it,
 * and named for what answers there: a registry (its API version and login challenge), a redirect to https,
 * a TLS port spoken to in plain http (or the other way round), nothing at all. For https: the chain the
 * server sends, whether this machine's trust accepts it, whether the name is in the certificate; then
 * Harbor (its API, its CA) and the CA that makes the chain trusted.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateFacts, certificateHolds, type CertificateFacts } from './certificates.ts';
import { candidateFrom, chainCandidate, checkCandidates, type CaCandidate } from './ca-discovery.ts';
import { describeChallenge, readChallenge, type Challenge } from './challenge.ts';
import { ConnectionFailure, describeVerifyCode } from './connection-error.ts';
import { handshake, header, request, systemTrust, type Endpoint, type HttpAnswer } from './endpoint.ts';
import { readHarbor, type HarborFacts } from './harbor.ts';
import { resolveName, type Resolution } from './resolve.ts';
import { originOf, registryReference, type RegistryTarget } from './target.ts';

export type EndpointKind =
  | 'registry'
  | 'redirect'
  | 'not-registry'
  | 'tls-spoken-as-http'
  | 'http-spoken-as-tls'
  | 'nothing-listens'
  | 'unreachable';

export interface TlsReport {
  readonly protocol: string | null;
  /** The certificates the server sent, leaf first. */
  readonly chain: readonly CertificateFacts[];
  /** Whether this machine's trust store accepts the chain for the registry's name. */
  readonly trustedHere: boolean;
  readonly trustProblem: string | undefined;
  readonly nameInCertificate: boolean;
  readonly expired: boolean;
}

export interface EndpointReport {
  readonly url: string;
  readonly scheme: 'http' | 'https';
  readonly port: number;
  readonly kind: EndpointKind;
  /** What answered, in a line. */
  readonly said: string;
  readonly status?: number;
  readonly apiVersion?: string;
  readonly challenge?: Challenge;
  readonly location?: string;
  readonly tls?: TlsReport;
}

export type VerdictKind = 'https' | 'http' | 'wrong-scheme' | 'not-registry' | 'unreachable' | 'not-resolved';

export interface ProbeReport {
  readonly input: string;
  readonly name: string;
  /** The registry as image references write it (once an endpoint answered as one). */
  readonly registry: string | undefined;
  /** What followed the registry's address in the input, set aside. */
  readonly setAside: string | undefined;
  readonly resolution: Resolution & { readonly connectTo: string | undefined };
  readonly endpoints: readonly EndpointReport[];
  readonly verdict: {
    readonly kind: VerdictKind;
    readonly url: string | undefined;
    readonly said: string;
    /** What stands in the way of trusting it, whatever CA is given (an expired certificate, a name it does not hold). */
    readonly problems: readonly string[];
  };
  readonly harbor: Omit<HarborFacts, 'ca'> & { readonly ca: { readonly status: string; readonly path?: string; readonly message?: string } } | undefined;
  readonly ca: { readonly candidates: readonly CaCandidate[]; readonly chosen: number | undefined } | undefined;
  /** Steps that did not apply, and other things worth saying. */
  readonly notes: readonly string[];
}

export interface ProbeOptions {
  /** Connect here, keeping the URL's name for TLS and Host (`--ip`). */
  readonly address?: string | undefined;
  /** A CA file to check against the server too (`--ca`): its name as given, and its bytes. */
  readonly caFile?: { readonly name: string; readonly bytes: Uint8Array } | undefined;
  readonly timeoutMs: number;
  readonly now?: Date;
}

/** The registry endpoint the verdict is about, with what a caller needs beyond the report. */
export interface Probe {
  readonly report: ProbeReport;
  /** The endpoint the registry answered at, if any. */
  readonly endpoint: Endpoint | undefined;
}

interface Probed {
  readonly report: EndpointReport;
  readonly chain?: readonly X509Certificate[];
}

function endpointOf(target: RegistryTarget, scheme: 'http' | 'https', port: number, address: string | undefined): Endpoint {
  return { scheme, name: target.name, port, address };
}

function failed(endpoint: Endpoint, failure: ConnectionFailure): Probed {
  const url = originOf(endpoint.scheme, endpoint.name, endpoint.port);
  const kind: EndpointKind = failure.kind === 'refused' ? 'nothing-listens' : 'unreachable';
  return { report: { url, scheme: endpoint.scheme, port: endpoint.port, kind, said: failure.message } };
}

/** What a /v2/ answer says: the Registry API (200 or 401 with its header or a challenge), or something else. */
function registryAnswer(answer: HttpAnswer): Pick<EndpointReport, 'kind' | 'said' | 'status' | 'apiVersion' | 'challenge'> {
  const apiVersion = header(answer, 'docker-distribution-api-version');
  const challenge = answer.status === 401 ? readChallenge(header(answer, 'www-authenticate')) : undefined;
  const isRegistry = (answer.status === 200 || answer.status === 401) && (apiVersion !== undefined || challenge !== undefined);
  const base = { status: answer.status, ...(apiVersion === undefined ? {} : { apiVersion }), ...(challenge === undefined ? {} : { challenge }) };
  if (!isRegistry) return { ...base, kind: 'not-registry', said: `answers HTTP ${answer.status} on /v2/, not the Registry API` };
  const api = `Registry API${apiVersion === undefined ? '' : ` (${apiVersion})`}`;
  const login = answer.status === 200 ? 'no login needed (200)' : challenge === undefined ? 'login needed (401)' : `login needed (401, ${describeChallenge(challenge)})`;
  return { ...base, kind: 'registry', said: `${api}: ${login}` };
}

async function probeHttps(endpoint: Endpoint, timeoutMs: number, now: Date): Promise<Probed> {
  const url = originOf('https', endpoint.name, endpoint.port);
  let tlsResult;
  try {
    tlsResult = await handshake(endpoint, systemTrust(), timeoutMs);
  } catch (error) {
    const failure = error as ConnectionFailure;
    if (failure.kind !== 'not-tls') return failed(endpoint, failure);
    const plain = await request({ ...endpoint, scheme: 'http' }, '/v2/', { timeoutMs }).catch(() => undefined);
    const http = originOf('http', endpoint.name, endpoint.port);
    const said = plain === undefined
      ? `does not answer in TLS: ${failure.message}`
      : `this port speaks plain http, not TLS (HTTP ${plain.status} to http): use ${http}`;
    return { report: { url, scheme: 'https', port: endpoint.port, kind: 'http-spoken-as-tls', said } };
  }
  const leaf = tlsResult.chain[0];
  const chain = tlsResult.chain.map((cert) => certificateFacts(cert, now));
  const tls: TlsReport = {
    protocol: tlsResult.protocol,
    chain,
    trustedHere: tlsResult.authorized,
    trustProblem: tlsResult.authorizationError === undefined ? undefined : describeVerifyCode(tlsResult.authorizationError),
    nameInCertificate: leaf !== undefined && certificateHolds(leaf, endpoint.name),
    expired: chain.some((cert) => cert.expired),
  };
  try {
    const answer = await request(endpoint, '/v2/', { timeoutMs });
    return { report: { url, scheme: 'https', port: endpoint.port, ...registryAnswer(answer), tls }, chain: tlsResult.chain };
  } catch (error) {
    return { report: { ...failed(endpoint, error as ConnectionFailure).report, tls }, chain: tlsResult.chain };
  }
}

async function probeHttp(endpoint: Endpoint, timeoutMs: number): Promise<Probed> {
  const url = originOf('http', endpoint.name, endpoint.port);
  let answer: HttpAnswer | undefined;
  let failure: ConnectionFailure | undefined;
  try {
    answer = await request(endpoint, '/v2/', { timeoutMs });
  } catch (error) {
    failure = error as ConnectionFailure;
    if (failure.kind !== 'reset') return failed(endpoint, failure);
  }
  if (answer !== undefined && answer.status >= 300 && answer.status < 400) {
    const location = header(answer, 'location') ?? '';
    return { report: { url, scheme: 'http', port: endpoint.port, kind: 'redirect', status: answer.status, location, said: `redirects (${answer.status}) to ${location || 'nowhere (no Location)'}` } };
  }
  const read = answer === undefined ? undefined : registryAnswer(answer);
  if (read?.kind === 'registry') return { report: { url, scheme: 'http', port: endpoint.port, ...read } };
  // a TLS server answers plain http with 400 (Go, nginx) or closes the connection: a handshake tells
  if (answer === undefined || answer.status === 400) {
    const tls = await handshake({ ...endpoint, scheme: 'https' }, systemTrust(), timeoutMs).catch(() => undefined);
    if (tls !== undefined) {
      const https = originOf('https', endpoint.name, endpoint.port);
      return { report: { url, scheme: 'http', port: endpoint.port, kind: 'tls-spoken-as-http', ...(answer === undefined ? {} : { status: answer.status }), said: `this port speaks TLS, not plain http: use ${https}` } };
    }
  }
  if (read !== undefined) return { report: { url, scheme: 'http', port: endpoint.port, ...read } };
  return failed(endpoint, failure!);
}

/** The https port a redirect from an http endpoint leads to, when it stays on the registry's name. */
function redirectedPort(location: string | undefined, name: string): number | undefined {
  if (location === undefined) return undefined;
  try {
    const url = new URL(location);
    if (url.protocol !== 'https:' || url.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== name.toLowerCase()) return undefined;
    return url.port === '' ? 443 : Number(url.port);
  } catch {
    return undefined;
  }
}

/** The endpoints the target can mean, each probed; http ports that redirect to https lead to that port too. */
async function probeEndpoints(target: RegistryTarget, address: string | undefined, timeoutMs: number, now: Date): Promise<Probed[]> {
  const https = (port: number) => probeHttps(endpointOf(target, 'https', port, address), timeoutMs, now);
  const http = (port: number) => probeHttp(endpointOf(target, 'http', port, address), timeoutMs);
  let probed: Probed[];
  if (target.scheme === 'https') probed = [await https(target.port ?? 443)];
  else if (target.scheme === 'http') probed = [await http(target.port ?? 80)];
  else if (target.port !== undefined) {
    const tls = await https(target.port);
    probed = [tls.report.kind === 'http-spoken-as-tls' ? await http(target.port) : tls];
  } else probed = await Promise.all([https(443), http(80)]);
  const followed: Probed[] = [];
  for (const { report } of probed) {
    const port = report.kind === 'redirect' ? redirectedPort(report.location, target.name) : undefined;
    if (port !== undefined && !probed.some((p) => p.report.scheme === 'https' && p.report.port === port)) followed.push(await https(port));
  }
  return [...probed, ...followed];
}

/** What no CA can fix: a certificate that expired (or is not valid yet), a name it does not hold. */
function tlsProblems(tls: TlsReport | undefined, name: string): string[] {
  if (tls === undefined) return [];
  const problems: string[] = [];
  const expired = tls.chain.find((cert) => cert.expired);
  if (expired !== undefined) {
    problems.push(`the server's certificate "${expired.subject}" is valid from ${expired.notBefore} to ${expired.notAfter}, not now: renew it on the registry (on Harbor: install the new certificate, then restart its proxy)`);
  }
  if (!tls.nameInCertificate) {
    const names = tls.chain[0]?.names ?? [];
    const dns = names.find((n) => n.startsWith('DNS:'))?.slice(4);
    const use = dns === undefined ? '' : `use a name it holds (https://${dns}, with --ip when it does not resolve here), or `;
    problems.push(`the certificate is for ${names.length > 0 ? names.join(', ') : 'no name (no subjectAltName)'}, not ${name}: ${use}reissue it with subjectAltName ${isIP(name) === 0 ? 'DNS' : 'IP'}:${name}`);
  }
  return problems;
}

function verdictOf(endpoints: readonly EndpointReport[], name: string): ProbeReport['verdict'] {
  const registry = endpoints.find((e) => e.kind === 'registry' && e.scheme === 'https') ?? endpoints.find((e) => e.kind === 'registry');
  if (registry !== undefined) {
    const said = registry.scheme === 'https'
      ? `an https registry at ${registry.url}`
      : `a plain-http registry at ${registry.url} (nodes need it as an insecure registry)`;
    return { kind: registry.scheme, url: registry.url, said, problems: tlsProblems(registry.tls, name) };
  }
  const wrong = endpoints.find((e) => e.kind === 'tls-spoken-as-http' || e.kind === 'http-spoken-as-tls');
  if (wrong !== undefined) return { kind: 'wrong-scheme', url: wrong.url, said: `${wrong.url}: ${wrong.said}`, problems: [] };
  const other = endpoints.find((e) => e.kind === 'not-registry');
  if (other !== undefined) return { kind: 'not-registry', url: other.url, said: `${other.url} ${other.said}`, problems: [] };
  return { kind: 'unreachable', url: undefined, said: `no registry answers: ${endpoints.map((e) => e.said).join('; ')}`, problems: [] };
}

/** Probes the registry `target` names; changes nothing anywhere. */
export async function probeRegistry(target: RegistryTarget, options: ProbeOptions): Promise<Probe> {
  const now = options.now ?? new Date();
  const resolution = await resolveName(target.name, options.timeoutMs);
  const notes: string[] = [];
  if (target.setAside !== undefined) notes.push(`${JSON.stringify(target.setAside)} follows the registry's address in the URL and names no registry: set aside`);
  const base = { input: target.input, name: target.name, setAside: target.setAside, resolution: { ...resolution, connectTo: options.address } };
  if (options.address === undefined && resolution.addresses.length === 0) {
    const said = `${target.name} does not resolve from this machine (${resolution.error ?? 'no address'}): give its address with --ip ADDR`;
    return { report: { ...base, registry: undefined, endpoints: [], verdict: { kind: 'not-resolved', url: undefined, said, problems: [] }, harbor: undefined, ca: undefined, notes }, endpoint: undefined };
  }
  const probed = await probeEndpoints(target, options.address, options.timeoutMs, now);
  const endpoints = probed.map((p) => p.report);
  const verdict = verdictOf(endpoints, target.name);
  const chosen = probed.find((p) => p.report.url === verdict.url && p.report.kind === 'registry');
  if (chosen === undefined) return { report: { ...base, registry: undefined, endpoints, verdict, harbor: undefined, ca: undefined, notes }, endpoint: undefined };

  const endpoint = endpointOf(target, chosen.report.scheme, chosen.report.port, options.address);
  const harborFacts = await readHarbor(endpoint, chosen.report.challenge, options.timeoutMs);
  const { ca: harborCa, ...harborRest } = harborFacts;
  if (!harborFacts.detected) notes.push('not Harbor: its CA endpoint (/api/v2.0/systeminfo/getcert) does not apply');
  else if (harborCa.status === 'not-found') notes.push(`Harbor: ${harborCa.message}`);
  let ca: ProbeReport['ca'];
  if (endpoint.scheme === 'https') {
    const fromChain = chosen.chain === undefined ? undefined : chainCandidate(chosen.chain, now);
    const offered = [
      ...(harborCa.status === 'served' ? [candidateFrom('harbor', `GET ${harborCa.path}`, harborCa.body, now)] : []),
      ...(fromChain === undefined ? [] : [fromChain]),
      ...(options.caFile === undefined ? [] : [candidateFrom('file', options.caFile.name, options.caFile.bytes, now)]),
    ];
    const candidates = await checkCandidates(endpoint, offered, options.timeoutMs);
    const index = candidates.findIndex((c) => c.check?.ok === true);
    ca = { candidates, chosen: index < 0 ? undefined : index };
    if (candidates.length === 0 && chosen.report.tls?.trustedHere !== true) {
      notes.push('no CA to offer: the server sends no root and no Harbor CA endpoint answered; give the CA file with --ca FILE');
    }
  } else {
    notes.push('plain http: no TLS, no CA');
  }
  const harborCaReport = harborCa.status === 'served' ? { status: 'served', path: harborCa.path } : harborCa;
  return {
    report: {
      ...base,
      registry: registryReference(target.name, endpoint.scheme, endpoint.port),
      endpoints,
      verdict,
      harbor: { ...harborRest, ca: harborCaReport },
      ca,
      notes,
    },
    endpoint,
  };
}
