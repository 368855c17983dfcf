// A user-caused CLI failure: printed as one line naming the flag, with the exit code to use.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
