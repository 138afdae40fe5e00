// The one error the loader throws. Each problem is a complete line that names the file and the
// key ("/etc/mcp.toml: servers.vault.args: expected an array of strings, got a string"), so the
// CLI can print them as they are and an operator can fix them all in one edit.

export class ConfigError extends Error {
  override readonly name: string = "ConfigError";

  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** The file itself could not be read (missing, unreadable, not a regular file, too large). */
export class ConfigReadError extends ConfigError {
  override readonly name = "ConfigReadError";
}

/**
 * Why a file could not be read, in words and without the file's content: node's messages
 * already name the path, and the caller names it too, so only the reason is kept.
 */
export function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a parent of it is not a directory";
    case "ELOOP":
      return "too many symbolic links";
    case "ENAMETOOLONG":
      return "the path is too long";
  }
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}
