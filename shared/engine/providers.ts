/** Execution providers the engine knows, in the default order of preference (docs/model-contract.md, "Providers"). */
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

/**
 * What is known of a provider on this computer: `ready` once a session on it has started,
 * `failed` once one could not start, `untested` when it is built in but nothing has run on it yet,
 * `unavailable` when this ONNX Runtime or platform does not have it at all.
 */
export type ProviderState = 'ready' | 'untested' | 'failed' | 'unavailable';

/** Why a provider cannot be used, as a kind the UI words in its own language, with the technical detail. */
export interface ProviderProblem {
  kind: 'cuda-libraries-missing' | 'no-gpu' | 'start-failed' | 'other-platform' | 'not-built' | 'gpu-libraries-needed';
  detail?: string;
}

export interface ProviderStatus {
  name: ProviderName;
  label: string;
  /** A session on it has started in this run of the app. */
  available: boolean;
  state: ProviderState;
  /** For `failed` and `unavailable`: why, in plain English words, and what to install where that helps. */
  note?: string;
  problem?: ProviderProblem;
}
