/**
 * The standard health-checking protocol (`grpc.health.v1.Health/Check`) on the wire: its request and
 * response messages, each two fields at most, written and read with @bufbuild/protobuf's wire module
 * (already in the bundle for remote-write), so no gRPC library or generated code ships.
 */
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

export const HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";

/** `HealthCheckResponse.ServingStatus`, by number. */
export const SERVING_STATUSES = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"] as const;
export type ServingStatus = (typeof SERVING_STATUSES)[number];

/** `HealthCheckRequest { string service = 1; }` */
export function encodeHealthRequest(service: string): Uint8Array {
  const writer = new BinaryWriter();
  // proto3 leaves a default value out: the empty service (the whole server) is an empty message.
  if (service !== "") writer.tag(1, WireType.LengthDelimited).string(service);
  return writer.finish();
}

/**
 * `HealthCheckResponse { ServingStatus status = 1; }`: the status's name, or `UNKNOWN(7)` for a
 * number the protocol does not define. Throws on bytes that are not a protobuf message.
 */
export function decodeHealthResponse(bytes: Uint8Array): string {
  const reader = new BinaryReader(bytes);
  let status = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.Varint) status = reader.int32();
    else reader.skip(wireType, field);
  }
  return SERVING_STATUSES[status] ?? `UNKNOWN(${status})`;
}

/** gRPC's status codes, by number. */
export const GRPC_CODES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

export const GRPC_OK = 0;
export const GRPC_UNKNOWN = 2;
export const GRPC_NOT_FOUND = 5;
export const GRPC_UNIMPLEMENTED = 12;
export const GRPC_INTERNAL = 13;
export const GRPC_UNAVAILABLE = 14;

export function grpcCodeName(code: number): string {
  return GRPC_CODES[code] ?? `code ${code}`;
}

/** A response without grpc-status: its HTTP status as gRPC clients read it (gRPC's http-grpc-status-mapping). */
export function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GRPC_INTERNAL;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return GRPC_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GRPC_UNAVAILABLE;
    default:
      return GRPC_UNKNOWN;
  }
}
