/**
 * What the plays ask of a k3s or RKE2 node's registries.yaml, and the CA files beside it: each
 * registry's endpoints (its mirrors, then `http://HOST` for a plain-http one), its TLS settings (its CA,
 * written by dockhand under `<config dir>/dockhand/HOST/`; `insecure_skip_verify` for an insecure one),
 * Docker Hub's mirrors, and what the plays take back.
 */
import type { DesiredState } from '../../plan/types.ts';
import { isCidr } from '../../playbook/validate-values.ts';
import type { RegistryTls, WantedRegistries } from './registries-yaml.ts';

/** The name k3s looks a registry up by: Docker Hub is `docker.io`, whatever the play calls it. */
export function registryName(host: string): string {
  const name = host.trim();
  return name === 'index.docker.io' || name === 'registry-1.docker.io' ? 'docker.io' : name;
}

/** The host (and port, as written) of an endpoint URL: the name k3s finds the endpoint's `configs` entry by. */
export function endpointHost(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url.trim())?.[1] ?? url.trim();
}

/** dockhand's own directory beside registries.yaml, for the CA files it writes. */
export function caDirectory(configDir: string): string {
  return `${configDir}/dockhand`;
}

export interface Wanted {
  readonly registries: WantedRegistries;
  /** CA file path -> its PEM. */
  readonly cas: ReadonlyMap<string, string>;
  readonly notes: readonly string[];
}

export function wantedRegistries(desired: DesiredState, configDir: string): Wanted {
  const caDir = caDirectory(configDir);
  const mirrors = new Map<string, string[]>();
  const configs = new Map<string, RegistryTls>();
  const managed = new Set<string>();
  const retired = new Set<string>();
  const caFiles = new Map<string, string>();
  const cas = new Map<string, string>();
  const notes: string[] = [];
  const named = new Set(desired.registries.filter((r) => r.state === 'present').map((r) => registryName(r.host)));

  for (const registry of desired.registries) {
    const host = registryName(registry.host);
    const caPath = `${caDir}/${host}/ca.crt`;
    caFiles.set(host, caPath);
    if (registry.state === 'absent') {
      if (!named.has(host)) retired.add(host);
      continue;
    }
    managed.add(host);
    const endpoints: string[] = [];
    for (const [index, mirror] of (registry.mirrors ?? []).entries()) {
      endpoints.push(mirror.url);
      if (mirror.capabilities.includes('push')) notes.push(`k3s tries mirror endpoints for pulls only: ${mirror.url} is not used for pushes`);
      const mirrorCa = mirror.ca === undefined ? undefined : `${caDir}/${host}/mirror-${index + 1}-ca.crt`;
      if (mirrorCa !== undefined && mirror.ca !== undefined) cas.set(mirrorCa, mirror.ca.pem);
      if (mirrorCa !== undefined || mirror.skipVerify) {
        configs.set(endpointHost(mirror.url), { ...(mirrorCa === undefined ? {} : { caFile: mirrorCa }), ...(mirror.skipVerify ? { skipVerify: true } : {}) });
      }
    }
    if (registry.insecure && host !== 'docker.io') endpoints.push(`http://${host}`);
    if (endpoints.length > 0) mirrors.set(host, endpoints);
    if (registry.ca !== undefined) cas.set(caPath, registry.ca.pem);
    if (registry.ca !== undefined || registry.insecure) {
      configs.set(host, { ...(registry.ca === undefined ? {} : { caFile: caPath }), ...(registry.insecure ? { skipVerify: true } : {}) });
    }
  }

  // Docker Hub's mirrors (registry_mirrors) go to docker.io's endpoints
  if (desired.registryMirrors.length > 0) {
    mirrors.set('docker.io', [...(mirrors.get('docker.io') ?? []), ...desired.registryMirrors]);
    managed.add('docker.io');
  }
  const retiredEndpoints = new Map<string, string[]>();
  if (desired.retiredRegistryMirrors.length > 0) {
    retiredEndpoints.set('docker.io', [...desired.retiredRegistryMirrors]);
    managed.add('docker.io');
  }

  // extra insecure hosts: plain http and unverified TLS, as for an insecure registry; k3s has no CIDRs
  for (const extra of desired.insecureRegistries) {
    if (isCidr(extra)) {
      notes.push(`k3s has no insecure-registry CIDRs: ${extra} applies to Docker only`);
      continue;
    }
    const host = registryName(extra);
    if (named.has(host) || host === 'docker.io') continue;
    mirrors.set(host, [`http://${host}`]);
    configs.set(host, { skipVerify: true });
    managed.add(host);
  }
  for (const extra of desired.retiredInsecureRegistries) {
    const host = registryName(extra);
    if (!isCidr(extra) && !managed.has(host)) retired.add(host);
  }
  return { registries: { mirrors, configs, managed, retired, retiredEndpoints, caFiles }, cas, notes };
}
