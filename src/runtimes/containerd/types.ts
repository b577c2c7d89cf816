/** containerd's facts: its unit, config file, and the state of its CRI plugin. */
import type { RuntimeFacts } from '../../plan/facts.ts';
import type { ContainerdConfig, ImportedConfig } from './config-toml.ts';
import type { ProxyEnvironment } from '../../registry/no-proxy.ts';
import type { UnitProxy } from '../../resources/proxy.ts';

/** containerd as installed, configured and running on the node. */
export interface ContainerdFacts extends RuntimeFacts {
  /** The unit or the containerd binary is present. */
  readonly installed: boolean;
  /** From `containerd --version` (e.g. `1.6.20~ds1`), or null. */
  readonly version: string | null;
  /** The unit is active (without systemd: a containerd process exists). */
  readonly running: boolean;
  readonly activeState: string | null;
  /** The config file containerd reads (its ExecStart's --config, else /etc/containerd/config.toml). */
  readonly configFile: string;
  readonly config: ContainerdConfig;
  /** The files config.toml imports (its `imports`, globs expanded), in the order containerd merges them. */
  readonly imported: readonly ImportedConfig[];
  /** The config file changed after the running containerd started: it runs on an older one. */
  readonly configNewerThanProcess: boolean | null;
  /** The CRI plugin's state as containerd reports it (`ctr plugins ls`): ok, error, or absent. */
  readonly criStatus: string | null;
  /** What the running CRI uses as registry config_path (from crictl info; null without crictl). */
  readonly criConfigPath: string | null;
  /** crictl is installed (a CRI client, as on every kubeadm, KubeKey and Kubespray node). */
  readonly crictl: boolean;
  readonly proxy: {
    /** containerd.service's proxy variables, with and without dockhand's drop-in; null without the unit. */
    readonly unit: UnitProxy | null;
    /** What the running containerd has (its /proc environment); null when none runs. */
    readonly running: ProxyEnvironment | null;
  };
}

