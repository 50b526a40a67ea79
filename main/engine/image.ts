// TEMPORARY-14: the pixel buffers moved to shared/engine/image.ts (imaging and the engine both take
// them, and imaging sits below the engine). Kept only for main/pipeline/enhance-file.ts, which is
// being rewritten; delete this file once it imports shared/engine/image.js.
export type { PlanarImage, Rgb16Image } from '../../shared/engine/image.js';
