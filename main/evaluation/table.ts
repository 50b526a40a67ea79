// Markdown tables of a harness run: quality with bicubic beside (and the differences), and CPU speed.
import type { MetricValues } from './metrics.js';
import type { SpeedResult } from './run-model.js';

export interface ResultRow {
  model: string;
  set: string;
  steps: number;
  images: number;
  sr: MetricValues;
  bicubic?: MetricValues;
  /** Seed spread: mean per-pixel std of the output over several seeds, 8-bit levels. */
  spread?: number;
  /** Output MP/s through the CLI pipeline (512×512 → ×scale) for this model and step count. */
  mpPerSec?: number;
}

const dash = '—';
const fixed = (v: number | null | undefined, digits: number) => (v === undefined ? dash : v === null ? '∞' : v.toFixed(digits));
const signed = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? dash : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`);

/** PSNR/SSIM differences to bicubic and the LPIPS ratio (model ÷ bicubic); undefined where not measurable. */
export function versusBicubic(sr: MetricValues, bicubic?: MetricValues): { psnr?: number; ssim?: number; lpipsRatio?: number } {
  if (!bicubic) return {};
  return {
    psnr: typeof sr.psnr === 'number' && typeof bicubic.psnr === 'number' ? sr.psnr - bicubic.psnr : undefined,
    ssim: sr.ssim !== undefined && bicubic.ssim !== undefined ? sr.ssim - bicubic.ssim : undefined,
    lpipsRatio: sr.lpips !== undefined && bicubic.lpips !== undefined && bicubic.lpips > 0 ? sr.lpips / bicubic.lpips : undefined,
  };
}

export function resultsTable(rows: ResultRow[]): string {
  const head = ['model', 'set', 'steps', 'images', 'PSNR', 'SSIM', 'LPIPS', 'NIQE', 'seed spread', 'bicubic PSNR', 'bicubic SSIM', 'bicubic LPIPS', 'bicubic NIQE', 'Δ PSNR', 'Δ SSIM', 'LPIPS ÷ bicubic', 'MP/s (CPU)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const d = versusBicubic(r.sr, r.bicubic);
    const cells = [
      r.model,
      r.set,
      String(r.steps),
      String(r.images),
      fixed(r.sr.psnr, 2),
      fixed(r.sr.ssim, 4),
      fixed(r.sr.lpips, 4),
      fixed(r.sr.niqe, 3),
      fixed(r.spread, 3),
      fixed(r.bicubic?.psnr, 2),
      fixed(r.bicubic?.ssim, 4),
      fixed(r.bicubic?.lpips, 4),
      fixed(r.bicubic?.niqe, 3),
      signed(d.psnr, 2),
      signed(d.ssim, 4),
      d.lpipsRatio === undefined ? dash : d.lpipsRatio.toFixed(3),
      r.mpPerSec === undefined ? dash : r.mpPerSec.toFixed(3),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function speedTable(results: SpeedResult[], note: string): string {
  const lines = [`| model | steps | input → output | seconds | output MP/s |`, `|---|---:|---|---:|---:|`];
  for (const s of results) lines.push(`| ${s.model} | ${s.steps} | ${s.input.width}×${s.input.height} → ${s.output.width}×${s.output.height} | ${s.seconds.toFixed(2)} | ${s.mpPerSec.toFixed(3)} |`);
  return `${lines.join('\n')}\n\n${note}`;
}
