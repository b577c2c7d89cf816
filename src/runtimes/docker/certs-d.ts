/**
 * Docker's per-registry CA: /etc/docker/certs.d/HOST/ca.crt, the directory named exactly as image
 * references write the registry (host:port included). Read on every registry connection: no restart.
 */
export const CERTS_D_ROOT = '/etc/docker/certs.d';

export function certsDPath(host: string): string {
  return `${CERTS_D_ROOT}/${host}/ca.crt`;
}
