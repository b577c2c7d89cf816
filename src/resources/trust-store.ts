/**
 * The system trust store, per OS family. Debian/Ubuntu: update-ca-certificates reads PEM files
 * ending in .crt, one certificate per file, below /usr/local/share/ca-certificates. RHEL family:
 * update-ca-trust reads anchors (bundles allowed) in /etc/pki/ca-trust/source/anchors.
 */
import type { OsFamily } from '../plan/facts.ts';

export const DEBIAN_ANCHOR_ROOT = '/usr/local/share/ca-certificates/dockhand';
export const RHEL_ANCHOR_DIR = '/etc/pki/ca-trust/source/anchors';

/** Registry hosts as file names: host:port and [IPv6] become safe characters. */
export function fileSafe(host: string): string {
  return host.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}

/** The anchor files for one registry's CA certificates on this family, with their contents. */
export function anchorFiles(family: OsFamily, host: string, certificates: readonly string[]): Map<string, string> {
  const files = new Map<string, string>();
  if (family === 'rhel') {
    files.set(`${RHEL_ANCHOR_DIR}/dockhand-${fileSafe(host)}.crt`, certificates.join(''));
    return files;
  }
  // update-ca-certificates links each anchor into /etc/ssl/certs by its file name alone: names
  // must be unique across registries, or one CA displaces another there
  const safe = fileSafe(host);
  const dir = `${DEBIAN_ANCHOR_ROOT}/${safe}`;
  if (certificates.length === 1) files.set(`${dir}/dockhand-${safe}.crt`, certificates[0]!);
  else certificates.forEach((pem, i) => files.set(`${dir}/dockhand-${safe}-${i + 1}.crt`, pem));
  return files;
}

/** Whether a path is one of this registry's anchors (any count, either family). */
export function isAnchorOf(path: string, host: string): boolean {
  const safe = fileSafe(host);
  return path === `${RHEL_ANCHOR_DIR}/dockhand-${safe}.crt` || path.startsWith(`${DEBIAN_ANCHOR_ROOT}/${safe}/`);
}

/** The bundle the trust tool builds and OpenSSL, curl and Go read. */
export function trustBundle(family: OsFamily): string {
  return family === 'rhel' ? '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem' : '/etc/ssl/certs/ca-certificates.crt';
}
