/**
 * The batch panel's form: what the user edits, and how it becomes an enqueue request or a preset.
 * Kept apart from the component so the mapping is tested on its own.
 */
import { enhanceSettingsSchema, type CollisionPolicy, type EnhanceSettingsInput, type OutputFormat } from '../../shared/enhance/settings';
import type { z } from 'zod';
import type { enqueueRequest } from '../../shared/api/requests';
import type { Preset } from '../../shared/api/types';
import { ownStepCount, type ModelManifest } from '../../shared/models/manifest';

export const sizeModes = ['2', '3', '4', 'exact'] as const;
export type SizeMode = (typeof sizeModes)[number];

export interface BatchForm {
  /** '' uses the default model. */
  modelId: string;
  sizeMode: SizeMode;
  width: string;
  height: string;
  /** null: the model's own count (the length of its manifest's σ list), until the user types another. */
  steps: number | null;
  seed: number;
  format: OutputFormat;
  quality: number;
  keepMetadata: boolean;
  outputFolder: string;
  naming: string;
  collision: CollisionPolicy;
  skipExisting: boolean;
  /** For folders: include subfolders. Outputs always mirror the tree below the library folder. */
  recursive: boolean;
}

export const defaultBatchForm: BatchForm = {
  modelId: '',
  sizeMode: '4',
  width: '',
  height: '',
  steps: null,
  seed: 0,
  format: 'same',
  quality: 92,
  keepMetadata: true,
  outputFolder: '',
  naming: '{name}_x{scale}',
  collision: 'rename',
  skipExisting: false,
  recursive: true,
};

export type BatchInputs = { imageIds: number[] } | { paths: string[] };

export function settingsFromForm(form: BatchForm): EnhanceSettingsInput {
  const size: Pick<EnhanceSettingsInput, 'scale' | 'width' | 'height'> =
    form.sizeMode === 'exact'
      ? { width: positiveInt(form.width), height: positiveInt(form.height) }
      : { scale: Number(form.sizeMode) };
  return {
    ...(form.modelId ? { modelId: form.modelId } : {}),
    ...withoutUndefined(size),
    // left out, main samples with the model's own count, so a preset saved now follows a model's later manifest
    ...(form.steps !== null ? { steps: form.steps } : {}),
    seed: form.seed,
    format: form.format,
    quality: form.quality,
    keepMetadata: form.keepMetadata,
  };
}

export function requestFromForm(form: BatchForm, inputs: BatchInputs, name?: string): z.input<typeof enqueueRequest> {
  return {
    ...(name ? { name } : {}),
    ...inputs,
    recursive: form.recursive,
    settings: settingsFromForm(form),
    output: {
      folder: form.outputFolder.trim(),
      naming: form.naming,
      collision: form.collision,
      skipExisting: form.skipExisting,
      // one placement rule however the batch was started: the tree below the library folder
      mirrorTree: true,
    },
  };
}

/** What is wrong with the form, as translation keys; empty when it can be sent. */
export function formProblems(form: BatchForm): string[] {
  const problems: string[] = [];
  if (!form.outputFolder.trim()) problems.push('batch.problem.output');
  if (form.sizeMode === 'exact' && positiveInt(form.width) === undefined && positiveInt(form.height) === undefined) problems.push('batch.problem.size');
  if (!form.naming.includes('{name}')) problems.push('batch.problem.naming');
  if (!enhanceSettingsSchema.safeParse(settingsFromForm(form)).success) problems.push('batch.problem.settings');
  return problems;
}

export function formFromPreset(preset: Preset, current: BatchForm): BatchForm {
  const s = preset.settings;
  const exact = s.width !== undefined || s.height !== undefined;
  return {
    ...current,
    modelId: s.modelId ?? '',
    sizeMode: exact ? 'exact' : scaleMode(s.scale),
    width: s.width !== undefined ? String(s.width) : '',
    height: s.height !== undefined ? String(s.height) : '',
    steps: s.steps ?? null,
    seed: s.seed,
    format: s.format,
    quality: s.quality,
    keepMetadata: s.keepMetadata,
    outputFolder: preset.output.folder ?? current.outputFolder,
    naming: preset.output.naming ?? current.naming,
    collision: preset.output.collision ?? current.collision,
    skipExisting: preset.output.skipExisting ?? current.skipExisting,
    recursive: preset.output.mirrorTree ?? current.recursive,
  };
}

/** Another model: a count typed for the last one says nothing about this one, which samples as its own. */
export function withModel(form: BatchForm, modelId: string): BatchForm {
  return { ...form, modelId, steps: null };
}

/** What the Steps field shows: the count typed, else the model's own. */
export function shownSteps(form: BatchForm, model: Pick<ModelManifest, 'steps'>): number {
  return form.steps ?? ownStepCount(model);
}

/**
 * A form saved before the count could follow the model always held a number, 1 unless changed; 1 was every
 * model's own count then, so it is read as "the model's own" rather than pinning a two-step model to one.
 */
export function fromFormerSave(saved: Partial<BatchForm>): Partial<BatchForm> {
  return saved.steps === 1 ? { ...saved, steps: null } : saved;
}

function scaleMode(scale: number | undefined): SizeMode {
  const mode = String(scale ?? 4);
  return (sizeModes as readonly string[]).includes(mode) ? (mode as SizeMode) : '4';
}

function positiveInt(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
