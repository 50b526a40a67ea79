import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { Rgb16Image } from '../../shared/engine/image.js';
import type { DecodedImage } from './decode.js';
import { supportsSixteenBit, type WritableFormat } from './formats.js';

export interface EncodeOptions {
  format: WritableFormat;
  /** 1–100 for JPEG, WebP, AVIF and TIFF. */
  quality: number;
  /** zlib level 0–9 for PNG. */
  compression: number;
  /** Copy EXIF (orientation reset), XMP, IPTC and the ICC profile from the input. */
  keepMetadata: boolean;
  width: number;
  height: number;
}

/** Interleaves the engine's RGB with the input's alpha resized (Lanczos) to the output size. */
async function withAlpha(rgb: Rgb16Image, source: DecodedImage): Promise<Uint16Array> {
  const alpha = source.alpha!;
  const resized = await sharp(alpha, { raw: { width: source.width, height: source.height, channels: 1 }, limitInputPixels: false })
    .resize(rgb.width, rgb.height, { kernel: 'lanczos3', fit: 'fill' })
    // one band out, as in: libvips would hand back a one-band raw input as three (sRGB)
    .extractChannel(0)
    .raw({ depth: source.bitDepth === 16 ? 'ushort' : 'uchar' })
    .toBuffer();
  const a = source.bitDepth === 16 ? new Uint16Array(resized.buffer, resized.byteOffset, resized.byteLength / 2) : resized;
  const toSixteen = source.bitDepth === 16 ? 1 : 257;
  const n = rgb.width * rgb.height;
  const out = new Uint16Array(n * 4);
  for (let p = 0; p < n; p++) {
    out[p * 4] = rgb.data[p * 3];
    out[p * 4 + 1] = rgb.data[p * 3 + 1];
    out[p * 4 + 2] = rgb.data[p * 3 + 2];
    out[p * 4 + 3] = a[p] * toSixteen;
  }
  return out;
}

function toEightBit(pixels: Uint16Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] + 128) / 257;
  return out;
}

function applyFormat(pipeline: Sharp, options: EncodeOptions): Sharp {
  const { quality, compression } = options;
  switch (options.format) {
    case 'png':
      return pipeline.png({ compressionLevel: compression });
    case 'jpeg':
      return pipeline.jpeg({ quality, mozjpeg: true, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
    case 'webp':
      return pipeline.webp({ quality });
    case 'tiff':
      return pipeline.tiff({ compression: 'lzw', quality });
    case 'avif':
      return pipeline.avif({ quality });
  }
}

/**
 * Writes the engine's output to `path` in the requested format and size: alpha restored, grey kept
 * grey, 16 bits kept where the input had them and the format allows, metadata copied unless off.
 */
export async function encodeImage(image: Rgb16Image, source: DecodedImage, path: string, options: EncodeOptions): Promise<void> {
  const channels = source.alpha ? 4 : 3;
  const pixels = source.alpha ? await withAlpha(image, source) : image.data;
  const sixteen = source.bitDepth === 16 && supportsSixteenBit(options.format);
  const space = source.grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  const copyMetadata = options.keepMetadata && (source.metadata.hasExif || source.metadata.hasXmp || source.metadata.hasIptc);
  const iccDir = options.keepMetadata && source.metadata.icc && source.bitDepth === 8 ? await mkdtemp(join(tmpdir(), 'ctmsr-icc-')) : undefined;
  try {
    // 8-bit outputs go in as 8-bit: sharp treats 16-bit RGB as P3 when converting profiles.
    const input = sixteen ? pixels : toEightBit(pixels);
    // The pixels are the engine's own, already bounded by the app's limits: libvips' pixel limit
    // (meant for untrusted files) would refuse a ×4 output larger than 268 MP before its resize.
    let pipeline = sharp(input, { raw: { width: image.width, height: image.height, channels }, limitInputPixels: false });
    if (image.width !== options.width || image.height !== options.height) {
      pipeline = pipeline.resize(options.width, options.height, { kernel: 'lanczos3', fit: 'fill' });
    }
    pipeline = pipeline.toColourspace(space);
    if (iccDir) {
      // Back from the model's sRGB to the photo's own profile, which is embedded again.
      const iccPath = join(iccDir, 'input.icc');
      await writeFile(iccPath, source.metadata.icc!);
      pipeline = pipeline.withIccProfile(iccPath);
    } else if (options.keepMetadata && source.metadata.icc) {
      pipeline = pipeline.keepIccProfile();
    }

    if (!copyMetadata) {
      await applyFormat(pipeline, options).toFile(path);
      return;
    }
    // sharp copies EXIF, XMP and IPTC only from a pipeline's own input, so the pixels are laid over
    // the original (auto-oriented, which resets the orientation tag) and its metadata kept.
    const { data, info } = await pipeline.raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const overlay = await sharp(sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data, {
      raw: { width: info.width, height: info.height, channels: info.channels },
      limitInputPixels: false,
    })
      .toColourspace(space)
      .png({ compressionLevel: 0 })
      .toBuffer();
    let base = sharp(source.metadata.path, { pages: 1 })
      .rotate()
      .resize(options.width, options.height, { kernel: 'nearest', fit: 'fill' })
      .composite([{ input: overlay, blend: 'source' }])
      .keepMetadata()
      .toColourspace(space);
    // compositing always yields an alpha channel; an input without one gets none back
    if (!source.alpha) base = base.removeAlpha();
    await applyFormat(base, options).toFile(path);
  } finally {
    if (iccDir) await rm(iccDir, { recursive: true, force: true });
  }
}
