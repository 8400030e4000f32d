/** Network and TLS errors in the words an on-call engineer needs. */
import type { Condition, Observation } from "../result.js";
import type { ResolvedAddress } from "./timing.js";

const CERT_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not yet valid",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate issuer is not trusted (unable to verify the leaf signature)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate issuer is not trusted",
  UNABLE_TO_GET_ISSUER_CERT: "certificate issuer is not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate is not valid for this host name",
  CERT_REVOKED: "certificate is revoked",
  CERT_SIGNATURE_FAILURE: "certificate signature is invalid",
};

/**
 * Alerts the server sends about the certificate the client sent (or did not send): the server's
 * verdict on Watchpost's client certificate, not Watchpost's on the server's.
 */
const CLIENT_CERT_ALERTS =
  /_ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED)$/;

/** A TLS verification error code (`CERT_HAS_EXPIRED`) as text, or undefined when it is not one. */
export function describeCertificateError(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const alert = CLIENT_CERT_ALERTS.exec(code)?.[1];
  if (alert === "CERTIFICATE_REQUIRED")
    return `the server demanded a client certificate and the check sends none (${code}): give the check clientCert and clientKey`;
  if (alert) return `the server rejected the client certificate (${code})`;
  return (
    CERT_ERRORS[code] ?? (/CERT|SIGNATURE|ISSUER/.test(code) ? `certificate rejected (${code})` : undefined)
  );
}

interface SystemError extends Error {
  code?: string;
  hostname?: string;
  address?: string;
  port?: number;
  cause?: unknown;
}

/** One line for a failed connection or exchange with `where` (`127.0.0.1:443`, `api.example.com`). */
export function describeNetworkError(error: unknown, where: string): string {
  const err = innermost(error);
  const code = err.code;
  const certificate = describeCertificateError(code);
  if (certificate) return `${certificate} (${where})`;
  if (err.name === "HTTPParserError")
    return `${where} did not answer with valid HTTP (${code ?? err.message})`;
  switch (code) {
    case "ERR_PROXY":
      // Already names the proxy and what it was asked.
      return err.message;
    case "ECONNREFUSED":
      return `connection refused by ${where}`;
    case "ECONNRESET":
      return `connection reset by ${where}`;
    case "EPIPE":
      return `connection closed by ${where} while sending`;
    case "ENOTFOUND":
    case "EAI_NONAME":
      return `DNS lookup failed: ${err.hostname ?? where} does not resolve`;
    case "EAI_AGAIN":
      return `DNS lookup failed: temporary resolver failure for ${err.hostname ?? where}`;
    case "EHOSTUNREACH":
      return `host unreachable: ${where}`;
    case "ENETUNREACH":
      return `network unreachable: ${where}`;
    case "ETIMEDOUT":
      return `connection to ${where} timed out`;
    case "ERR_RESPONSE_INCOMPLETE":
      return `connection closed by ${where} before a complete response`;
    case "HPE_INVALID_CONSTANT":
    case "HPE_INVALID_VERSION":
    case "HPE_INVALID_STATUS":
    case "HPE_INVALID_HEADER_TOKEN":
    case "HPE_CR_EXPECTED":
    case "HPE_LF_EXPECTED":
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return `${where} did not answer with valid HTTP (${code})`;
    case "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL":
      return `TLS handshake with ${where} failed: the server agreed to none of the protocols offered by ALPN`;
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return `TLS handshake with ${where} failed: the peer did not speak TLS`;
    default:
      if (code?.startsWith("ERR_SSL_")) return `TLS handshake with ${where} failed (${code})`;
      if (code?.startsWith("HPE_")) return `${where} did not answer with valid HTTP (${code})`;
      return `${err.message || "request failed"}${code ? ` (${code})` : ""} (${where})`;
  }
}

function innermost(error: unknown): SystemError {
  let err = (error instanceof Error ? error : new Error(String(error))) as SystemError;
  while (!err.code && err.cause instanceof Error) err = err.cause as SystemError;
  return err;
}

/** A failed condition for a network error. */
export function networkFailure(error: unknown, where: string): Condition {
  return { ok: false, effect: "fail", text: describeNetworkError(error, where) };
}

/** A probe that could not observe anything: one failed condition, and the address the name led to. */
export function failedObservation(text: string, resolved?: ResolvedAddress): Observation {
  return {
    conditions: [{ ok: false, effect: "fail", text }],
    summary: "",
    ...(resolved ? { facts: { resolved } } : {}),
  };
}
