/** `dockhand registry probe` as text: what the registry is, its endpoints, its TLS chain, Harbor, its CA, what to run next. */
import type { Paint } from '../report/style.ts';
import { renderTable } from '../report/table.ts';
import { describeCa } from './ca-pin.ts';
import type { CaCandidate } from './ca-discovery.ts';
import type { EndpointReport, ProbeReport } from './probe.ts';

export interface ProbeTextOptions {
  readonly paint: Paint;
  readonly width: number | undefined;
  /** How the command was given the address (`--ip ADDR`), to repeat it in the next step. */
  readonly address: string | undefined;
}

function resolutionLine(report: ProbeReport): string {
  const r = report.resolution;
  const via = r.connectTo === undefined ? '' : `; connected to ${r.connectTo} (--ip)`;
  if (r.literal) return `${report.name} is an IP address${via}`;
  if (r.addresses.length === 0) return `${report.name} does not resolve from this machine (${r.error ?? 'no address'})${via}`;
  return `${report.name} resolves to ${r.addresses.join(', ')}${via}`;
}

function candidateLine(candidate: CaCandidate): string {
  if (candidate.unusable !== undefined) return `${candidate.where}: not usable: ${candidate.unusable}`;
  const verdict = candidate.check === undefined ? 'not checked' : candidate.check.ok ? 'makes the server\'s chain trusted for this name' : `does not: ${candidate.check.reason}`;
  return `${candidate.where}: ${describeCa(candidate)}: ${verdict}`;
}

function tlsLines(endpoint: EndpointReport, name: string, options: ProbeTextOptions): string[] {
  const tls = endpoint.tls;
  if (tls === undefined) return [];
  const rows = tls.chain.map((cert, i) => [String(i), cert.subject, cert.issuer, cert.sha256, `${cert.notAfter}${cert.expired ? ' (EXPIRED)' : ''}`]);
  const table = renderTable(['#', 'SUBJECT', 'ISSUER', 'SHA-256', 'EXPIRES'], rows, { maxWidth: options.width, fixed: [0] });
  const trust = tls.trustedHere ? 'accepted' : `not accepted (${tls.trustProblem ?? 'untrusted'})`;
  const names = tls.chain[0]?.names.join(', ') || 'no subjectAltName';
  return [
    '',
    `TLS ${endpoint.url} (${tls.protocol ?? '?'}), the chain the server sends:`,
    table.trimEnd(),
    `this machine's trust store: ${trust}`,
    tls.nameInCertificate ? `name: ${name} is in the certificate (${names})` : options.paint('red', `name: ${name} is NOT in the certificate (${names})`),
  ];
}

function nextStep(report: ProbeReport, options: ProbeTextOptions): string | undefined {
  const url = report.verdict.url;
  if (url === undefined || (report.verdict.kind !== 'https' && report.verdict.kind !== 'http') || report.verdict.problems.length > 0) return undefined;
  const ip = options.address === undefined ? '' : ` --ip ${options.address}`;
  const chosen = report.ca?.chosen === undefined ? undefined : report.ca.candidates[report.ca.chosen];
  const tls = report.endpoints.find((e) => e.url === url)?.tls;
  const ca = report.verdict.kind === 'http' || tls?.trustedHere === true ? ''
    : chosen !== undefined ? ` --ca-fingerprint ${chosen.certificates[0]?.sha256 ?? ''}`
    : ' --ca CA-FILE';
  return `dockhand registry add ${url} -p PLAYBOOK${ip}${ca}`;
}

export function renderProbe(report: ProbeReport, options: ProbeTextOptions): string {
  const { paint } = options;
  const good = report.verdict.kind === 'https' || report.verdict.kind === 'http';
  const lines = [
    `registry   ${report.registry ?? report.name}: ${good ? report.verdict.said : paint('red', report.verdict.said)}`,
    ...report.verdict.problems.map((problem) => `problem    ${paint('red', problem)}`),
    `name       ${resolutionLine(report)}`,
  ];
  if (report.endpoints.length > 0) {
    lines.push('', renderTable(['ENDPOINT', 'ANSWER'], report.endpoints.map((e) => [e.url, e.said]), { maxWidth: options.width, fixed: [0] }).trimEnd());
  }
  for (const endpoint of report.endpoints) lines.push(...tlsLines(endpoint, report.name, options));
  if (report.harbor !== undefined) {
    const h = report.harbor;
    const about = [h.apiVersion && `API ${h.apiVersion}`, h.version && `harbor_version ${h.version}`, h.authMode && `auth_mode ${h.authMode}`].filter(Boolean).join(', ');
    lines.push('', `Harbor     ${h.detected ? `yes${about === '' ? '' : `: ${about}`}` : 'no'} (${h.evidence.join('; ')})`);
  }
  if (report.ca !== undefined) {
    lines.push(`CA         ${report.ca.candidates.length === 0 ? 'none offered' : report.ca.candidates.map(candidateLine).join('\n           ')}`);
  }
  for (const note of report.notes) lines.push(`note       ${note}`);
  const next = nextStep(report, options);
  if (next !== undefined) lines.push(`next       ${next}`);
  return `${lines.join('\n')}\n`;
}
