/**
 * Certificate fields written the way blackbox_exporter (Go's crypto/x509) writes them, so the labels
 * of probe_ssl_last_chain_info match: `CN=R3,O=Let's Encrypt,C=US`, SANs `a.example,b.example`, the
 * SHA-256 fingerprint in lower-case hex.
 */
import type { X509Certificate } from "node:crypto";

/** Go's order of the attributes it names, before reversing (RDNSequence.String prints last first). */
const GO_ORDER = ["C", "ST", "L", "STREET", "POSTALCODE", "O", "OU", "CN", "SERIALNUMBER"] as const;
/** OpenSSL's short names of those attributes, as node:crypto prints them. */
const FROM_OPENSSL: Record<string, (typeof GO_ORDER)[number]> = {
  C: "C",
  ST: "ST",
  L: "L",
  street: "STREET",
  postalCode: "POSTALCODE",
  O: "O",
  OU: "OU",
  CN: "CN",
  serialNumber: "SERIALNUMBER",
};
/** Attributes Go has no name for print as `OID=#DER`; these are the ones certificates carry. */
const OIDS: Record<string, string> = {
  emailAddress: "1.2.840.113549.1.9.1",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
  businessCategory: "2.5.4.15",
  jurisdictionC: "1.3.6.1.4.1.311.60.2.1.3",
  jurisdictionST: "1.3.6.1.4.1.311.60.2.1.2",
  jurisdictionL: "1.3.6.1.4.1.311.60.2.1.1",
  organizationIdentifier: "2.5.4.97",
  title: "2.5.4.12",
  description: "2.5.4.13",
  GN: "2.5.4.42",
  SN: "2.5.4.4",
  name: "2.5.4.41",
};

/** node:crypto's one-attribute-per-line name (`C=US\nO=Entrust\, Inc.\nCN=…`), as attribute/value pairs. */
function attributes(name: string): [string, string][] {
  return name
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const eq = line.indexOf("=");
      return [line.slice(0, eq), unescapeValue(line.slice(eq + 1))] as [string, string];
    });
}

/** Undoes OpenSSL's RFC 2253 escapes (`\,` and `\XX` hex pairs). */
function unescapeValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === "\\" && i + 1 < value.length) {
      const hex = value.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(value[i + 1] as string, "utf8"));
        i += 1;
      }
    } else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's escaping of a value in a distinguished name. */
function goEscape(value: string): string {
  const chars = [...value];
  return chars
    .map((c, k) => {
      const escaped =
        ',+"\\<>;'.includes(c) ||
        (c === " " && (k === 0 || k === chars.length - 1)) ||
        (c === "#" && k === 0);
      return escaped ? `\\${c}` : c;
    })
    .join("");
}

/** Go's asn1.Marshal of a string: PrintableString when it can be, UTF8String otherwise. */
function derString(value: string): string {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?*]*$/.test(value);
  const bytes = Buffer.from(value, "utf8");
  const length =
    bytes.length < 0x80
      ? Buffer.from([bytes.length])
      : bytes.length < 0x100
        ? Buffer.from([0x81, bytes.length])
        : Buffer.from([0x82, bytes.length >> 8, bytes.length & 0xff]);
  return Buffer.concat([Buffer.from([printable ? 0x13 : 0x0c]), length, bytes]).toString("hex");
}

/** A distinguished name as Go's pkix.Name.String() writes it. */
export function goDistinguishedName(name: string): string {
  const parsed = attributes(name);
  const known: string[] = [];
  for (const type of GO_ORDER) {
    for (const [attr, value] of parsed)
      if (FROM_OPENSSL[attr] === type) known.push(`${type}=${goEscape(value)}`);
  }
  const other = parsed
    .filter(([attr]) => !(attr in FROM_OPENSSL))
    .map(([attr, value]) => {
      const oid = OIDS[attr];
      return oid ? `${oid}=#${derString(value)}` : `${attr}=${goEscape(value)}`;
    });
  // Go places the attributes it does not name first, then its own in its order; then prints the
  // sequence backwards.
  return [...other, ...known].reverse().join(",");
}

/** The DNS names among a certificate's subject alternative names (IP addresses and e-mails left out). */
export function dnsNames(cert: X509Certificate): string[] {
  return subjectAltNames(cert.subjectAltName ?? "")
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4));
}

/** node:crypto's `DNS:a, IP Address:1.2.3.4` list; an entry with a comma in it comes JSON-quoted. */
export function subjectAltNames(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " " || text[i] === ",") i++;
    if (i >= text.length) break;
    const colon = text.indexOf(":", i);
    if (colon === -1) break;
    const type = text.slice(i, colon);
    let value: string;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      i = end + 1;
    } else {
      const end = text.indexOf(", ", colon);
      value = text.slice(colon + 1, end === -1 ? text.length : end);
      i = end === -1 ? text.length : end;
    }
    out.push(`${type}:${value}`);
  }
  return out;
}

/** `AB:CD:…` as Go's hex.EncodeToString writes it: `abcd…`. */
export function hexFingerprint(fingerprint256: string): string {
  return fingerprint256.replaceAll(":", "").toLowerCase();
}
