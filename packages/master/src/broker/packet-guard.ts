import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface PacketLimits {
  /** largest packet accepted as the first one (CONNECT); its credentials are small */
  beforeConnect: number;
  /** largest packet accepted afterwards */
  afterConnect: number;
}

/**
 * Sits between a socket and the broker and reads only MQTT fixed headers (type byte + remaining
 * length). A packet longer than the limit cuts the connection before its body is buffered: neither
 * Aedes nor mqtt-packet has a size limit, and both buffer a whole packet before anyone sees it.
 */
export class PacketGuard extends Duplex {
  /** bytes of the current packet body still to pass through */
  #bodyLeft = 0;
  /** the remaining-length varint being read: value so far and bytes read */
  #header: { value: number; multiplier: number; bytes: number } | undefined;
  #packets = 0;
  readonly remoteAddress: string | undefined;

  constructor(
    readonly socket: Socket,
    readonly limits: PacketLimits,
    readonly onViolation: (size: number, limit: number) => void,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = socket.remoteAddress;
    socket.on('data', (chunk: Buffer) => {
      if (!this.#inspect(chunk)) return;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) return callback();
    this.socket.write(chunk, encoding, callback);
  }

  /**
   * mqtt-packet corks the stream and writes a packet in several pieces; handing them to TLS one by one
   * would make each piece its own TLS record (its own encryption and syscall). Joined, a packet is
   * one record.
   */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) return callback();
    this.socket.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  /** Walks the chunk's packet boundaries; false when a packet is over the limit (the socket is then gone). */
  #inspect(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= take;
        i += take;
        continue;
      }
      if (this.#header === undefined) {
        this.#header = { value: 0, multiplier: 1, bytes: 0 }; // the type byte
        i++;
        continue;
      }
      const byte = chunk[i++]!;
      const header = this.#header;
      header.value += (byte & 0x7f) * header.multiplier;
      header.multiplier *= 128;
      header.bytes++;
      if (byte & 0x80) {
        if (header.bytes >= 4) return this.#violate(Number.POSITIVE_INFINITY); // [MQTT-2.2.3] at most 4 bytes
        continue;
      }
      const limit = this.#packets === 0 ? this.limits.beforeConnect : this.limits.afterConnect;
      if (header.value > limit) return this.#violate(header.value, limit);
      this.#packets++;
      this.#bodyLeft = header.value;
      this.#header = undefined;
    }
    return true;
  }

  #violate(size: number, limit = this.limits.afterConnect): false {
    this.onViolation(size, limit);
    this.socket.destroy();
    this.destroy();
    return false;
  }
}
