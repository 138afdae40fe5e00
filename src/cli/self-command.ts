// The argv that starts this same program again: the executable alone when compiled, the
// runtime plus this entry script when run from the source tree. The demo uses it to spawn its
// vault server without depending on anything else being installed.

/** Inside `bun build --compile` output, modules live under the embedded /$bunfs root. */
function isCompiled(): boolean {
  return import.meta.path.startsWith("/$bunfs/") || import.meta.path.startsWith("B:/~BUN/");
}

export function selfCommand(): { command: string; args: string[] } {
  if (isCompiled()) return { command: process.execPath, args: [] };
  return { command: process.execPath, args: [Bun.main] };
}
