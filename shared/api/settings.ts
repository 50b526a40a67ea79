import { z } from 'zod';
import { providerNames } from '../engine/providers.js';

export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

/** The app's preferences, stored by main and edited in the Settings screen. */
export const appSettingsSchema = z.object({
  language: z.enum(languages).default('en'),
  theme: z.enum(themes).default('system'),
  /** `auto` tries the providers in the engine's order of preference, then CPU. */
  provider: z.enum(['auto', ...providerNames]).default('auto'),
  deviceId: z.number().int().min(0).max(64).default(0),
  /** LR tile side; null lets the engine choose from the memory budget. */
  tileSize: z.number().int().min(32).max(4096).nullable().default(null),
  memoryBudgetMB: z.number().int().min(256).max(262_144).default(2048),
  /** 0 lets ONNX Runtime choose. */
  threads: z.number().int().min(0).max(256).default(0),
  /** Interpreter with torch for training; empty: found on PATH. */
  pythonPath: z.string().max(4096).default(''),
  /** Batches wait while a fine-tuning run trains (both would share one GPU). */
  pauseBatchesWhileTraining: z.boolean().default(false),
  defaultModelId: z.string().max(200).nullable().default(null),
  /** Output folder the batch panel starts with; empty: next to the inputs in an "enhanced" folder. */
  defaultOutputFolder: z.string().max(4096).default(''),
});

export type AppSettings = z.infer<typeof appSettingsSchema>;

type PatchShape<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer Inner> ? Inner : S[K]> };

/** The shape with every field optional and no defaults: zod fills `.default()` even into a `.partial()`. */
function patchShape<S extends Record<string, z.ZodType>>(shape: S): PatchShape<S> {
  return Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [name, z.optional(field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : field)]),
  ) as PatchShape<S>;
}

/** A settings change: any subset of fields, nothing else; fields left out stay as they are. */
export const settingsPatchSchema = z.object(patchShape(appSettingsSchema.shape)).strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const defaultAppSettings: AppSettings = appSettingsSchema.parse({});
