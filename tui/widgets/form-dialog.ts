/**
 * Modal dialogs: a form (text, password and choice fields, filled one after another) and a
 * yes/no confirmation. Keys: Enter accepts a field and moves on (on the last field it
 * submits), Escape cancels, Left/Right (or Space) cycle a choice, Up goes back a field.
 * `submit` runs with the dialog still open: a thrown error is shown in the dialog and the
 * form starts again from the first field with the values kept.
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

type Control = { field: FormField; el: Widgets.BoxElement | Widgets.TextboxElement; value: () => string };

/** Resolves true when submitted (and `submit` succeeded), false when cancelled. */
export function openForm(screen: Widgets.Screen, options: FormOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const width = Math.min(72, Math.max(40, Number(screen.width) - 4));
    const labelWidth = Math.max(...options.fields.map((f) => f.label.length)) + 2;
    const dialog = blessed.box({
      parent: screen, top: 'center', left: 'center', width, height: options.fields.length + 5,
      border: { type: 'line' }, label: ` ${esc(options.title)} `, tags: true, style: { border: { fg: 'cyan' } },
    });
    const message = blessed.box({ parent: dialog, top: options.fields.length + 1, left: 1, width: width - 4, height: 1, tags: true });
    const controls: Control[] = options.fields.map((field, i) => {
      blessed.box({ parent: dialog, top: i, left: 1, width: labelWidth, height: 1, content: `${field.label}:` });
      const common = { parent: dialog, top: i, left: labelWidth + 1, width: width - labelWidth - 4, height: 1 };
      if (field.kind === 'choice') {
        const choices = field.choices ?? [];
        let index = Math.max(0, choices.indexOf(field.value ?? ''));
        const el = blessed.box({ ...common, tags: true, keyable: true } as Widgets.BoxOptions);
        const paint = (): void => { el.setContent(`< ${esc(choices[index] ?? '')} >`); };
        paint();
        el.on('keypress', (_ch: string, key: Widgets.Events.IKeyEventArg) => {
          if (key.name === 'left') index = (index + choices.length - 1) % choices.length;
          else if (key.name === 'right' || key.name === 'space') index = (index + 1) % choices.length;
          else return;
          paint();
          screen.render();
        });
        return { field, el, value: () => choices[index] ?? '' };
      }
      const el = blessed.textbox({
        ...common, inputOnFocus: false, censor: field.kind === 'password', style: { bg: 'blue', fg: 'white' },
      });
      if (field.value) el.setValue(field.value);
      return { field, el, value: () => el.getValue() };
    });

    const hint = (text?: string, isError = false): void => {
      message.setContent(text ? (isError ? `{red-fg}${esc(text)}{/red-fg}` : `{gray-fg}${esc(text)}{/gray-fg}`) : '');
    };
    const close = (ok: boolean): void => {
      dialog.destroy();
      screen.render();
      resolve(ok);
    };

    const activate = (i: number, keepMessage = false): void => {
      const c = controls[i];
      if (!keepMessage) hint(c.field.hint ?? (c.field.kind === 'choice' ? 'Left/Right change, Enter next, Esc cancel' : 'Enter next, Esc cancel'));
      c.el.focus();
      screen.render();
      if (c.el.type === 'textbox') {
        (c.el as Widgets.TextboxElement).readInput((_err: unknown, value?: string | null) => {
          if (value === null || value === undefined) return close(false);
          advance(i);
        });
        return;
      }
      const onKey = (_ch: string, key: Widgets.Events.IKeyEventArg): void => {
        if (key.name === 'escape') { off(); close(false); } else if (key.name === 'enter') { off(); advance(i); } else if (key.name === 'up' && i > 0) { off(); activate(i - 1); }
      };
      const off = (): void => { c.el.removeListener('keypress', onKey); };
      // Next tick: the Enter that activated this field must not also accept it.
      setImmediate(() => c.el.on('keypress', onKey));
    };

    const advance = (i: number): void => {
      const c = controls[i];
      if (c.field.required && !c.value().trim()) {
        hint(`${c.field.label} is required`, true);
        screen.render();
        setImmediate(() => activate(i, true));
        return;
      }
      if (i + 1 < controls.length) { setImmediate(() => activate(i + 1)); return; }
      const values = Object.fromEntries(controls.map((x) => [x.field.name, x.field.kind === 'password' ? x.value() : x.value().trim()]));
      hint('Saving...');
      screen.render();
      options.submit(values).then(() => close(true), (err: unknown) => {
        hint((err as Error).message || String(err), true);
        screen.render();
        setTimeout(() => activate(0, true), 0);
      });
    };

    activate(0);
  });
}

/** y / Enter confirm; n / Escape decline. */
export function confirm(screen: Widgets.Screen, title: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const width = Math.min(64, Math.max(30, Number(screen.width) - 4));
    const box = blessed.box({
      parent: screen, top: 'center', left: 'center', width, height: 5, border: { type: 'line' }, label: ` ${esc(title)} `,
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
    setImmediate(() => box.on('keypress', onKey));
  });
}
