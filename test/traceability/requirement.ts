// The shape of the requirement traceability table (test/traceability/requirements.ts): each MUST
// and SHOULD of the specifications the appliance implements, and the tests that verify it.

export type Level = "MUST" | "MUST NOT" | "SHOULD" | "SHOULD NOT";

/** A requirement the appliance implements, with the tests that check it. */
export type Requirement = {
  /** Stable and unique: "<spec>.<topic>", e.g. "transports.origin-403". */
  readonly id: string;
  /** Specification and section, e.g. "RFC 6749 §5.2" or "MCP 2025-11-25 transports §Session Management". */
  readonly source: string;
  readonly level: Level;
  /** A short quote or paraphrase of what the appliance does to meet it. */
  readonly text: string;
  /** "<test file> > <describe> > … > <test title>", each naming a test that really checks the requirement. */
  readonly tests: readonly string[];
};

/** A requirement deliberately not implemented (or implemented differently), and why. */
export type NotImplemented = {
  readonly id: string;
  readonly source: string;
  readonly level: Level;
  readonly text: string;
  readonly reason: string;
};

/** A requirement the appliance implements that no test checks yet: a known gap, to be closed. */
export type Untested = {
  readonly id: string;
  readonly source: string;
  readonly level: Level;
  readonly text: string;
  /** Where the behaviour lives, for whoever writes the test. */
  readonly implementedIn: string;
};

/** A test reference: the file, then the describe titles, then the test title. */
export function testRef(file: string, ...titles: string[]): string {
  return [file, ...titles].join(" > ");
}
