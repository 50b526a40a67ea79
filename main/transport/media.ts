import type { MediaRef } from '../../shared/api/media.js';

/** An image to send: bytes made in memory (thumbnails, previews) or a file streamed from disk. */
export type MediaBody = { type: string; data: Buffer } | { type: string; file: string };

/** Resolves media paths to images; null when the thing does not exist (any more). */
export interface MediaSource {
  load(ref: MediaRef): Promise<MediaBody | null>;
}
