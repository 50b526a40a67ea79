import { execFile } from 'node:child_process';

export interface GpuDevice {
  id: number;
  name: string;
}

/**
 * The NVIDIA GPUs `nvidia-smi -L` lists ("GPU 0: NVIDIA H100 80GB HBM3 (UUID: …)"), so Settings can
 * show device names rather than bare numbers. ONNX Runtime has no device enumeration of its own.
 */
export function parseNvidiaSmiList(text: string): GpuDevice[] {
  return [...text.matchAll(/^GPU (\d+): (.+?)(?: \(UUID: [^)]*\))?\s*$/gm)].map((m) => ({ id: Number(m[1]), name: m[2].trim() }));
}

/** Empty where there is no NVIDIA driver (or it does not answer within a few seconds). */
export function listGpuDevices(): Promise<GpuDevice[]> {
  if (process.platform === 'darwin') return Promise.resolve([]);
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['-L'], { timeout: 3000, windowsHide: true }, (error, stdout) => resolve(error ? [] : parseNvidiaSmiList(stdout)));
  });
}
