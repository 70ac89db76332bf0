// The idle baseline: one bare mqtt.js client that connects, subscribes and waits. Plain JavaScript
// run by plain node (no tsx loader), so its RSS is what a minimal MQTT client process costs.
import { connect } from 'mqtt';

const port = Number(process.argv[2]);
const client = connect({ host: '127.0.0.1', port, clientId: 'idle-bare', keepalive: 30, reconnectPeriod: 1000 });
client.on('connect', () => {
  client.subscribe('job/idle-bare', { qos: 1 }, () => process.stdout.write('ready\n'));
});
client.on('message', (_topic, payload) => client.publish('ret/idle-bare', payload, { qos: 1 }));
process.on('SIGTERM', () => client.end(true, () => process.exit(0)));
