// Turns a checked note name into a path on disk that is inside the vault folder, checked twice:
// lexically after path.resolve, and again after realpath, so that a symbolic link inside the
// vault cannot lead a read or a write outside it. Folders are created one level at a time and
// never through a link that leaves the vault.
// Not defended: another local process swapping a folder for a link between our check and our
// open (a TOCTOU race). The vault is a single-user demo; a hardened server would use O_NOFOLLOW
// and openat-style resolution.

import type { Stats } from "node:fs";
import { lstat, mkdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { NoteError } from "./note-error.ts";

function isInside(root: string, candidate: string, allowRoot = false): boolean {
  const relative = path.relative(root, candidate);
  if (relative === "") return allowRoot;
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function leavesVault(name: string): NoteError {
  return new NoteError(`"${name}" resolves outside the vault; refusing.`);
}

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw error;
  }
}

/** Follows a link found inside the vault; it must lead to an existing place inside the vault. */
async function followLink(root: string, link: string, name: string, allowRoot: boolean): Promise<string> {
  let real: string;
  try {
    real = await realpath(link);
  } catch (error) {
    if (errorCode(error) === "ENOENT") throw new NoteError(`"${name}" goes through a link that leads nowhere; refusing.`);
    throw error;
  }
  if (!isInside(root, real, allowRoot)) throw leavesVault(name);
  return real;
}

function lexicalPath(root: string, name: string): string {
  const target = path.resolve(root, name);
  if (!isInside(root, target)) throw leavesVault(name);
  return target;
}

/** The real path of an existing entry, for reading. */
export async function existingNotePath(root: string, name: string): Promise<string> {
  const target = lexicalPath(root, name);
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") throw new NoteError(`No note named "${name}".`, true);
    throw error;
  }
  if (!isInside(root, real)) throw leavesVault(name);
  return real;
}

/** The real path a note is to be written to, after creating the folders it needs. */
export async function writableNotePath(root: string, name: string): Promise<string> {
  lexicalPath(root, name);
  const segments = name.split("/");
  const fileName = segments.pop() as string;
  let folder = root;
  for (const segment of segments) folder = await enterFolder(root, path.join(folder, segment), name);

  const file = path.join(folder, fileName);
  const info = await lstatOrNull(file);
  if (info === null) return file;
  // Writing to a link inside the vault writes the note it points to, like an editor would.
  const real = info.isSymbolicLink() ? await followLink(root, file, name, false) : file;
  const target = info.isSymbolicLink() ? await stat(real) : info;
  if (target.isDirectory()) throw new NoteError(`"${name}" is a folder, not a note.`);
  if (!target.isFile()) throw new NoteError(`"${name}" is not a regular file.`);
  return real;
}

async function enterFolder(root: string, folder: string, name: string): Promise<string> {
  const info = await lstatOrNull(folder);
  if (info === null) {
    await mkdir(folder);
    return folder;
  }
  const real = info.isSymbolicLink() ? await followLink(root, folder, name, true) : folder;
  const target = info.isSymbolicLink() ? await stat(real) : info;
  if (!target.isDirectory()) {
    throw new NoteError(`"${name}" needs "${path.relative(root, folder)}" to be a folder, but it is a note.`);
  }
  return real;
}
