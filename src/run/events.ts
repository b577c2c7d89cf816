/** What the engine tells reporters while it works; the engine itself never prints. */
export type RunEvent =
  | { readonly kind: 'node-start'; readonly node: string }
  | {
      readonly kind: 'node-end';
      readonly node: string;
      readonly status: string;
      readonly durationMs: number;
      readonly error: string | null;
    }
  | { readonly kind: 'batch-start'; readonly batch: number; readonly of: number; readonly nodes: readonly string[] }
  | { readonly kind: 'batches-stopped'; readonly reason: string };
