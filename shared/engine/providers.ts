/** Execution providers the engine knows, in the default order of preference (DESIGN §4). */
export const providerNames = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof providerNames)[number];

export const providerLabels: Record<ProviderName, string> = {
  cuda: 'NVIDIA CUDA',
  dml: 'DirectML (Windows GPUs)',
  coreml: 'Core ML (Apple)',
  webgpu: 'WebGPU',
  cpu: 'CPU',
};

/** What the engine actually runs on, and why, when it is not what was asked for. */
export interface ProviderChoice {
  provider: ProviderName;
  requested: ProviderName;
  /** Set when the engine fell back: one sentence per provider it tried and could not use. */
  fallbackReason?: string;
}

export interface ProviderStatus {
  name: ProviderName;
  label: string;
  /** Built into the installed ONNX Runtime for this platform. */
  available: boolean;
  note?: string;
}
