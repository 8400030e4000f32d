/** Certificate facts and the conditions on them, shared by the `tls` and `http` probes. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from "node:tls";
import type { CertificateFacts, Condition } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { describeCertificateError } from "./errors.js";

/** The presented chain, leaf first, each certificate once. */
function chainOf(leaf: DetailedPeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert && Object.keys(cert).length > 0 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : value}`)
    .join(", ");
}

/**
 * Facts about the certificate a socket was shown, whether or not it verified. Undefined when the
 * peer presented none (a resumed session or a failed handshake).
 */
export function certificateFacts(socket: TLSSocket): CertificateFacts | undefined {
  const leaf = socket.getPeerCertificate(true);
  if (!leaf || Object.keys(leaf).length === 0) return undefined;
  const chain = chainOf(leaf);
  const earliest = Math.min(...chain.map((cert) => Date.parse(cert.valid_to)));
  const verifyError = socket.authorized ? undefined : String(socket.authorizationError ?? "unknown");
  return {
    subject: distinguishedName(leaf.subject as unknown as Record<string, string>),
    issuer: distinguishedName(leaf.issuer as unknown as Record<string, string>),
    sans: (leaf.subjectaltname ?? "")
      .split(",")
      .map((san) => san.trim())
      .filter(Boolean),
    notBefore: new Date(leaf.valid_from).toISOString(),
    notAfter: new Date(leaf.valid_to).toISOString(),
    earliestNotAfter: new Date(earliest).toISOString(),
    trusted: socket.authorized || verifyError === "ERR_TLS_CERT_ALTNAME_INVALID",
    ...(verifyError ? { verifyError } : {}),
    hostnameMatches: verifyError !== "ERR_TLS_CERT_ALTNAME_INVALID",
    fingerprint256: leaf.fingerprint256,
  };
}

/** `certificate expires in 5d, expected at least 14d` or `certificate expired 3d ago`. */
export function validForCondition(
  facts: CertificateFacts,
  validForMs: number,
  now: number,
  which: "leaf" | "chain",
): Condition {
  const notAfter = Date.parse(which === "leaf" ? facts.notAfter : facts.earliestNotAfter);
  const left = notAfter - now;
  const subject = which === "leaf" ? "certificate" : "a certificate in the chain";
  const text =
    left <= 0
      ? `${subject} expired ${formatSpan(-left)} ago (${new Date(notAfter).toISOString()})`
      : `${subject} expires in ${formatSpan(left)}, expected at least ${formatDuration(validForMs)}`;
  return { ok: left >= validForMs, effect: "fail", text };
}

export function trustCondition(facts: CertificateFacts): Condition {
  return facts.trusted
    ? { ok: true, effect: "fail", text: "certificate chain is trusted" }
    : {
        ok: false,
        effect: "fail",
        text: `certificate not trusted: ${describeCertificateError(facts.verifyError) ?? facts.verifyError}`,
      };
}

export function hostnameCondition(facts: CertificateFacts, hostname: string): Condition {
  return facts.hostnameMatches
    ? { ok: true, effect: "fail", text: `certificate is valid for ${hostname}` }
    : {
        ok: false,
        effect: "fail",
        text: `certificate is not valid for ${hostname} (it names ${facts.sans.join(", ") || facts.subject})`,
      };
}

/** A `ca:` bundle, relative to the check file. */
export async function readCa(baseDir: string, file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  return readFile(path.resolve(baseDir, file), "utf8");
}
