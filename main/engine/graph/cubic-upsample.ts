import { bytesField, fixed32Float, readFields, stringField, text, varintBytes, varintField, type Field } from './protobuf.js';

// onnx.proto field numbers used here
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_F = 2;
const ATTR_I = 3;
const ATTR_S = 4;
const ATTR_INTS = 8;
const ATTR_TYPE = 20;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;

interface Node {
  inputs: string[];
  outputs: string[];
  opType: string;
  attributes: Map<string, { s?: string; f?: number; i?: number }>;
}

function parseNode(bytes: Uint8Array): Node {
  const node: Node = { inputs: [], outputs: [], opType: '', attributes: new Map() };
  for (const f of readFields(bytes)) {
    if (f.number === NODE_INPUT) node.inputs.push(text(f.value as Uint8Array));
    else if (f.number === NODE_OUTPUT) node.outputs.push(text(f.value as Uint8Array));
    else if (f.number === NODE_OP_TYPE) node.opType = text(f.value as Uint8Array);
    else if (f.number === NODE_ATTRIBUTE) {
      const attr: { s?: string; f?: number; i?: number } = {};
      let name = '';
      for (const a of readFields(f.value as Uint8Array)) {
        if (a.number === ATTR_NAME) name = text(a.value as Uint8Array);
        else if (a.number === ATTR_S) attr.s = text(a.value as Uint8Array);
        else if (a.number === ATTR_F) attr.f = fixed32Float(a.value as Uint8Array);
        else if (a.number === ATTR_I) attr.i = a.value as number;
      }
      node.attributes.set(name, attr);
    }
  }
  return node;
}

/** PyTorch's and ONNX Runtime's cubic convolution kernel (Keys), with coefficient `a`. */
function cubic(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/**
 * One axis of a ×`scale` cubic upsampling with half-pixel centres: for each output phase p (the
 * output pixel scale·i + p), its weights on the input pixels i-2 … i+2.
 */
export function phaseWeights(scale: number, a: number): number[][] {
  const phases: number[][] = [];
  for (let p = 0; p < scale; p++) {
    const x = (p + 0.5) / scale - 0.5;
    const base = Math.floor(x);
    const t = x - base;
    const w = [0, 0, 0, 0, 0];
    for (let k = -1; k <= 2; k++) w[base + k + 2] += cubic(k - t, a);
    phases.push(w);
  }
  return phases;
}

function attribute(name: string, value: { i?: number; s?: string; ints?: number[] }): number[] {
  const body = [...stringField(ATTR_NAME, name)];
  if (value.i !== undefined) body.push(...varintField(ATTR_I, value.i), ...varintField(ATTR_TYPE, 2));
  if (value.s !== undefined) body.push(...bytesField(ATTR_S, Buffer.from(value.s)), ...varintField(ATTR_TYPE, 3));
  if (value.ints) body.push(...value.ints.flatMap((v) => varintField(ATTR_INTS, v)), ...varintField(ATTR_TYPE, 7));
  return bytesField(NODE_ATTRIBUTE, body);
}

function node(opType: string, name: string, inputs: string[], outputs: string[], attributes: number[][] = []): number[] {
  const body = [...inputs.flatMap((i) => stringField(NODE_INPUT, i)), ...outputs.flatMap((o) => stringField(NODE_OUTPUT, o)), ...stringField(NODE_NAME, name), ...stringField(NODE_OP_TYPE, opType), ...attributes.flat()];
  return bytesField(GRAPH_NODE, body);
}

function tensor(name: string, dims: number[], dataType: 1 | 7, data: Float32Array | BigInt64Array): number[] {
  const body = [...dims.flatMap((d) => varintField(TENSOR_DIMS, d)), ...varintField(TENSOR_DATA_TYPE, dataType), ...stringField(TENSOR_NAME, name), ...bytesField(TENSOR_RAW_DATA, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))];
  return bytesField(GRAPH_INITIALIZER, body);
}

