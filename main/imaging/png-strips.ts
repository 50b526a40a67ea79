import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { constants, createDeflate, crc32, deflateSync, type Deflate } from 'node:zlib';

export interface PngStripOptions {
  width: number;
  height: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  /** zlib level 0–9. */
  compression: number;
  /** An ICC profile to embed (iCCP). */
  icc?: Buffer;
  /** EXIF as a TIFF-structured block, without the "Exif\0\0" prefix (eXIf). */
  exif?: Buffer;
}

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const colourType = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
/** IDAT chunks are cut at this size; decoders take any, this keeps memory flat. */
const idatBytes = 1 << 20;

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Writes a PNG a band of rows at a time: rows are filtered and deflated as they come and never held
 * whole, so an output of hundreds of megapixels costs memory for one band, not for the image.
 */
export class PngStripWriter {
  private readonly file: WriteStream;
  private readonly deflate: Deflate;
  private readonly rowBytes: number;
  private readonly bytesPerPixel: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private rowsWritten = 0;
  private failure: Error | undefined;
  private readonly flushed: Promise<void>;

  constructor(
    path: string,
    private readonly options: PngStripOptions,
  ) {
    const { width, height, channels, bitDepth } = options;
    this.bytesPerPixel = (channels * bitDepth) / 8;
    this.rowBytes = width * this.bytesPerPixel;
    this.file = createWriteStream(path, { flags: 'wx' });
    this.file.on('error', (e) => (this.failure ??= e));
    this.deflate = createDeflate({ level: options.compression, strategy: constants.Z_FILTERED });
    this.deflate.on('error', (e) => (this.failure ??= e));
    this.deflate.on('data', (data: Buffer) => {
      this.pending.push(data);
      this.pendingBytes += data.length;
      if (this.pendingBytes >= idatBytes) this.writeIdat();
    });
    this.flushed = once(this.deflate, 'end').then(() => this.writeIdat());
    this.flushed.catch(() => undefined); // a failure is reported by the next call

    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.writeUInt8(bitDepth, 8);
    header.writeUInt8(colourType[channels], 9);
    this.file.write(signature);
    this.file.write(chunk('IHDR', header));
    if (options.icc) this.file.write(chunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0\0', 'latin1'), deflateSync(options.icc)])));
    if (options.exif) this.file.write(chunk('eXIf', options.exif));
  }

  private writeIdat(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.file.write(chunk('IDAT', data))) {
      this.deflate.pause();
      this.file.once('drain', () => this.deflate.resume());
    }
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /**
   * Appends rows, top to bottom: `samples` interleaved, `channels` per pixel, in `bitDepth` bits
   * (a Uint16Array for 16). Resolves once the rows are compressed, so at most one band waits.
   */
  async writeRows(samples: Uint8Array | Uint16Array, rows: number): Promise<void> {
    this.check();
    const { rowBytes, bytesPerPixel } = this;
    const raw = Buffer.alloc(rows * (rowBytes + 1));
    const bytes = this.options.bitDepth === 16 ? bigEndian(samples as Uint16Array) : Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    for (let y = 0; y < rows; y++) {
      // filter "Sub": each byte less the one a pixel to its left; photos compress well with it
      const src = y * rowBytes;
      const dst = y * (rowBytes + 1);
      raw[dst] = 1;
      for (let i = 0; i < rowBytes; i++) raw[dst + 1 + i] = bytes[src + i] - (i >= bytesPerPixel ? bytes[src + i - bytesPerPixel] : 0);
    }
    this.rowsWritten += rows;
    await new Promise<void>((resolve, reject) => this.deflate.write(raw, (e) => (e ? reject(e) : resolve())));
    this.check();
  }

  /** Ends the image; every row must have been written. Resolves once the file is closed. */
  async finish(): Promise<void> {
    this.check();
    if (this.rowsWritten !== this.options.height) throw new Error(`PNG strips: ${this.rowsWritten} of ${this.options.height} rows were written`);
    this.deflate.end();
    await this.flushed;
    this.check();
    this.file.end(chunk('IEND', Buffer.alloc(0)));
    await once(this.file, 'close');
    this.check();
  }

  /** Stops writing and closes the file (the caller removes it). */
  async abort(): Promise<void> {
    this.deflate.destroy();
    if (!this.file.closed) {
      this.file.destroy();
      await once(this.file, 'close').catch(() => undefined);
    }
  }
}

function bigEndian(samples: Uint16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeUInt16BE(samples[i], i * 2);
  return out;
}
