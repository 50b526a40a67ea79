import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { loadModel } from '../../models/load-model.js';
import { makeTestModel } from '../../testing/test-models.js';
import { main } from '../../cli/evaluate.js';
import { evaluateModels, manifestMetrics, stepCountsOf, writeManifestMetrics, type EvaluationReport, type ResultRecord } from '../harness.js';
import { hasLpipsWeights, hasNiqeParams } from '../metrics.js';
import { evalRoot, jpegSetDir, resolveLrOnly, resolveSet } from '../sets.js';
import { resultsTable, versusBicubic } from '../table.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctmsr-eval-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs `npm run eval` in-process; returns its exit code and what it printed on stdout. */
async function runEval(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
  vi.spyOn(console, 'error').mockImplementation((s: unknown) => void err.push(String(s)));
  const code = await main(['node', 'evaluate.ts', ...args]);
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe.skipIf(!existsSync(evalRoot()))(`npm run eval on a random test model (needs ${evalRoot()})`, () => {
  it('enhances Set5 with the app engine, scores with the trainer, bicubic beside, 1 and 2 steps, seed spread, LR-only photos, speed', async () => {
    const model = await makeTestModel('ctmsr');
    const json = join(dir, 'report.json');
    const lrOnly = join(evalRoot(), 'Set14', 'LR_x4');
    const { code, stdout, stderr } = await runEval(['--models', model.onnxPath, '--sets', 'Set5', '--lr-only', lrOnly, '--steps', '1', '2', '--max-images', '2', '--spread-seeds', '3', '--spread-images', '1', '--json', json]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as EvaluationReport;
    expect(report.results.map((r) => [r.set, r.steps, r.images])).toEqual([['Set5', 1, 2], ['Set5', 2, 2], ['LR_x4 (LR only)', 1, 2], ['LR_x4 (LR only)', 2, 2]]);
    for (const r of report.results) {
      // a random model's output changes with its noise; the spread is measured on 1 image over 3 seeds
      expect(r.spread).toBeGreaterThan(0.1);
      if (hasNiqeParams()) {
        expect(r.sr.niqe).toBeGreaterThan(0);
        expect(r.bicubic!.niqe).toBeGreaterThan(0);
      }
    }
    for (const r of report.results.filter((x) => x.set.endsWith('(LR only)'))) {
      expect(r.sr.psnr).toBeUndefined(); // no ground truth: NIQE and the spread only
      expect(r.bicubic!.psnr).toBeUndefined();
      expect(Object.keys(r.perImage)).toEqual(['baboon', 'barbara']);
    }
    expect(stdout).toContain('seed spread: mean per-pixel std over seeds 0–2');
    for (const r of report.results.filter((x) => x.set === 'Set5')) {
      expect(Object.keys(r.perImage)).toEqual(['baby', 'bird']);
      expect(r.sr.psnr).toBeGreaterThan(5); // random weights: far below bicubic, but a number
      expect(r.sr.ssim).toBeGreaterThan(-1);
      // bicubic of the given LR_x4 of baby and bird (Y, shave 4): 31.2 dB
      expect(r.bicubic!.psnr).toBeGreaterThan(30);
      expect(r.bicubic!.psnr).toBeLessThan(32.5);
      expect(r.vsBicubic.psnr).toBeCloseTo(r.sr.psnr! - r.bicubic!.psnr!, 9);
      if (hasLpipsWeights()) {
        expect(r.sr.lpips).toBeGreaterThan(0);
        expect(r.vsBicubic.lpipsRatio).toBeGreaterThan(1);
      }
      expect(r.mpPerSec).toBeGreaterThan(0);
    }
    // One step and two steps are different samples of the same model.
    expect(report.results[0].sr.psnr).not.toBe(report.results[1].sr.psnr);
    expect(report.speed.map((s) => [s.steps, s.output.width, s.output.height])).toEqual([[1, 2048, 2048], [2, 2048, 2048]]);
    expect(stdout).toContain('| model | set | steps | images | PSNR | SSIM | LPIPS | NIQE | seed spread | bicubic PSNR |');
    expect(stdout).toMatch(new RegExp(`\\| ${model.manifest.id} \\| Set5 \\| 1 \\| 2 \\| \\d+\\.\\d\\d \\| -?\\d\\.\\d{4} \\| .* \\| \\d+\\.\\d{3} \\| 3\\d\\.\\d\\d \\|`));
    expect(stdout).toContain('512×512 → 2048×2048');
  });
});

describe.skipIf(!existsSync(evalRoot()))(`npm run eval without --steps (needs ${evalRoot()})`, () => {
  it('measures each model at its own step count', async () => {
    const oneStep = await makeTestModel('ctmsr');
    const twoStep = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const json = join(dir, 'own-steps.json');
    const { code, stderr } = await runEval(['--models', oneStep.onnxPath, twoStep.onnxPath, '--sets', 'Set5', '--max-images', '1', '--spread-seeds', '0', '--no-speed', '--json', json]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(await readFile(json, 'utf8')) as EvaluationReport;
    expect(report.options.steps).toBe('own');
    expect(report.results.map((r) => [r.model, r.steps])).toEqual([[oneStep.manifest.id, 1], [twoStep.manifest.id, 2]]);
    // the same graph: two steps are a different sample from one
    expect(report.results[1].sr.psnr).not.toBe(report.results[0].sr.psnr);
  });
});

describe.skipIf(!existsSync(evalRoot()))(`BSD100-jpeg20 (needs ${evalRoot()})`, () => {
  it('is made once from BSD100\'s LR_x4 at JPEG quality 20 and reused', async () => {
    const cache = join(dir, 'jpeg-cache');
    const set = await resolveSet('BSD100-jpeg20', { cache });
    expect(set.name).toBe('BSD100-jpeg20');
    expect(set.lrDir).toBe(join(jpegSetDir(cache), 'LR_x4'));
    expect(set.inputs).toHaveLength(100);
    const info = JSON.parse(await readFile(join(jpegSetDir(cache), 'eval-set.json'), 'utf8'));
    expect([info.degradation, info.quality]).toEqual(['jpeg', 20]);
    const lines: string[] = [];
    await resolveSet('BSD100-jpeg20', { cache, log: (l) => lines.push(l) }); // complete: not made again
    expect(lines).toEqual([]);
  }, 300_000);
});

describe('harness errors and manifest writing', () => {
  it('a missing model is a clear error before any work', async () => {
    const empty = join(dir, 'no-models');
    await expect(evaluateModels({ models: ['ctmsr-s-x4-real'], modelsDir: empty, sets: ['Set5'], steps: [1], seed: 0, degradationSeed: 0, speed: false, threads: 0 })).rejects.toThrow(
      /Model "ctmsr-s-x4-real" not found.*models\/README\.md/s,
    );
  });

  it('absent ../shared is a clear error naming CTMSR_SHARED, for the given sets and for BSD100-real', async () => {
    vi.stubEnv('CTMSR_SHARED', join(dir, 'no-shared'));
    await expect(resolveSet('Set5')).rejects.toThrow(/Evaluation data not found: .*no-shared.*CTMSR_SHARED/);
    await expect(resolveSet('BSD100-real', { cache: join(dir, 'cache') })).rejects.toThrow(/BSD100 HR images .* not found.*CTMSR_SHARED/);
    await expect(resolveSet('BSD100-jpeg20', { cache: join(dir, 'cache') })).rejects.toThrow(/BSD100 HR images .* not found.*CTMSR_SHARED/);
    await expect(resolveSet('Set6')).rejects.toThrow(/Unknown evaluation set "Set6"/);
    await expect(resolveLrOnly(join(dir, 'no-photos'))).rejects.toThrow(/--lr-only folder not found: .*no-photos/);
  });

  it('--write-manifest refuses partial sets', async () => {
    const { code, stderr } = await runEval(['--models', 'x.onnx', '--max-images', '2', '--write-manifest']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/whole sets/);
  });

  it("writes a one-step model's 1-step metrics into its manifest, keeping its other fields, and validates it", async () => {
    const test = await makeTestModel('ctmsr');
    const base = join(dir, 'copy');
    await copyFile(test.onnxPath, `${base}.onnx`);
    await copyFile(test.onnxPath.replace(/\.onnx$/, '.json'), `${base}.json`);
    const before = JSON.parse(await readFile(`${base}.json`, 'utf8'));
    await writeFile(`${base}.json`, JSON.stringify({ ...before, metrics: { Old: { psnr: 1, ssim: 0.1, lpips: 0.9 } } }));
    const model: LoadedModel = await loadModel(`${base}.onnx`);
    const row = (set: string, steps: number, psnr: number | null): ResultRecord => ({
      model: model.manifest.id, set, steps, images: 5, sr: { psnr, ssim: 0.812345, lpips: 0.123456 }, bicubic: { psnr: 28, ssim: 0.8, lpips: 0.3 },
      modelPath: model.onnxPath, vsBicubic: {}, perImage: {},
    });
    const metrics = manifestMetrics([row('Set5', 1, 29.123456), row('Set5', 2, 30), row('Set14', 1, 26.5)], model.manifest);
    const bicubic = { psnr: 28, ssim: 0.8, lpips: 0.3 };
    expect(metrics).toEqual({ Set5: { psnr: 29.123, ssim: 0.8123, lpips: 0.1235, bicubic }, Set14: { psnr: 26.5, ssim: 0.8123, lpips: 0.1235, bicubic } });
    await writeManifestMetrics(model, metrics);
    const after = JSON.parse(await readFile(`${base}.json`, 'utf8'));
    expect(after.metrics).toEqual({ Old: { psnr: 1, ssim: 0.1, lpips: 0.9 }, ...metrics });
    expect({ ...after, metrics: undefined }).toEqual({ ...before, metrics: undefined });
    expect((await loadModel(`${base}.onnx`)).manifest.metrics.Set14.psnr).toBe(26.5);
    expect(() => manifestMetrics([row('Set5', 1, null)], model.manifest)).toThrow(/infinite/);
  });

  it("records a model's metrics at its own step count, measured there unless --steps says otherwise", async () => {
    const row = (steps: number, psnr: number): ResultRecord => ({ model: 'detail', set: 'Set5', steps, images: 5, sr: { psnr, ssim: 0.8, lpips: 0.2 }, modelPath: 'detail.onnx', vsBicubic: {}, perImage: {} });
    const rows = [row(1, 29), row(2, 28.5)];
    expect(manifestMetrics(rows, { id: 'detail', steps: [1, 0.5] })).toEqual({ Set5: { psnr: 28.5, ssim: 0.8, lpips: 0.2 } });
    expect(manifestMetrics(rows, { id: 'detail', steps: [1] })).toEqual({ Set5: { psnr: 29, ssim: 0.8, lpips: 0.2 } });
    expect(stepCountsOf({ steps: [1, 0.5] }, undefined)).toEqual([2]);
    expect(stepCountsOf({ steps: [1] }, undefined)).toEqual([1]);
    expect(stepCountsOf({ steps: [1, 0.5] }, [1, 2])).toEqual([1, 2]);
  });

  it("--write-manifest with --steps refuses before any work when a model's own count is not among them", async () => {
    const twoStep = await makeTestModel('ctmsr', { steps: [1, 0.5] });
    const { code, stderr } = await runEval(['--models', twoStep.onnxPath, '--steps', '1', '--write-manifest']);
    expect(code).toBe(2);
    expect(stderr).toContain(`its own step count (${twoStep.manifest.id}: 2); include it in --steps, or leave --steps out`);
  });

  it('table: deltas vs bicubic, LPIPS ratio, ∞ and missing values', () => {
    expect(versusBicubic({ psnr: 30, ssim: 0.9, lpips: 0.2 }, { psnr: 28.5, ssim: 0.85, lpips: 0.25 })).toEqual({ psnr: 1.5, ssim: expect.closeTo(0.05, 12), lpipsRatio: 0.8 });
    const t = resultsTable([
      { model: 'm', set: 'Set5', steps: 1, images: 5, sr: { psnr: 30, ssim: 0.9, lpips: 0.2 }, bicubic: { psnr: 28.5, ssim: 0.85, lpips: 0.25 }, mpPerSec: 0.5 },
      { model: 'm', set: 'Set14', steps: 2, images: 14, sr: { psnr: null, ssim: 1 } },
    ]);
    expect(t).toContain('| m | Set5 | 1 | 5 | 30.00 | 0.9000 | 0.2000 | — | — | 28.50 | 0.8500 | 0.2500 | — | +1.50 | +0.0500 | 0.800 | 0.500 |');
    expect(t).toContain('| m | Set14 | 2 | 14 | ∞ | 1.0000 | — | — | — | — | — | — | — | — | — | — | — |');
    const noTruth = resultsTable([{ model: 'm', set: 'photos (LR only)', steps: 1, images: 3, sr: { niqe: 4.5 }, bicubic: { niqe: 7.25 }, spread: 1.5 }]);
    expect(noTruth).toContain('| m | photos (LR only) | 1 | 3 | — | — | — | 4.500 | 1.500 | — | — | — | 7.250 | — | — | — | — |');
  });
});
