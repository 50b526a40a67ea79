import { useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderNode } from '../../shared/api/types';

export interface FolderKey {
  rootId: number;
  dir: string;
}

interface FolderTreeProps {
  roots: FolderNode[];
  selected: FolderKey | null;
  onSelect: (folder: FolderKey | null) => void;
}

interface Row {
  node: FolderNode;
  depth: number;
  expandable: boolean;
}

const keyOf = (k: FolderKey) => `${k.rootId}:${k.dir}`;

/** The library's folders as an ARIA tree: arrows move, Right/Left open and close, Enter or click selects. */
export function FolderTree({ roots, selected, onSelect }: FolderTreeProps) {
  const { t } = useTranslation();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => visibleRows(roots, collapsed), [roots, collapsed]);
  const total = roots.reduce((n, r) => n + r.totalCount, 0);
  const selectedKey = selected ? keyOf(selected) : 'all';
  const [focusKey, setFocusKey] = useState<string>(selectedKey);
  const keys = ['all', ...rows.map((r) => keyOf(r.node))];

  function toggle(key: string, open?: boolean) {
    setCollapsed((c) => {
      const next = new Set(c);
      const isOpen = !next.has(key);
      if (open ?? !isOpen) next.delete(key);
      else next.add(key);
      return next;
    });
  }

  function choose(key: string) {
    setFocusKey(key);
    if (key === 'all') return onSelect(null);
    const row = rows.find((r) => keyOf(r.node) === key);
    if (row) onSelect({ rootId: row.node.rootId, dir: row.node.dir });
  }

  function onKeyDown(e: KeyboardEvent<HTMLUListElement>) {
    const index = Math.max(0, keys.indexOf(focusKey));
    const row = rows.find((r) => keyOf(r.node) === focusKey);
    let next: string | undefined;
    if (e.key === 'ArrowDown') next = keys[Math.min(keys.length - 1, index + 1)];
    else if (e.key === 'ArrowUp') next = keys[Math.max(0, index - 1)];
    else if (e.key === 'Home') next = keys[0];
    else if (e.key === 'End') next = keys[keys.length - 1];
    else if (e.key === 'ArrowRight' && row?.expandable) toggle(focusKey, true);
    else if (e.key === 'ArrowLeft' && row?.expandable) toggle(focusKey, false);
    else if (e.key === 'Enter' || e.key === ' ') choose(focusKey);
    else return;
    e.preventDefault();
    if (next !== undefined) choose(next);
  }

  return (
    <ul className="folder-tree" role="tree" aria-label={t('library.folders')} tabIndex={0} onKeyDown={onKeyDown} aria-activedescendant={`folder-${focusKey}`}>
      <li id="folder-all" role="treeitem" aria-selected={selectedKey === 'all'} className={itemClass(selectedKey === 'all', focusKey === 'all')} onClick={() => choose('all')}>
        <span className="folder-name">{t('library.allImages')}</span>
        <span className="count">{total}</span>
      </li>
      {rows.map(({ node, depth, expandable }) => {
        const key = keyOf(node);
        const open = !collapsed.has(key);
        return (
          <li
            key={key}
            id={`folder-${key}`}
            role="treeitem"
            aria-level={depth + 1}
            aria-expanded={expandable ? open : undefined}
            aria-selected={selectedKey === key}
            className={itemClass(selectedKey === key, focusKey === key)}
            style={{ paddingInlineStart: `${0.5 + depth}rem` }}
            onClick={() => choose(key)}
            title={node.path}
          >
            <span
              className="twisty"
              aria-hidden="true"
              onClick={(e) => {
                e.stopPropagation();
                if (expandable) toggle(key);
              }}
            >
              {expandable ? (open ? '▾' : '▸') : ''}
            </span>
            <span className="folder-name">{node.name}</span>
            <span className="count">{node.totalCount}</span>
          </li>
        );
      })}
    </ul>
  );
}

function itemClass(selected: boolean, focused: boolean): string {
  return ['tree-item', selected ? 'selected' : '', focused ? 'focused' : ''].filter(Boolean).join(' ');
}

function visibleRows(roots: FolderNode[], collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  const walk = (node: FolderNode, depth: number) => {
    rows.push({ node, depth, expandable: node.children.length > 0 });
    if (!collapsed.has(keyOf(node))) node.children.forEach((c) => walk(c, depth + 1));
  };
  roots.forEach((r) => walk(r, 0));
  return rows;
}
