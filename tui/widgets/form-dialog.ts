/**
 * Modal dialogs: a form (text, password and choice fields, filled one after another) and a
 * yes/no confirmation. Keys: Enter accepts a field and moves on (on the last field it
 * submits), Tab/Down and Up move between fields, Escape cancels, Left/Right (or Space)
 * cycle a choice, Backspace and Ctrl-U edit. `submit` runs with the dialog still open: a
 * thrown error is shown in the dialog; password fields are emptied and the first of them
 * is active again, other values are kept.
 *
 * One keypress handler on the dialog does all editing, attached before the dialog shows:
 * keys typed ahead (a paste, a burst over a slow SSH link) are never lost between fields,
 * which blessed's readInput (it attaches on the next tick) would drop.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import { esc } from '../format.js';

export interface FormField {
  name: string;
  label: string;
  kind?: 'text' | 'password' | 'choice';
  choices?: readonly string[];
  value?: string;
  required?: boolean;
  /** Shown under the fields while this one is active. */
  hint?: string;
}

export interface FormOptions {
  title: string;
  fields: FormField[];
  submit: (values: Record<string, string>) => Promise<void>;
}

/** Resolves true when submitted (and `submit` succeeded), false when cancelled. */
export function openForm(screen: Widgets.Screen, options: FormOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const { fields } = options;
    const width = Math.min(72, Math.max(40, Number(screen.width) - 4));
    const labelWidth = Math.max(...fields.map((f) => f.label.length)) + 2;
    const inputWidth = width - labelWidth - 4;
    const dialog = blessed.box({
      parent: screen, top: 'center', left: 'center', width, height: fields.length + 4,
      border: { type: 'line' }, label: ` ${esc(options.title)} `, tags: true, style: { border: { fg: 'cyan' } },
    });
    const message = blessed.box({ parent: dialog, top: fields.length + 1, left: 1, width: width - 4, height: 1, tags: true });
    const inputs = fields.map((field, i) => {
      blessed.box({ parent: dialog, top: i, left: 1, width: labelWidth, height: 1, content: `${field.label}:` });
      return blessed.box({ parent: dialog, top: i, left: labelWidth + 1, width: inputWidth, height: 1, tags: true });
    });
    const values = fields.map((f) => f.value ?? (f.kind === 'choice' ? f.choices?.[0] ?? '' : ''));
    let active = 0;
    let busy = false;
    let note: { text: string; error: boolean } | undefined;

    const paint = (): void => {
      fields.forEach((f, i) => {
        const on = i === active && !busy;
        let text: string;
        if (f.kind === 'choice') text = `< ${values[i]} >`;
        else {
          const shown = f.kind === 'password' ? '*'.repeat(values[i].length) : values[i];
          text = `${shown}${on ? '_' : ''}`.slice(-inputWidth);
        }
        inputs[i].style = on ? { bg: 'blue', fg: 'white' } : {};
        inputs[i].setContent(esc(text));
      });
      const f = fields[active];
      const hint = note ?? { text: f.hint ?? (f.kind === 'choice' ? 'Left/Right change, Enter next, Esc cancel' : 'Enter next, Esc cancel'), error: false };
      message.setContent(busy ? 'Saving...' : hint.error ? `{red-fg}${esc(hint.text)}{/red-fg}` : `{gray-fg}${esc(hint.text)}{/gray-fg}`);
      screen.render();
    };
    const finish = (ok: boolean): void => {
      dialog.destroy();
      screen.render();
      resolve(ok);
    };
    const move = (to: number): void => { active = Math.max(0, Math.min(fields.length - 1, to)); note = undefined; };

    const accept = (): void => {
      const f = fields[active];
      if (f.required && !values[active].trim()) { note = { text: `${f.label} is required`, error: true }; return; }
      if (active + 1 < fields.length) { move(active + 1); return; }
      busy = true;
      const out = Object.fromEntries(fields.map((x, i) => [x.name, x.kind === 'password' ? values[i] : values[i].trim()]));
      options.submit(out).then(() => finish(true), (err: unknown) => {
        busy = false;
        // Passwords are typed again (the likely mistake); the rest is kept.
        fields.forEach((x, i) => { if (x.kind === 'password') values[i] = ''; });
        active = Math.max(0, fields.findIndex((x) => x.kind === 'password'));
        note = { text: (err as Error).message || String(err), error: true };
        paint();
      });
    };

    dialog.on('keypress', (ch: string | undefined, key: Widgets.Events.IKeyEventArg) => {
      if (busy || key.name === 'return') return;
      const f = fields[active];
      const choices = f.choices ?? [];
      if (key.name === 'escape') return finish(false);
      if (key.name === 'enter') accept();
      else if (key.name === 'up' || key.full === 'S-tab') move(active - 1);
      else if (key.name === 'down' || key.name === 'tab') move(active + 1);
      else if (f.kind === 'choice') {
        const at = choices.indexOf(values[active]);
        if (key.name === 'left') values[active] = choices[(at + choices.length - 1) % choices.length] ?? '';
        else if (key.name === 'right' || key.name === 'space') values[active] = choices[(at + 1) % choices.length] ?? '';
        else return;
      } else if (key.name === 'backspace') values[active] = values[active].slice(0, -1);
      else if (key.full === 'C-u') values[active] = '';
      else if (ch && ch.length === 1 && ch >= ' ' && !key.ctrl && !key.meta) values[active] += ch;
      else return;
      if (!busy) paint();
    });
    dialog.focus();
    paint();
  });
}

/** y / Enter confirm; n / Escape decline. */
export function confirm(screen: Widgets.Screen, title: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const width = Math.min(64, Math.max(30, Number(screen.width) - 4));
    const box = blessed.box({
      parent: screen, top: 'center', left: 'center', width, height: 4, border: { type: 'line' }, label: ` ${esc(title)} `,
      tags: true, keyable: true, content: ` ${esc(text)}\n {bold}y{/bold} yes   {bold}n{/bold} no`, style: { border: { fg: 'yellow' } },
    } as Widgets.BoxOptions);
    box.focus();
    screen.render();
    const onKey = (ch: string, key: Widgets.Events.IKeyEventArg): void => {
      const yes = ch === 'y' || ch === 'Y' || key.name === 'enter';
      const no = ch === 'n' || ch === 'N' || key.name === 'escape';
      if (!yes && !no) return;
      box.removeListener('keypress', onKey);
      box.destroy();
      screen.render();
      resolve(yes);
    };
    box.on('keypress', onKey);
  });
}
