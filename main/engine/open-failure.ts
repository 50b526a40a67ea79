import type { ErrorCode, StudioError } from '../../shared/errors.js';
import { refusal } from '../../shared/refusals.js';
import type { LoadedModel } from '../../shared/models/manifest.js';

// ONNX Runtime's words for a file that is not a graph it can run (corrupt, truncated, unknown operators)
const graphProblem = /protobuf parsing|load model|INVALID_GRAPH|INVALID_PROTOBUF|NO_MODEL|NOT_IMPLEMENTED|no op registered|could not find an implementation|opset/i;
const allocationProblem = /bad_alloc|alloc(ate|ation)? fail|out of memory|failed to allocate/i;

/**
 * What it means that no provider could open a model. The CPU provider is always tried last and runs
 * any valid graph, so its refusal decides: the file (model-invalid), memory (out-of-memory), or the
 * runtime or its settings on this machine (provider-unavailable).
 */
export function openFailureCode(cpuError: unknown): ErrorCode {
  const text = String((cpuError as Error)?.message ?? cpuError);
  if (allocationProblem.test(text)) return 'out-of-memory';
  if (graphProblem.test(text)) return 'model-invalid';
  return 'provider-unavailable';
}

export function noProviderError(model: LoadedModel, reasons: string[], cpuError: unknown): StudioError {
  const code = openFailureCode(cpuError);
  const key = code === 'model-invalid' ? 'engine.noProviderModel' : code === 'out-of-memory' ? 'engine.noProviderMemory' : 'engine.noProvider';
  return refusal(code, key, { model: model.manifest.id, file: model.onnxPath, reasons: reasons.join('; ') }, { file: model.onnxPath, cause: cpuError });
}
