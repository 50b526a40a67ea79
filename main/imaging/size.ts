import { refusal } from '../../shared/refusals.js';

export interface SizeRequest {
  scale?: number;
  width?: number;
  height?: number;
}

/**
 * Final output size. The model always runs at its native scale; a smaller scale or an exact size
 * is reached by a high-quality (Lanczos) resize of its output, which keeps detail better than
 * resizing the input first.
 */
export function outputSize(input: { width: number; height: number }, modelScale: number, request: SizeRequest): { width: number; height: number } {
  const { width: w, height: h } = input;
  if (request.width !== undefined || request.height !== undefined) {
    const width = request.width ?? Math.max(1, Math.round((w * request.height!) / h));
    const height = request.height ?? Math.max(1, Math.round((h * request.width!) / w));
    return { width, height };
  }
  const scale = request.scale ?? modelScale;
  if (scale > modelScale)
    throw refusal('invalid-settings', 'files.scaleAboveModel', { scale, native: modelScale });
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}
