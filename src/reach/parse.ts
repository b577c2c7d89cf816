/**
 * The node's probes (src/reach/reach.sh), judged: each try's raw facts (curl's exit code and what it said,
 * the HTTP status, the proxy's answer to CONNECT; or openssl's connection and verification) become an
 * outcome and a reason, and the chain the registry served becomes subjects, issuers and expiry dates.
 */
import { X509Certificate } from 'node:crypto';
import type { Section } from '../formats/sections.ts';
import { memoByText } from '../formats/text-memo.ts';
import { REACH_CONNECT_S, type ReachTarget } from './targets.ts';
import type { ProbeResult, RegistryProbe, ServedCertificate } from './types.ts';

/** The `key value` lines of one try. */
function fields(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space);
    map.set(key, [...(map.get(key) ?? []), line.slice(space + 1).trim()]);
  }
  return map;
}

/** curl's exit codes for a certificate or handshake that failed (libcurl's CURLE_*). */
const CURL_TLS = new Set([35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98]);

/** What a registry answers at /v2/ on its own: 200, or 401 asking for a login. */
const REGISTRY_ANSWERS = new Set([200, 401]);

function said(lines: readonly string[] | undefined): string {
  return (lines ?? []).map((l) => l.replace(/^curl: \(\d+\) /, '')).filter(Boolean).join('; ');
}

/** One curl try. */
function judgeCurl(f: Map<string, string[]>, proxied: boolean, scheme: 'http' | 'https'): ProbeResult {
  const exit = Number(f.get('exit')?.[0] ?? NaN);
  const status = Number(f.get('http')?.[0] ?? 0);
  const connect = Number(f.get('connect')?.[0] ?? 0);
  const words = said(f.get('said'));
  const text = words === '' ? '' : `: ${words}`;
  if (exit === 0) {
    // through a proxy, plain http is a request to the proxy: anything but a registry's own answer is the proxy's
    if (proxied && scheme === 'http' && !REGISTRY_ANSWERS.has(status)) return { outcome: 'proxy', detail: `the proxy answered HTTP ${status}` };
    return { outcome: 'reachable', detail: `HTTP ${status} from /v2/` };
  }
  if (proxied && connect >= 300) return { outcome: 'proxy', detail: `the proxy refused the tunnel (CONNECT answered HTTP ${connect})` };
  if (proxied && (exit === 5 || (exit === 7 && connect === 0))) return { outcome: 'proxy', detail: `the proxy cannot be reached${text}` };
  if (exit === 28 || exit === 124) return { outcome: 'timed-out', detail: `no answer within ${REACH_CONNECT_S} s${proxied ? ' through the proxy' : ''}` };
  if (exit === 6) return { outcome: 'unresolved', detail: `the node cannot resolve the name${text}` };
  if (exit === 7) {
    if (/refused/i.test(words)) return { outcome: 'refused', detail: `connection refused${text}` };
    if (/no route|unreachable/i.test(words)) return { outcome: 'unreachable', detail: `no route${text}` };
    return { outcome: 'refused', detail: `cannot connect${text}` };
  }
  if (CURL_TLS.has(exit)) return { outcome: 'tls-error', detail: words === '' ? `TLS failed (curl exit ${exit})` : words };
  if (proxied && exit === 56) return { outcome: 'proxy', detail: `the proxy closed the connection${text}` };
  return { outcome: 'error', detail: `curl exit ${exit}${text}` };
}

/** One openssl s_client try (a node without curl). */
function judgeOpenssl(f: Map<string, string[]>, proxied: boolean, scheme: 'http' | 'https'): ProbeResult {
  const exit = Number(f.get('exit')?.[0] ?? NaN);
  const connected = f.get('connected')?.[0] === 'yes';
  const verify = f.get('verify')?.[0] ?? '';
  const words = said(f.get('said'));
  if (connected) {
    if (scheme === 'http') return { outcome: 'reachable', detail: 'a TCP connection (plain http)' };
    if (exit === 0 && (verify === '' || verify.startsWith('0 '))) return { outcome: 'reachable', detail: 'a TLS handshake, certificate verified' };
    return { outcome: 'tls-error', detail: verify !== '' && !verify.startsWith('0 ') ? `certificate not accepted: ${verify.replace(/^\d+ \((.*)\)$/, '$1')}` : words || `TLS failed (openssl exit ${exit})` };
  }
  if (exit === 124 || /timed out/i.test(words)) return { outcome: 'timed-out', detail: `no answer within ${REACH_CONNECT_S} s${proxied ? ' through the proxy' : ''}` };
  if (proxied) return { outcome: 'proxy', detail: `the proxy refused or cannot be reached${words === '' ? '' : `: ${words}`}` };
  if (/errno=111|refused/i.test(words)) return { outcome: 'refused', detail: 'connection refused' };
  if (/errno=113|errno=101|unreachable/i.test(words)) return { outcome: 'unreachable', detail: 'no route to the address' };
  if (/Name or service|resolve/i.test(words)) return { outcome: 'unresolved', detail: 'the node cannot resolve the name' };
  return { outcome: 'error', detail: words || `openssl exit ${exit}` };
}

function judge(text: string, proxied: boolean, scheme: 'http' | 'https'): ProbeResult {
  const f = fields(text);
  return f.get('tool')?.[0] === 'openssl' ? judgeOpenssl(f, proxied, scheme) : judgeCurl(f, proxied, scheme);
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** One served certificate as the report names it; null when unreadable (every node serves the registry's same few). */
const servedCertificate = memoByText((pem: string): ServedCertificate | null => {
  try {
    const cert = new X509Certificate(pem);
    return { subject: cert.subject.replaceAll('\n', ', '), issuer: cert.issuer.replaceAll('\n', ', '), expires: new Date(cert.validTo).toISOString().replace('.000Z', 'Z') };
  } catch {
    return null;
  }
});

/** The certificates of a served chain, in the order served; unreadable ones left out. */
export function servedChain(pem: string): ServedCertificate[] {
  return [...pem.matchAll(PEM)].flatMap((m) => {
    const cert = servedCertificate(m[0]);
    return cert === null ? [] : [{ ...cert }];
  });
}

/** What the probes saw of each target, from the state read's sections. */
export function parseReach(sections: readonly Section[], targets: readonly ReachTarget[]): RegistryProbe[] {
  return targets.map((target) => {
    const id = String(target.id);
    const mine = sections.filter((s) => s.name === 'reach' && s.arg !== null && s.arg.split(' ')[0] === id);
    const direct = mine.find((s) => s.arg === `${id} direct`);
    const proxied = Object.fromEntries(
      mine.filter((s) => s.arg!.startsWith(`${id} via `)).map((s) => [s.arg!.slice(`${id} via `.length), judge(s.content, true, target.scheme)] as const),
    );
    const chain = sections.find((s) => s.name === 'reach-chain' && s.arg === id);
    return {
      registry: target.registry,
      direct: direct === undefined ? null : judge(direct.content, false, target.scheme),
      proxied,
      chain: chain === undefined ? [] : servedChain(chain.content),
    };
  });
}
