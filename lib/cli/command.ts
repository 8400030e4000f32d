/**
 * What a command of the CLI is: its options, help and exit codes, and its handler, in one object.
 * The parser, `watchpost --help`, `watchpost <command> --help` and the did-you-mean for a mistyped
 * option all read these objects (lib/cli/registry.ts lists them), so a command changes in one file.
 */
import type { Io } from "./context.js";

export interface OptionSpec {
  type: "string" | "boolean";
  /** What the value looks like in help: `PATH`, `N`, `URL`. */
  value?: string;
  /** The value when the option is not given; help says it. */
  default?: string;
  /**
   * Said in help only: the default is applied further on, where an option not given must stay
   * undefined (`--job` without `--remote-write` is a mistake, not the default job).
   */
  defaultText?: string;
  multiple?: boolean;
  short?: string;
  help: string;
}

/** Options by name, in the order help lists them. */
export type Options = Readonly<Record<string, OptionSpec>>;

export type Value = string | boolean | string[] | undefined;

/** What the parser hands a command for one option: booleans are false unless given. */
type ValueOf<O extends OptionSpec> = OptionSpec extends O
  ? Value
  : O extends { type: "boolean" }
    ? boolean
    : O extends { multiple: true }
      ? string[] | undefined
      : O extends { default: string }
        ? string
        : string | undefined;

export type Values<O extends Options> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** `watchpost run [options]`. */
  usage: string;
  /** The one argument after the command's name, if it takes one; `missing` says what it is when required. */
  argument?: { required: false } | { required: true; missing: string };
  options: O;
  examples: readonly string[];
  /** Exit codes this command uses, beyond 0. */
  exits: readonly string[];
  run(given: { values: Values<O>; argument: string | undefined }, io: Io): Promise<number>;
}

/** A command, with its options' names and value types known to its handler. */
export function command<const O extends Options>(spec: Command<O>): Command<O> {
  return spec;
}
