// Pixel buffers as the engine takes and gives them; imaging decodes into and encodes from them, so they
// live below both (plain typed arrays, environment-free).

/** Planar float RGB in [0, 1], the engine's input: data[c * height * width + y * width + x]. */
export interface PlanarImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** The engine's output: interleaved RGB, 16 bits per channel, enough for 8- and 16-bit outputs alike. */
export interface Rgb16Image {
  width: number;
  height: number;
  data: Uint16Array;
}

export function planarImage(width: number, height: number): PlanarImage {
  return { width, height, data: new Float32Array(3 * width * height) };
}
