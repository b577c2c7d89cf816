/**
 * What a running k3s or RKE2 must show once it read registries.yaml: the hosts.toml files it renders
 * under `<data-dir>/agent/etc/containerd/certs.d/<registry>/` (since v1.29.1, v1.28.6, v1.27.10,
 * v1.26.13) hold each endpoint, CA file and `skip_verify` dockhand asked for, and a registry whose
 * entries all went has no rendered file left. dockhand never writes there: k3s replaces the files it
 * generated at each start. The same check runs on the node after a restart (`k3s_lacking` in node.sh).
 */
import type { WantedRegistries } from './registries-yaml.ts';

/** One thing a rendered hosts.toml must hold: TEXT in the file k3s rendered into DIR. */
export interface Mention {
  readonly dir: string;
  readonly text: string;
}

/** Where k3s renders registries.yaml. */
export function renderedDirectory(dataDir: string): string {
  return `${dataDir}/agent/etc/containerd/certs.d`;
}

/** The mentions the wanted registries.yaml entries give. */
export function expectedMentions(wanted: WantedRegistries, renderedDir: string): Mention[] {
  const mentions: Mention[] = [];
  for (const [host, endpoints] of wanted.mirrors) {
    for (const url of endpoints) mentions.push({ dir: `${renderedDir}/${host}`, text: url.trim().replace(/\/+$/, '').replace(/^[a-z][a-z0-9+.-]*:/i, (s) => s.toLowerCase()) });
  }
  for (const [host, tls] of wanted.configs) {
    if (tls.caFile !== undefined) mentions.push({ dir: `${renderedDir}/${host}`, text: tls.caFile });
    if (tls.skipVerify === true) mentions.push({ dir: `${renderedDir}/${host}`, text: 'skip_verify' });
  }
  return mentions;
}

/** The rendered hosts.toml of DIR among the rendered files: `host:port`, or containerd's `host_port_` form. */
export function renderedFile(rendered: Readonly<Record<string, string>>, dir: string): string | undefined {
  return rendered[`${dir}/hosts.toml`] ?? rendered[`${dir.replace(/:(\d*)$/, '_$1_')}/hosts.toml`];
}

const base = (dir: string): string => dir.slice(dir.lastIndexOf('/') + 1);

/** What the rendered files lack of the mentions, and which of `gone` are still rendered, in k3s_lacking's words. */
export function lackingRendered(rendered: Readonly<Record<string, string>>, mentions: readonly Mention[], gone: readonly string[]): string[] {
  const lacking: string[] = [];
  for (const mention of mentions) {
    const content = renderedFile(rendered, mention.dir);
    const what = content === undefined ? `a rendered hosts.toml for ${base(mention.dir)}` : content.includes(mention.text) ? undefined : `${mention.text} for ${base(mention.dir)}`;
    if (what !== undefined && !lacking.includes(what)) lacking.push(what);
  }
  for (const dir of gone) if (renderedFile(rendered, dir) !== undefined) lacking.push(`no rendered hosts.toml for ${base(dir)}`);
  return lacking;
}
