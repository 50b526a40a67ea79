import { z } from 'zod';
import type { ImageDetails, ScanProgress as ApiScanProgress } from '../api/types.js';

/**
 * The library's own shapes. Images, folder trees and scan progress use the API's types
 * (shared/api/types.ts) as they are, so the services can hand them to the renderer unchanged.
 */

/** A folder the user added to the library (a "root"). */
export interface LibraryFolder {
  id: number;
  path: string;
  recursive: boolean;
  /** New images are picked up while the app runs. */
  watch: boolean;
  /** With `watch`: new images are enqueued with the saved preset of this name. */
  autoPreset: string | null;
  addedAt: number;
  lastScanAt: number | null;
}

export const imageSortKeys = ['name', 'date', 'size'] as const;
export type ImageSortKey = (typeof imageSortKeys)[number];

/**
 * A query over the library: the API's fields (rootId, dir, search, formats, sort, descending,
 * offset, limit) plus date and size ranges and a keyset `cursor`. With a cursor (the previous
 * page's `nextCursor`), `offset` is ignored and any page costs what the first does.
 */
export const imageQuerySchema = z.object({
  rootId: z.number().int().optional(),
  /** With rootId: this subfolder ('/'-separated, relative to the root) and everything below it. */
  dir: z.string().default(''),
  /** Part of the file name, any case. */
  search: z.string().default(''),
  /** sharp format names (jpeg, png…); empty: all. */
  formats: z.array(z.string()).default([]),
  dateFrom: z.number().optional(),
  dateTo: z.number().optional(),
  minBytes: z.number().int().nonnegative().optional(),
  maxBytes: z.number().int().nonnegative().optional(),
  sort: z.enum(imageSortKeys).default('name'),
  descending: z.boolean().default(false),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
  cursor: z.string().optional(),
});
export type ImageQuery = z.infer<typeof imageQuerySchema>;
export type ImageQueryInput = z.input<typeof imageQuerySchema>;

export type LibraryImage = ImageDetails;

export interface LibraryImagePage {
  /** Matching images over all pages. */
  total: number;
  offset: number;
  items: LibraryImage[];
  /** Pass as `cursor` for the next page; null after the last. */
  nextCursor: string | null;
}

export interface ScanProgress extends ApiScanProgress {
  updated: number;
  unchanged: number;
  /** Filled in at the end: images no longer on disk. */
  removed: number;
}

export interface ScanResult extends ScanProgress {
  /** Images new to the library, in the order found. */
  addedIds: number[];
}
