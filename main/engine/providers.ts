import * as ort from 'onnxruntime-node';
import { providerLabels, providerNames, type ProviderName, type ProviderProblem, type ProviderStatus } from '../../shared/engine/providers.js';

/** Providers worth trying on this platform, best first (docs/model-contract.md, "Providers"). */
export function defaultProviderOrder(platform: NodeJS.Platform = process.platform): ProviderName[] {
  if (platform === 'win32') return ['cuda', 'dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cuda', 'cpu'];
}

const platformOnly: Partial<Record<ProviderName, NodeJS.Platform>> = { dml: 'win32', coreml: 'darwin' };

/**
 * Why a provider cannot be used here, or undefined when ONNX Runtime has it built in. CUDA is listed
 * by onnxruntime-node everywhere but its libraries are a separate download, so "listed, not bundled"
 * is not a verdict: the session creation decides.
 */
export function providerUnavailableReason(name: ProviderName): string | undefined {
  const only = platformOnly[name];
  if (only && only !== process.platform) return `${providerLabels[name]} exists only on ${only === 'win32' ? 'Windows' : 'macOS'}`;
  const backends = ort.listSupportedBackends();
  if (!backends.some((b) => b.name === name)) return `${providerLabels[name]} is not built into this ONNX Runtime (${process.platform}-${process.arch})`;
  return undefined;
}

/** Every provider as this ONNX Runtime has it: `unavailable` with the reason, else `untested` until a session says more. */
export function listProviders(): ProviderStatus[] {
  const backends = ort.listSupportedBackends();
  return providerNames.map((name) => {
    const reason = providerUnavailableReason(name);
    const backend = backends.find((b) => b.name === name);
    const only = platformOnly[name];
    const problem: ProviderProblem | undefined =
      only && only !== process.platform
        ? { kind: 'other-platform', detail: only === 'win32' ? 'Windows' : 'macOS' }
        : !backend
          ? { kind: 'not-built', detail: `${process.platform}-${process.arch}` }
          : !backend.bundled
            ? { kind: 'gpu-libraries-needed' }
            : undefined;
    return {
      name,
      label: providerLabels[name],
      available: false,
      state: reason === undefined ? 'untested' : 'unavailable',
      note: reason ?? (backend && !backend.bundled ? 'needs its GPU libraries installed (CUDA 12 + cuDNN 9)' : undefined),
      ...(problem ? { problem } : {}),
    };
  });
}

export function executionProvider(name: ProviderName, deviceId: number): ort.InferenceSession.ExecutionProviderConfig {
  switch (name) {
    case 'cuda':
    case 'dml':
      return { name, deviceId };
    default:
      return name;
  }
}
