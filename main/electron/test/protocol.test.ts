import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaRef } from '../../../shared/api/media.js';
import { createProtocolHandler } from '../protocol.js';

let dir: string;
let handle: (request: Request) => Promise<Response>;
const asked: MediaRef[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-protocol-'));
  await mkdir(path.join(dir, 'ui', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>App</title>');
  await writeFile(path.join(dir, 'ui', 'assets', 'a.css'), 'body{}');
  await writeFile(path.join(dir, 'private.txt'), 'private');
  await writeFile(path.join(dir, 'photo.jpg'), 'jpeg bytes');
  handle = createProtocolHandler(path.join(dir, 'ui'), {
    load: async (ref) => {
      asked.push(ref);
      if (ref.kind === 'thumb' && ref.id === 1) return { type: 'image/webp', data: Buffer.from('webp') };
      if (ref.kind === 'image' && ref.id === 2) return { type: 'image/jpeg', file: path.join(dir, 'photo.jpg') };
      return null;
    },
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const get = (url: string) => handle(new Request(url));

describe('the studio:// protocol', () => {
  it('serves the UI with the Content-Security-Policy', async () => {
    const response = await get('studio://app/index.html');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>App</title>');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await get('studio://app/assets/a.css')).headers.get('content-type')).toContain('text/css');
  });

  it('serves media under /media/ from bytes or files', async () => {
    expect(await (await get('studio://app/media/thumb/1?v=3')).text()).toBe('webp');
    const photo = await get('studio://app/media/image/2');
    expect([photo.headers.get('content-type'), await photo.text()]).toEqual(['image/jpeg', 'jpeg bytes']);
    expect((await get('studio://app/media/thumb/5')).status).toBe(404);
    expect(asked).toContainEqual({ kind: 'thumb', id: 5 });
  });

  it('serves nothing outside the UI folder or from other hosts', async () => {
    for (const url of ['studio://app/../private.txt', 'studio://app/%2e%2e/private.txt', 'studio://app/media/../../private.txt', 'studio://other/index.html']) {
      const response = await get(url);
      expect(await response.text(), url).not.toContain('private');
    }
    expect((await get('studio://other/index.html')).status).toBe(404);
  });
});
