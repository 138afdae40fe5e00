// Named exit codes, so scripts and systemd can tell failures apart (sysexits.h where one fits).
export const ExitCode = {
  Ok: 0,
  /** The appliance failed while running (e.g. the port could not be bound). */
  Failure: 1,
  /** The command line was wrong (EX_USAGE). */
  Usage: 64,
  /** The configuration file is invalid (EX_CONFIG). */
  Config: 78,
  /** The configuration file could not be read (EX_NOINPUT). */
  NoInput: 66,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
