/**
 * Every command of the CLI, in the order `watchpost --help` lists them: the one list the parser, the
 * help and the did-you-mean read.
 */
import type { Command } from "./command.js";
import { costCommand } from "./commands/cost.js";
import { demoCommand } from "./commands/demo.js";
import { initCommand } from "./commands/init.js";
import { notifyCommand } from "./commands/notify.js";
import { pingCommand } from "./commands/ping.js";
import { planCommand } from "./commands/plan.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { sloCommand } from "./commands/slo.js";
import { statusCommand } from "./commands/status.js";
import { tokenCommand } from "./commands/token.js";
import { validateCommand } from "./commands/validate.js";

export const COMMANDS: readonly Command[] = [
  initCommand,
  validateCommand,
  runCommand,
  demoCommand,
  planCommand,
  costCommand,
  notifyCommand,
  sloCommand,
  statusCommand,
  pingCommand,
  tokenCommand,
  schemaCommand,
];
