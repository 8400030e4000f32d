/** Globs on S3 keys: `*` within a path segment, `**` across segments, `?` one character. */
export function regexFromGlob(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        source += "(?:.*/)?";
        i++;
      } else source += ".*";
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A glob without a slash matches the last path segment; with one, the whole key.
  return glob.includes("/") ? new RegExp(`^${source}$`) : new RegExp(`(^|/)${source}$`);
}
