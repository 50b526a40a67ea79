import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStudioError } from '../../../shared/errors.js';
import { PathGrants } from '../path-grants.js';

describe('path grants', () => {
  it('allows chosen folders and what is inside them, nothing else', () => {
    const grants = new PathGrants(false);
    grants.grant('/home/me/Photos');
    expect(grants.allows('/home/me/Photos')).toBe(true);
    expect(grants.allows('/home/me/Photos/2024/a.jpg')).toBe(true);
    expect(grants.allows('/home/me/Photos/../.ssh/id_rsa')).toBe(false);
    expect(grants.allows('/home/me/Photos2')).toBe(false);
    expect(grants.allows('/home/me')).toBe(false);
    expect(grants.allows('relative/path')).toBe(grants.allows(path.resolve('relative/path')));
  });

  it('names the refused path in a user-facing error', () => {
    const grants = new PathGrants(false);
    grants.grant('/out');
    expect(() => grants.check(['/out/x', '/home/other'])).toThrow(/\/home\/other was not one of them/);
    try {
      grants.check(['/home/other']);
    } catch (e) {
      expect(isStudioError(e, 'permission-denied')).toBe(true);
    }
    expect(() => grants.check(['/out/a', '/out/b'])).not.toThrow();
  });

  it('ignores case where the file system does', () => {
    const grants = new PathGrants(true);
    grants.grant('/Users/Me/Pictures');
    expect(grants.allows('/users/me/pictures/IMG_1.JPG')).toBe(true);
    expect(new PathGrants(false).allows('/')).toBe(false);
  });

  it('never allows a system folder or anything in it, even when granted or reached through a link', () => {
    const grants = new PathGrants(false);
    for (const folder of ['/', '/etc', '/proc', '/usr']) grants.grant(folder);
    expect(grants.allows('/')).toBe(false);
    expect(grants.allows('/etc/shadow')).toBe(false);
    expect(grants.allows('/proc/self')).toBe(false);
    expect(() => grants.check(['/etc/shadow'])).toThrow('/etc/shadow is inside the system folder /etc: CTMSR Studio never reads photos from system folders');
    expect(() => grants.check(['/'])).toThrow('/ is a system folder');
    const mine = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-grants-'));
    try {
      fs.symlinkSync('/etc', path.join(mine, 'innocent'));
      grants.grant(mine);
      expect(grants.allows(path.join(mine, 'photo.jpg'))).toBe(true);
      expect(grants.allows(path.join(mine, 'innocent', 'shadow'))).toBe(false);
    } finally {
      fs.rmSync(mine, { recursive: true, force: true });
    }
  });
});
