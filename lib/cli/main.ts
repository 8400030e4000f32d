/** `watchpost <command>`: finds the command, parses its options as its spec says, and hands them to it. */

import { didYouMean } from "../checks/diagnostics.js";
import { VERSION } from "../version.js";
import { describeFileError, EnvironmentError, type Io, UsageError } from "./context.js";
import { commandHelp, usage } from "./help.js";
import { parseCommandLine } from "./parse.js";
import { COMMANDS } from "./registry.js";

export type { Io } from "./context.js";

/** Exit code for a fault of Watchpost itself (sysexits' EX_SOFTWARE): said in a line, stack with --debug. */
export const INTERNAL_ERROR = 70;

export async function main(argv: string[], io: Io): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      // One hint, the closest one: the command's own help when a command was named.
      const command = COMMANDS.find((c) => c.name === argv[0]);
      const help = command ? `watchpost ${command.name} --help` : "watchpost --help";
      io.stderr.write(`watchpost: ${(error as Error).message}\nRun '${help}' for usage.\n`);
      return 2;
    }
    const environment = error instanceof EnvironmentError ? error.message : describeFileError(error, "use");
    if (environment !== undefined) {
      io.stderr.write(`watchpost: ${environment}\n`);
      if (debug) io.stderr.write(`${(error as Error).stack}\n`);
      return 2;
    }
    io.stderr.write(
      `watchpost: internal error: ${(error as Error)?.message ?? String(error)}\n${
        debug ? `${(error as Error)?.stack}\n` : "Run again with --debug to see where, and report it.\n"
      }`,
    );
    return INTERNAL_ERROR;
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith("-")) {
    if (argv.includes("--version")) {
      io.stdout.write(`watchpost ${VERSION}\n`);
      return 0;
    }
    const asked = argv.includes("--help") || argv.includes("-h");
    (asked ? io.stdout : io.stderr).write(usage(COMMANDS));
    if (!asked && first !== undefined) throw new UsageError(`expected a command first, found "${first}"`);
    return asked ? 0 : 2;
  }
  if (first === "help") {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(topic ? commandHelp(topic) : usage(COMMANDS));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const suggestion = didYouMean(
      first,
      COMMANDS.map((c) => c.name),
    );
    throw new UsageError(`unknown command "${first}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`);
  }
  const { values, positionals } = parseCommandLine(command, COMMANDS, rest);
  if (values.help) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  if (values.version) {
    io.stdout.write(`watchpost ${VERSION}\n`);
    return 0;
  }
  const argument = command.argument;
  if (argument?.required && positionals.length === 0)
    throw new UsageError(`watchpost ${command.name} needs ${argument.missing}`);
  const most = argument ? 1 : 0;
  if (positionals.length > most) throw new UsageError(`unexpected argument "${positionals[most]}"`);
  return command.run({ values, argument: positionals[0] }, io);
}
