/** File changes from a node's state: what a file is now against what it should be. */
import type { ManagedFile, NodeState } from './node-state.ts';
import type { FileChange, ResourceKind } from './types.ts';

/** The change that makes `path` hold `after` (null: absent), or undefined when it already does. */
export function fileChange(state: NodeState, resource: ResourceKind, path: string, after: string | null, mode = '0644'): FileChange | undefined {
  const now: ManagedFile | undefined = state.files.get(path);
  if (now === undefined && after === null) return undefined;
  if (now !== undefined && now.text !== null && now.text === after) return undefined;
  return {
    resource,
    path,
    action: now === undefined ? 'create' : after === null ? 'delete' : 'update',
    before: now?.text ?? null,
    after,
    beforeSha256: now?.sha256 ?? null,
    mode,
  };
}

/**
 * The text of a file dockhand edits in place (rather than replaces): null when absent; a blocker
 * when its bytes are not UTF-8, since an edit would have to guess at them.
 */
export function editableText(state: NodeState, path: string): { readonly text: string | null } | { readonly blocker: string } {
  const now = state.files.get(path);
  if (now === undefined) return { text: null };
  if (now.text === null) return { blocker: `${path} is not UTF-8 text: dockhand edits only UTF-8 files (convert it, e.g. with iconv, and run again)` };
  return { text: now.text };
}

/**
 * Taking a file back (a retired registry's): only a file dockhand created here (its ledger says so, or,
 * `dockhandNamed`, its name and place are dockhand's own), and never a symbolic link, whose target is
 * someone else's. Otherwise the file stays and a note says why.
 */
export function fileRemoval(
  state: NodeState,
  resource: ResourceKind,
  path: string,
  options: { readonly dockhandNamed?: boolean } = {},
): { readonly change?: FileChange; readonly note?: string } {
  if (!state.files.has(path)) return {};
  if (state.links.has(path)) return { note: `left ${path} as it is: it is a symbolic link, and dockhand removes only files it created` };
  if (!state.created.has(path) && options.dockhandNamed !== true) {
    return { note: `left ${path} as it is: dockhand did not create it (its record of the files it made on this node does not hold it)` };
  }
  const change = fileChange(state, resource, path, null);
  return change === undefined ? {} : { change };
}
