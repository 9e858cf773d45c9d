/**
 * A failure of the outside world while talking to the archive: the network, a dead mirror,
 * a bad signature, a hash that does not match. The CLI exits with 3 for these. The message
 * names what failed and where; `hint` says what the user can do about it.
 */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "SourceError";
  }
}
