/** Which runtime kubelet uses: its runtime endpoint, wherever kubeadm, Kubespray or KubeKey wrote it. */
import type { KubeletFacts } from '../plan/facts.ts';
import { runtimeOfEndpoint } from '../runtimes/index.ts';
import { parseSystemctlShow, showValue } from '../formats/systemctl-show.ts';
import { sectionContent, sectionsNamed, type Section } from '../formats/sections.ts';

const FLAG = /--container-runtime-endpoint(?:=|\s+)["']?([^\s"']+)/;
const CONFIG = /^\s*containerRuntimeEndpoint:\s*["']?([^\s"'#]+)/m;

export function parseKubeletFacts(sections: readonly Section[]): KubeletFacts {
  const show = sectionContent(sections, 'kubelet-show');
  const props = show === null ? new Map<string, string[]>() : parseSystemctlShow(show);
  const loadState = showValue(props, 'LoadState');
  const files = sectionsNamed(sections, 'kubelet-file');
  const present = (loadState !== null && loadState !== 'not-found') || files.length > 0;
  const candidates: { text: string; source: string }[] = [
    ...files.map((f) => ({ text: f.content, source: f.arg ?? 'kubelet file' })),
    ...(props.get('ExecStart') ?? []).map((text) => ({ text, source: 'kubelet.service ExecStart' })),
  ];
  for (const { text, source } of candidates) {
    const endpoint = FLAG.exec(text)?.[1] ?? CONFIG.exec(text)?.[1];
    if (endpoint !== undefined) return { present, endpoint, runtime: runtimeOfEndpoint(endpoint)?.name ?? null, source };
  }
  return { present, endpoint: null, runtime: null, source: null };
}
