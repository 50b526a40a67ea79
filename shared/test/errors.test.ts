import { describe, expect, it } from 'vitest';
import { StudioError, describeIssues, isOutOfMemory, stopsBatch } from '../errors.js';
import { explainError } from '../explain-error.js';

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('the error vocabulary', () => {
  it('gives every error a stage: the one its code means, or the one the thrower names', () => {
    expect(new StudioError('disk-full', 'full').stage).toBe('output');
    expect(new StudioError('unreadable-image', 'bad').stage).toBe('input');
    expect(new StudioError('model-invalid', 'bad').stage).toBe('model');
    expect(new StudioError('provider-unavailable', 'none').stage).toBe('engine');
    expect(new StudioError('permission-denied', 'no', { stage: 'output' }).stage).toBe('output');
  });

  it('names system errors by the side they happened on, with what to do', () => {
    const read = explainError(errno('EACCES', 'permission denied, open'), { file: '/in/a.png', stage: 'input' });
    expect(read).toMatchObject({ code: 'permission-denied', stage: 'input', file: '/in/a.png' });
    expect(read.message).toBe("Cannot read /in/a.png: permission denied. Fix the file's permissions, then retry it.");
    const write = explainError(errno('EROFS', 'read-only file system'), { file: '/out/a.png', stage: 'output' });
    expect(write).toMatchObject({ code: 'permission-denied', stage: 'output' });
    expect(write.message).toMatch(/^Cannot write \/out\/a\.png: the output folder is read-only or not writable\. Choose another output folder/);
    expect(explainError(errno('ENOSPC', 'no space left on device'), { file: '/out/a.png', stage: 'output' })).toMatchObject({ code: 'disk-full', stage: 'output' });
    expect(explainError(errno('ENOENT', 'no such file'), { file: '/in/a.png', stage: 'input' }).message).toMatch(/is gone \(moved or deleted/);
    expect(explainError(new Error('std::bad_alloc'), { file: '/in/a.png', stage: 'engine' })).toMatchObject({ code: 'out-of-memory', stage: 'engine' });
    const other = explainError(new Error('boom'), { file: '/in/a.png', stage: 'engine' });
    expect(other).toMatchObject({ code: 'internal', message: 'Failed while enhancing /in/a.png: boom. Retry it; if it fails again, report it.' });
    const own = new StudioError('unreadable-image', 'corrupt');
    expect(explainError(own, { file: '/x', stage: 'output' })).toBe(own);
  });

  it('stops a batch only when the output side cannot take more', () => {
    const at = (stage: 'input' | 'output', code: string) => explainError(errno(code, code), { file: '/f', stage });
    expect(stopsBatch(at('output', 'ENOSPC'))).toBe(true);
    expect(stopsBatch(at('output', 'EROFS'))).toBe(true);
    expect(stopsBatch(at('output', 'ENOENT'))).toBe(true);
    expect(stopsBatch(at('input', 'EACCES'))).toBe(false);
    expect(stopsBatch(at('input', 'ENOENT'))).toBe(false);
    expect(stopsBatch(new StudioError('output-exists', 'exists'))).toBe(false);
    expect(stopsBatch(new StudioError('unreadable-image', 'corrupt'))).toBe(false);
  });

  it('knows allocation failures as the runtimes word them', () => {
    for (const text of ['std::bad_alloc', 'Failed to allocate memory for requested buffer', 'CUDA out of memory', 'ENOMEM']) expect(isOutOfMemory(new Error(text))).toBe(true);
    expect(isOutOfMemory(new Error('bloom filter'))).toBe(false);
  });

  it('formats validation issues as one line', () => {
    expect(describeIssues([{ path: ['output', 'naming'], message: 'must contain {name}' }, { path: [], message: 'bad' }], 'settings')).toBe('output.naming: must contain {name}; settings: bad');
  });
});
