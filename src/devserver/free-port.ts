import net from 'node:net';

/**
 * Asks the OS for a free TCP port on loopback. The port is closed again before it is
 * returned, so a connection there is refused until something listens on it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