/**
 * The same upsampling as Pad (edge, 2) → grouped 5×5 Conv (3·s² phase filters) → DepthToSpace.
 * ONNX Runtime's cubic Resize runs a generic per-pixel loop that took 15–18 % of the S model's time;
 * the convolution form costs 50 multiply-adds per output pixel in its tuned kernels. Edge padding
 * is exactly the index clamping of Resize (exclude_outside = 0).
 */
function replacement(resize: Node, scale: number, a: number, id: number): number[] {
  const [input] = resize.inputs;
  const [output] = resize.outputs;
  const prefix = `ctmsr_cubic_up_${id}`;
  const w1 = phaseWeights(scale, a);
  const filters = new Float32Array(3 * scale * scale * 25);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < scale; i++)
      for (let j = 0; j < scale; j++)
        for (let ky = 0; ky < 5; ky++)
          for (let kx = 0; kx < 5; kx++) filters[(((c * scale + i) * scale + j) * 5 + ky) * 5 + kx] = w1[i][ky] * w1[j][kx];
  return [
    ...tensor(`${prefix}_pads`, [8], 7, BigInt64Array.from([0n, 0n, 2n, 2n, 0n, 0n, 2n, 2n])),
    ...tensor(`${prefix}_filters`, [3 * scale * scale, 1, 5, 5], 1, filters),
    ...node('Pad', `${prefix}_pad`, [input, `${prefix}_pads`], [`${prefix}_padded`], [attribute('mode', { s: 'edge' })]),
    ...node('Conv', `${prefix}_conv`, [`${prefix}_padded`, `${prefix}_filters`], [`${prefix}_phases`], [attribute('group', { i: 3 }), attribute('kernel_shape', { ints: [5, 5] })]),
    ...node('DepthToSpace', `${prefix}_shuffle`, [`${prefix}_phases`], [output], [attribute('blocksize', { i: scale }), attribute('mode', { s: 'CRD' })]),
  ];
}

/** A Resize this rewrite reproduces exactly: cubic, half-pixel centres, no excluded outside, of an RGB input. */
function isCubicUpsample(node: Node, rgbInput: string): boolean {
  if (node.opType !== 'Resize' || node.inputs[0] !== rgbInput) return false;
  const mode = node.attributes.get('mode')?.s;
  const transform = node.attributes.get('coordinate_transformation_mode')?.s ?? 'half_pixel';
  const exclude = node.attributes.get('exclude_outside')?.i ?? 0;
  return mode === 'cubic' && (transform === 'half_pixel' || transform === 'pytorch_half_pixel') && exclude === 0;
}

/**
 * Rewrites the ×`scale` cubic Resize of the graph input `rgbInput` (the model's in-graph bicubic
 * of the LR image) into its convolution form, leaving every other byte of the model as it is.
 * Returns the model unchanged, and 0, when there is no such node.
 */
export function rewriteCubicUpsample(model: Uint8Array, options: { rgbInput: string; scale: number }): { model: Uint8Array; rewritten: number } {
  const top = readFields(model);
  const graphField = top.find((f) => f.number === MODEL_GRAPH);
  if (!graphField || !Number.isInteger(options.scale) || options.scale < 1) return { model, rewritten: 0 };
  let rewritten = 0;
  // the graph holds the weights (megabytes): its fields are copied as byte views, never spread
  const graph: Uint8Array[] = [];
  for (const f of readFields(graphField.value as Uint8Array)) {
    if (f.number === GRAPH_NODE) {
      const n = parseNode(f.value as Uint8Array);
      if (isCubicUpsample(n, options.rgbInput)) {
        graph.push(Uint8Array.from(replacement(n, options.scale, n.attributes.get('cubic_coeff_a')?.f ?? -0.75, rewritten++)));
        continue;
      }
    }
    graph.push(f.raw);
  }
  if (rewritten === 0) return { model, rewritten };
  const body = Buffer.concat(graph);
  const header = Uint8Array.from([...varintBytes(MODEL_GRAPH * 8 + 2), ...varintBytes(body.length)]);
  const parts = top.map((f: Field) => (f === graphField ? Buffer.concat([header, body]) : f.raw));
  return { model: Buffer.concat(parts), rewritten };
}
