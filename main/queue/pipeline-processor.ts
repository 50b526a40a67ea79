import type { EnhanceSettings } from '../../shared/enhance/settings.js';
import type { Engine } from '../engine/engine.js';
import type { DecodedImage } from '../imaging/decode.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import { animationNote, decodeInput, enhanceDecoded, writeOutput, type EnhancedImage } from '../pipeline/enhance-file.js';
import type { ItemProcessor } from './processor.js';

/** The queue's processor on the real pipeline: sharp decode, the ONNX engine, atomic encode. */
export function pipelineProcessor(options: {
  engine: Engine;
  /** The model a batch names (undefined: the default model). */
  resolveModel: (modelId: string | undefined) => Promise<LoadedModel>;
}): ItemProcessor<DecodedImage, EnhancedImage> {
  const { engine, resolveModel } = options;
  return {
    async templateValues(settings: EnhanceSettings) {
      const model = await resolveModel(settings.modelId);
      return { model: model.manifest.id, scale: settings.scale ?? (settings.width || settings.height ? undefined : model.manifest.scale) };
    },
    async decode(inputPath, target) {
      if (!target) return decodeInput(inputPath);
      const model = await resolveModel(target.settings.modelId);
      return decodeInput(inputPath, { ...target, modelScale: model.manifest.scale });
    },
    pixels: (decoded) => decoded.width * decoded.height,
    note: (decoded) => animationNote(decoded.frames),
    async enhance(decoded, settings, { signal, onProgress, outputPath }) {
      const model = await resolveModel(settings.modelId);
      return enhanceDecoded(decoded, settings, { engine, model, signal, onProgress }, outputPath);
    },
    write: (enhanced, outputPath, settings) => writeOutput(enhanced, outputPath, settings),
  };
}
