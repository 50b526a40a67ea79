import type { AppSettings } from '../../shared/api/settings.js';
import type { ProviderChoice } from '../../shared/engine/providers.js';
import type { EngineStatus } from '../../shared/api/types.js';
import { Engine } from '../engine/engine.js';
import { defaultProviderOrder, listProviders } from '../engine/providers.js';
import { listGpuDevices, type GpuDevice } from './gpu-devices.js';

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

  /** Remembers what a run actually used, so Settings can show a CPU fallback and its reason. */
  recordChoice(choice: ProviderChoice): boolean {
    const changed = JSON.stringify(choice) !== JSON.stringify(this.lastChoice);
    this.lastChoice = choice;
    return changed;
  }

  async status(): Promise<EngineStatus> {
    return { providers: listProviders(), devices: await this.devices, lastChoice: this.lastChoice };
  }
}
