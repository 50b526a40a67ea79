import type { ModelKind } from '../../shared/models/manifest.js';
import { StudioError } from '../../shared/errors.js';
import { openGraphProbe, type GraphProbe } from '../engine/probe.js';

export interface ProbedModel {
  kind: ModelKind;
  scale: number;
  inputRange: [number, number];
  multiple: number;
}

const ctmsrInputs = ['lr', 'x0_prev', 'noise', 'sigma'];
const probeSide = 16;
// most common first: a graph answers one scale only, so the order costs time, not correctness
const candidateScales = [4, 2, 3, 8, 1];

/**
 * Finds out what an ONNX graph without a manifest is (docs/model-contract.md): its kind from the input names,
 * its scale from the output of a tiny run, the LR multiple from which sizes it accepts. A scale the
 * user gave is checked against the graph rather than trusted; where the graph does not tell, the
 * user is asked to say.
 */
export async function probeModel(onnxPath: string, givenScale?: number): Promise<ProbedModel> {
  const graph = await openGraphProbe(onnxPath);
  try {
    const kind = kindOf(graph.inputNames, onnxPath);
    const scale = await scaleOf(graph, kind, givenScale, onnxPath);
    return { kind, scale, inputRange: kind === 'ctmsr' ? [-1, 1] : [0, 1], multiple: await lrMultiple(graph, kind, scale) };
  } finally {
    await graph.close();
  }
}

function kindOf(names: readonly string[], onnxPath: string): ModelKind {
  if (ctmsrInputs.every((n) => names.includes(n))) return 'ctmsr';
  if (names.length === 1) return 'feedforward';
  throw new StudioError('model-invalid', `${onnxPath} has inputs ${names.join(', ')}; CTMSR Studio runs graphs with one image input, or CTMSR step graphs (lr, x0_prev, noise, sigma). Export the model with one of those.`, { file: onnxPath });
}

async function scaleOf(graph: GraphProbe, kind: ModelKind, givenScale: number | undefined, onnxPath: string): Promise<number> {
  for (const s of givenScale ? [givenScale] : candidateScales) {
    if (await graph.answers(kind, probeSide, s)) return s;
  }
  throw new StudioError(
    'model-invalid',
    givenScale
      ? `${onnxPath} does not produce a ×${givenScale} output. Choose another scale, or "Detect".`
      : `The scale of ${onnxPath} could not be worked out from the graph. Choose its scale in the import form and try again.`,
    { file: onnxPath },
  );
}

/** The smallest m in 1, 2, 4, 8, 16 such that a side that is a multiple of m but not of 2m runs. */
async function lrMultiple(graph: GraphProbe, kind: ModelKind, scale: number): Promise<number> {
  for (const m of [1, 2, 4, 8]) {
    if (await graph.answers(kind, probeSide + m, scale)) return m;
  }
  return 16;
}
