import type { ProviderChoice } from '../../shared/engine/providers.js';
import type { Engine } from '../engine/engine.js';
import type { DecodedImage } from '../imaging/decode.js';
import type { LoadedModel } from '../../shared/models/manifest.js';
import type { EnhancedImage } from '../pipeline/enhance-file.js';
import { pipelineProcessor } from '../queue/pipeline-processor.js';
import type { ItemProcessor } from '../queue/processor.js';

/**
 * The queue's processor on whatever engine the settings currently ask for: each item takes the
 * engine of the moment it starts, and what the engine ran on is reported for the Settings screen.
 */
export function queueProcessor(options: {
  engine: () => Engine;
  resolveModel: (modelId: string | undefined) => Promise<LoadedModel>;
  onRun: (choice: ProviderChoice) => void;
}): ItemProcessor<DecodedImage, EnhancedImage> {
  let built: { engine: Engine; processor: ItemProcessor<DecodedImage, EnhancedImage> } | null = null;
  const current = () => {
    const engine = options.engine();
    if (built?.engine !== engine) built = { engine, processor: pipelineProcessor({ engine, resolveModel: options.resolveModel }) };
    return built.processor;
  };
  return {
    templateValues: (settings) => current().templateValues(settings),
    decode: (inputPath, target) => current().decode(inputPath, target),
    pixels: (decoded) => current().pixels(decoded),
    async enhance(decoded, settings, callbacks) {
      const enhanced = await current().enhance(decoded, settings, callbacks);
      options.onRun(enhanced.stats.provider);
      return enhanced;
    },
    write: (enhanced, outputPath, settings) => current().write(enhanced, outputPath, settings),
  };
}
