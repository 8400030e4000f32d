/**
 * Certificates of the kinds real servers present and every client must take: an RSA-4096 key, an
 * ECDSA P-384 key, and a leaf whose two intermediates are sent in the wrong order, all under one
 * test root, for 127.0.0.1, ::1 and localhost.
 */
import { webcrypto } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyAlgorithm = webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const DAY = 86_400_000;
const P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const P384 = { name: "ECDSA", namedCurve: "P-384", hash: "SHA-384" } as const;
const RSA4096 = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 4096,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;

export interface ServerIdentity {
  key: string;
  /** The leaf first, then what the server sends with it. */
  cert: string;
}

export interface CorpusPki {
  caPem: string;
  rsa4096: ServerIdentity;
  p384: ServerIdentity;
  /** Leaf ← intermediate A ← intermediate B ← root, sent as leaf, B, A. */
  outOfOrder: ServerIdentity;
  /** A P-256 leaf with the root's one intermediate in order. */
  plain: ServerIdentity;
}

async function pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END PRIVATE KEY-----\n`;
}

const generate = (algorithm: KeyAlgorithm) =>
  webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;

const CA_EXTENSIONS = () => [
  new x509.BasicConstraintsExtension(true, undefined, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
];

export async function createCorpusPki(now = Date.now()): Promise<CorpusPki> {
  const notBefore = new Date(now - DAY);
  const notAfter = new Date(now + 90 * DAY);
  const rootKeys = await generate(P256);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=Watchpost Corpus Root",
    keys: rootKeys,
    notBefore,
    notAfter,
    signingAlgorithm: P256,
    extensions: CA_EXTENSIONS(),
  });
  const issue = async (
    subject: string,
    keys: CryptoKeyPair,
    issuer: { cert: x509.X509Certificate; keys: CryptoKeyPair },
    ca: boolean,
  ) =>
    x509.X509CertificateGenerator.create({
      subject,
      issuer: issuer.cert.subject,
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: P256,
      extensions: ca
        ? CA_EXTENSIONS()
        : [
            new x509.SubjectAlternativeNameExtension([
              { type: "dns", value: "localhost" },
              { type: "ip", value: "127.0.0.1" },
              { type: "ip", value: "::1" },
            ]),
            new x509.BasicConstraintsExtension(false),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          ],
    });
  const rootIssuer = { cert: root, keys: rootKeys };
  const bKeys = await generate(P256);
  const b = await issue("CN=Corpus Intermediate B", bKeys, rootIssuer, true);
  const aKeys = await generate(P256);
  const a = await issue("CN=Corpus Intermediate A", aKeys, { cert: b, keys: bKeys }, true);
  const leaf = async (algorithm: KeyAlgorithm, issuer = rootIssuer) => {
    const keys = await generate(algorithm);
    return { keys, cert: await issue("CN=localhost", keys, issuer, false) };
  };
  const [rsa, p384, ordered, plain] = await Promise.all([
    leaf(RSA4096),
    leaf(P384),
    leaf(P256, { cert: a, keys: aKeys }),
    leaf(P256),
  ]);
  const chain = (...certs: x509.X509Certificate[]) => certs.map((c) => c.toString("pem")).join("\n");
  return {
    caPem: root.toString("pem"),
    rsa4096: { key: await pem(rsa.keys.privateKey), cert: chain(rsa.cert) },
    p384: { key: await pem(p384.keys.privateKey), cert: chain(p384.cert) },
    outOfOrder: { key: await pem(ordered.keys.privateKey), cert: chain(ordered.cert, b, a) },
    plain: { key: await pem(plain.keys.privateKey), cert: chain(plain.cert) },
  };
}
