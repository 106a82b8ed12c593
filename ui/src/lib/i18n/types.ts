import type { ja } from './ja';

/**
 * A message chosen by `{count}`. Japanese has no singular, so ja gives only
 * `other`; English adds `one`.
 */
export type Plural = { readonly one?: string; readonly other: string };

type Leaf = string | { readonly other: string };

// Widen ja's literal types so another language must provide the same keys
// (and no others) but may word them differently.
type Shape<T> = {
  readonly [K in keyof T]: T[K] extends string
    ? string
    : T[K] extends { readonly other: string }
      ? Plural
      : Shape<T[K]>;
};

export type Catalog = Shape<typeof ja>;

type Keys<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends Leaf ? `${Prefix}${K}` : Keys<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every dotted message key, e.g. `"board.weighted"`. */
export type MessageKey = Keys<Catalog>;

export type Params = Readonly<Record<string, string | number>>;
