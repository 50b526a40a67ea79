import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAtomically } from '../atomic-write.js';
import { canMountTmpfs, fillDisk, mountTmpfs, unmount } from '../../testing/small-disk.js';

const mountable = canMountTmpfs();

// what libvips sometimes throws when the target cannot be written: no errno, no cause
const unableToWrite = (tmp: string) => new Error(`vips2png: unable to write to target ${tmp}`);
// a writer that leaves a partial file behind, then fails that way
const causeless = async (tmp: string) => {
  fs.writeFileSync(tmp, '');
  throw unableToWrite(tmp);
};

let dir: string | undefined;
let mounted = false;
afterEach(() => {
  if (mounted) unmount(dir!);
  mounted = false;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function smallDisk(options: { readOnly?: boolean } = {}): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-atomic-'));
  mountTmpfs(dir, '256k', options);
  mounted = true;
  return dir;
}

describe('writeAtomically when the writer does not say why it failed', () => {
  it('on a healthy disk keeps the writer\'s message and leaves nothing behind', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-atomic-'));
    const out = path.join(dir, 'a.png');
    const error = await writeAtomically(out, causeless, { maxBytes: 1000 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'internal', file: out });
    expect(error.message).toContain('unable to write to target');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it.skipIf(!mountable)('on a read-only disk reports it as read-only, naming the file', async () => {
    const out = path.join(smallDisk({ readOnly: true }), 'a.png');
    const error = await writeAtomically(out, async (tmp) => {
      throw unableToWrite(tmp);
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'permission-denied', file: out });
    expect(error.message).toMatch(/read-only or not writable/);
  });

  it.skipIf(!mountable)('on a disk with less free space than the output needs reports a full disk', async () => {
    const disk = smallDisk();
    fillDisk(disk);
    const out = path.join(disk, 'a.png');
    const error = await writeAtomically(out, causeless, { maxBytes: 64 * 1024 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'disk-full', file: out });
    expect(error.message).toContain(`The disk is full while writing ${out}`);
    expect(fs.readdirSync(disk)).toEqual(['filler.bin']);
  });

  it.skipIf(!mountable)('with room to spare it does not blame the disk', async () => {
    const out = path.join(smallDisk(), 'a.png');
    const error = await writeAtomically(out, causeless, { maxBytes: 64 * 1024 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'internal' });
  });
});
