import * as ort from 'onnxruntime-node';
import type { ModelKind } from '../../shared/models/manifest.js';
import { StudioError } from '../../shared/errors.js';

export interface ProbedModel {
  kind: ModelKind;
  scale: number;
  inputRange: [number, number];
  multiple: number;
}

const ctmsrInputs = ['lr', 'x0_prev', 'noise', 'sigma'];
const probeSide = 16;
const candidateScales = [4, 2, 3, 8, 1];

/**
 * Finds out what an ONNX graph without a manifest is (DESIGN §3): its kind from the input names,
 * its scale from the output of a tiny run, the LR multiple from which sizes it accepts. A scale the
 * user gave is checked against the graph rather than trusted.
 */
export async function probeModel(onnxPath: string, givenScale?: number): Promise<ProbedModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' });
  } catch (e) {
    throw new StudioError('model-invalid', `${onnxPath} is not an ONNX model ONNX Runtime can open (${firstLine(e)}). Check that the file is complete.`, { file: onnxPath, cause: e });
  }
  try {
    const names = session.inputNames;
    const kind: ModelKind | null = ctmsrInputs.every((n) => names.includes(n)) ? 'ctmsr' : names.length === 1 ? 'feedforward' : null;
    if (!kind) {
      throw new StudioError('model-invalid', `${onnxPath} has inputs ${names.join(', ')}; CTMSR Studio runs graphs with one image input, or CTMSR step graphs (lr, x0_prev, noise, sigma).`, { file: onnxPath });
    }
    const scales = givenScale ? [givenScale] : candidateScales;
    let scale: number | null = null;
    for (const s of scales) {
      if (await runs(session, kind, probeSide, s)) {
        scale = s;
        break;
      }
    }
    if (scale === null) {
      throw new StudioError(
        'model-invalid',
        givenScale
          ? `${onnxPath} does not produce a ×${givenScale} output. Choose another scale, or "Detect".`
          : `The scale of ${onnxPath} could not be worked out from the graph. Choose its scale in the import form and try again.`,
        { file: onnxPath },
      );
    }
    return { kind, scale, inputRange: kind === 'ctmsr' ? [-1, 1] : [0, 1], multiple: await lrMultiple(session, kind, scale) };
  } finally {
    await session.release();
  }
}

/** The smallest m in 1, 2, 4, 8, 16 such that a side that is a multiple of m but not of 2m runs. */
async function lrMultiple(session: ort.InferenceSession, kind: ModelKind, scale: number): Promise<number> {
  for (const m of [1, 2, 4, 8]) {
    if (await runs(session, kind, probeSide + m, scale)) return m;
  }
  return 16;
}

/** Whether the graph accepts a side×side LR input and answers with exactly side×scale. */
async function runs(session: ort.InferenceSession, kind: ModelKind, side: number, scale: number): Promise<boolean> {
  const hr = side * scale;
  const image = (s: number, fill: number) => new ort.Tensor('float32', new Float32Array(3 * s * s).fill(fill), [1, 3, s, s]);
  const feeds: Record<string, ort.Tensor> =
    kind === 'ctmsr'
      ? { lr: image(side, 0.1), x0_prev: image(hr, 0), noise: image(hr, 0), sigma: new ort.Tensor('float32', new Float32Array([1]), [1]) }
      : { [session.inputNames[0]]: image(side, 0.5) };
  try {
    const output = Object.values(await session.run(feeds))[0];
    const dims = output?.dims ?? [];
    return dims.length === 4 && dims[2] === hr && dims[3] === hr;
  } catch {
    return false;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
