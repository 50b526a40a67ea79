/** The few EXIF fields the library shows. */
export interface ExifSummary {
  make?: string;
  model?: string;
  orientation?: number;
  /** DateTimeOriginal, else DateTime, as 'YYYY-MM-DDTHH:MM:SS' (camera local time). */
  takenAt?: string;
}

const tags = {
  make: 0x010f,
  model: 0x0110,
  orientation: 0x0112,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  dateTimeOriginal: 0x9003,
};
const typeSizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/**
 * Reads a TIFF-structured EXIF block (as sharp's `metadata().exif` returns it, with or without the
 * 'Exif\0\0' prefix). Malformed data yields what could be read: photos in the wild carry broken
 * EXIF and a library must not refuse them for it.
 */
export function parseExif(block: Buffer): ExifSummary {
  const start = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
  const tiff = block.subarray(start);
  if (tiff.length < 8) return {};
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return {};
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));

  const readIfd = (offset: number): Map<number, { type: number; count: number; at: number }> => {
    const entries = new Map<number, { type: number; count: number; at: number }>();
    if (offset < 8 || offset + 2 > tiff.length) return entries;
    const n = u16(offset);
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      if (e + 12 > tiff.length) break;
      const type = u16(e + 2);
      const count = u32(e + 4);
      const size = (typeSizes[type] ?? 0) * count;
      // values of up to 4 bytes sit in the entry itself, larger ones at an offset
      const at = size <= 4 ? e + 8 : u32(e + 8);
      if (size === 0 || at + size > tiff.length) continue;
      entries.set(u16(e), { type, count, at });
    }
    return entries;
  };
  const text = (entry?: { type: number; count: number; at: number }) => {
    if (entry?.type !== 2) return undefined;
    const value = tiff.toString('latin1', entry.at, entry.at + entry.count).replace(/\0[\s\S]*$/, '').trim();
    return value === '' ? undefined : value;
  };
  const short = (entry?: { type: number; count: number; at: number }) => (entry?.type === 3 ? u16(entry.at) : undefined);

  const ifd0 = readIfd(u32(4));
  const exifPointer = ifd0.get(tags.exifIfd);
  const exifIfd = exifPointer?.type === 4 ? readIfd(u32(exifPointer.at)) : new Map();
  const summary: ExifSummary = {};
  const make = text(ifd0.get(tags.make));
  const model = text(ifd0.get(tags.model));
  const orientation = short(ifd0.get(tags.orientation));
  const taken = exifDate(text(exifIfd.get(tags.dateTimeOriginal))) ?? exifDate(text(ifd0.get(tags.dateTime)));
  if (make !== undefined) summary.make = make;
  if (model !== undefined) summary.model = model;
  if (orientation !== undefined && orientation >= 1 && orientation <= 8) summary.orientation = orientation;
  if (taken !== undefined) summary.takenAt = taken;
  return summary;
}

/** 'YYYY:MM:DD HH:MM:SS' → 'YYYY-MM-DDTHH:MM:SS'; cameras write zeros or blanks when unset. */
function exifDate(value: string | undefined): string | undefined {
  const m = value?.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
  if (!m || m[1] === '0000') return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

/** Camera name as people say it: 'Canon EOS R5', not 'Canon Canon EOS R5'. */
export function cameraName(make?: string, model?: string): string | undefined {
  if (model === undefined) return make;
  if (make === undefined) return model;
  const brand = make.split(/\s+/)[0];
  return model.toLowerCase().startsWith(brand.toLowerCase()) ? model : `${make} ${model}`;
}

/** Local-time ms of an EXIF date: how the photographer's clock read, in this machine's zone. */
export function takenAtMs(takenAt: string): number {
  const [date, time] = takenAt.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, s] = time.split(':').map(Number);
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}
