/**
 * The image pull secret Kubernetes expects (kubernetes.io docs, "Pull an Image from a Private Registry"):
 * a `kubernetes.io/dockerconfigjson` Secret whose `.dockerconfigjson` is
 * `{"auths":{"HOST":{"username":..,"password":..,"auth":base64(user:password)}}}`, one per namespace, and,
 * for a ServiceAccount, the object `kubectl apply` merges into it so its pods get the secret
 * (`imagePullSecrets` is merged by name). Byte for byte what `kubectl create secret docker-registry
 * --dry-run=client -o yaml` prints for the same input: Go's JSON encoding, keys in Go's order, and the
 * YAML of sigs.k8s.io/yaml (keys sorted).
 */
import { InputError } from '../errors.ts';

export interface PullSecretRequest {
  readonly name: string;
  /** One Secret per namespace; none: one Secret without a namespace (kubectl's current namespace). */
  readonly namespaces: readonly string[];
  /** The key under `auths`: the registry as image references write it (Docker Hub: its v1 index URL). */
  readonly server: string;
  readonly username: string;
  readonly password: string;
  readonly email?: string | undefined;
  readonly serviceAccount?: string | undefined;
}

/** Docker Hub's key in a Docker config, as `docker login` and kubectl write it. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The `auths` key for a registry: Docker Hub under its index URL, any other as image references write it. */
export function dockerConfigKey(registry: string): string {
  return DOCKER_HUB_NAMES.has(registry.toLowerCase()) ? DOCKER_HUB_KEY : registry;
}

/** JSON as Go's encoding/json writes it: HTML-significant characters and U+2028/U+2029 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `.dockerconfigjson` document (Go's field order: username, password, email, auth). */
export function dockerConfigJson(server: string, username: string, password: string, email?: string): string {
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return goJson({ auths: { [server]: { username, password, ...(email ? { email } : {}), auth } } });
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a Kubernetes object name is refused (RFC 1123 subdomain, or label for a namespace), or undefined. */
export function checkObjectName(value: string, kind: 'subdomain' | 'label'): string | undefined {
  if (kind === 'label') return DNS_LABEL.test(value) ? undefined : 'is not a Kubernetes namespace name (lower-case letters, digits and "-", at most 63, starting and ending alphanumeric)';
  if (value.length > 253 || !value.split('.').every((label) => DNS_LABEL.test(label))) {
    return 'is not a Kubernetes object name (lower-case letters, digits, "-" and ".", at most 253)';
  }
  return undefined;
}

/** Refuses a request whose names Kubernetes would refuse (before any registry is asked). */
export function checkPullSecretRequest(request: Omit<PullSecretRequest, 'password' | 'username' | 'server'>): void {
  const check = (option: string, value: string, kind: 'subdomain' | 'label') => {
    const reason = checkObjectName(value, kind);
    if (reason !== undefined) throw new InputError('E_USAGE', option, undefined, `"${value}" ${reason}`);
  };
  check('--name', request.name, 'subdomain');
  for (const namespace of request.namespaces) check('--namespace', namespace, 'label');
  if (request.serviceAccount !== undefined) check('--service-account', request.serviceAccount, 'subdomain');
}

function secret(request: PullSecretRequest, namespace: string | undefined): string {
  const data = Buffer.from(dockerConfigJson(request.server, request.username, request.password, request.email), 'utf8').toString('base64');
  return [
    'apiVersion: v1',
    'data:',
    `  .dockerconfigjson: ${data}`,
    'kind: Secret',
    'metadata:',
    '  creationTimestamp: null',
    `  name: ${request.name}`,
    ...(namespace === undefined ? [] : [`  namespace: ${namespace}`]),
    'type: kubernetes.io/dockerconfigjson',
    '',
  ].join('\n');
}

function serviceAccount(request: PullSecretRequest, account: string, namespace: string | undefined): string {
  return [
    'apiVersion: v1',
    'imagePullSecrets:',
    `- name: ${request.name}`,
    'kind: ServiceAccount',
    'metadata:',
    `  name: ${account}`,
    ...(namespace === undefined ? [] : [`  namespace: ${namespace}`]),
    '',
  ].join('\n');
}

/** The Secret (and ServiceAccount) documents, one set per namespace, for `kubectl apply -f -`. */
export function renderPullSecrets(request: PullSecretRequest): string {
  const namespaces = request.namespaces.length > 0 ? request.namespaces : [undefined];
  const documents = namespaces.flatMap((namespace) => [
    secret(request, namespace),
    ...(request.serviceAccount === undefined ? [] : [serviceAccount(request, request.serviceAccount, namespace)]),
  ]);
  return documents.join('---\n');
}
