import * as ort from 'onnxruntime-node';
import type { ModelKind } from '../../shared/models/manifest.js';
import { refusal } from '../../shared/refusals.js';

/** An ONNX graph opened on the CPU to find out what it is: its tensor names, and which sizes it answers. */
export interface GraphProbe {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /**
   * Whether a side×side LR image, fed as a `kind` graph expects (docs/model-contract.md), comes back exactly
   * (side·scale)×(side·scale). A graph that refuses the size answers false, not an error.
   */
  answers(kind: ModelKind, side: number, scale: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens `onnxPath` with ONNX Runtime's CPU provider (always present), so a failure here is the file's. */
export async function openGraphProbe(onnxPath: string): Promise<GraphProbe> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' });
  } catch (e) {
    throw refusal('model-invalid', 'engine.notOnnx', { file: onnxPath, detail: firstLine(e) }, { file: onnxPath, cause: e });
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    answers: (kind, side, scale) => answers(session, kind, side, scale),
    close: () => session.release(),
  };
}

async function answers(session: ort.InferenceSession, kind: ModelKind, side: number, scale: number): Promise<boolean> {
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
