#!/usr/bin/env python3
"""lb.py PORTFILE BACKEND_PORT...: a TCP load balancer on 127.0.0.1 for tests, as nginx's
upstream would do it: each connection goes to the next backend in turn, and a backend that
refuses the connection is skipped (passive failover). TLS passes through untouched, so the
workstations see the stores' own certificate. The port it listens on is written to PORTFILE."""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def main():
    portfile, backends = sys.argv[1], [int(p) for p in sys.argv[2:]]
    turn = [0]

    async def handle(cr, cw):
        for _ in range(len(backends)):
            port = backends[turn[0] % len(backends)]
            turn[0] += 1
            try:
                br, bw = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            cw.close()
            return
        await asyncio.gather(pipe(cr, bw), pipe(br, cw))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    async with server:
        await server.serve_forever()


asyncio.run(main())
