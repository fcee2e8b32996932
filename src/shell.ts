// POSIX shell quoting for the commands oom-doctor suggests to people (`kubectl ... patch ...`): each
// argument reaches the program as one word, whatever it holds. Words made only of characters no shell
// reads specially are left bare, so everyday commands stay easy to read.

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(argument: string): string {
  if (BARE.test(argument)) return argument;
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** The arguments as one command line to paste into a shell. */
export function shellCommand(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}
