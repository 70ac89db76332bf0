import type { Aedes } from 'aedes';
import type { Bus, BusHandler } from './bus.js';

/** The Bus over an in-process Aedes broker: no socket and no encoding on the master's side. */
export class AedesBus implements Bus {
  constructor(readonly broker: Aedes) {}

  publish(topic: string, payload: Buffer, qos: 0 | 1 = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.broker.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (error?: Error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  subscribe(filter: string, handler: BusHandler): Promise<() => Promise<void>> {
    // Our handlers queue their own work, so the broker's delivery slot is released at once.
    const deliver = (packet: { topic: string; payload: Buffer | string }, done: () => void) => {
      try {
        handler(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload);
      } finally {
        // released on the next tick: a synchronous release inside a burst recurses through the
        // broker's emitter queue until the stack overflows
        process.nextTick(done);
      }
    };
    return new Promise((resolve) => {
      this.broker.subscribe(filter, deliver, () =>
        resolve(() => new Promise<void>((done) => this.broker.unsubscribe(filter, deliver, () => done()))),
      );
    });
  }
}
