/** Where the checks that span a playbook's entries report what they find. */
import type { DocPath } from './locate.ts';

/** Where cross-entry checks report: an issue at a path, and how a message names another place. */
export interface IssueSink {
  add(path: DocPath, message: string): void;
  /**
   * Two entries that disagree: an issue at `path` when both are in one play; when they are in two,
   * a conflict that counts only where a node is in both plays (checked once the inventory is known).
   */
  disagree(path: DocPath, other: DocPath, message: string): void;
  /** The play a path is in (its index in the file). */
  playOf(path: DocPath): number;
  /** `plays[0].registries[1] (line 3)` */
  where(path: DocPath): string;
}
