// Named exit codes, so scripts and systemd can tell failures apart (sysexits.h where one fits).
export const ExitCode = {
  Ok: 0,
  /**
   * The appliance failed while running (e.g. the port could not be bound), or a management
   * command could not do what was asked (no such client, a name already taken).
   */
  Failure: 1,
  /** The command line was wrong (EX_USAGE). */
  Usage: 64,
  /** What was read from standard input was refused: a password too short, two that differ (EX_DATAERR). */
  DataError: 65,
  /** The configuration file could not be read (EX_NOINPUT). */
  NoInput: 66,
  /** A file to be written exists already (without --force) or cannot be created (EX_CANTCREAT). */
  CantCreate: 73,
  /** The state database could not be opened: permissions, or written by a newer version (EX_IOERR). */
  StateUnavailable: 74,
  /** The configuration file is invalid, or it decides what the command was asked to change (EX_CONFIG). */
  Config: 78,
  /** Interrupted at a prompt (Ctrl-C): 128 + SIGINT, as a shell reports it. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
