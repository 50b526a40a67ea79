import { describe, expect, it } from 'vitest';
import { contract, methodNames, specOf } from '../contract.js';
import { mediaPath, parseMediaPath } from '../media.js';
import { createApi, fromWireError, toWireError } from '../client.js';
import { StudioError } from '../../errors.js';

describe('the contract', () => {
  it('names every request service.method, once', () => {
    expect(new Set(methodNames).size).toBe(methodNames.length);
    for (const name of methodNames) expect(specOf(name)).toBeDefined();
    expect(methodNames).toContain('queue.enqueue');
    expect(methodNames.length).toBe(Object.values(contract).reduce((n, group) => n + Object.keys(group).length, 0));
  });

  it('a settings patch carries only the fields it names: the others keep their saved values', () => {
    expect(specOf('settings.update')!.input.parse({ theme: 'dark' })).toEqual({ theme: 'dark' });
    expect(specOf('settings.update')!.input.safeParse({ theme: 'blue' }).success).toBe(false);
    expect(specOf('settings.update')!.input.safeParse({ colour: 'blue' }).success).toBe(false);
  });

  it('does not resolve names that only look like requests', () => {
    for (const name of ['library', 'library.', '.folders', 'library.folders.x', 'library.constructor', '__proto__.toString', 'toString.call', 'queue.hasOwnProperty']) {
      expect(specOf(name), name).toBeUndefined();
    }
  });

  it('lists the paths a payload names, for hosts that limit file access', () => {
    const spec = specOf('queue.enqueue')!;
    const input = spec.input.parse({ paths: ['/a', '/b'], settings: {}, output: { folder: '/out' } });
    expect(spec.paths!(input)).toEqual(['/a', '/b', '/out']);
    expect(specOf('library.query')!.paths).toBeUndefined();
  });

  it('fills defaults and refuses what is not described', () => {
    const query = specOf('library.query')!.input.parse({});
    expect(query).toMatchObject({ sort: 'name', offset: 0, limit: 200, dir: '' });
    expect(specOf('library.query')!.input.safeParse({ limit: 5000 }).success).toBe(false);
    expect(specOf('library.folders')!.input.safeParse({ sneaky: 1 }).success).toBe(false);
    expect(specOf('queue.enqueue')!.input.safeParse({ settings: {}, output: { folder: '/o' } }).success).toBe(false);
    expect(specOf('queue.enqueue')!.input.safeParse({ imageIds: [1], settings: {}, output: { folder: '/o', naming: 'x_{scale}' } }).success).toBe(false);
    expect(specOf('library.addFolder')!.input.safeParse({ path: 'a\0b' }).success).toBe(false);
  });
});

describe('media paths', () => {
  it('round-trips every kind', () => {
    expect(parseMediaPath(mediaPath({ kind: 'thumb', id: 7 }))).toEqual({ kind: 'thumb', id: 7 });
    expect(mediaPath({ kind: 'thumb', id: 7, version: '10-20' })).toBe('thumb/7?v=10-20');
    expect(parseMediaPath('item-output/12')).toEqual({ kind: 'item-output', id: 12 });
    expect(parseMediaPath(mediaPath({ kind: 'preview', key: 'ab-12' }))).toEqual({ kind: 'preview', key: 'ab-12' });
  });

  it('rejects anything else', () => {
    for (const bad of ['thumb/../../etc/passwd', 'thumb/1/2', 'file/1', 'thumb/abc', 'preview/a%2Fb', '']) expect(parseMediaPath(bad), bad).toBeNull();
  });
});

describe('the client', () => {
  it('sends service.method with the payload, {} when none', async () => {
    const calls: [string, unknown][] = [];
    const api = createApi(async (method, input) => {
      calls.push([method, input]);
      return [];
    });
    await api.library.folders();
    await api.queue.pause({ batchId: 3 });
    expect(calls).toEqual([
      ['library.folders', {}],
      ['queue.pause', { batchId: 3 }],
    ]);
  });

  it('carries user-facing errors unchanged and wraps others', () => {
    const wire = toWireError(new StudioError('disk-full', 'The disk is full.', { file: '/out/a.png' }));
    expect(wire).toEqual({ code: 'disk-full', stage: 'output', message: 'The disk is full.', file: '/out/a.png' });
    const back = fromWireError(wire);
    expect(back).toBeInstanceOf(StudioError);
    expect([back.code, back.stage, back.message, back.file]).toEqual(['disk-full', 'output', 'The disk is full.', '/out/a.png']);
    // the stage travels: a folder that cannot be written is the output side, though the code alone says input
    const denied = fromWireError(toWireError(new StudioError('permission-denied', 'Cannot write /out.', { stage: 'output' })));
    expect(denied.stage).toBe('output');
    expect(toWireError(new TypeError('x is undefined'))).toEqual({ code: 'internal', message: 'Something went wrong inside CTMSR Studio: x is undefined' });
    expect(fromWireError({ code: 'nonsense' as never, message: 'm' }).code).toBe('internal');
  });
});
