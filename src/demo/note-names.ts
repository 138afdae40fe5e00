// What a note name may be. Names are relative, "/"-separated paths such as "ideas/today.md".
// Everything that could step out of the vault folder, or name the same file twice, is refused
// here, before any path is built; note-paths.ts checks the resolved path again on disk.

import { NoteError } from "./note-error.ts";

export const MAX_NAME_LENGTH = 200;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Returns the name unchanged when it is acceptable, or throws a NoteError saying why not. */
export function checkNoteName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw new NoteError("A note name must be a non-empty string.");
  if (name.length > MAX_NAME_LENGTH) {
    throw new NoteError(`A note name may be at most ${MAX_NAME_LENGTH} characters (got ${name.length}).`);
  }
  // NUL would truncate the path in the kernel; newlines would make list output ambiguous.
  if (CONTROL_CHARACTER.test(name)) throw new NoteError("A note name must not contain NUL or other control characters.");
  if (name.includes("\\")) throw new NoteError('A note name must use "/" between folders, not backslashes.');
  if (name.startsWith("/")) throw new NoteError(`A note name must be relative to the vault, not absolute: "${name}".`);
  for (const segment of name.split("/")) {
    if (segment === "..") throw new NoteError(`A note name must not contain "..": "${name}".`);
    if (segment === "" || segment === ".") throw new NoteError(`A note name must not contain empty or "." parts: "${name}".`);
    // Hidden entries are not notes: this keeps ".git/" and our own temporary files out of reach.
    if (segment.startsWith(".")) throw new NoteError(`A note name must not have parts starting with ".": "${name}".`);
  }
  return name;
}

export function isNoteName(name: string): boolean {
  try {
    checkNoteName(name);
    return true;
  } catch {
    return false;
  }
}
