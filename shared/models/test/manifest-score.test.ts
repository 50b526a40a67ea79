import { describe, expect, it } from 'vitest';
import { manifestScore } from '../manifest.js';

describe('manifestScore', () => {
  it('rounds as the trainer writes manifests (PSNR 0.001 dB, SSIM and LPIPS 1e-4) and marks LPIPS not measured as -1', () => {
    expect(manifestScore({ psnr: 26.89349, ssim: 0.730549, lpips: 0.224749 })).toEqual({ psnr: 26.893, ssim: 0.7305, lpips: 0.2247 });
    expect(manifestScore({ psnr: 23.3335 })).toEqual({ psnr: 23.334, ssim: 0, lpips: -1 });
  });
});
