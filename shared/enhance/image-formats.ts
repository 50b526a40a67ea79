/**
 * The image formats CTMSR Studio reads, one row each: the one list the file walks, the media
 * server, the trainer's source scan and the messages are made from.
 */
export interface ImageFormat {
  /** sharp's format id. */
  id: string;
  /** As people name it. */
  name: string;
  /** File extensions, lower case with the dot; the first is the one outputs take. */
  extensions: readonly string[];
  /** What every browser engine the app runs in can show as it is; others are converted for display. */
  browserMime?: string;
  /** The trainer reads it with Pillow (no AVIF or HEIC there; an animated GIF would train on one frame). */
  trainable: boolean;
  /** Read only where the installed libvips decodes it (HEVC-coded HEIC is not in sharp's prebuilt one). */
  optional?: true;
}

export const imageFormats: readonly ImageFormat[] = [
  { id: 'jpeg', name: 'JPEG', extensions: ['.jpg', '.jpeg', '.jpe'], browserMime: 'image/jpeg', trainable: true },
  { id: 'png', name: 'PNG', extensions: ['.png'], browserMime: 'image/png', trainable: true },
  { id: 'webp', name: 'WebP', extensions: ['.webp'], browserMime: 'image/webp', trainable: true },
  { id: 'tiff', name: 'TIFF', extensions: ['.tif', '.tiff'], trainable: true },
  { id: 'avif', name: 'AVIF', extensions: ['.avif'], browserMime: 'image/avif', trainable: false },
  { id: 'gif', name: 'GIF', extensions: ['.gif'], browserMime: 'image/gif', trainable: false },
  { id: 'heif', name: 'HEIC', extensions: ['.heic', '.heif'], trainable: false, optional: true },
];

/** The format a file name's extension says, if it is one the app reads. */
export function imageFormatOfName(name: string): ImageFormat | undefined {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot).toLowerCase();
  return imageFormats.find((f) => f.extensions.includes(ext));
}

/** "JPEG, PNG, WebP, TIFF, AVIF and GIF": for messages that say what the app reads. */
export function readableFormatNames(formats: readonly ImageFormat[] = imageFormats.filter((f) => !f.optional)): string {
  const names = formats.map((f) => f.name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
}
