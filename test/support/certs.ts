/** Certificates generated per test run (EC P-256, fast): a CA, leaves that are good and bad in each way. */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;

export interface KeyAndCert {
  key: string;
  cert: string;
  notAfter: Date;
}

export interface TestPki {
  /** PEM of the test root, to pass as `ca:`. */
  caPem: string;
  /** Valid 90 days, for localhost and 127.0.0.1. */
  valid: KeyAndCert;
  /** Valid 5 more days. */
  expiringSoon: KeyAndCert;
  /** Expired yesterday. */
  expired: KeyAndCert;
  /** Signed by itself, not by the CA. */
  selfSigned: KeyAndCert;
  /** Signed by the CA for wrong.example only. */
  wrongHost: KeyAndCert;
  /** Valid 90 days, but issued by an intermediate that expires in 3 days; `cert` holds both. */
  shortIntermediate: KeyAndCert & { intermediateNotAfter: Date };
  /** Valid 30 days, issued by a root of its own (`caPem`) that expires in 2 days; `cert` is the leaf alone. */
  shortRoot: KeyAndCert & { caPem: string; rootNotAfter: Date };
  /** A leaf for other names, valid 90 days, signed by the CA (`caPem`). */
  issue(names: string[]): Promise<KeyAndCert>;
}

async function pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
}

function keys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

function san(names: string[]) {
  return new x509.SubjectAlternativeNameExtension(
    names.map((name) => (/^[\d.]+$/.test(name) ? { type: "ip", value: name } : { type: "dns", value: name })),
  );
}

export async function createTestPki(now = Date.now()): Promise<TestPki> {
  const caKeys = await keys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=Watchpost Test Root",
    keys: caKeys,
    notBefore: new Date(now - 30 * DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const intermediateKeys = await keys();
  const intermediate = await x509.X509CertificateGenerator.create({
    subject: "CN=Watchpost Test Intermediate",
    issuer: ca.subject,
    publicKey: intermediateKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore: new Date(now - 30 * DAY),
    notAfter: new Date(now + 3 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leaf = async (
    names: string[],
    from: number,
    to: number,
    signer: "ca" | "self" | "intermediate" = "ca",
  ): Promise<KeyAndCert> => {
    const leafKeys = await keys();
    const notBefore = new Date(now + from);
    const notAfter = new Date(now + to);
    const extensions = [san(names), new x509.BasicConstraintsExtension(false)];
    const cert =
      signer === "self"
        ? await x509.X509CertificateGenerator.createSelfSigned({
            name: `CN=${names[0]}`,
            keys: leafKeys,
            notBefore,
            notAfter,
            signingAlgorithm: ALGORITHM,
            extensions,
          })
        : await x509.X509CertificateGenerator.create({
            subject: `CN=${names[0]}`,
            issuer: signer === "ca" ? ca.subject : intermediate.subject,
            publicKey: leafKeys.publicKey,
            signingKey: signer === "ca" ? caKeys.privateKey : intermediateKeys.privateKey,
            notBefore,
            notAfter,
            signingAlgorithm: ALGORITHM,
            extensions,
          });
    const chain =
      signer === "intermediate"
        ? `${cert.toString("pem")}\n${intermediate.toString("pem")}`
        : cert.toString("pem");
    return { key: await pem(leafKeys.privateKey), cert: chain, notAfter };
  };
  const local = ["localhost", "127.0.0.1"];
  const shortRootKeys = await keys();
  const shortRootNotAfter = new Date(Math.floor((now + 2 * DAY) / 1000) * 1000);
  const shortRoot = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=Watchpost Test Short Root, O=Watchpost Tests, C=NL",
    keys: shortRootKeys,
    notBefore: new Date(now - 30 * DAY),
    notAfter: shortRootNotAfter,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const shortRootLeafKeys = await keys();
  const shortRootLeafNotAfter = new Date(Math.floor((now + 30 * DAY) / 1000) * 1000);
  const shortRootLeaf = await x509.X509CertificateGenerator.create({
    subject: "CN=localhost, OU=Probes, O=Watchpost Tests\\, Inc., C=NL",
    issuer: shortRoot.subject,
    publicKey: shortRootLeafKeys.publicKey,
    signingKey: shortRootKeys.privateKey,
    notBefore: new Date(now - DAY),
    notAfter: shortRootLeafNotAfter,
    signingAlgorithm: ALGORITHM,
    extensions: [san([...local, "probe.test"]), new x509.BasicConstraintsExtension(false)],
  });
  return {
    caPem: ca.toString("pem"),
    valid: await leaf(local, -DAY, 90 * DAY),
    expiringSoon: await leaf(local, -80 * DAY, 5 * DAY),
    expired: await leaf(local, -90 * DAY, -DAY),
    selfSigned: await leaf(local, -DAY, 90 * DAY, "self"),
    wrongHost: await leaf(["wrong.example"], -DAY, 90 * DAY),
    issue: (names) => leaf(names, -DAY, 90 * DAY),
    shortIntermediate: {
      ...(await leaf(local, -DAY, 90 * DAY, "intermediate")),
      intermediateNotAfter: new Date(now + 3 * DAY),
    },
    shortRoot: {
      key: await pem(shortRootLeafKeys.privateKey),
      cert: shortRootLeaf.toString("pem"),
      notAfter: shortRootLeafNotAfter,
      caPem: shortRoot.toString("pem"),
      rootNotAfter: shortRootNotAfter,
    },
  };
}
