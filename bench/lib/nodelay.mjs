// `--nodelay` experiment, preloaded with `node --import` into every bench process and the master:
// turns Nagle's algorithm off (TCP_NODELAY) on every socket. Neither saltmq nor Aedes nor mqtt.js set
// it, and on loopback Nagle plus delayed ACKs add up to 40 ms per small-message round trip. Plain
// JavaScript so the master, which runs without tsx, can load it too.
import net from 'node:net';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true); // deferred by Node until the handle exists
  return connect.apply(this, args);
};

const emit = net.Server.prototype.emit;
net.Server.prototype.emit = function (event, socket, ...rest) {
  // a TLS server emits 'connection' with the raw TCP socket first
  if (event === 'connection' && socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  return emit.call(this, event, socket, ...rest);
};
