import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStudioError } from '../../shared/errors.js';
import { PathGrants } from './path-grants.js';

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
    expect(() => grants.check(['/out/x', '/etc'])).toThrow(/\/etc was not one of them/);
    try {
      grants.check(['/etc']);
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
});
