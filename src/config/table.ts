// TOML tables with a fixed set of keys (anything else is an error that says so) and tables
// whose keys are names chosen by the user ([servers.<name>], env = { NAME = "..." }).

import * as v from "valibot";
import { expected } from "./describe.ts";
import { issuePath } from "./issues.ts";
import { closestKey } from "./suggest.ts";

export interface TableOptions {
  /** What the value should have been, for "expected <what>, got an array". */
  what?: string;
  /** Extra words for an unknown key, when it means something elsewhere or in a later version. */
  hint?: (key: string) => string | undefined;
}

// valibot's object schemas accept anything of typeof "object"; a TOML array, array of tables or
// date must not pass for a table.
export function isPlainTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;
}

function plainTable(what: string) {
  return v.custom<Record<string, unknown>>(isPlainTable, expected(what));
}

/** A table with known keys; every unknown key is reported, with a suggestion when one is close. */
export function table<const TEntries extends v.ObjectEntries>(entries: TEntries, options: TableOptions = {}) {
  const known = Object.keys(entries);
  return v.pipe(
    plainTable(options.what ?? "a table"),
    // Every entry is optional (required keys are checked where the rule is), but a missing
    // required entry must still read well should one ever be declared.
    v.looseObject(entries, "this key is required"),
    v.rawCheck(({ dataset, addIssue }) => {
      const output = dataset.value as Record<string, unknown>;
      for (const key of Object.keys(output)) {
        if (Object.hasOwn(entries, key)) continue;
        const more = options.hint?.(key) ?? didYouMean(key, known);
        addIssue({
          message: more === undefined ? "unknown key" : `unknown key (${more})`,
          path: issuePath(key),
        });
      }
    }),
  );
}

function didYouMean(key: string, known: readonly string[]): string | undefined {
  const close = closestKey(key, known);
  return close === undefined ? undefined : `did you mean "${close}"?`;
}

/** A table whose keys are names (checked by `key`) and whose values all follow `value`. */
export function namedTables<
  const TKey extends v.GenericSchema<string, string>,
  const TValue extends v.GenericSchema,
>(key: TKey, value: TValue, what: string) {
  return v.pipe(plainTable(what), v.record(key, value));
}
