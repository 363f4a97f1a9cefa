/**
 * A selectable table: a bold header line over a blessed list whose rows are formatted to
 * the list's current width (fixed columns, one flexible column takes the rest), so a
 * resize re-flows the columns instead of wrapping. Rows keep their selection across
 * updates by key.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import { fit } from '../format.js';

export interface Column<R> {
  title: string;
  /** Columns wide, or 'flex' (one column should be). */
  width: number | 'flex';
  align?: 'left' | 'right';
  value: (row: R) => string;
}

export interface TableOptions<R> {
  parent: Widgets.Node;
  top: number | string;
  left?: number | string;
  width?: number | string;
  height: number | string;
  columns: Column<R>[];
  /** Identifies a row so the selection follows it across updates. */
  key: (row: R) => string;
  empty?: string;
}

export class Table<R> {
  readonly header: Widgets.BoxElement;
  readonly list: Widgets.ListElement;
  private rows: R[] = [];

  constructor(private readonly options: TableOptions<R>) {
    const { parent, top, left = 0, width = '100%', height } = options;
    this.header = blessed.box({ parent, top, left, width, height: 1, style: { bold: true, fg: 'cyan' } });
    const listTop = typeof top === 'number' ? top + 1 : `${top}+1`;
    const listHeight = typeof height === 'number' ? Math.max(1, height - 1) : `${height}-1`;
    this.list = blessed.list({
      parent, top: listTop, left, width, height: listHeight, keys: true, vi: true, mouse: false, tags: false,
      style: { selected: { inverse: true }, item: {} },
    });
  }

  setRows(rows: R[]): void {
    const before = this.selected();
    this.rows = rows;
    this.render();
    const index = before ? rows.findIndex((r) => this.options.key(r) === this.options.key(before)) : -1;
    if (index >= 0) this.list.select(index);
    else if (rows.length > 0) this.list.select(Math.min(this.selectedIndex(), rows.length - 1));
  }

  selected(): R | undefined {
    return this.rows[this.selectedIndex()];
  }

  focus(): void { this.list.focus(); }

  /** Re-formats rows and header to the current width (call on resize). */
  render(): void {
    const width = Math.max(10, Number(this.list.width) || 80);
    const widths = this.widths(width);
    const line = (cells: string[]): string => cells
      .map((c, i) => fit(c, widths[i], true, this.options.columns[i].align === 'right')).join(' ');
    this.header.setContent(line(this.options.columns.map((c) => c.title)));
    const items = this.rows.length
      ? this.rows.map((r) => line(this.options.columns.map((c) => c.value(r))))
      : [this.options.empty ?? '(none)'];
    const sel = this.selectedIndex();
    this.list.setItems(items);
    this.list.select(Math.min(sel, items.length - 1));
  }

  private selectedIndex(): number {
    return (this.list as unknown as { selected: number }).selected ?? 0;
  }

  private widths(total: number): number[] {
    const cols = this.options.columns;
    const gaps = cols.length - 1;
    const fixed = cols.reduce((n, c) => n + (c.width === 'flex' ? 0 : c.width), 0);
    const flex = Math.max(4, total - fixed - gaps);
    return cols.map((c) => (c.width === 'flex' ? flex : c.width));
  }
}
