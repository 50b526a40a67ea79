/**
 * Images the UI displays (thumbnails, originals, outputs, previews) are fetched by URL, not sent
 * through requests: the browser streams and caches them. Each transport maps a media path to its
 * own URL scheme; this module is the one definition of the paths.
 */
export type MediaRef =
  | { kind: 'thumb'; id: number; version?: string }
  | { kind: 'image'; id: number; version?: string }
  | { kind: 'item-input'; id: number }
  | { kind: 'item-output'; id: number; version?: string }
  | { kind: 'preview'; key: string };

const numericKinds = ['thumb', 'image', 'item-input', 'item-output'] as const;

export function mediaPath(ref: MediaRef): string {
  if (ref.kind === 'preview') return `preview/${encodeURIComponent(ref.key)}`;
  const version = 'version' in ref && ref.version ? `?v=${encodeURIComponent(ref.version)}` : '';
  return `${ref.kind}/${ref.id}${version}`;
}

/** Parses the path part (no query) of a media URL; null for anything that is not one. */
export function parseMediaPath(path: string): MediaRef | null {
  const match = /^([a-z-]+)\/([^/?#]+)$/.exec(path.replace(/^\/+/, ''));
  if (!match) return null;
  const [, kind, rawId] = match;
  if (kind === 'preview') return /^[a-z0-9-]{1,64}$/i.test(rawId) ? { kind, key: rawId } : null;
  if (!(numericKinds as readonly string[]).includes(kind) || !/^\d{1,15}$/.test(rawId)) return null;
  return { kind: kind as (typeof numericKinds)[number], id: Number(rawId) };
}
