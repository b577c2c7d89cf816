/** The facts of the containers-image runtime: podman, buildah, skopeo and CRI-O, and the files they read. */
import type { RuntimeFacts } from '../../plan/facts.ts';
import type { RegistriesFile } from './registries-conf.ts';

/** CRI-O's unit (crio.service) as systemd reports it. */
export interface CrioFacts {
  readonly activeState: string | null;
  readonly running: boolean;
  readonly version: string | null;
  /**
   * The registries configuration changed after CRI-O's last start or reload (`systemctl reload crio`):
   * the running CRI-O may use an older one. Null where CRI-O is not running or it cannot be told.
   */
  readonly configNewer: boolean | null;
}

/** containers/image's tools and daemon on a node, and the registries configuration they read. */
export interface ContainersFacts extends RuntimeFacts {
  /** podman, buildah, skopeo or CRI-O is on the node. */
  readonly installed: boolean;
  /** CRI-O is active where it is installed; podman and its kin have no daemon (each command reads the files). */
  readonly running: boolean;
  /** podman's version, else CRI-O's, skopeo's or buildah's (read only where this runtime may be configured). */
  readonly version: string | null;
  readonly podman: boolean;
  readonly skopeo: boolean;
  readonly buildah: boolean;
  /** Each tool's version where it was read (`podman` -> `4.3.1`). */
  readonly versions: Readonly<Record<string, string>>;
  /** CRI-O, where its unit or binary is on the node. */
  readonly crio: CrioFacts | null;
  /** /etc/containers/registries.conf; null where there is none. */
  readonly registriesConf: RegistriesFile | null;
  /** /etc/containers/registries.conf.d/*.conf, in the order containers/image reads them. */
  readonly dropIns: readonly RegistriesFile[];
  /** root's own registries.conf (~/.config/containers/registries.conf), which replaces the system files for root; null where there is none. */
  readonly userConfig: string | null;
  /** The files (names only) in the host directories of /etc/containers/certs.d and /etc/docker/certs.d. */
  readonly certFiles: readonly string[];
}
