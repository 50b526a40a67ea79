import { z } from 'zod';

/** Formats the app writes. `same` keeps the input's format where it can be written, else PNG. */
export const outputFormats = ['same', 'png', 'jpeg', 'webp', 'tiff', 'avif'] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** What to do when the output file already exists. Inputs are never overwritten, whatever the policy. */
/** The default output name: the scale in it, so an output never looks like its input. */
export const defaultNameTemplate = '{name}_x{scale}';

export const collisionPolicies = ['rename', 'overwrite', 'skip', 'fail'] as const;
export type CollisionPolicy = (typeof collisionPolicies)[number];

/**
 * How one image is enhanced and written. The same object drives the CLI, the queue and the UI.
 * Size: `scale` (e.g. 2, 3, 4: the model's native scale, then a high-quality downscale when smaller),
 * or an exact `width` and/or `height` (aspect kept when only one is given). Neither: the model's scale.
 */
export const enhanceSettingsSchema = z
  .object({
    modelId: z.string().min(1).optional(),
    scale: z.number().positive().max(16).optional(),
    width: z.number().int().positive().max(65_535).optional(),
    height: z.number().int().positive().max(65_535).optional(),
    /** Sampling steps for `ctmsr` models (1 = one-step); left out, the model's own (the length of its manifest's σ list). */
    steps: z.number().int().min(1).max(8).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    format: z.enum(outputFormats).default('same'),
    /** 1–100 for JPEG/WebP/AVIF/TIFF-JPEG; PNG uses `compression`. */
    quality: z.number().int().min(1).max(100).default(92),
    compression: z.number().int().min(0).max(9).default(6),
    keepMetadata: z.boolean().default(true),
    /** LR tile side in pixels; omitted: chosen from the engine's memory budget. */
    tileSize: z.number().int().min(32).max(4096).optional(),
  })
  .refine((s) => !(s.scale !== undefined && (s.width !== undefined || s.height !== undefined)), {
    message: 'give either a scale or an exact width/height, not both',
  });

export type EnhanceSettings = z.infer<typeof enhanceSettingsSchema>;
export type EnhanceSettingsInput = z.input<typeof enhanceSettingsSchema>;
