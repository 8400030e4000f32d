import { describe, expect, it } from "vitest";
import { GLOBAL_OPTIONS } from "../../../lib/cli/options.js";
import { COMMANDS } from "../../../lib/cli/registry.js";

describe("the command registry", () => {
  it("names each command once, and each command's examples call it", () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of COMMANDS) {
      expect(c.usage.startsWith(`watchpost ${c.name}`), c.name).toBe(true);
      expect(c.examples.length, c.name).toBeGreaterThan(0);
      for (const example of c.examples) expect(example, c.name).toContain(`watchpost ${c.name}`);
    }
  });

  it("leaves the options every command takes to the CLI: no command defines one of them again", () => {
    for (const c of COMMANDS)
      expect(
        Object.keys(c.options).filter((name) => Object.hasOwn(GLOBAL_OPTIONS, name)),
        c.name,
      ).toEqual([]);
  });

  it("gives every string option a placeholder for help, and no boolean a value or a default (false unless given)", () => {
    for (const c of COMMANDS)
      for (const [name, o] of Object.entries(c.options)) {
        if (o.type === "string") expect(o.value, `${c.name} --${name}`).toBeDefined();
        else
          expect([o.value, o.default, o.defaultText], `${c.name} --${name}`).toEqual([
            undefined,
            undefined,
            undefined,
          ]);
      }
  });
});
