// Child process of the benchmark: a peer, UpscalerJS's ESRGAN models (the packages' own weights)
// on TensorFlow.js with its WebAssembly backend, the way UpscalerJS runs them in a page: the whole
// image in one predict, [0, 255] in and out. Decoding and PNG encoding go through sharp as ours
// do. Prints the time after start-up (backend, model load and a warm-up image).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';

const { name, images, threads } = JSON.parse(process.argv[2]) as { name: string; images: string[]; threads: number };
const require = createRequire(import.meta.url);

/** The folder of an installed package (its entry points sit deeper). */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!dir.endsWith(pkg)) {
    if (dirname(dir) === dir) throw new Error(`Cannot find the folder of ${pkg}: run npm install.`);
    dir = dirname(dir);
  }
  return dir;
}

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
setThreadsCount(threads);
await tf.setBackend('wasm');
await tf.ready();

const dir = join(packageDir(`@upscalerjs/${name}`), 'models/x4');
const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const weights = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(dir, p)))));
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }),
);
const out = await mkdtemp(join(tmpdir(), 'ctmsr-bench-peer-'));

async function upscale(path: string): Promise<number> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const output = tf.tidy(() => {
    const x = tf.tensor4d(new Float32Array(data), [1, info.height, info.width, 3]);
    return (model.predict(x) as tf.Tensor4D).clipByValue(0, 255).round().cast('int32');
  });
  const [, h, w] = output.shape;
  const pixels = Uint8Array.from(await output.data());
  output.dispose();
  await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 1 }).toFile(join(out, basename(path)));
  return w * h;
}

await upscale(images[0]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let outPixels = 0;
for (const image of images) outPixels += await upscale(image);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, outPixels, images: images.length, threads: getThreadsCount(), multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') }));
await rm(out, { recursive: true, force: true });
