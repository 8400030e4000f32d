/**
 * Linux network namespaces for tests that need several hosts: each location gets a network of its
 * own, joined to the target's namespace by a veth pair, so one location's path can be cut while the
 * others still reach the target. Needs root and iproute2 (CI has both); where a namespace cannot be
 * made the test says why and skips, except under WATCHPOST_REQUIRE_PEERS (CI), where it fails.
 */
import { execFileSync, spawnSync } from "node:child_process";

export function netnsAvailable(): boolean {
  const probe = `wp-probe-${process.pid}`;
  const made = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (made.status === 0) {
    spawnSync("ip", ["netns", "del", probe]);
    return true;
  }
  const why = made.error ? String(made.error.message) : made.stderr.trim();
  if (process.env.WATCHPOST_REQUIRE_PEERS)
    throw new Error(`network namespaces are required here (WATCHPOST_REQUIRE_PEERS is set): ${why}`);
  console.warn(`skipping: cannot create a network namespace (${why}); run as root with iproute2`);
  return false;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });

/**
 * A target namespace holding `address` on its loopback, and one namespace per location (or the
 * test's own, for `root`) that reaches it through a veth pair of its own.
 */
export class Partitionable {
  readonly target: string;
  private readonly made: string[] = [];
  private readonly links: string[] = [];

  constructor(
    private readonly tag: string,
    readonly address: string,
  ) {
    this.target = `wp-${tag}-target`;
  }

  setUp(locations: { name: string; root?: boolean }[]): void {
    ip("netns", "add", this.target);
    this.made.push(this.target);
    ip("-n", this.target, "link", "set", "lo", "up");
    ip("-n", this.target, "addr", "add", `${this.address}/32`, "dev", "lo");
    locations.forEach((location, index) => {
      const side = location.root ? undefined : this.namespace(location.name);
      if (side) {
        ip("netns", "add", side);
        this.made.push(side);
        ip("-n", side, "link", "set", "lo", "up");
      }
      const here = `wp${this.tag}${index}a`;
      const there = `wp${this.tag}${index}b`;
      ip("link", "add", here, "type", "veth", "peer", "name", there);
      if (location.root) this.links.push(here);
      if (side) ip("link", "set", here, "netns", side);
      ip("link", "set", there, "netns", this.target);
      const inSide = (...args: string[]) => (side ? ip("-n", side, ...args) : ip(...args));
      inSide("addr", "add", `10.213.${index}.1/30`, "dev", here);
      inSide("link", "set", here, "up");
      ip("-n", this.target, "addr", "add", `10.213.${index}.2/30`, "dev", there);
      ip("-n", this.target, "link", "set", there, "up");
      inSide("route", "replace", `${this.address}/32`, "via", `10.213.${index}.2`);
    });
  }

  namespace(location: string): string {
    return `wp-${this.tag}-${location}`;
  }

  /** The location's route to the target goes: its packets have nowhere to go. */
  cut(location: string): void {
    ip("-n", this.namespace(location), "route", "del", `${this.address}/32`);
  }

  /** Undoes everything set up, whatever failed on the way. */
  tearDown(): void {
    for (const link of this.links) spawnSync("ip", ["link", "del", link]);
    for (const namespace of this.made.reverse()) spawnSync("ip", ["netns", "del", namespace]);
  }
}
