// A one-node ONNX model, C = A·B with A and B [n, n] as inputs, so the benchmark can measure the
// CPU's peak through ONNX Runtime without an ONNX library.
import { bytesField, stringField, varintField } from '../../main/engine/graph/protobuf.js';

/** ValueInfoProto { name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: [{ dim_value }] } } } } */
const floatTensor = (name: string, dims: number[]) => [
  ...stringField(1, name),
  ...bytesField(2, bytesField(1, [...varintField(1, 1), ...bytesField(2, dims.flatMap((d) => bytesField(1, varintField(1, d))))])),
];

export function matmulModel(n: number): Uint8Array {
  const node = [...stringField(1, 'A'), ...stringField(1, 'B'), ...stringField(2, 'C'), ...stringField(3, 'matmul'), ...stringField(4, 'MatMul')];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, 'peak'),
    ...bytesField(11, floatTensor('A', [n, n])),
    ...bytesField(11, floatTensor('B', [n, n])),
    ...bytesField(12, floatTensor('C', [n, n])),
  ];
  const opset = [...stringField(1, ''), ...varintField(2, 13)];
  return new Uint8Array([...varintField(1, 8), ...stringField(2, 'ctmsr-bench'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
