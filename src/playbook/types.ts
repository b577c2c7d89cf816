/** A playbook as dockhand understands it: plays of registries for groups of nodes. */

/** One `serial` batch: a number of nodes or a percentage of the play's nodes, like "25%". */
export type SerialStep = number | `${number}%`;

/** One registry as image references write it (`host` or `host:port`). */
export interface RegistrySpec {
  readonly host: string;
  /** Pins the name in /etc/hosts. */
  readonly ip: string | undefined;
  /** Plain http or untrusted TLS: `--insecure-registry`. */
  readonly insecure: boolean;
  /** The registry's CA, normalised PEM (LF line ends, final newline). */
  readonly ca: { readonly file: string; readonly pem: string } | undefined;
  /** `absent` removes exactly what dockhand manages for this registry. */
  readonly state: 'present' | 'absent';
  /** A pull check after apply; credentials are read from these environment variables at run time. */
  readonly verify?: RegistryVerify | undefined;
  /** Mirrors tried before the registry itself (containerd `[host]` entries; Docker: Docker Hub only). */
  readonly mirrors?: readonly RegistryMirror[] | undefined;
}

export interface RegistryMirror {
  /** `http(s)://host[:port][/path]`. */
  readonly url: string;
  readonly capabilities: readonly ('pull' | 'resolve' | 'push')[];
  readonly skipVerify: boolean;
  /** The mirror's CA, normalised PEM. */
  readonly ca: { readonly file: string; readonly pem: string } | undefined;
}

/** A container runtime dockhand configures, by its name in src/runtimes/index.ts. */
export type RuntimeName = string;
/** Which runtimes a play configures: `auto` (the one kubelet uses, else the first installed by rank) or a list. */
export type RuntimeSelection = 'auto' | readonly RuntimeName[];
/** When a Docker restart may happen: where no container runs or live-restore keeps them (`if-idle`), always, never. */
export type RestartPolicy = 'if-idle' | 'always' | 'never';

export interface RegistryVerify {
  readonly image: string;
  readonly usernameEnv: string | undefined;
  readonly passwordEnv: string | undefined;
}

/** The mechanism that carries registry options to dockerd. */
export type DockerConfig = 'auto' | 'drop-in' | 'daemon-json';

export interface Play {
  readonly name: string;
  /** An inventory pattern, as --limit takes. */
  readonly hosts: string;
  readonly registries: readonly RegistrySpec[];
  /** Extra hosts or CIDRs for --insecure-registry (CIDR blocks as dockerd keeps them: masked, canonical). */
  readonly insecureRegistries: readonly string[];
  readonly registryMirrors: readonly string[];
  /** `insecure_registries` entries with `state: absent`: taken back where dockhand put them. */
  readonly absentInsecureRegistries: readonly string[];
  /** `registry_mirrors` entries with `state: absent`. */
  readonly absentRegistryMirrors: readonly string[];
  /**
   * How Docker receives registry options: `auto` picks, per node, what its Docker really honours;
   * `drop-in` forces DOCKER_OPTS in docker-options.conf; `daemon-json` forces /etc/docker/daemon.json.
   */
  readonly dockerConfig: DockerConfig;
  /** Rolling batches, as Ansible's `serial` (a single value is a one-item list); kept for later. */
  readonly serial?: readonly SerialStep[] | undefined;
  /** Abort the play when more than this percentage (0-100) of a batch fails; kept for later. */
  readonly maxFailPercentage?: number | undefined;
  readonly runtimes: RuntimeSelection;
  readonly restart: RestartPolicy;
  /** `enable` turns Docker's live-restore on (a reload) before any restart, so containers survive it. */
  readonly liveRestore: 'enable' | 'keep';
  /**
   * The node's own view of its registries (a connection and, for https, a TLS handshake with the play's CA):
   * `report` (default) says what it saw; `require` also leaves a node that cannot reach one unchanged.
   */
  readonly reachability: 'report' | 'require';
  /**
   * Seconds a runtime dockhand restarted may take to be active (and serving) again before the node's
   * transaction rolls the change back; unset: each runtime's own (60 s; k3s and RKE2 300 s).
   */
  readonly startTimeout?: number | undefined;
  /** Where the play was written, for messages: `file` and its index in the file's list. */
  readonly source: { readonly file: string; readonly index: number; readonly line: number | undefined };
}

export interface Playbook {
  readonly file: string;
  readonly plays: readonly Play[];
  /** Things to tell the user that do not stop the run, e.g. a CA certificate about to expire. */
  readonly warnings: readonly string[];
  /**
   * Two plays that declare one thing two ways (a registry, a name's address, a value kept and taken
   * back): refused once the inventory shows a node in both plays, harmless where their nodes differ.
   */
  readonly conflicts: readonly PlayConflict[];
}

/** One disagreement between two plays, as a playbook error would give it. */
export interface PlayConflict {
  /** The indexes of the two plays, earlier first. */
  readonly plays: readonly [number, number];
  readonly line: number | undefined;
  /** Readable document path of the later entry, e.g. `plays[1].registries[0].ip`. */
  readonly path: string;
  readonly message: string;
}
