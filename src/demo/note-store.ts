// The notes themselves: Markdown files in one folder, named by their path relative to it.
// Every way in goes through checkNoteName (what a name may be) and note-paths.ts (where it may
// lead on disk); this file only decides what reading, writing and listing mean.

import { randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { NoteError } from "./note-error.ts";
import { checkNoteName, isNoteName, MAX_NAME_LENGTH } from "./note-names.ts";
import { existingNotePath, writableNotePath } from "./note-paths.ts";

export const MAX_NOTE_BYTES = 1024 * 1024;
/** Listing stops here, so a huge folder cannot make one call walk the whole disk. */
const MAX_LISTED_NOTES = 10_000;

interface NoteList {
  names: string[];
  /** True when the folder holds more notes than MAX_LISTED_NOTES. */
  truncated: boolean;
}

function tooLarge(name: string, bytes: number): NoteError {
  return new NoteError(`"${name}" is ${bytes} bytes; a note may be at most ${MAX_NOTE_BYTES} bytes (1 MiB).`);
}

export class NoteStore {
  private constructor(readonly root: string) {}

  /** Creates the folder if it is missing; the root is kept as a real path for the containment checks. */
  static async open(dir: string): Promise<NoteStore> {
    await mkdir(dir, { recursive: true });
    return new NoteStore(await realpath(dir));
  }

  async read(name: string): Promise<string> {
    checkNoteName(name);
    const file = await existingNotePath(this.root, name);
    const info = await stat(file);
    if (info.isDirectory()) throw new NoteError(`"${name}" is a folder, not a note.`);
    if (!info.isFile()) throw new NoteError(`"${name}" is not a regular file.`);
    if (info.size > MAX_NOTE_BYTES) throw tooLarge(name, info.size);
    return readFile(file, "utf8");
  }

  /** Creates or replaces a note; returns whether it was new. */
  async write(name: string, content: string): Promise<{ created: boolean; bytes: number }> {
    checkNoteName(name);
    const bytes = Buffer.byteLength(content, "utf8");
    if (bytes > MAX_NOTE_BYTES) throw tooLarge(name, bytes);
    const file = await writableNotePath(this.root, name);
    const created = !(await stat(file).then(
      () => true,
      () => false,
    ));
    // Write beside the note and rename over it, so a reader never sees half a note. The
    // temporary name starts with "." and so can never be listed or named by a client.
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
    try {
      await writeFile(temporary, content, { encoding: "utf8", flag: "wx" });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { created, bytes };
  }

  /** Note names in a stable order, optionally only those starting with `prefix`. */
  async list(prefix = ""): Promise<NoteList> {
    const names: string[] = [];
    for await (const name of this.walk(this.root, "", prefix)) {
      if (names.length === MAX_LISTED_NOTES) return { names, truncated: true };
      names.push(name);
    }
    return { names, truncated: false };
  }

  // Symbolic links are not followed while listing: a link to a parent would loop forever, and
  // only regular files inside the vault are offered as notes.
  private async *walk(folder: string, relative: string, prefix: string): AsyncGenerator<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (relative === "") throw error;
      return; // An unreadable sub-folder hides its notes, not everybody else's.
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.name.startsWith(".") || name.length > MAX_NAME_LENGTH) continue;
      if (entry.isDirectory()) {
        const mayMatch = prefix.startsWith(`${name}/`) || `${name}/`.startsWith(prefix);
        if (mayMatch) yield* this.walk(path.join(folder, entry.name), name, prefix);
      } else if (entry.isFile() && name.startsWith(prefix) && isNoteName(name)) {
        yield name;
      }
    }
  }
}
