/**
 * Does a login work on a registry, and can it pull? The way a container runtime finds out: `GET /v2/`
 * anonymously; a 200 means the registry needs no login (a login cannot be checked there); a Basic
 * challenge is answered with the login on /v2/; a Bearer challenge (Distribution's token auth, Docker Hub,
 * Harbor's `service/token`) sends the login to the token service and the token to /v2/. With an image, its
 * manifest is asked for (HEAD) with that login. The password travels only in Authorization headers.
 */
import { describeChallenge, readChallenge } from './challenge.ts';
import { endpointLabel, header, request, type Endpoint, type HttpAnswer, type Trust } from './endpoint.ts';

export interface Login {
  readonly username: string;
  readonly password: string;
}

export interface ImageRef {
  readonly repository: string;
  readonly reference: string;
}

export type LoginOutcome =
  | { readonly kind: 'not-needed' }
  | { readonly kind: 'accepted'; readonly via: 'basic' | 'token'; readonly pull: PullOutcome | undefined }
  | { readonly kind: 'rejected'; readonly via: 'basic' | 'token'; readonly said: string }
  | { readonly kind: 'unknown'; readonly said: string };

export type PullOutcome =
  | { readonly kind: 'can-pull'; readonly image: string }
  | { readonly kind: 'denied'; readonly image: string; readonly status: number }
  | { readonly kind: 'not-found'; readonly image: string };

const MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function basic(login: Login): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password}`, 'utf8').toString('base64')}`;
}

/** `repository:tag` or `repository@digest` of an image reference without its registry. */
export function imageRefOf(image: string, registry: string): ImageRef {
  const path = image.toLowerCase().startsWith(`${registry.toLowerCase()}/`) ? image.slice(registry.length + 1) : image;
  const at = path.indexOf('@');
  if (at >= 0) return { repository: path.slice(0, at), reference: path.slice(at + 1) };
  const colon = path.lastIndexOf(':');
  return colon > path.lastIndexOf('/') ? { repository: path.slice(0, colon), reference: path.slice(colon + 1) } : { repository: path, reference: 'latest' };
}

async function checkPull(endpoint: Endpoint, trust: Trust, authorization: string, image: ImageRef, timeoutMs: number): Promise<PullOutcome> {
  const name = `${image.repository}${image.reference.includes(':') ? '@' : ':'}${image.reference}`;
  const answer = await request(endpoint, `/v2/${image.repository}/manifests/${image.reference}`, { method: 'HEAD', trust, timeoutMs, headers: { Authorization: authorization, Accept: MANIFESTS } });
  if (answer.status === 200) return { kind: 'can-pull', image: name };
  if (answer.status === 404) return { kind: 'not-found', image: name };
  return { kind: 'denied', image: name, status: answer.status };
}

/** The token service of a Bearer challenge, as an endpoint: the registry's own address when it is on the registry's name. */
function realmEndpoint(realm: string, registry: Endpoint): { endpoint: Endpoint; path: string } {
  const url = new URL(realm);
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const name = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  const address = name.toLowerCase() === registry.name.toLowerCase() ? registry.address : undefined;
  return { endpoint: { scheme, name, port, address }, path: `${url.pathname}${url.search}` };
}

function tokenOf(answer: HttpAnswer): string | undefined {
  try {
    const body = JSON.parse(answer.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
    return typeof token === 'string' && token !== '' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** Checks `login` against the registry at `endpoint`; never puts it anywhere but Authorization headers. */
export async function checkLogin(endpoint: Endpoint, trust: Trust, login: Login, image: ImageRef | undefined, timeoutMs: number): Promise<LoginOutcome> {
  const anonymous = await request(endpoint, '/v2/', { trust, timeoutMs });
  if (anonymous.status === 200) return { kind: 'not-needed' };
  if (anonymous.status !== 401) return { kind: 'unknown', said: `GET /v2/ answered HTTP ${anonymous.status}, not the Registry API` };
  const challenge = readChallenge(header(anonymous, 'www-authenticate'));
  if (challenge?.scheme === 'basic') {
    const authorization = basic(login);
    const answer = await request(endpoint, '/v2/', { trust, timeoutMs, headers: { Authorization: authorization } });
    if (answer.status === 401 || answer.status === 403) return { kind: 'rejected', via: 'basic', said: `${endpointLabel(endpoint)} refused the username or password (HTTP ${answer.status})` };
    if (answer.status !== 200) return { kind: 'unknown', said: `GET /v2/ with the login answered HTTP ${answer.status}` };
    return { kind: 'accepted', via: 'basic', pull: image === undefined ? undefined : await checkPull(endpoint, trust, authorization, image, timeoutMs) };
  }
  if (challenge?.scheme === 'bearer') {
    let realm;
    try {
      realm = realmEndpoint(challenge.realm, endpoint);
    } catch {
      return { kind: 'unknown', said: `the token service's address ${JSON.stringify(challenge.realm)} is not a URL` };
    }
    const query = new URLSearchParams();
    if (challenge.service !== undefined) query.set('service', challenge.service);
    if (image !== undefined) query.set('scope', `repository:${image.repository}:pull`);
    const separator = realm.path.includes('?') ? '&' : '?';
    const path = `${realm.path}${query.size > 0 ? `${separator}${query.toString()}` : ''}`;
    const issued = await request(realm.endpoint, path, { trust, timeoutMs, headers: { Authorization: basic(login) } });
    if (issued.status === 401 || issued.status === 403) {
      return { kind: 'rejected', via: 'token', said: `the token service at ${challenge.realm} refused the username or password (HTTP ${issued.status})` };
    }
    const token = issued.status === 200 ? tokenOf(issued) : undefined;
    if (token === undefined) return { kind: 'unknown', said: `the token service at ${challenge.realm} answered HTTP ${issued.status} without a token` };
    const authorization = `Bearer ${token}`;
    const answer = await request(endpoint, '/v2/', { trust, timeoutMs, headers: { Authorization: authorization } });
    if (answer.status === 401 || answer.status === 403) return { kind: 'rejected', via: 'token', said: `the registry refused the token its token service issued for this login (HTTP ${answer.status})` };
    return { kind: 'accepted', via: 'token', pull: image === undefined ? undefined : await checkPull(endpoint, trust, authorization, image, timeoutMs) };
  }
  return { kind: 'unknown', said: `the registry asks for a login dockhand cannot check (${challenge === undefined ? 'no challenge' : describeChallenge(challenge)})` };
}
