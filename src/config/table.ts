// TOML tables with a fixed set of keys (anything else is an error that says so) and tables
// whose keys are names chosen by the user ([servers.<name>], env = { NAME = "..." }).

import * as v from "valibot";
import { expected, quote } from "./describe.ts";
import { hasIssueAt, issuePath } from "./issues.ts";
import { formatKeyPath } from "./keypath.ts";
import { closestKey } from "./suggest.ts";

interface TableOptions {
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

/**
 * A table with known keys of which some are required; `required` says, for each, what to write
 * ("the name shown on the consent page"). A missing key is not reported when an unknown key of
 * the table looks like a misspelling of it: that key's error already says what to fix.
 */
export function tableWithRequired<const TEntries extends v.ObjectEntries>(
  entries: TEntries,
  required: { [K in keyof TEntries]?: string },
  options: TableOptions = {},
) {
  // The object schema sees required entries as optional, so that this check alone reports them
  // (with its words, and not under a misspelling); the output type keeps them required, which
  // holds whenever the output is reached at all.
  const lenient = Object.fromEntries(
    Object.entries(entries).map(([key, schema]) => [key, Object.hasOwn(required, key) ? v.optional(schema) : schema]),
  ) as unknown as TEntries;
  return v.pipe(
    table(lenient, options),
    v.rawCheck(({ dataset, addIssue }) => {
      const value = dataset.value;
      if (!isPlainTable(value)) return;
      const unknown = Object.keys(value).filter((key) => !Object.hasOwn(entries, key));
      for (const [key, what] of Object.entries(required)) {
        if (value[key] !== undefined || unknown.some((other) => closestKey(other, [key]) !== undefined)) continue;
        addIssue({ message: `this key is required: ${what}`, path: issuePath(key) });
      }
    }),
  );
}

/** [[name]]: an array of tables, each following `item`. */
export function arrayOfTables<const TItem extends v.GenericSchema>(item: TItem, name: string) {
  return v.array(item, expected(`an array of tables, written [[${name}]]`));
}

/**
 * An issue on each item of an array of tables whose `key` repeats the value of an earlier item;
 * `arrayKeys` is where the array is in the file, to name the earlier item.
 */
export function uniqueAcrossItems<TItem>(key: string, arrayKeys: readonly string[]) {
  return v.rawCheck<TItem[]>(({ dataset, addIssue }) => {
    if (!Array.isArray(dataset.value)) return;
    const firstIndex = new Map<string, number>();
    dataset.value.forEach((item: unknown, index) => {
      if (!isPlainTable(item) || typeof item[key] !== "string" || hasIssueAt(dataset.issues, [index, key])) return;
      const value = item[key];
      const first = firstIndex.get(value);
      if (first === undefined) firstIndex.set(value, index);
      else
        addIssue({
          message: `${quote(value)} is already used by ${formatKeyPath([...arrayKeys, first, key])}`,
          path: issuePath(index, key),
        });
    });
  });
}

function didYouMean(key: string, known: readonly string[]): string | undefined {
  const close = closestKey(key, known);
  return close === undefined ? undefined : `did you mean "${close}"?`;
}

/** A table whose keys are names (checked by `key`) and whose values all follow `value`. */
export function namedTables<const TKey extends v.GenericSchema<string, string>, const TValue extends v.GenericSchema>(
  key: TKey,
  value: TValue,
  what: string,
) {
  return v.pipe(plainTable(what), v.record(key, value));
}
