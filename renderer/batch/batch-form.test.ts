import { describe, expect, it } from 'vitest';
import { enqueueRequest } from '../../shared/api/requests';
import { enhanceSettingsSchema } from '../../shared/enhance/settings';
import { defaultBatchForm, formFromPreset, formProblems, fromFormerSave, requestFromForm, settingsFromForm, shownSteps, withModel } from './batch-form';

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

  it("leaves the step count to the model until one is typed: the field shows the model's own, the request carries none", () => {
    expect(form.steps).toBeNull();
    const request = requestFromForm({ ...form, modelId: 'detail' }, { imageIds: [1] });
    expect(request.settings).not.toHaveProperty('steps');
    expect(enhanceSettingsSchema.parse(request.settings).steps).toBeUndefined();
    expect(shownSteps(form, { steps: [1, 0.5] })).toBe(2);
    expect(shownSteps(form, { steps: [1] })).toBe(1);
    const typed = { ...form, steps: 3 };
    expect(shownSteps(typed, { steps: [1, 0.5] })).toBe(3);
    expect(requestFromForm(typed, { imageIds: [1] }).settings).toMatchObject({ steps: 3 });
    expect(formProblems({ ...form, steps: 9 })).toEqual(['batch.problem.settings']);
  });

  it('gives another model its own step count, whatever was typed for the last one', () => {
    const changed = withModel({ ...form, modelId: 'detail', steps: 1, seed: 5 }, 'faithful');
    expect(changed).toMatchObject({ modelId: 'faithful', steps: null, seed: 5 });
    expect(withModel({ ...form, steps: 4 }, '').steps).toBeNull();
  });

  it('saves a preset from an untouched form without steps, and loads one without steps as the model\'s own', () => {
    expect(settingsFromForm(form)).not.toHaveProperty('steps');
    const preset = { name: 'web', settings: enhanceSettingsSchema.parse(settingsFromForm({ ...form, format: 'webp' })), output: {} };
    expect(formFromPreset(preset, { ...form, steps: 3 })).toMatchObject({ steps: null, format: 'webp' });
    expect(formFromPreset({ ...preset, settings: { ...preset.settings, steps: 2 } }, form).steps).toBe(2);
  });

  it("reads the 1 of a form saved before steps followed the model as the model's own, and keeps any other count", () => {
    expect(fromFormerSave({ modelId: 'detail', steps: 1, seed: 4 })).toEqual({ modelId: 'detail', steps: null, seed: 4 });
    expect(fromFormerSave({ steps: 3 })).toEqual({ steps: 3 });
  });
});
