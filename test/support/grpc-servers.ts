/**
 * Real gRPC servers on loopback (@grpc/grpc-js) for the grpc probe's tests: the health service with
 * per-service statuses, plain or TLS; a server without it; one whose health call never answers.
 */
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

export interface GrpcTarget {
  port: number;
  /** `127.0.0.1:PORT` */
  target: string;
  /** Metadata of the latest health call, as the server received it. */
  lastMetadata?: Record<string, unknown>;
  close(): Promise<void>;
}

export type HealthBehaviour =
  | { statuses: Record<string, "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN"> }
  | { hang: true }
  | { none: true };

const definition = protoLoader.loadSync(path.join(import.meta.dirname, "health.proto"), {
  enums: String,
  defaults: true,
});
const health = (
  grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } };
  }
).grpc.health.v1.Health.service;

export async function grpcTarget(
  behaviour: HealthBehaviour,
  /** With `clientCa`, a client certificate signed by it is required (mutual TLS). */
  tls?: { key: string; cert: string; clientCa?: string },
): Promise<GrpcTarget> {
  const server = new grpc.Server();
  const target: Partial<GrpcTarget> = {};
  const pending: grpc.sendUnaryData<unknown>[] = [];
  if (!("none" in behaviour)) {
    server.addService(health, {
      Check(call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
        target.lastMetadata = call.metadata.getMap();
        if ("hang" in behaviour) {
          pending.push(callback);
          return;
        }
        const status = behaviour.statuses[call.request.service];
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: "unknown service" });
        else callback(null, { status });
      },
    });
  }
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        tls.clientCa ? Buffer.from(tls.clientCa) : null,
        [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
        tls.clientCa !== undefined,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return Object.assign(target, {
    port,
    target: `127.0.0.1:${port}`,
    close: async () => {
      server.forceShutdown();
    },
  }) as GrpcTarget;
}
