/** A small authoritative DNS server on 127.0.0.1 (UDP, and TCP on the same port) for the dns probe's tests. */
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Answer } from "dns-packet";

export type Zone = Record<
  string,
  {
    rcode?: "SERVFAIL" | "REFUSED";
    silent?: boolean;
    answers?: Answer[];
    authorities?: Answer[];
    additionals?: Answer[];
    /** Over UDP, answer with the TC flag and no records; TCP gives the whole answer. */
    truncate?: boolean;
    /** Before the real answer, send garbage and an answer with the wrong id (a spoofer's tries). */
    junkFirst?: boolean;
  }
>;

function answer(zone: Zone, message: Buffer, transport: "udp" | "tcp"): Buffer[] {
  const query = dnsPacket.decode(message);
  const question = query.questions?.[0];
  if (!question) return [];
  const entry = zone[question.name.toLowerCase()];
  if (entry?.silent) return [];
  const answers = (entry?.answers ?? []).filter((a) => a.type === question.type);
  const rcode = entry ? (entry.rcode ?? "NOERROR") : "NXDOMAIN";
  const truncated = transport === "udp" && entry?.truncate === true;
  // dns-packet encodes the response code only through the low four bits of the flags.
  const rcodeBits = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode];
  const named = (records: Answer[] | undefined) =>
    (records ?? []).map((r) => ({ ...r, name: r.name || question.name, ttl: 60 }));
  const response = dnsPacket.encode({
    id: query.id,
    type: "response",
    flags:
      dnsPacket.AUTHORITATIVE_ANSWER |
      dnsPacket.RECURSION_DESIRED |
      (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
      rcodeBits,
    questions: query.questions,
    answers: rcode === "NOERROR" && !truncated ? named(answers) : [],
    authorities: truncated ? [] : named(entry?.authorities),
    additionals: truncated ? [] : named(entry?.additionals),
  } as dnsPacket.Packet);
  if (!entry?.junkFirst) return [response];
  const wrongId = Buffer.from(response);
  wrongId.writeUInt16BE(((query.id ?? 0) + 1) & 0xffff, 0);
  return [Buffer.from([1, 2, 3]), wrongId, response];
}

export interface DnsServer {
  address: string;
  /** Every question received over UDP, decoded (its OPT record says what EDNS0 offered). */
  questions: dnsPacket.Packet[];
  close(): Promise<void>;
}

/** `tcp: false` leaves the port's TCP side closed: a truncated answer cannot be asked again. */
export async function startDnsServer(zone: Zone, options: { tcp?: boolean } = {}): Promise<DnsServer> {
  const questions: dnsPacket.Packet[] = [];
  for (;;) {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (message, peer) => {
      try {
        questions.push(dnsPacket.decode(message));
      } catch {}
      for (const packet of answer(zone, message, "udp")) socket.send(packet, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    const tcp = net.createServer((connection) => {
      let received = Buffer.alloc(0);
      connection.on("error", () => {});
      connection.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          const message = received.subarray(2, 2 + received.readUInt16BE(0));
          received = received.subarray(2 + message.length);
          for (const packet of answer(zone, message, "tcp")) {
            const length = Buffer.alloc(2);
            length.writeUInt16BE(packet.length);
            connection.write(Buffer.concat([length, packet]));
          }
        }
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!listening) {
      // The TCP port of that number is taken: try another pair.
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      continue;
    }
    if (options.tcp === false) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    return {
      address: `127.0.0.1:${port}`,
      questions,
      close: async () => {
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        if (options.tcp !== false) await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }
}
