import { describe, expect, it } from 'vitest';
import { enqueueRequest } from '../../shared/api/requests';
import { defaultBatchForm, formFromPreset, formProblems, requestFromForm } from './batch-form';

const form = { ...defaultBatchForm, outputFolder: '/out' };

describe('the batch form', () => {
  it('becomes an enqueue request main accepts', () => {
    const request = requestFromForm({ ...form, modelId: 'm', seed: 7, format: 'png' }, { imageIds: [1, 2, 3] }, '3 images');
    expect(request).toMatchObject({ name: '3 images', imageIds: [1, 2, 3], settings: { modelId: 'm', scale: 4, seed: 7, format: 'png' }, output: { folder: '/out', mirrorTree: true } });
    expect(enqueueRequest.safeParse(request).success).toBe(true);
  });

  it('sends an exact size instead of a scale, and only the sides given', () => {
    const request = requestFromForm({ ...form, sizeMode: 'exact', width: '1920', height: '' }, { paths: ['/photos'] });
    expect(request.settings).not.toHaveProperty('scale');
    expect(request.settings).toMatchObject({ width: 1920 });
    expect(request.settings).not.toHaveProperty('height');
    expect(enqueueRequest.safeParse(request).success).toBe(true);
  });

  it('names what is missing before anything is sent', () => {
    expect(formProblems(form)).toEqual([]);
    expect(formProblems({ ...form, outputFolder: ' ' })).toEqual(['batch.problem.output']);
    expect(formProblems({ ...form, sizeMode: 'exact' })).toEqual(['batch.problem.size']);
    expect(formProblems({ ...form, naming: 'out_{scale}' })).toEqual(['batch.problem.naming']);
  });

  it('loads a preset over the form, keeping what the preset does not set', () => {
    const loaded = formFromPreset({ name: 'web', settings: { scale: 2, steps: 2, seed: 1, format: 'webp', quality: 80, compression: 6, keepMetadata: false }, output: { naming: '{name}-web' } }, form);
    expect(loaded).toMatchObject({ sizeMode: '2', steps: 2, format: 'webp', quality: 80, keepMetadata: false, naming: '{name}-web', outputFolder: '/out' });
    expect(formFromPreset({ name: 'hd', settings: { width: 1920, steps: 1, seed: 0, format: 'same', quality: 92, compression: 6, keepMetadata: true }, output: {} }, form)).toMatchObject({ sizeMode: 'exact', width: '1920', height: '' });
  });
});
