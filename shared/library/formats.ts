/** File extensions the library picks up (lower case, without the dot): what sharp can decode. */
export const imageExtensions: readonly string[] = ['jpg', 'jpeg', 'jpe', 'png', 'webp', 'tif', 'tiff', 'avif', 'heic', 'heif', 'gif'];

const extensionSet = new Set(imageExtensions);

/** Whether a file name looks like an image the library should list. Hidden files never do. */
export function isImageFileName(name: string): boolean {
  if (name.startsWith('.')) return false;
  const dot = name.lastIndexOf('.');
  return dot > 0 && extensionSet.has(name.slice(dot + 1).toLowerCase());
}
