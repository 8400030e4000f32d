/** Certificate facts and the conditions on them, shared by the `tls` and `http` probes. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from "node:tls";
import type { CertificateFacts, Condition } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { describeCertificateError } from "./errors.js";
import { CheckSetupError } from "./probe.js";

/** The chain Node reports (presented, plus the trusted root once verified), leaf first, each once. */
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
  const chain = chainOf(leaf).map((cert) => ({
    subject: distinguishedName(cert.subject as unknown as Record<string, string>),
    notAfter: new Date(cert.valid_to).toISOString(),
  }));
  const earliest = Math.min(...chain.map((cert) => Date.parse(cert.notAfter)));
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
    chain,
    trusted: socket.authorized || verifyError === "ERR_TLS_CERT_ALTNAME_INVALID",
    ...(verifyError ? { verifyError } : {}),
    hostnameMatches: verifyError !== "ERR_TLS_CERT_ALTNAME_INVALID",
    fingerprint256: leaf.fingerprint256,
  };
}

/**
 * `certificate expires in 5d, expected at least 14d`, `certificate expired 3d ago`; for the chain,
 * the certificate that expires first, by subject.
 */
export function validForCondition(
  facts: CertificateFacts,
  validForMs: number,
  now: number,
  which: "leaf" | "chain",
): Condition {
  const notAfter = Date.parse(which === "leaf" ? facts.notAfter : facts.earliestNotAfter);
  const first = facts.chain.find((cert) => Date.parse(cert.notAfter) === notAfter);
  const subject = which === "leaf" ? "certificate" : `chain certificate "${first?.subject ?? "?"}"`;
  const left = notAfter - now;
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

/** A `ca:` bundle, relative to the check file; deployed checks carry the PEM itself. */
export async function readCa(baseDir: string, file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  if (file.startsWith("-----BEGIN")) return file;
  try {
    return await readFile(path.resolve(baseDir, file), "utf8");
  } catch (error) {
    throw new CheckSetupError(
      `cannot read the ca file ${file} (${(error as { code?: string }).code ?? error})`,
      {
        cause: error,
      },
    );
  }
}
