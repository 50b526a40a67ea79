/**
 * Request payload schemas. main validates every payload with these, whatever the transport, so a
 * compromised or buggy renderer can only send what is described here.
 */
import { z } from 'zod';
import { enhanceSettingsSchema, collisionPolicies, defaultNameTemplate } from '../enhance/settings.js';
import { itemStatuses } from './types.js';
import { trainingSourceSchema } from '../training/types.js';

const id = z.number().int().nonnegative();
/** A filesystem path as the user gave it; main resolves and checks it. */
export const pathSchema = z.string().min(1, 'a path is required').max(4096).refine((p) => !p.includes('\0'), 'invalid path');

export const empty = z.object({}).strict();

export const addFolderRequest = z.object({ path: pathSchema }).strict();
export const byRootId = z.object({ rootId: id }).strict();
export const watchFolderRequest = z
  .object({ rootId: id, watch: z.boolean(), autoPreset: z.string().trim().min(1).max(80).nullable().default(null) })
  .strict();

export const imageSortKeys = ['name', 'date', 'size'] as const;
export type ImageSortKey = (typeof imageSortKeys)[number];

export const queryImagesRequest = z
  .object({
    /** A library root; omitted: the whole library. */
    rootId: id.optional(),
    /** With rootId: this subfolder ('/'-separated, relative to the root) and everything below it. */
    dir: z.string().max(4096).default(''),
    search: z.string().max(200).default(''),
    formats: z.array(z.string().max(10)).max(20).default([]),
    sort: z.enum(imageSortKeys).default('name'),
    descending: z.boolean().default(false),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type ImageQuery = z.infer<typeof queryImagesRequest>;

export const byImageId = z.object({ id }).strict();

/** Tokens: {name} (input name without extension), {model}, {scale}, {ext}. */
export const namingTemplateSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((t) => t.includes('{name}'), 'the naming template must contain {name}')
  .refine((t) => !/[\\/]/.test(t), 'the naming template cannot contain folder separators');

export const batchOutputSchema = z
  .object({
    folder: pathSchema,
    naming: namingTemplateSchema.default(defaultNameTemplate),
    collision: z.enum(collisionPolicies).default('rename'),
    skipExisting: z.boolean().default(false),
    mirrorTree: z.boolean().default(true),
  })
  .strict();

export const enqueueRequest = z
  .object({
    name: z.string().max(200).optional(),
    imageIds: z.array(id).max(1_000_000).default([]),
    /** Files and folders outside the library. */
    paths: z.array(pathSchema).max(100_000).default([]),
    recursive: z.boolean().default(false),
    settings: enhanceSettingsSchema,
    output: batchOutputSchema,
  })
  .strict()
  .refine((r) => r.imageIds.length + r.paths.length > 0, { message: 'choose at least one image or folder' });
export type EnqueueRequest = z.infer<typeof enqueueRequest>;

export const batchTarget = z.object({ batchId: id, itemId: id.optional() }).strict();
export const byBatchId = z.object({ batchId: id }).strict();
/** `cancelled`: a whole batch's cancelled items are queued again with its failed ones ("Retry all"). */
export const retryRequest = z.object({ batchId: id, itemId: id.optional(), cancelled: z.boolean().default(false) }).strict();
/** `afterCurrent`: a batch's running image finishes first, so none of its work is thrown away. */
export const pauseRequest = z.object({ batchId: id, itemId: id.optional(), afterCurrent: z.boolean().default(false) }).strict();

export const listItemsRequest = z
  .object({
    batchId: id,
    status: z.enum(itemStatuses).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const presetNameSchema = z.string().trim().min(1).max(80);
export const savePresetRequest = z
  .object({
    name: presetNameSchema,
    settings: enhanceSettingsSchema,
    output: batchOutputSchema.partial().default({}),
  })
  .strict();
export const byPresetName = z.object({ name: presetNameSchema }).strict();

export const importModelRequest = z
  .object({
    path: pathSchema,
    name: z.string().trim().min(1).max(120).optional(),
    /** Needed only when the graph does not tell its scale. */
    scale: z.number().int().min(1).max(16).optional(),
  })
  .strict();
export const byModelId = z.object({ id: z.string().min(1).max(200) }).strict();

export const rectSchema = z
  .object({
    x: z.number().int().min(0),
    y: z.number().int().min(0),
    width: z.number().int().min(8).max(1024),
    height: z.number().int().min(8).max(1024),
  })
  .strict();

export const previewRequest = z
  .object({
    /** A library image, or the input of a batch item. */
    imageId: id.optional(),
    itemId: id.optional(),
    modelId: z.string().min(1).max(200).optional(),
    rect: rectSchema,
    /** Left out: the model's own step count, as a batch would use. */
    steps: z.number().int().min(1).max(8).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  })
  .strict()
  .refine((r) => (r.imageId === undefined) !== (r.itemId === undefined), { message: 'give either an image or a batch item' });
export type PreviewRequest = z.infer<typeof previewRequest>;

export const dialogRequest = z
  .object({
    title: z.string().max(200).optional(),
    /** File extensions without the dot, e.g. ["onnx"]. */
    extensions: z.array(z.string().regex(/^[a-z0-9]{1,10}$/i)).max(20).optional(),
  })
  .strict();

export const revealRequest = z.object({ batchId: id, itemId: id.optional() }).strict();

export const trainingScanRequest = z.object({ source: trainingSourceSchema }).strict();
export const byRunId = z.object({ id }).strict();
export const pythonInfoRequest = z.object({ refresh: z.boolean().default(false) }).strict();
