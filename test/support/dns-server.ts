/** A small authoritative DNS server on 127.0.0.1 (UDP) for the dns probe's tests. */
import dgram from "node:dgram";
import dnsPacket, { type Answer } from "dns-packet";

export type Zone = Record<string, { rcode?: "SERVFAIL" | "REFUSED"; silent?: boolean; answers?: Answer[] }>;

export async function startDnsServer(zone: Zone): Promise<{ address: string; close(): Promise<void> }> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    const entry = zone[question.name.toLowerCase()];
    if (entry?.silent) return;
    const answers = (entry?.answers ?? []).filter((answer) => answer.type === question.type);
    const rcode = entry ? (entry.rcode ?? "NOERROR") : "NXDOMAIN";
    // dns-packet encodes the response code only through the low four bits of the flags.
    const rcodeBits = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode];
    const response = dnsPacket.encode({
      id: query.id,
      type: "response",
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | rcodeBits,
      questions: query.questions,
      answers:
        rcode === "NOERROR" ? answers.map((answer) => ({ ...answer, name: question.name, ttl: 60 })) : [],
    } as dnsPacket.Packet);
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
