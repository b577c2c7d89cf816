// /etc/containerd/config.toml as KubeKey v3 writes it (kubesphere/kubekey
// cmd/kk/pkg/container/templates/containerd_config.go, a Go text/template passed through dedent), for
// the lab's registries: the spec.registry of a KubeKey cluster config rendered the way `kk` renders it,
// whitespace included (a whitespace-only line after a docker.io mirror list is KubeKey's, not a typo).
//   registryMirrors     -> registry.mirrors."docker.io".endpoint = [mirrors..., "https://registry-1.docker.io"]
//   insecureRegistries  -> registry.mirrors."<host>".endpoint = ["http://<host>"]
//   auths.<host>        -> registry.configs."<host>".auth (username, password) and .tls (ca_file, cert_file,
//                          key_file, insecure_skip_verify); plainHTTP implies skipTLSVerify
// With certsPath, KubeKey looks up *.crt (CA), *.cert and *.key there and writes their paths; KubeKey's
// registry module copies a registry's CA to /etc/docker/certs.d/<host>/ca.crt on every node.

export interface KubeKeyAuth {
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  skipTLSVerify?: boolean;
  plainHTTP?: boolean;
}

export interface KubeKeyRegistry {
  registryMirrors: readonly string[];
  insecureRegistries: readonly string[];
  auths: Readonly<Record<string, KubeKeyAuth>>;
  /** images.GetImage(..., "pause").ImageName() */
  sandboxImage: string;
}

const CRI = 'plugins."io.containerd.grpc.v1.cri"';

export function renderKubeKeyContainerdConfig(r: KubeKeyRegistry): string {
  const head = `version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
  address = "/run/containerd/containerd.sock"
  uid = 0
  gid = 0
  max_recv_message_size = 16777216
  max_send_message_size = 16777216

[ttrpc]
  address = ""
  uid = 0
  gid = 0

[debug]
  address = ""
  uid = 0
  gid = 0
  level = ""

[metrics]
  address = ""
  grpc_histogram = false

[cgroup]
  path = ""

[timeouts]
  "io.containerd.timeout.shim.cleanup" = "5s"
  "io.containerd.timeout.shim.load" = "5s"
  "io.containerd.timeout.shim.shutdown" = "3s"
  "io.containerd.timeout.task.state" = "2s"

[plugins]
  [${CRI}.containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [${CRI}.containerd.runtimes.runc.options]
      SystemdCgroup = true
  [${CRI}]
    sandbox_image = "${r.sandboxImage}"
    [${CRI}.cni]
      bin_dir = "/opt/cni/bin"
      conf_dir = "/etc/cni/net.d"
      max_conf_num = 1
      conf_template = ""
    [${CRI}.registry]
      [${CRI}.registry.mirrors]`;
  // templates.Mirrors: each mirror quoted, joined with ", "
  const mirrors = r.registryMirrors.map((m) => `"${m}"`).join(', ');
  const dockerIo = mirrors
    ? `\n        [${CRI}.registry.mirrors."docker.io"]\n          endpoint = [${mirrors}, "https://registry-1.docker.io"]\n        `
    : `\n        [${CRI}.registry.mirrors."docker.io"]\n          endpoint = ["https://registry-1.docker.io"]`;
  const insecure = r.insecureRegistries
    .map((h) => `\n        [${CRI}.registry.mirrors."${h}"]\n          endpoint = ["http://${h}"]`)
    .join('');
  // Go ranges over a map in key order
  const hosts = Object.keys(r.auths).sort();
  const auths = hosts.length === 0 ? '' : `\n        [${CRI}.registry.configs]` + hosts.map((host) => {
    const a = r.auths[host]!;
    const skip = a.plainHTTP === true || a.skipTLSVerify === true;
    return `\n          [${CRI}.registry.configs."${host}".auth]` +
      `\n            username = "${a.username ?? ''}"` +
      `\n            password = "${a.password ?? ''}"` +
      `\n            [${CRI}.registry.configs."${host}".tls]` +
      `\n              ca_file = "${a.caFile ?? ''}"` +
      `\n              cert_file = "${a.certFile ?? ''}"` +
      `\n              key_file = "${a.keyFile ?? ''}"` +
      `\n              insecure_skip_verify = ${skip}`;
  }).join('');
  return `${head}${dockerIo}${insecure}${auths}\n`;
}

/** Where KubeKey's registry module puts a registry's CA on every node (and what certsPath then names). */
export const KUBEKEY_CA_DIR = '/etc/docker/certs.d';

/**
 * The files a KubeKey-built containerd node has for the lab's registries, as if its cluster config said
 *   registry:
 *     registryMirrors: ["https://<https host>"]
 *     insecureRegistries: ["<http host>"]
 *     auths:
 *       "<https host>": { username: ..., password: ..., certsPath: /etc/docker/certs.d/<https host> }
 */
export function kubekeyNodeFiles(lab: {
  httpHost: string;
  httpsHost: string;
  username: string;
  password: string;
  caCert: string;
}): { content: string; target: string; mode: number }[] {
  const caFile = `${KUBEKEY_CA_DIR}/${lab.httpsHost}/ca.crt`;
  const config = renderKubeKeyContainerdConfig({
    registryMirrors: [`https://${lab.httpsHost}`],
    insecureRegistries: [lab.httpHost],
    auths: { [lab.httpsHost]: { username: lab.username, password: lab.password, caFile } },
    sandboxImage: 'kubesphere/pause:3.9',
  });
  return [
    { content: config, target: '/etc/containerd/config.toml', mode: 0o644 },
    { content: lab.caCert, target: caFile, mode: 0o644 },
  ];
}
