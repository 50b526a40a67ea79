import { describe, expect, it } from 'vitest';
import { fromWireError, toWireError } from '../api/client.js';
import { StudioError } from '../errors.js';
import { refusal, refusalText, said } from '../refusals.js';

describe('refusals', () => {
  it('word the English message from the key and its values, a run state as a word', () => {
    expect(refusalText('training.notTraining', { run: 'Buildings', state: 'stopped' })).toBe('Buildings is not training (it is stopped).');
    expect(refusalText('queue.itemNotInBatch', { item: 7, batch: 3 })).toBe('Item #7 is not in batch #3. Refresh the queue.');
    expect(() => refusalText('queue.batchGone')).toThrow(/needs a value for \{\{id\}\}/);
  });

  it('carry their key and values over the wire, so the UI can say them in its language', () => {
    const e = refusal('in-use', 'training.baseModelInUse', { model: 'ctmsr-s-x4-real', run: 'Buildings', state: 'running' }, { stage: 'model' });
    expect(e).toBeInstanceOf(StudioError);
    expect(e.message).toMatch(/^Model "ctmsr-s-x4-real" is the base model of the training run "Buildings" \(running\), which needs it/);
    const back = fromWireError(JSON.parse(JSON.stringify(toWireError(e))));
    expect(back.said).toEqual({ key: 'training.baseModelInUse', params: { model: 'ctmsr-s-x4-real', run: 'Buildings', state: 'running' } });
    expect([back.code, back.stage, back.message]).toEqual(['in-use', 'model', e.message]);
  });

  it('carry a part said in its own words, and numbers each language writes its own way, over the wire', () => {
    const e = refusal('image-too-large', 'files.tooLargeToEnhance', { file: '/p/a.png', width: 14_000, height: 14_000, made: '3136 MP', limit: '400 MP', advice: said('sizes.downscaleTo', { percent: 36 }) });
    expect(e.message).toBe('/p/a.png is 14,000 × 14,000: the model would make 3136 MP of it, more than the 400 MP CTMSR Studio works on. Downscale it to at most 36 % first, or crop it.');
    expect(fromWireError(JSON.parse(JSON.stringify(toWireError(e)))).said).toEqual(e.said);
  });

  it('drop what a peer sends in their place that is not a key with values, and keep the message', () => {
    const back = fromWireError({ code: 'conflict', message: 'As it was said.', said: { key: 7 } as never });
    expect([back.said, back.message]).toEqual([undefined, 'As it was said.']);
    expect(fromWireError(toWireError(new StudioError('conflict', 'Plain.'))).said).toBeUndefined();
  });
});
