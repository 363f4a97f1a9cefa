/**
 * The one-line key help at the bottom of every screen, and the full help popup ('?').
 * Items that do not fit the width are dropped from the right; the popup lists them all.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import { esc } from '../format.js';

export interface HelpItem { keys: string; label: string }

export class HelpBar {
  readonly element: Widgets.BoxElement;
  private items: HelpItem[] = [];

  constructor(screen: Widgets.Screen) {
    this.element = blessed.box({
      parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: true,
      style: { fg: 'black', bg: 'cyan' },
    });
  }

  set(items: HelpItem[]): void {
    this.items = items;
    this.render();
  }

  render(): void {
    const width = Number(this.element.width) || 80;
    let line = '';
    let plain = 0;
    for (const item of this.items) {
      const piece = ` ${item.keys} ${item.label} `;
      if (plain + piece.length > width) break;
      line += ` {bold}${esc(item.keys)}{/bold} ${esc(item.label)} `;
      plain += piece.length;
    }
    this.element.setContent(line);
  }
}

/** A centred popup listing `items`; any key closes it. Calls `onClose` after. */
export function showHelp(screen: Widgets.Screen, title: string, items: HelpItem[], onClose: () => void): void {
  const width = Math.min(60, Math.max(30, Number(screen.width) - 4));
  const lines = items.map((i) => ` {bold}${esc(i.keys.padEnd(12))}{/bold} ${esc(i.label)}`);
  const box = blessed.box({
    parent: screen, top: 'center', left: 'center', width, height: Math.min(Number(screen.height) - 2, lines.length + 4),
    border: { type: 'line' }, label: ` ${esc(title)} `, tags: true, scrollable: true,
    content: `${lines.join('\n')}\n {gray-fg}press any key to close{/gray-fg}`,
    style: { border: { fg: 'cyan' } },
  });
  box.focus();
  screen.render();
  box.once('keypress', () => {
    box.destroy();
    onClose();
    screen.render();
  });
}
