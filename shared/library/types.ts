import { z } from 'zod';

/** A folder the user added to the library. */
export interface LibraryFolder {
  id: number;
  path: string;
  recursive: boolean;
  /** New images are picked up while the app runs. */
  watch: boolean;
  /** With `watch`: new images are enqueued with this saved preset. */
  autoPresetId: number | null;
  addedAt: number;
  lastScanAt: number | null;
}

export interface LibraryImage {
  id: number;
  folderId: number;
  path: string;
  /** Directory relative to the folder, '/'-separated, '' at its top. */
  dir: string;
  name: string;
  size: number;
  mtimeMs: number;
  /** sharp's format name (jpeg, png, webp…); null when the file could not be read. */
  format: string | null;
  /** As displayed, i.e. after EXIF orientation. */
  width: number | null;
  height: number | null;
  orientation: number | null;
  camera: string | null;
  /** EXIF date taken as written by the camera (local time, 'YYYY-MM-DDTHH:MM:SS'). */
  takenAt: string | null;
  /** Date taken when known, else the file's modification time (ms since epoch). */
  dateMs: number;
  /** Why the file could not be read, when it could not. */
  error: string | null;
}

export const imageSortKeys = ['name', 'date', 'size'] as const;
export type ImageSortKey = (typeof imageSortKeys)[number];

/** A page of a query is continued with the `nextCursor` of the previous page (keyset paging). */
export const imageQuerySchema = z.object({
  folderId: z.number().int().optional(),
  /** With folderId: only this subdirectory ('/'-separated, relative to the folder) and below. */
  dir: z.string().optional(),
  nameContains: z.string().optional(),
  dateFrom: z.number().optional(),
  dateTo: z.number().optional(),
  minSize: z.number().int().nonnegative().optional(),
  maxSize: z.number().int().nonnegative().optional(),
  formats: z.array(z.string()).optional(),
  sort: z.enum(imageSortKeys).default('name'),
  descending: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(200),
  cursor: z.string().optional(),
});
export type ImageQuery = z.infer<typeof imageQuerySchema>;
export type ImageQueryInput = z.input<typeof imageQuerySchema>;

export interface ImagePage {
  images: LibraryImage[];
  /** Pass as `cursor` for the next page; null after the last. */
  nextCursor: string | null;
}

export interface ScanProgress {
  folderId: number;
  /** Image files met so far. */
  seen: number;
  added: number;
  updated: number;
  unchanged: number;
  /** Filled in at the end: images no longer on disk. */
  removed: number;
  done: boolean;
}

export type ScanResult = ScanProgress & { addedIds: number[] };
