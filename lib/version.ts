/** Kept equal to package.json's version by a test; a constant so bundles need no file at run time. */
export const VERSION = "0.1.0";
export const USER_AGENT = `watchpost/${VERSION}`;
