/**
 * Who holds something locally (a file lock, an outbox claim): this machine's name and a process id,
 * so a holder that died can be told from a slow one at once instead of after a timeout.
 */
import { hostname } from "node:os";

export const HOST = hostname();

/** Whether `pid` on `host` is known to be gone: same machine, no such process. Another machine's: never known. */
export function deadHere(host: string, pid: number): boolean {
  if (host !== HOST || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as { code?: string }).code === "ESRCH";
  }
}
