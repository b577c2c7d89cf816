/**
 * A registry host as people paste it: `harbor.example.com`, `harbor.example.com/`,
 * `https://harbor.example.com:8443` or `http://harbor.local/` all name the registry image references
 * write as `harbor.example.com`, `harbor.example.com:8443`, `harbor.local`. A path is not part of a
 * registry's name: it belongs in image references, and the message says so.
 */
import { checkImageReference, checkRegistryHost } from './validate-values.ts';

export type RegistryHostReading =
  | {
      /** The host as image references write it: `host` or `host:port`. */
      readonly host: string;
      /** The URL scheme it was pasted with; `http` means a plain-http (insecure) registry. */
      readonly scheme: 'http' | 'https' | undefined;
      /** It was written otherwise than `host` (a URL, a trailing slash). */
      readonly rewritten: boolean;
    }
  | { readonly reason: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;
/** A path that reads as an image repository (and perhaps a tag or digest), safe to repeat in a message. */
const REPOSITORY_PATH = /^[A-Za-z0-9][A-Za-z0-9._/-]*(?::[A-Za-z0-9._-]+)?(?:@[A-Za-z0-9:]+)?$/;

/** Reads a `registries[].host` value: the registry it names, or why it cannot be read as one. */
export function readRegistryHost(value: string): RegistryHostReading {
  const url = SCHEME.exec(value);
  let scheme: 'http' | 'https' | undefined;
  let rest = value;
  if (url) {
    const name = (url[1] ?? '').toLowerCase();
    if (name !== 'http' && name !== 'https') {
      return { reason: `is a URL with scheme ${JSON.stringify(name)}: give the registry host (and :port), or its http:// or https:// URL` };
    }
    scheme = name;
    rest = url[2] ?? '';
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (url && authority.includes('@')) return { reason: 'is a URL with credentials: give the registry host only (a login goes in verify: username_env, password_env)' };
  if (url && /[?#]/.test(rest)) return { reason: 'is a URL with a query or fragment: give the registry host only' };
  const hostReason = checkRegistryHost(authority);
  if (path === '') {
    if (hostReason !== undefined) return { reason: url || slash >= 0 ? `names the host ${JSON.stringify(authority)}, which ${hostReason}` : hostReason };
    return { host: authority, scheme, rewritten: value !== authority };
  }
  const repository = path.replace(/\/+$/, '');
  if (hostReason === undefined && REPOSITORY_PATH.test(repository) && !repository.includes('..') && !repository.includes('//')) {
    return { reason: `is an image path: give the registry host ${authority} and put ${repository} in image references` };
  }
  // not a pasted URL or image path worth explaining: the plain host rules say what is wrong
  return { reason: checkRegistryHost(value) ?? hostReason ?? 'is not a registry host' };
}

/** The registry host a valid `registries[].host` value names (as `readRegistryHost` reads it). */
export function registryHostOf(value: string): string {
  const reading = readRegistryHost(value);
  return 'host' in reading ? reading.host : value;
}

/** Why `value` is refused as a `registries[].host`, or undefined. */
export function checkPastedRegistryHost(value: string): string | undefined {
  const reading = readRegistryHost(value);
  return 'reason' in reading ? reading.reason : undefined;
}

/** A `verify.image` as pasted: an `http(s)://` prefix is dropped (image references have none). */
export function imageReferenceOf(value: string): string {
  return value.replace(/^https?:\/\//i, '');
}

/** Why `value` is refused as a `verify.image` (an image reference, perhaps pasted with http(s)://). */
export function checkPastedImageReference(value: string): string | undefined {
  return checkImageReference(imageReferenceOf(value));
}
