import type { Rgb16Image } from '../../shared/engine/image.js';
import type { DecodedImage } from './decode.js';
import type { EncodeOptions } from './encode.js';
import { PngStripWriter } from './png-strips.js';

/** An output written band by band as the engine finishes rows. */
export interface StripEncoder {
  writeBand(band: Rgb16Image): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * A PNG of the engine's output at its native size, written in strips: grey stays grey, 16 bits stay
 * 16, alpha is the input's, upsampled (bilinear) row by row. EXIF is kept (orientation reset, as
 * the pixels are turned upright); a profile is kept where the pixels are still in it (16-bit), and
 * 8-bit pixels are left in the sRGB the model works in. XMP and IPTC are not carried in strips.
 */
export function pngStripEncoder(source: DecodedImage, path: string, options: EncodeOptions): StripEncoder {
  const { width, height } = options;
  const alpha = source.alpha;
  const colour = source.grey ? 1 : 3;
  const channels = (colour + (alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const sixteen = source.bitDepth === 16;
  const writer = new PngStripWriter(path, {
    width,
    height,
    channels,
    bitDepth: sixteen ? 16 : 8,
    compression: options.compression,
    icc: options.keepMetadata && sixteen ? source.metadata.icc : undefined,
    exif: options.keepMetadata && source.metadata.exif ? uprightExif(source.metadata.exif) : undefined,
  });
  const alphaMax = source.bitDepth === 16 ? 65535 : 255;
  let top = 0;
  return {
    async writeBand(band) {
      const n = band.width * band.height;
      const out = sixteen ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
      const scale = sixteen ? 1 : 1 / 257;
      const rgb = band.data;
      for (let p = 0, o = 0; p < n; p++, o += channels) {
        const r = rgb[p * 3];
        const g = rgb[p * 3 + 1];
        const b = rgb[p * 3 + 2];
        if (colour === 1) out[o] = (0.2126 * r + 0.7152 * g + 0.0722 * b) * scale + 0.5;
        else {
          out[o] = r * scale + 0.5;
          out[o + 1] = g * scale + 0.5;
          out[o + 2] = b * scale + 0.5;
        }
      }
      if (alpha) {
        const max = sixteen ? 65535 : 255;
        for (let y = 0; y < band.height; y++) {
          const row = alphaRow(alpha, source.width, source.height, width, height, top + y);
          for (let x = 0, o = y * width * channels + colour; x < width; x++, o += channels) out[o] = (row[x] / alphaMax) * max + 0.5;
        }
      }
      await writer.writeRows(out, band.height);
      top += band.height;
    },
    finish: () => writer.finish(),
    abort: () => writer.abort(),
  };
}

/** One output row of the input's alpha, bilinear, pixel centres aligned. */
function alphaRow(alpha: Uint8Array | Uint16Array, w: number, h: number, outW: number, outH: number, y: number): Float32Array {
  const row = new Float32Array(outW);
  const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / outH - 0.5));
  const y0 = Math.floor(sy);
  const y1 = Math.min(h - 1, y0 + 1);
  const fy = sy - y0;
  for (let x = 0; x < outW; x++) {
    const sx = Math.min(w - 1, Math.max(0, ((x + 0.5) * w) / outW - 0.5));
    const x0 = Math.floor(sx);
    const x1 = Math.min(w - 1, x0 + 1);
    const fx = sx - x0;
    const top = alpha[y0 * w + x0] * (1 - fx) + alpha[y0 * w + x1] * fx;
    const bottom = alpha[y1 * w + x0] * (1 - fx) + alpha[y1 * w + x1] * fx;
    row[x] = top * (1 - fy) + bottom * fy;
  }
  return row;
}

/**
 * EXIF for PNG's eXIf chunk: the TIFF block without sharp's "Exif\0\0" prefix, with the
 * orientation tag set to 1 (the pixels were turned upright when decoded).
 */
export function uprightExif(exif: Buffer): Buffer {
  const block = Buffer.from(exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0));
  if (block.length < 8) return block;
  const little = block.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (little ? block.readUInt16LE(o) : block.readUInt16BE(o));
  const ifd = little ? block.readUInt32LE(4) : block.readUInt32BE(4);
  if (ifd + 2 > block.length) return block;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > block.length) break;
    if (u16(entry) === 0x0112) {
      if (little) block.writeUInt16LE(1, entry + 8);
      else block.writeUInt16BE(1, entry + 8);
    }
  }
  return block;
}
