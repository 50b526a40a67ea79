import { describe, expect, it } from 'vitest';
import { StudioError } from '../../shared/errors';
import { createHttpBridge, takeToken } from './http-bridge';

function fakeFetch(reply: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return reply(url, init);
  }) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the HTTP bridge', () => {
  it('posts service.method with the token and unwraps the result', async () => {
    const { calls, fetch } = fakeFetch(() => json({ ok: true, result: [{ id: 1 }] }));
    const studio = createHttpBridge({ base: 'http://127.0.0.1:5/', token: 'tok', fetch });
    expect(await studio.queue.batches()).toEqual([{ id: 1 }]);
    expect(calls[0].url).toBe('http://127.0.0.1:5/api/queue.batches');
    expect(calls[0].init.method).toBe('POST');
    expect((calls[0].init.headers as Record<string, string>)['X-Studio-Token']).toBe('tok');
    expect(calls[0].init.body).toBe('{}');
  });

  it('rejects with the StudioError main sent, and explains a dead server', async () => {
    const failing = createHttpBridge({ base: '/', token: 't', fetch: fakeFetch(() => json({ ok: false, error: { code: 'disk-full', message: 'The output disk is full.' } })).fetch });
    const error = await failing.queue.resume({ batchId: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe('disk-full');
    expect((error as StudioError).message).toBe('The output disk is full.');
    const dead = createHttpBridge({ base: '/', token: 't', fetch: fakeFetch(() => new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' })).fetch });
    await expect(dead.settings.get()).rejects.toThrow(/answered 502 Bad Gateway/);
  });

  it('builds media URLs that carry the token', () => {
    const studio = createHttpBridge({ base: 'http://h/', token: 'a b', fetch: fakeFetch(() => json({})).fetch });
    expect(studio.mediaUrl('thumb/3')).toBe('http://h/media/thumb/3?token=a%20b');
    expect(studio.mediaUrl('thumb/3?v=9')).toBe('http://h/media/thumb/3?v=9&token=a%20b');
  });

  it('opens one event stream and delivers parsed events by name', () => {
    const listeners = new Map<string, (e: MessageEvent<string>) => void>();
    const opened: string[] = [];
    const studio = createHttpBridge({
      base: 'http://h/',
      token: 't',
      fetch: fakeFetch(() => json({})).fetch,
      openEvents: (url) => {
        opened.push(url);
        return {
          addEventListener: (name: string, l: (e: MessageEvent<string>) => void) => listeners.set(name, l),
          removeEventListener: (name: string) => listeners.delete(name),
        } as unknown as EventSource;
      },
    });
    const got: unknown[] = [];
    const off = studio.on('queue.removed', (p) => got.push(p));
    studio.on('models.changed', () => undefined);
    listeners.get('queue.removed')!({ data: '{"batchId":4}' } as MessageEvent<string>);
    off();
    expect(got).toEqual([{ batchId: 4 }]);
    expect(opened).toEqual(['http://h/api/events?token=t']);
    expect(listeners.has('queue.removed')).toBe(false);
  });
});

describe('the page token', () => {
  it('is taken from the address once, kept for the session and removed from the address bar', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as unknown as Storage;
    const replaced: string[] = [];
    const history = { state: null, replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) } as unknown as History;
    expect(takeToken({ href: 'http://127.0.0.1:9/?token=secret#q' } as Location, history, storage)).toBe('secret');
    expect(replaced).toEqual(['/#q']);
    expect(takeToken({ href: 'http://127.0.0.1:9/' } as Location, history, storage)).toBe('secret');
    expect(takeToken({ href: 'http://127.0.0.1:9/' } as Location, history, { getItem: () => null } as unknown as Storage)).toBeNull();
  });
});
