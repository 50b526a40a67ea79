/** The Training screen's source check on real folders of real images (sharp reads them). */
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemFolderOf } from '../../host/path-grants.js';
import { mkfifo, release } from '../../testing/fifo.js';
import { makePairsFolder, writeBrokenPng, writePngHeader, writeSizedPng } from '../../testing/pairs.js';
import { writeLandscape } from '../../testing/photos.js';
import { cropFor, scanSource, splitHeldOut } from '../source-scan.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-scan-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reasons = (scan: { bad: { file: string; reason: string }[] }) =>
  scan.bad.map((b) => `${path.basename(path.dirname(b.file))}/${path.basename(b.file)}: ${b.reason.startsWith('its ') ? b.reason : b.reason.split(':')[0]}`);

describe('scanSource, pairs', () => {
  it('lists usable pairs, detects the scale and names every bad file with its reason', async () => {
    const root = path.join(dir, 'pairs');
    await makePairsFolder(root, { count: 9, scale: 4, width: 64, height: 48 });
    await writeBrokenPng(path.join(root, 'HR', 'broken.png'));
    await writeSizedPng(path.join(root, 'LR', 'broken.png'), 16, 12);
    await writeSizedPng(path.join(root, 'HR', 'odd.png'), 66, 48); // not a whole multiple of 16×12
    await writeSizedPng(path.join(root, 'LR', 'odd.png'), 16, 12);
    await writeSizedPng(path.join(root, 'HR', 'twice.png'), 32, 24); // ×2 where the others are ×4
    await writeSizedPng(path.join(root, 'LR', 'twice.png'), 16, 12);
    await writeSizedPng(path.join(root, 'HR', 'tiny.png'), 16, 8);
    await writeSizedPng(path.join(root, 'LR', 'tiny.png'), 4, 2);
    await writeSizedPng(path.join(root, 'HR', 'alone.png'), 64, 48);
    await copyFile(path.join(root, 'HR', 'pair-00.png'), path.join(root, 'HR', 'copy.png'));
    await copyFile(path.join(root, 'LR', 'pair-00.png'), path.join(root, 'LR', 'copy.png'));
    await copyFile(path.join(root, 'LR', 'pair-01.png'), path.join(root, 'LR', 'pair-01.jpg'));

    const scan = await scanSource({ kind: 'pairs', folder: root }, { cropSide: 32 });
    expect(scan.scale).toBe(4);
    expect(scan.crop).toBe(32);
    expect(scan.problem).toBeNull();
    expect(scan.pairs.map((p) => p.stem)).toEqual(['copy', 'pair-02', 'pair-03', 'pair-04', 'pair-05', 'pair-06', 'pair-07', 'pair-08']);
    expect(reasons(scan)).toEqual([
      'HR/alone.png: no LR partner',
      'HR/broken.png: unreadable',
      'HR/odd.png: size not a multiple',
      'HR/pair-00.png: duplicate',
      'HR/pair-01.png: its LR partner pair-01.* in ' + path.join(root, 'LR') + ' cannot be used (listed above)',
      'HR/tiny.png: too small for a crop',
      'HR/twice.png: sizes disagree with the scale',
      'LR/broken.png: its HR partner broken.* in ' + path.join(root, 'HR') + ' cannot be used (listed above)',
      'LR/pair-01.jpg: duplicate name',
      'LR/pair-01.png: duplicate name',
    ]);
    expect(scan.bad.find((b) => b.file.endsWith('pair-00.png'))!.reason).toBe('duplicate: the same picture as copy.png');
  });

  it('refuses fewer than 8 usable pairs, and a folder without LR and HR', async () => {
    const root = path.join(dir, 'few');
    await makePairsFolder(root, { count: 7, width: 64, height: 48 });
    const scan = await scanSource({ kind: 'pairs', folder: root }, { cropSide: 32 });
    expect(scan.pairs).toHaveLength(7);
    expect(scan.problem).toMatch(/^Only 7 usable pairs: fine-tuning needs at least 8/);
    const flat = await scanSource({ kind: 'pairs', folder: path.join(root, 'HR') });
    expect(flat.problem).toMatch(/has no LR and HR subfolders/);
    const missing = await scanSource({ kind: 'pairs', folder: path.join(dir, 'nope') });
    expect(missing.problem).toBe(`${path.join(dir, 'nope')} does not exist. Check the path (the full path of a folder).`);
    const file = await scanSource({ kind: 'hr', folder: path.join(root, 'HR', 'pair-00.png'), degradation: 'bicubic', jpegQuality: 40, scale: 4 });
    expect(file.problem).toMatch(/pair-00\.png is a file, not a folder\./);
    // nothing is listed, so nothing is to be fixed
    await mkdir(path.join(dir, 'empty'));
    const empty = await scanSource({ kind: 'hr', folder: path.join(dir, 'empty'), degradation: 'bicubic', jpegQuality: 40, scale: 4 });
    expect(empty.bad).toEqual([]);
    expect(empty.problem).toMatch(/^Only 0 usable photos: .* Add more to .*empty\.$/);
  });

  it('takes two chosen folders', async () => {
    const root = path.join(dir, 'two');
    await makePairsFolder(root, { count: 8, scale: 2, width: 64, height: 64 });
    const scan = await scanSource({ kind: 'pairs', lrFolder: path.join(root, 'LR'), hrFolder: path.join(root, 'HR') }, { cropSide: 32 });
    expect(scan).toMatchObject({ scale: 2, problem: null, bad: [] });
    expect(scan.pairs).toHaveLength(8);
  });
});

