/**
 * Globs on S3 keys, by picomatch: `*` within a path segment, `**` across segments, `?` one character,
 * `[ab]` a class, `{a,b}` alternatives. A glob with no `/` matches the object's name (the key's last
 * segment); one with a `/` matches the whole key.
 */
import picomatch from "picomatch";

export function globMatcher(glob: string): (key: string) => boolean {
  const whole = glob.includes("/");
  const match = picomatch(glob, { dot: true, basename: !whole, strictBrackets: true });
  return (key) => match(key);
}

/** Why `glob` is not one picomatch reads (unbalanced brackets or braces), or undefined. */
export function globProblem(glob: string): string | undefined {
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
