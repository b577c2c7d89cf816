// The shape of a running lab, as written to .lab/lab.json.

export type NodeFamily = 'debian' | 'rhel';
/**
 * Docker nodes: debian (deb1..), rhel (rhel1..), docker-ce (ce1..).
 * containerd nodes, no Docker: ctrd16 (ctrd1.., Debian 12, containerd 1.6), ctrd17 (ctrdx1.., Debian 13,
 * containerd 1.7), kubekey (kk1.., containerd 1.6 configured as KubeKey writes it), kubespray (ks1..,
 * containerd 1.6 configured as Kubespray writes it).
 * A podman node, neither Docker nor containerd: podman (podman1.., Debian 12's podman 4.3.1 and skopeo 1.9.3).
 * A k3s stand-in: k3s (k3s1.., a `k3s.service` running containerd 1.6 on k3s's socket and paths; no k3s binary,
 * nothing rendered). See variants.ts.
 */
export type NodeVariant = 'debian' | 'rhel' | 'docker-ce' | 'ctrd16' | 'ctrd17' | 'kubekey' | 'kubespray' | 'podman' | 'k3s';

export interface LabSpec {
  debianNodes: number;
  rhelNodes: number;
  dockerCeNodes?: number;
  /** ctrd1..N: Debian 12, containerd 1.6.20 with the package's own config.toml */
  containerdNodes?: number;
  /** ctrdx1..N: Debian 13, containerd 1.7.24 with the package's own config.toml */
  containerd17Nodes?: number;
  /** kk1..N: containerd 1.6 whose config.toml is KubeKey's (registry.mirrors, registry.configs.*.tls/auth) */
  kubekeyNodes?: number;
  /** ks1..N: containerd 1.6 whose config.toml is Kubespray's (config_path set) with hosts.toml files of its own */
  kubesprayNodes?: number;
  /** the Harbor stand-in (nginx-light in front of the https registry: harbor-front.ts); off unless asked */
  harborFront?: boolean;
  /** podman1..N: Debian 12, no Docker or containerd, podman and skopeo with the packages' /etc/containers */
  podmanNodes?: number;
  /** k3s1..N: a k3s.service that runs containerd on k3s's socket and paths (a stand-in: no k3s can be had here) */
  k3sNodes?: number;
  /**
   * Nodes trimmed for the test suite at boot (images/lab-lean.sh): no unit generators, dockerd without
   * iptables, three public roots. Off unless asked: a bench's nodes cost what a real node costs.
   */
  lean?: boolean;
  /** lab id; random when absent. [a-z0-9-], at most 20 characters. */
  id?: string;
}

export interface LabNode {
  /** inventory name and hostname: deb1.., rhel1.., ce1.., ctrd1.., ctrdx1.., kk1.., ks1.., podman1.., k3s1.. */
  name: string;
  family: NodeFamily;
  variant: NodeVariant;
  /** IPv4 address on the lab network, reachable from the host */
  address: string;
  containerId: string;
  /**
   * containerd nodes: the node's CRI socket (/run/containerd/containerd.sock; on a k3s node
   * /run/k3s/containerd/containerd.sock) as a path on this machine, through a bind mount of a per-node
   * directory on the socket's directory
   */
  criSocket?: string;
}

export interface LabRegistryHttp {
  host: string;
  address: string;
  port: 80;
  containerId: string;
}

export interface LabRegistryHttps {
  host: string;
  address: string;
  port: 443;
  username: string;
  /** 0600 file holding the registry password */
  passwordFile: string;
  /** PEM of the lab's private CA that signed the registry's certificate */
  caCertPath: string;
  containerId: string;
}

/** The Harbor stand-in: nginx answering as Harbor, proxying /v2/ to the https registry (same login). */
export interface LabHarborFront {
  host: string;
  address: string;
  /** http: 308 to https; https: getcert serves the CA; noCert: getcert 404, chain sent with its root; expired: an expired certificate */
  ports: { http: 80; https: 443; noCert: 8443; expired: 9443 };
  /** its certificate (signed by the lab CA) and the expired one */
  certPath: string;
  expiredCertPath: string;
  containerId: string;
}

export interface Lab {
  id: string;
  createdAt: string;
  /** its nodes were trimmed at boot (LabSpec.lean) */
  lean?: boolean;
  network: { name: string; subnet: string };
  nodes: LabNode[];
  registries: { http: LabRegistryHttp; https: LabRegistryHttps; harborFront?: LabHarborFront };
  /** ed25519 private key accepted for root@ and ops@ on every node (absolute path) */
  sshKeyPath: string;
  opsUser: 'ops';
  /** 0600 file holding ops's password (sudo asks for it) */
  opsPasswordFile: string;
  /** paths relative to the repository root */
  inventories: { root: string; sudo: string; yaml: string };
  /** playbooks/lab.yml: the lab's two registries, relative to the repository root */
  playbook: string;
  /** the seeded image, present in both registries: library/tiny:1 and :latest */
  seededImage: { repository: string; tags: string[] };
}