describe('scanSource, HR photos only', () => {
  it('keeps photos large enough for the crop at the chosen scale', async () => {
    const root = path.join(dir, 'photos');
    await mkdir(root, { recursive: true });
    for (let i = 0; i < 7; i++) await writeLandscape(path.join(root, `p${i}.jpg`), 160, 140, i);
    await writeLandscape(path.join(dir, 'elsewhere.jpg'), 160, 140, 7);
    await symlink(path.join(dir, 'elsewhere.jpg'), path.join(root, 'linked.jpg')); // links to pictures count
    await writeLandscape(path.join(root, 'small.jpg'), 100, 90, 9);
    await writeBrokenPng(path.join(root, 'bad.png'));
    const scan = await scanSource({ kind: 'hr', folder: root, degradation: 'jpeg', jpegQuality: 30, scale: 3 });
    expect(scan.scale).toBe(3);
    expect(scan.crop).toBe(cropFor(3)); // 129: a multiple of 3
    expect(scan.pairs).toHaveLength(8);
    expect(scan.pairs[0].lr).toBeUndefined();
    expect(reasons(scan)).toEqual(['photos/bad.png: unreadable', 'photos/small.jpg: too small for a crop']);
  });
});

describe('scanSource, files the trainer must not read', () => {
  it('lists a link to a named pipe as not an image, at once, however many scans ask', async () => {
    const root = path.join(dir, 'fifo');
    await makePairsFolder(root, { count: 8, width: 64, height: 48 });
    const pipe = path.join(dir, 'pipe');
    mkfifo(pipe);
    await symlink(pipe, path.join(root, 'HR', 'g.png'));
    await writeSizedPng(path.join(root, 'LR', 'g.png'), 16, 12);
    try {
      // more than the thread pool has threads: one blocked read each would stall every later file access
      const scans = await Promise.all(Array.from({ length: 6 }, () => scanSource({ kind: 'pairs', folder: root }, { cropSide: 32 })));
      for (const scan of scans) {
        expect(scan.pairs).toHaveLength(8);
        expect(scan.bad).toContainEqual({ file: path.join(root, 'HR', 'g.png'), reason: `unreadable: ${path.join(root, 'HR', 'g.png')} is a named pipe (FIFO), not an image file. Only regular image files are read.` });
      }
    } finally {
      for (let i = 0; i < 6; i++) release(pipe);
    }
  }, 20_000);

  it('refuses a picture larger than the trainer reads, from its header', async () => {
    const root = path.join(dir, 'huge');
    await mkdir(root, { recursive: true });
    for (let i = 0; i < 8; i++) await writeLandscape(path.join(root, `p${i}.jpg`), 160, 140, i);
    await writePngHeader(path.join(root, 'panorama.png'), 14_000, 14_000);
    const scan = await scanSource({ kind: 'hr', folder: root, degradation: 'bicubic', jpegQuality: 40, scale: 4 });
    expect(scan.pairs).toHaveLength(8);
    expect(scan.bad).toEqual([{ file: path.join(root, 'panorama.png'), reason: 'too large: 14000×14000 is 196 MP, more than the 179 MP the trainer reads; downscale it' }]);
  });

  it('never reads a picture a link leads to inside a system folder', async () => {
    const root = path.join(dir, 'system-link');
    await mkdir(root, { recursive: true });
    for (let i = 0; i < 8; i++) await writeLandscape(path.join(root, `p${i}.jpg`), 160, 140, i);
    await symlink('/etc/passwd', path.join(root, 'secret.png'));
    const scan = await scanSource({ kind: 'hr', folder: root, degradation: 'bicubic', jpegQuality: 40, scale: 4 }, { systemFolderOf });
    expect(scan.bad).toEqual([
      { file: path.join(root, 'secret.png'), reason: 'in a system folder: it leads into /etc, and CTMSR Studio never reads photos there. Copy the picture into the folder instead' },
    ]);
  });
});

describe('splitHeldOut', () => {
  it('keeps 10 % aside, at least 2, spread across the names, and never the same pair on both sides', () => {
    const pairs = Array.from({ length: 24 }, (_, i) => i);
    const { train, heldOut } = splitHeldOut(pairs, 0.1);
    expect(heldOut).toHaveLength(2);
    expect(heldOut).toEqual([6, 18]);
    expect(train).toHaveLength(22);
    expect(new Set([...train, ...heldOut]).size).toBe(24);
    expect(splitHeldOut(Array.from({ length: 40 }, (_, i) => i), 0.1).heldOut).toHaveLength(4);
  });
});
