import type { Language } from './generated/Language';

type Format = (value: string, lang: Language) => string;

/**
 * The text side of a field that writes a value the UI language's way and
 * reads back what is typed (DateInput, TimeInput). The value itself (ISO)
 * is the component's bindable prop; this keeps the text in step with it.
 */
export class TypedField {
  text = $state('');
  /** Errors show once the field was left (or Enter pressed), not at the first digit. */
  touched = $state(false);
  /** While an IME composes, the text is not what the user means yet. */
  composing = false;
  #own: string;
  #lang: Language;
  readonly #format: Format;

  constructor(value: string, lang: Language, format: Format) {
    this.#own = value;
    this.#lang = lang;
    this.#format = format;
    this.text = format(value, lang);
  }

  /**
   * Call from an effect with the current value and language. A value that
   * came from outside (a reset, a proposal taken, a colleague's version)
   * rewrites the text, and the answer is true; a language switch rewrites
   * a good value, never the user's unfinished typing.
   */
  follow(value: string, lang: Language, invalid: boolean): boolean {
    let outside = false;
    if (value !== this.#own) {
      this.#own = value;
      this.text = this.#format(value, lang);
      outside = true;
    } else if (lang !== this.#lang && !invalid && value) {
      this.text = this.#format(value, lang);
    }
    this.#lang = lang;
    return outside;
  }

  /** The value the component set itself, from what was typed or picked. */
  own(value: string): void {
    this.#own = value;
  }

  /** Writes `value` in the language's format (a day picked, a quarter-hour step). */
  show(value: string, lang: Language): void {
    this.#own = value;
    this.text = this.#format(value, lang);
  }

  /** Leaving the field (or Enter): a good value is written in the language's format. */
  settle(value: string, lang: Language, invalid: boolean): void {
    this.touched = true;
    if (!invalid && value) this.text = this.#format(value, lang);
  }
}
