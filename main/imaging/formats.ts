import { extname } from 'node:path';
import sharp from 'sharp';
import { imageFormats } from '../../shared/enhance/image-formats.js';
import type { OutputFormat } from '../../shared/enhance/settings.js';

export type WritableFormat = Exclude<OutputFormat, 'same'>;

/** File extensions the app reads. HEIF/HEIC only where the installed libvips can decode it. */
export function readableExtensions(): string[] {
  return imageFormats.filter((f) => !f.optional || heicReadable()).flatMap((f) => f.extensions);
}

/** sharp's prebuilt libvips decodes AVIF through libheif but not HEVC-coded HEIC; a global libvips may. */
function heicReadable(): boolean {
  const suffixes = sharp.format.heif?.input.fileSuffix ?? [];
  return suffixes.includes('.heic');
}

export function isReadableImagePath(path: string): boolean {
  return readableExtensions().includes(extname(path).toLowerCase());
}

const extensionOf: Record<WritableFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif', avif: '.avif' };

/** The format `same` resolves to for an input file: its own where writable, else lossless PNG. */
export function resolveOutputFormat(requested: OutputFormat, inputPath: string): WritableFormat {
  if (requested !== 'same') return requested;
  switch (extname(inputPath).toLowerCase()) {
    case '.jpg':
    case '.jpeg':
    case '.jpe':
      return 'jpeg';
    case '.webp':
      return 'webp';
    case '.tif':
    case '.tiff':
      return 'tiff';
    case '.avif':
    case '.heic':
    case '.heif':
      return 'avif';
    default:
      return 'png'; // PNG, GIF (first frame) and anything else
  }
}

/** The format an output path is written in, from its extension. */
export function formatOfOutputPath(path: string): WritableFormat {
  const ext = extname(path).toLowerCase();
  const found = (Object.entries(extensionOf) as [WritableFormat, string][]).find(([, e]) => e === ext || (e === '.jpg' && ext === '.jpeg') || (e === '.tif' && ext === '.tiff'));
  return found ? found[0] : 'png';
}

export function outputExtension(format: WritableFormat): string {
  return extensionOf[format];
}

export function supportsSixteenBit(format: WritableFormat): boolean {
  return format === 'png' || format === 'tiff';
}
