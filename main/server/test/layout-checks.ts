/**
 * Layout checks run inside the page. Each returns a list of what is wrong, empty when nothing is. main/ is
 * compiled without DOM types, so the page's objects are `any` here and the window is reached through the
 * element (Playwright sends the functions' source to the page; its CSP does not govern the DevTools protocol).
 */
import type { Locator } from 'playwright-core';

/**
 * Every word of `root` on one line (none broken mid-word; a compound may break at its hyphen), inside `root` and the window, and not clipped
 * by an ancestor; every select wide enough for its chosen option. Paths (`.path`) may break anywhere.
 */
export function layoutProblems(root: Locator): Promise<string[]> {
  return root.evaluate((root: any) => {
    const win = root.ownerDocument.defaultView;
    const problems: string[] = [];
    const box = root.getBoundingClientRect();
    const walker = root.ownerDocument.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('.path, .visually-hidden, option, script, style')) continue;
      // a line may end after a hyphen or slash ("make-test-|model"), never elsewhere inside a word
      for (const m of (node.data as string).matchAll(/[^\s/-]+/g)) {
        const range = root.ownerDocument.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r: any) => r.width > 0 && r.height > 0);
        if (rects.length === 0) continue;
        if (new Set(rects.map((r: any) => Math.round(r.bottom))).size > 1) problems.push(`broken mid-word: ${m[0]}`);
        for (const r of rects) {
          if (r.right > Math.min(box.right, win.innerWidth) + 1 || r.left < Math.max(box.left, 0) - 1) problems.push(`outside its box: ${m[0]}`);
          for (let a = el; a && a !== root.parentElement; a = a.parentElement) {
            if (win.getComputedStyle(a).overflowX === 'visible') continue;
            const clip = a.getBoundingClientRect();
            if (r.right > clip.right + 1 || r.left < clip.left - 1) {
              problems.push(`cut off: ${m[0]}`);
              break;
            }
          }
        }
      }
    }
    const measure = root.ownerDocument.createElement('canvas').getContext('2d');
    for (const select of root.querySelectorAll('select')) {
      const option = select.selectedOptions[0];
      if (!option || select.getClientRects().length === 0) continue;
      const style = win.getComputedStyle(select);
      measure.font = style.font;
      // the arrow takes about 20 px beside the text
      const needed = measure.measureText(option.text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 20;
      if (needed > select.clientWidth + 1) problems.push(`select cut: ${option.text}`);
    }
    return problems;
  });
}

/**
 * The controls of a scrolling panel that, scrolled into view, still lie under the bar `sticky` (which stays
 * at the panel's bottom): each is scrolled to its nearest edge and must be what is hit at its centre.
 */
export function hiddenUnder(panel: Locator, sticky: string): Promise<string[]> {
  return panel.evaluate(
    (panel: any, sticky: string) => {
      const bar = panel.querySelector(sticky);
      const hidden: string[] = [];
      for (const el of panel.querySelectorAll('label, input, select, legend, .field-error, .problems li')) {
        if (bar.contains(el) || el.getClientRects().length === 0) continue;
        el.scrollIntoView({ block: 'nearest' });
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const hit = panel.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const seen = hit && (el.contains(hit) || (hit.contains(el) && hit !== panel && !bar.contains(hit)) || hit.closest('label')?.contains(el));
        if (!seen) hidden.push((el.textContent || el.getAttribute('name') || el.tagName).trim());
      }
      return hidden;
    },
    sticky,
  );
}

/** Whether all of the element is inside the window, as it is now scrolled. */
export function inView(el: Locator): Promise<boolean> {
  return el.evaluate((el: any) => {
    const r = el.getBoundingClientRect();
    const win = el.ownerDocument.defaultView;
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= win.innerHeight && r.right <= win.innerWidth;
  });
}

/** The natural width of an image once it has loaded, else 0. */
export function loadedWidth(img: Locator): Promise<number> {
  return img.evaluate((img: any) => (img.complete ? img.naturalWidth : 0));
}
