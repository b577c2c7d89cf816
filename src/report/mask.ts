/**
 * Credentials in what dockhand reads from nodes (proxy URLs in daemon.json or drop-ins, tokens in
 * environment lines) are masked before anything is shown: facts, diffs, errors.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@"'\\]+):([^\s/@"'\\]+)@/gi;
const SECRET_ASSIGNMENT = /\b([A-Za-z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY|ACCESS_KEY)[A-Za-z0-9_]*)=("[^"\n]*"|'[^'\n]*'|[^\s"']+)/gi;
/**
 * TOML and YAML keys that hold secrets: `password = "..."`, `auth: ...` (containerd's
 * registry.configs.*.auth), `identity_token: ...` (k3s's and RKE2's registries.yaml configs.*.auth).
 */
const SECRET_KEY = /^([ \t+-]*"?(?:password|passwd|auth|identity_?token|registrytoken|token|secret)"?[ \t]*[=:][ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s#]+)/gim;
const MASK = '********';

/** `text` with the passwords of `scheme://user:password@` URLs and secret-looking assignments masked. */
export function maskCredentials(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(SECRET_ASSIGNMENT, (_m, name: string) => `${name}=${MASK}`)
    .replace(SECRET_KEY, (_m, key: string, value: string) => `${key}${value.startsWith('"') ? `"${MASK}"` : value.startsWith("'") ? `'${MASK}'` : MASK}`);
}

/** Every string inside `value` (objects and arrays walked), masked. */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskCredentials(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item)])) as T;
  }
  return value;
}
