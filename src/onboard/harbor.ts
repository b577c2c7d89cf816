/**
 * Harbor, seen from its URL without a login: its API version (`GET /api/version`), its system info
 * (`GET /api/v2.0/systeminfo`: `harbor_version`, `auth_mode`), and the CA it serves to anyone at
 * `GET /api/v2.0/systeminfo/getcert` (404 "cert not found" on installs whose CA was copied in by hand:
 * normal, not an error). Harbor 1.x answers the same under `/api/` without `v2.0`.
 */
import { isHarborChallenge, type Challenge } from './challenge.ts';
import { request, type Endpoint, type HttpAnswer } from './endpoint.ts';

export type HarborCa =
  | { readonly status: 'served'; readonly path: string; readonly body: Buffer }
  | { readonly status: 'not-found'; readonly path: string; readonly message: string }
  | { readonly status: 'unusable'; readonly path: string; readonly message: string }
  | { readonly status: 'not-asked'; readonly message: string };

export interface HarborFacts {
  readonly detected: boolean;
  /** What showed it is (or is not) Harbor. */
  readonly evidence: readonly string[];
  readonly apiVersion: string | undefined;
  readonly version: string | undefined;
  readonly authMode: string | undefined;
  readonly ca: HarborCa;
}

function json(answer: HttpAnswer | undefined): Record<string, unknown> | undefined {
  if (answer?.status !== 200) return undefined;
  try {
    const value: unknown = JSON.parse(answer.body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Asks the registry's origin what Harbor would answer; `challenge` is what its /v2/ said. */
export async function readHarbor(endpoint: Endpoint, challenge: Challenge | undefined, timeoutMs: number): Promise<HarborFacts> {
  const get = (path: string) => request(endpoint, path, { timeoutMs, headers: { Accept: 'application/json' } }).catch(() => undefined);
  const [version, info2] = await Promise.all([get('/api/version'), get('/api/v2.0/systeminfo')]);
  const info = json(info2) ?? (info2?.status === 404 ? json(await get('/api/systeminfo')) : undefined);
  const apiVersion = text(json(version)?.['version']);
  const harborVersion = text(info?.['harbor_version']);
  const evidence: string[] = [];
  if (isHarborChallenge(challenge)) evidence.push('its /v2/ challenge names Harbor\'s token service (service="harbor-registry")');
  if (harborVersion !== undefined) evidence.push(`/api${info2?.status === 200 ? '/v2.0' : ''}/systeminfo reports harbor_version ${harborVersion}`);
  if (apiVersion !== undefined && evidence.length > 0) evidence.push(`/api/version reports ${apiVersion}`);
  const detected = evidence.length > 0;
  if (!detected) {
    return { detected, evidence: ['no Harbor token service, no /api/v2.0/systeminfo'], apiVersion: undefined, version: undefined, authMode: undefined, ca: { status: 'not-asked', message: 'not Harbor: /api/v2.0/systeminfo/getcert does not apply' } };
  }
  const ca = endpoint.scheme === 'https'
    ? await readHarborCa(endpoint, info2?.status === 200 || info === undefined ? '/api/v2.0/systeminfo/getcert' : '/api/systeminfo/getcert', timeoutMs)
    : { status: 'not-asked' as const, message: 'plain http: no CA to fetch' };
  return { detected, evidence, apiVersion, version: harborVersion, authMode: text(info?.['auth_mode']), ca };
}

async function readHarborCa(endpoint: Endpoint, path: string, timeoutMs: number): Promise<HarborCa> {
  let answer: HttpAnswer;
  try {
    answer = await request(endpoint, path, { timeoutMs, maxBytes: 256 * 1024 });
  } catch (error) {
    return { status: 'unusable', path, message: (error as Error).message };
  }
  if (answer.status === 404) {
    return { status: 'not-found', path, message: 'Harbor has no CA of its own to serve (404 "cert not found": normal where its certificate was installed by hand)' };
  }
  if (answer.status !== 200) return { status: 'unusable', path, message: `answered HTTP ${answer.status}` };
  return { status: 'served', path, body: answer.body };
}
