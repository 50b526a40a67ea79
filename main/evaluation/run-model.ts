// The measured outputs are made by the app's own engine through the one image runner (decode →
// tiles + seeded noise + ONNX Runtime → encode → atomic write), so what is measured is what users get.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { enhanceSettingsSchema, type EnhanceSettings } from '../../shared/enhance/settings.js';
import type { Engine } from '../engine/engine.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { planOutputs } from '../pipeline/output-path.js';
import { runPlan } from '../pipeline/runner.js';
import { pipelineStages } from '../pipeline/stages.js';
import { writePhoto } from '../testing/photos.js';

/** The CLI's settings for a measured run: its defaults, PNG output, the given steps and seed. */
export function evalSettings(model: LoadedModel, steps: number, seed: number): EnhanceSettings {
  return { ...enhanceSettingsSchema.parse({ format: 'png', steps, seed }), modelId: model.manifest.id };
}

/** Enhances `inputs` into `outDir` (one PNG per input, same stem); any failure is an error naming the file. */
export async function enhanceInputs(engine: Engine, model: LoadedModel, inputs: string[], outDir: string, settings: EnhanceSettings): Promise<{ seconds: number }> {
  await mkdir(outDir, { recursive: true });
  const plan = planOutputs(
    inputs.map((path) => ({ path })),
    { outDir, format: 'png', template: '{name}', collision: 'overwrite', skipExisting: false, templateValues: { model: model.manifest.id, scale: model.manifest.scale } },
  );
  const started = performance.now();
  const outcomes = await runPlan(plan, { stages: pipelineStages({ engine, model: async () => model }), settings });
  const bad = outcomes.filter((o) => o.status !== 'done');
  if (bad.length > 0) {
    const reasons = bad.map((o) => `${o.input}: ${'reason' in o ? o.reason : o.status}`);
    throw new Error(`${model.manifest.id} could not enhance ${bad.length} of ${inputs.length} image(s): ${reasons.slice(0, 3).join('; ')}`);
  }
  return { seconds: (performance.now() - started) / 1000 };
}

export interface SpeedResult {
  model: string;
  steps: number;
  input: { width: number; height: number };
  output: { width: number; height: number };
  seconds: number;
  /** Output megapixels per second, decode to written file. */
  mpPerSec: number;
}

/**
 * CPU speed through the CLI pipeline: a 512×512 photo-like PNG → ×scale PNG (2048×2048 at ×4), after a
 * small warm-up run so session creation is not counted. The best of `runs` timings is reported.
 */
export async function measureSpeed(engine: Engine, model: LoadedModel, steps: number, workDir: string, options: { side?: number; runs?: number; seed?: number } = {}): Promise<SpeedResult> {
  const side = options.side ?? 512;
  const dir = join(workDir, `speed-${model.manifest.id}-steps${steps}`);
  await mkdir(dir, { recursive: true });
  const photo = async (w: number, name: string) => {
    const path = join(dir, name);
    await writePhoto(path, w, w, 'png');
    return path;
  };
  const settings = evalSettings(model, steps, options.seed ?? 0);
  try {
    await enhanceInputs(engine, model, [await photo(64, 'warm-up.png')], join(dir, 'out'), settings);
    const input = await photo(side, 'input.png');
    let best = Infinity;
    for (let i = 0; i < (options.runs ?? 1); i++) best = Math.min(best, (await enhanceInputs(engine, model, [input], join(dir, 'out'), settings)).seconds);
    const s = model.manifest.scale;
    return { model: model.manifest.id, steps, input: { width: side, height: side }, output: { width: side * s, height: side * s }, seconds: best, mpPerSec: (side * s) ** 2 / 1e6 / best };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
