/** Certificate facts and the conditions on them, shared by the `tls` and `http` probes. */

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from "node:tls";
import type { CertificateFacts, Condition } from "../result.js";
import { formatDuration, formatSpan } from "../units.js";
import { dnsNames, goDistinguishedName, hexFingerprint, subjectAltNames } from "./certificate-names.js";
import { describeCertificateError } from "./errors.js";
import { CheckSetupError } from "./probe.js";

/** The chain the peer presented, leaf first, each certificate once. */
function chainOf(leaf: X509Certificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let cert: X509Certificate | undefined = leaf;
  while (cert && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** `CN=api.example.com, O=Example` from X509Certificate's one-field-per-line form. */
function distinguishedName(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

/** The roots a trust store holds, by subject, parsed once per store (the system's, or a `ca:` bundle). */
const anchors = new Map<string, Map<string, X509Certificate[]>>();

function trustAnchors(ca: string | undefined): Map<string, X509Certificate[]> {
  const key = ca ?? "";
  let bySubject = anchors.get(key);
  if (!bySubject) {
    bySubject = new Map();
    const pems = ca ? splitPem(ca) : [...rootCertificates, ...extraSystemRoots()];
    for (const pem of pems) {
      try {
        const cert = new X509Certificate(pem);
        bySubject.set(cert.subject, [...(bySubject.get(cert.subject) ?? []), cert]);
      } catch {
        // Not a certificate: OpenSSL skips it too.
      }
    }
    anchors.set(key, bySubject);
  }
  return bySubject;
}

/** NODE_EXTRA_CA_CERTS, which Node adds to its own roots. */
function extraSystemRoots(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return splitPem(readFileSync(file, "utf8"));
  } catch {
    return [];
  }
}

function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Most chains built, and longest: a hostile peer's pile of cross-signed certificates stays cheap. */
const MAX_CHAINS = 16;
const MAX_DEPTH = 10;

/**
 * blackbox_exporter's probe_ssl_last_chain_expiry_timestamp_seconds: over every chain from the leaf
 * to a trusted root (through the certificates the peer presented, the root taken from the trust
 * store), the earliest expiry in the chain; the latest such expiry over the chains. So a root that
 * expires before the leaf shows here, though the peer never sent it. Undefined when no chain verifies.
 */
export function verifiedChainExpiry(
  leaf: X509Certificate,
  presented: readonly X509Certificate[],
  ca: string | undefined,
): number | undefined {
  const roots = trustAnchors(ca);
  const isRoot = (cert: X509Certificate) =>
    (roots.get(cert.subject) ?? []).some((root) => root.fingerprint256 === cert.fingerprint256);
  const issuersOf = (cert: X509Certificate) =>
    [...(roots.get(cert.issuer) ?? []), ...presented.filter((p) => p.subject === cert.issuer)].filter(
      (candidate) => cert.checkIssued(candidate) && cert.verify(candidate.publicKey),
    );
  let best: number | undefined;
  let chains = 0;
  const walk = (cert: X509Certificate, path: X509Certificate[], earliest: number) => {
    if (chains >= MAX_CHAINS) return;
    const until = Math.min(earliest, Date.parse(cert.validTo));
    if (isRoot(cert)) {
      chains++;
      best = best === undefined ? until : Math.max(best, until);
      return;
    }
    if (path.length >= MAX_DEPTH) return;
    for (const issuer of issuersOf(cert)) {
      if (path.some((seen) => seen.fingerprint256 === issuer.fingerprint256)) continue;
      walk(issuer, [...path, issuer], until);
    }
  };
  walk(leaf, [leaf], Number.POSITIVE_INFINITY);
  return best;
}

/**
 * Facts about the certificate a socket was shown, whether or not it verified. Undefined when the
 * peer presented none (a resumed session or a failed handshake). X509Certificate parses lazily:
 * much cheaper per probe than getPeerCertificate(true), which builds every field of the chain.
 */
export function certificateFacts(
  socket: TLSSocket,
  hostname: string,
  ca?: string,
): CertificateFacts | undefined {
  const leaf = socket.getPeerX509Certificate();
  if (!leaf) return undefined;
  const presented = chainOf(leaf);
  const described = describeChain(leaf, presented, socket.authorized ? ca : undefined, socket.authorized);
  // The probes turn off Node's own hostname check (it rebuilds the chain as objects on every
  // handshake): X509Certificate answers the same question without that.
  const hostnameMatches = (isIP(hostname) ? leaf.checkIP(hostname) : leaf.checkHost(hostname)) !== undefined;
  const verifyError = socket.authorized
    ? hostnameMatches
      ? undefined
      : "ERR_TLS_CERT_ALTNAME_INVALID"
    : String(socket.authorizationError ?? "unknown");
  return {
    ...described,
    trusted: socket.authorized,
    ...(verifyError ? { verifyError } : {}),
    hostnameMatches,
  };
}

type ChainDescription = Omit<CertificateFacts, "trusted" | "verifyError" | "hostnameMatches">;

/**
 * What a presented chain says, by the chain's fingerprints and the trust store: a target shows the
 * same chain probe after probe, and building chains to the roots checks signatures. Bounded; the
 * oldest description goes first.
 */
const descriptions = new Map<string, ChainDescription>();
const MAX_DESCRIPTIONS = 1_000;

/** A short name for each trust store (a `ca:` bundle can be large), for the descriptions' keys. */
const trustStores = new Map<string, number>();
function trustStoreId(ca: string | undefined): number {
  const key = ca ?? "";
  let id = trustStores.get(key);
  if (id === undefined) {
    id = trustStores.size;
    trustStores.set(key, id);
  }
  return id;
}

function describeChain(
  leaf: X509Certificate,
  presented: readonly X509Certificate[],
  ca: string | undefined,
  verified: boolean,
): ChainDescription {
  const key = `${verified ? `verified:${trustStoreId(ca)}` : "unverified"}|${presented.map((c) => c.fingerprint256).join(",")}`;
  const known = descriptions.get(key);
  if (known) return known;
  const verifiedUntil = verified ? verifiedChainExpiry(leaf, presented, ca) : undefined;
  const chain = presented.map((cert) => ({
    subject: distinguishedName(cert.subject),
    notAfter: new Date(cert.validTo).toISOString(),
  }));
  const earliest = Math.min(...chain.map((cert) => Date.parse(cert.notAfter)));
  const described: ChainDescription = {
    subject: distinguishedName(leaf.subject),
    issuer: distinguishedName(leaf.issuer),
    sans: subjectAltNames(leaf.subjectAltName ?? ""),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    earliestNotAfter: new Date(earliest).toISOString(),
    chain,
    fingerprint256: leaf.fingerprint256,
    ...(verifiedUntil !== undefined ? { verifiedChainNotAfter: new Date(verifiedUntil).toISOString() } : {}),
    blackbox: {
      subject: goDistinguishedName(leaf.subject),
      issuer: goDistinguishedName(leaf.issuer),
      dnsNames: dnsNames(leaf).join(","),
      fingerprint: hexFingerprint(leaf.fingerprint256),
    },
  };
  if (descriptions.size >= MAX_DESCRIPTIONS) descriptions.delete(descriptions.keys().next().value as string);
  descriptions.set(key, described);
  return described;
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

const pemFiles = new Map<string, { pem: Promise<string>; until: number }>();
/** How long a PEM file read is reused: probes of one run share it; an edit shows within a minute. */
const PEM_FILE_TTL_MS = 60_000;

/** A `ca:` bundle, relative to the check file; deployed checks carry the PEM itself. */
export function readCa(baseDir: string, file: string | undefined): Promise<string | undefined> {
  return readPem(baseDir, file, "ca file");
}

/**
 * PEM text from where a check names it: a file relative to the check file, or the text itself (a
 * resolved reference, or what a deployment inlined). `what` names it in the reason when unreadable.
 */
export async function readPem(
  baseDir: string,
  value: string | undefined,
  what: string,
): Promise<string | undefined> {
  if (!value) return undefined;
  if (value.trimStart().startsWith("-----BEGIN")) return value;
  const resolved = path.resolve(baseDir, value);
  const cached = pemFiles.get(resolved);
  if (cached && cached.until > Date.now()) return cached.pem;
  const pem = readFile(resolved, "utf8").catch((error: unknown) => {
    pemFiles.delete(resolved);
    throw new CheckSetupError(
      `cannot read the ${what} ${value} (${(error as { code?: string }).code ?? error})`,
      { cause: error },
    );
  });
  pemFiles.set(resolved, { pem, until: Date.now() + PEM_FILE_TTL_MS });
  return pem;
}

const contexts = new Map<string, SecureContext>();
/** Trust stores and client identities in use at once; the oldest context goes first. */
const MAX_CONTEXTS = 256;

/** A client certificate (its chain) and its private key, PEM. */
export interface ClientIdentity {
  cert: string;
  key: string;
}

/** A check's client certificate and key, each a file relative to the check file or PEM text. */
export async function readClientIdentity(
  baseDir: string,
  cert: string | undefined,
  key: string | undefined,
): Promise<ClientIdentity | undefined> {
  if (!cert || !key) return undefined;
  const [certPem, keyPem] = await Promise.all([
    readPem(baseDir, cert, "client certificate file"),
    readPem(baseDir, key, "client key file"),
  ]);
  return { cert: certPem as string, key: keyPem as string };
}

/**
 * One TLS context per trust store (and client identity), shared by every probe: building one parses
 * the roots (the system's, or a `ca:` bundle), which cost more than the handshake itself. Sessions
 * are not resumed through it: the probes ask for no session and cache none. A certificate or key
 * that is not usable PEM is the check's setup error (its text never quotes the key).
 */
export function secureContextFor(ca: string | undefined, client?: ClientIdentity): SecureContext {
  const key = client ? `${ca ?? ""}\0${client.cert}\0${client.key}` : (ca ?? "");
  let context = contexts.get(key);
  if (!context) {
    try {
      context = createSecureContext({ ...(ca ? { ca } : {}), ...(client ?? {}) });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CheckSetupError(
        client
          ? `the client certificate and key cannot be used${code ? ` (${code})` : ""}: expected PEM of a certificate and its private key`
          : `the ca bundle cannot be used${code ? ` (${code})` : ""}: expected PEM certificates`,
        { cause: error },
      );
    }
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}
