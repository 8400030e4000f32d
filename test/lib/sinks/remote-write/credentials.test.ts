import { describe, expect, it } from "vitest";
import { parseCredentialsSecret } from "../../../../lib/sinks/remote-write/credentials.js";

describe("remote-write credentials from a secret", () => {
  it("reads a bearer token, basic auth and headers", () => {
    expect(parseCredentialsSecret('{"bearerToken":"t","headers":{"X-Scope-OrgID":"a"}}', "secret S")).toEqual(
      {
        bearerToken: "t",
        headers: { "X-Scope-OrgID": "a" },
      },
    );
    expect(parseCredentialsSecret('{"username":"u","password":"p"}', "secret S")).toEqual({
      basicAuth: { username: "u", password: "p" },
    });
  });

  it.each([
    ["not json", "secret S: expected JSON with bearerToken, or username and password"],
    ["[]", "secret S: expected a JSON object, found an array"],
    [
      '{"token":"hunter2"}',
      'secret S: unknown key "token"; expected bearerToken, username, password or headers',
    ],
    ['{"username":"u"}', "secret S: expected both username and password as non-empty strings"],
    ['{"headers":{"a":1}}', "secret S: headers: expected an object of string values"],
  ])("refuses %s without quoting the secret's values", (text, message) => {
    expect(() => parseCredentialsSecret(text, "secret S")).toThrow(message);
    try {
      parseCredentialsSecret(text, "secret S");
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });
});
