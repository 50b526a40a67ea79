import type { AppSettings } from '../../shared/api/settings.js';
import { providerLabels, providerNames, type ProviderChoice, type ProviderName, type ProviderProblem, type ProviderStatus } from '../../shared/engine/providers.js';
import type { EngineStatus } from '../../shared/api/types.js';
import { Engine } from '../engine/engine.js';
import { defaultProviderOrder, listProviders } from '../engine/providers.js';
import { listGpuDevices, type GpuDevice } from '../host/gpu-devices.js';

/** The engine options the settings ask for. */
export function engineOptions(settings: AppSettings) {
  return {
    providers: settings.provider === 'auto' ? defaultProviderOrder() : [settings.provider],
    deviceId: settings.deviceId,
    threads: settings.threads,
    memoryBudgetMB: settings.memoryBudgetMB,
    // photos run on one one-thread session per core (as memory allows): see Engine and BENCHMARKS.md
    workers: 'auto' as const,
  };
}

const engineFields = ['provider', 'deviceId', 'threads', 'memoryBudgetMB'] as const;

/**
 * Holds the Engine for the current settings. An Engine's options are fixed, so a settings change
 * that concerns it makes a new one (its sessions open on first use); work already running keeps
 * the engine it started with.
 */
export class EngineHolder {
  private engine: Engine;
  private lastChoice: ProviderChoice | null = null;
  /** What starting a session on each provider did, for the life of the app (engines come and go with settings). */
  private readonly tried = new Map<ProviderName, { ok: true } | { ok: false; reason: string; problem: ProviderProblem }>();

  private readonly devices: Promise<GpuDevice[]>;

  constructor(settings: AppSettings, devices: () => Promise<GpuDevice[]> = listGpuDevices) {
    this.engine = new Engine(engineOptions(settings));
    this.devices = devices();
  }

  get current(): Engine {
    return this.engine;
  }

  /** Returns true when the engine was replaced. */
  settingsChanged(settings: AppSettings, previous: AppSettings): boolean {
    if (engineFields.every((f) => settings[f] === previous[f])) return false;
    this.engine = new Engine(engineOptions(settings));
    this.lastChoice = null;
    return true;
  }

  /**
   * Remembers what a run actually used, so Settings can show a CPU fallback and its reason, and
   * what each provider did when a session was started on it (the only proof it works here).
   */
  recordChoice(choice: ProviderChoice): boolean {
    const changed = JSON.stringify(choice) !== JSON.stringify(this.lastChoice);
    this.lastChoice = choice;
    this.tried.set(choice.provider, { ok: true });
    for (const sentence of choice.fallbackReason?.split('; ') ?? []) {
      const failed = providerNames.find((name) => sentence.startsWith(`${providerLabels[name]} could not start`));
      if (failed) this.tried.set(failed, { ok: false, ...plainStartFailure(failed, sentence) });
    }
    return changed;
  }

  async status(): Promise<EngineStatus> {
    const providers = listProviders().map((p): ProviderStatus => {
      const tried = this.tried.get(p.name);
      if (!tried || p.state === 'unavailable') return p;
      if (tried.ok) return { name: p.name, label: p.label, available: true, state: 'ready' };
      return { ...p, state: 'failed', note: tried.reason, problem: tried.problem };
    });
    return { providers, devices: await this.devices, lastChoice: this.lastChoice };
  }
}

/** Why a provider's session did not start, in words a photographer can act on; the technical detail last. */
export function plainStartFailure(name: ProviderName, sentence: string): { reason: string; problem: ProviderProblem } {
  const detail = sentence.replace(/^.*? could not start: /, '');
  if (name === 'cuda' && /shared library|\.so|\.dll|libcudart|libcudnn|libcublas/i.test(detail)) {
    return {
      reason: `The NVIDIA CUDA libraries were not found. Install the NVIDIA driver, CUDA 12 and cuDNN 9, then restart CTMSR Studio. (${detail})`,
      problem: { kind: 'cuda-libraries-missing', detail },
    };
  }
  if (name === 'cuda' && /driver|no CUDA-capable device|CUDA failure 100/i.test(detail)) {
    return { reason: `No usable NVIDIA GPU was found. Check that the NVIDIA driver is installed and the GPU is present. (${detail})`, problem: { kind: 'no-gpu', detail } };
  }
  return { reason: `${providerLabels[name]} could not start here; enhancing runs on the CPU. (${detail})`, problem: { kind: 'start-failed', detail } };
}
