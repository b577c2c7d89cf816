// The shape of a running lab, as written to .lab/lab.json.

export type NodeFamily = 'debian' | 'rhel';
export type NodeVariant = 'debian' | 'rhel' | 'docker-ce';

export interface LabSpec {
  debianNodes: number;
  rhelNodes: number;
  dockerCeNodes?: number;
  /** lab id; random when absent. [a-z0-9-], at most 20 characters. */
  id?: string;
}

export interface LabNode {
  /** inventory name and hostname: deb1.., rhel1.., ce1.. */
  name: string;
  family: NodeFamily;
  variant: NodeVariant;
  /** IPv4 address on the lab network, reachable from the host */
  address: string;
  containerId: string;
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

export interface Lab {
  id: string;
  createdAt: string;
  network: { name: string; subnet: string };
  nodes: LabNode[];
  registries: { http: LabRegistryHttp; https: LabRegistryHttps };
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
