/** An inventory as Ansible models it: hosts, groups with children, and vars at every level. */
export type Vars = Record<string, unknown>;

export interface HostEntry {
  readonly name: string;
  /** Vars set on the host line itself (INI) or under the host (YAML). */
  readonly vars: Vars;
  /** Where the host was first declared, for error messages. */
  readonly file: string;
  readonly line: number | undefined;
}

export interface GroupEntry {
  readonly name: string;
  readonly hosts: Set<string>;
  readonly children: Set<string>;
  readonly vars: Vars;
}

export interface Inventory {
  readonly source: string;
  readonly hosts: ReadonlyMap<string, HostEntry>;
  /** Always holds `all` and `ungrouped`. */
  readonly groups: ReadonlyMap<string, GroupEntry>;
}

/** How to reach and log into one node, resolved from its vars. */
export interface NodeTarget {
  /** The inventory name. */
  readonly name: string;
  /** ansible_host, else KubeSphere's `ip`, else the name. */
  readonly address: string;
  readonly port: number;
  /** ansible_user; undefined means the current user. */
  readonly user: string | undefined;
  readonly privateKeyFile: string | undefined;
  readonly password: string | undefined;
  readonly become: boolean;
  readonly becomeUser: string;
  readonly becomePassword: string | undefined;
  /** ansible_connection: `local` runs commands on this machine; ssh/smart/paramiko mean ssh. */
  readonly connection: 'ssh' | 'local';
  /** Every var after precedence, for later use (playbook templating, reporting). */
  readonly vars: Vars;
}
