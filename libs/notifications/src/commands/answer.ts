import type { InlineKeyboard } from './keyboards';

/** What a command or a button press answers: a text (edited into the pressed message when `edit`), its keyboard, a toast. */
export interface Answer {
  readonly text: string;
  readonly keyboard?: InlineKeyboard;
  /** replace the message whose button was pressed instead of sending a new one */
  readonly edit?: boolean;
  /** the callback query's answer (a short toast) */
  readonly toast?: string;
}
