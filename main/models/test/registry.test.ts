import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import { makeTestModel } from '../../testing/test-models.js';
import { resolveDefaultModel, resolveModel } from '../registry.js';

describe('model registry', () => {
  it('falls back to another bundled model, saying so, when the default is not installed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctmsr-reg-'));
    await expect(resolveDefaultModel([dir])).rejects.toSatisfy((e) => isStudioError(e, 'model-invalid'));
    await makeTestModel('ctmsr', { dir });
    const { model, notice } = await resolveDefaultModel([dir]);
    expect(model.manifest.id).toBe('test-ctmsr-x4-s0');
    expect(notice).toMatch(/ctmsr-s-x4-real is not installed/);
  });

  it('names the file and the problem for a broken manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ctmsr-reg-'));
    const model = await makeTestModel('feedforward', { dir });
    const manifestPath = model.onnxPath.replace(/\.onnx$/, '.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, scale: 'four' }));
    const err = await resolveModel(model.onnxPath, [dir]).catch((e) => e);
    expect(isStudioError(err, 'model-invalid')).toBe(true);
    expect(err.message).toContain(manifestPath);
    expect(err.message).toMatch(/scale/);
  });
});
