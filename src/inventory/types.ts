/** An inventory as Ansible models it: hosts, groups with children, and vars at every level. */
export type Vars = Record<string, unknown>;

/** Where a variable was set, so a message about its value can point at it. */
export interface VarOrigin {
  readonly file: string;
  readonly line: number | undefined;
  /** How the file names it, where that is not the variable's own name (KubeKey: `spec.hosts[0].password`). */
  readonly label?: string | undefined;
  /** The line of a part of the value (`[0, 'host']`), for YAML sources. */
  readonly locate?: ((path: readonly PropertyKey[]) => number | undefined) | undefined;
}

export type VarOrigins = Readonly<Record<string, VarOrigin>>;

/** Vars from one place (an inventory file, or group_vars/ and host_vars/ files), with where each was set. */
export interface VarLayer {
  readonly values: Vars;
  readonly origins: VarOrigins;
}

export interface HostEntry {
  readonly name: string;
  /** Vars set on the host line itself (INI) or under the host (YAML). */
  readonly vars: Vars;
  readonly origins: VarOrigins;
  /** Vars from host_vars/ files, which win over `vars`. */
  readonly fileVars: VarLayer;
  /** Where the host was first declared, for error messages. */
  readonly file: string;
  readonly line: number | undefined;
}

export interface GroupEntry {
  readonly name: string;
  readonly hosts: Set<string>;
  readonly children: Set<string>;
  /** Vars set in the inventory itself (`[g:vars]`, `vars:`). */
  readonly vars: Vars;
  readonly origins: VarOrigins;
  /** Vars from group_vars/ files: Ansible applies these after every group's inventory vars. */
  readonly fileVars: VarLayer;
}

export interface Inventory {
  /** The first inventory source, for messages that concern the whole inventory. */
  readonly source: string;
  /** Every source read (files, directories), in order. */
  readonly sources: readonly string[];
  readonly hosts: ReadonlyMap<string, HostEntry>;
  /** Always holds `all` and `ungrouped`. */
  readonly groups: ReadonlyMap<string, GroupEntry>;
  /** What the user should hear that does not stop the run: a misspelt `ansible_` variable, a `#` that cut a word. */
  readonly warnings: readonly string[];
  /** Files that hold passwords or private keys (a warning is due when others can read them). */
  readonly secretFiles: readonly string[];
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
  /** The private key itself (KubeKey's inline `privateKey`), kept in memory only; wins over privateKeyFile. */
  readonly privateKey?: string | undefined;
  readonly password: string | undefined;
  readonly become: boolean;
  readonly becomeUser: string;
  readonly becomePassword: string | undefined;
  /** ansible_connection: `local` runs commands on this machine; ssh/smart/paramiko mean ssh. */
  readonly connection: 'ssh' | 'local';
  /** Every var after precedence, for later use (playbook templating, reporting); never the inline private key. */
  readonly vars: Vars;
}
