import type { MediaRef } from '../../shared/api/media.js';
import { imageFormatOfName } from '../../shared/enhance/image-formats.js';
import { displayPng } from '../imaging/display-png.js';
import type { MediaBody, MediaSource } from '../transport/media.js';


export interface MediaLookups {
  thumbnail(imageId: number): Promise<string>;
  imagePath(imageId: number): string | undefined;
  itemInput(itemId: number): string | undefined;
  itemOutput(itemId: number): string | undefined;
  preview(key: string): Buffer | undefined;
}

/** Serves what the viewer and grid show: files as they are where possible, converted where not. */
export function mediaSource(lookups: MediaLookups): MediaSource {
  return {
    async load(ref: MediaRef): Promise<MediaBody | null> {
      try {
        switch (ref.kind) {
          case 'thumb':
            return { type: 'image/webp', file: await lookups.thumbnail(ref.id) };
          case 'image':
            return await displayableFile(lookups.imagePath(ref.id));
          case 'item-input':
            return await displayableFile(lookups.itemInput(ref.id));
          case 'item-output':
            return await displayableFile(lookups.itemOutput(ref.id));
          case 'preview': {
            const data = lookups.preview(ref.key);
            return data ? { type: 'image/png', data } : null;
          }
        }
      } catch {
        // unreadable or vanished files are "not found" to the page; the UI shows the reason from the library
        return null;
      }
    },
  };
}

async function displayableFile(file: string | undefined): Promise<MediaBody | null> {
  if (!file) return null;
  const type = imageFormatOfName(file)?.browserMime;
  if (type) return { type, file };
  return { type: 'image/png', data: await displayPng(file) };
}
