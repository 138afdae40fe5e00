// The one error the notes logic throws on purpose. Its message is written for the person (or
// model) that called the tool, so it is safe to show; it never carries an absolute path.

export class NoteError extends Error {
  constructor(
    message: string,
    /** True when the note simply does not exist (resources/read maps this to -32002). */
    readonly notFound = false,
  ) {
    super(message);
  }
}
