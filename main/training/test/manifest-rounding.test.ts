/**
 * Manifests get their scores rounded in two places: the trainer's export (`manifest_metrics`, trainer/metrics.py) and
 * the app's evaluation and fine-tuning registration (`manifestScore`, shared/models/manifest.ts). A model's card
 * compares numbers from both, so the same measurement must round to the same number on either side; this runs the
 * trainer's function on the values the app rounds.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestScore } from '../../../shared/models/manifest.js';
import { testPython } from '../../testing/test-models.js';

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../..');

type Measured = { psnr: number; ssim: number; lpips?: number };

function trainerRounds(measured: Measured[]): Measured[] {
  const script = [
    'import json, sys',
    'from trainer.metrics import manifest_metrics',
    'ms = json.load(sys.stdin)',
    'out = manifest_metrics({str(i): {"model": m} for i, m in enumerate(ms)})',
    'print(json.dumps([out[str(i)] for i in range(len(ms))]))',
  ].join('\n');
  const stdout = execFileSync(testPython, ['-c', script], { cwd: repoRoot, input: JSON.stringify(measured), encoding: 'utf-8', maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as Measured[];
}

describe('manifest rounding', () => {
  it('the app rounds every score as the trainer does, exact halves and near-halves included', () => {
    const measured: Measured[] = [
      // exact binary halves: Python's round goes to the even neighbour, Math.round(v * 10 ** n) always up
      { psnr: 26.0625, ssim: 0.03125, lpips: 0.21875 },
      { psnr: 26.0635, ssim: 0.71875, lpips: 0.40625 },
      // written as halves but stored a hair below or above: scaling by 10 ** n first can land on the wrong side
      { psnr: 1.0005, ssim: 0.00015, lpips: 0.12345 },
      { psnr: 30.0005, ssim: 0.99995, lpips: 0.00005 },
      { psnr: 26.89349, ssim: 0.730549, lpips: 0.224749 },
      { psnr: 23.3335, ssim: 0.5 }, // LPIPS not measured
    ];
    // and a sweep of realistic values through the near-halves of each digit
    for (let i = 0; i < 4000; i++) {
      measured.push({ psnr: 18 + i * 0.0035 + 0.0005, ssim: (i % 2000) / 2000 + 0.00005, lpips: ((i * 7) % 4000) / 8000 + 0.00005 });
    }
    const app = measured.map((m) => manifestScore(m));
    const trainer = trainerRounds(measured);
    const differ = measured.flatMap((m, i) => (JSON.stringify(app[i]) === JSON.stringify(trainer[i]) ? [] : [`${JSON.stringify(m)}: app ${JSON.stringify(app[i])}, trainer ${JSON.stringify(trainer[i])}`]));
    expect(differ.slice(0, 10), `${differ.length} of ${measured.length} differ`).toEqual([]);
  }, 120_000);
});
