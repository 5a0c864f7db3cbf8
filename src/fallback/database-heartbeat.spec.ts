import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { ConnectionStates, type Connection } from 'mongoose';
import type { DatabaseCircuit } from './database-circuit';
import { connectOptionsOf, DatabaseHeartbeat } from './database-heartbeat';
import { configWith } from './testing/fallback-test-kit';

/** A loopback port with a listener, and one that refuses (its listener closed). */
async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

async function refusingPort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `stalled` was called or `ms` passed (a connection attempt on loopback answers in microseconds). */
async function settled(stalled: jest.Mock, ms = 300): Promise<void> {
  const until = Date.now() + ms;
  while (stalled.mock.calls.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe(DatabaseHeartbeat.name, () => {
  let listener: Server | undefined;

  afterEach(() => {
    listener?.close();
    listener = undefined;
  });

  function newTestHeartbeat(settings: { breakerEnabled?: boolean } = {}) {
    const client = new EventEmitter();
    const connection = Object.assign(new EventEmitter(), {
      readyState: ConnectionStates.connecting,
      getClient: () => client,
    });
    const circuit = { open: false, drilling: false, stalled: jest.fn() };
    const sut = new DatabaseHeartbeat(
      circuit as unknown as DatabaseCircuit,
      configWith(settings),
      connection as unknown as Connection,
    );
    connection.readyState = ConnectionStates.connected;
    connection.emit('connected');
    /** The driver closing a connection of the service's to `address`. */
    const closed = (address: string, reason = 'error') => client.emit('connectionClosed', { reason, address });
    return { sut, circuit, closed };
  }

  it('opens the breaker at once when a broken connection’s address refuses connections (a killed database)', async () => {
    const { circuit, closed } = newTestHeartbeat();
    const port = await refusingPort();
    closed(`127.0.0.1:${port}`);
    await settled(circuit.stalled);
    expect(circuit.stalled).toHaveBeenCalledWith(`heartbeat: 127.0.0.1:${port} refuses connections (ECONNREFUSED)`);
  });

  it('leaves the breaker alone when the address still answers (a connection dropped, the database alive)', async () => {
    const { circuit, closed } = newTestHeartbeat();
    const alive = await listening();
    listener = alive.server;
    closed(`127.0.0.1:${alive.port}`);
    await settled(circuit.stalled);
    expect(circuit.stalled).not.toHaveBeenCalled();
  });

  it('looks only at connections that broke, and at nothing while the breaker is off', async () => {
    const port = await refusingPort();
    const closedByThePool = newTestHeartbeat();
    for (const reason of ['idle', 'stale', 'poolClosed']) closedByThePool.closed(`127.0.0.1:${port}`, reason);
    const withoutBreaker = newTestHeartbeat({ breakerEnabled: false });
    withoutBreaker.closed(`127.0.0.1:${port}`);
    await settled(closedByThePool.circuit.stalled);
    await settled(withoutBreaker.circuit.stalled, 50);
    expect(closedByThePool.circuit.stalled).not.toHaveBeenCalled();
    expect(withoutBreaker.circuit.stalled).not.toHaveBeenCalled();
  });

  it.each([
    ['127.0.0.1:27017', { host: '127.0.0.1', port: 27017 }],
    ['db.example.org:27018', { host: 'db.example.org', port: 27018 }],
    ['[::1]:27017', { host: '::1', port: 27017 }],
    ['/tmp/mongodb-27017.sock', { path: '/tmp/mongodb-27017.sock' }],
    ['no port', undefined],
  ])('reads the address %s as the driver names it', (address, options) => {
    expect(connectOptionsOf(address)).toEqual(options);
  });
});
