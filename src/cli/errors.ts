// A user-caused CLI failure: printed as one line naming the flag (or config file, line and key), with the exit code to use.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** A bad value for one option: its name and the problem apart, so a config-file error can say where. */
export class OptionError extends CliError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`--${option}: ${problem}`);
  }
}
