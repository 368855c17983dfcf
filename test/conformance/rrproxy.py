"""A round-robin TCP proxy: connections to HOST:PORT go in turn to the backends (the cluster controller's two parley nodes)."""

# Usage: python3 rrproxy.py HOST PORT BACKEND_HOST:PORT [BACKEND_HOST:PORT ...]
# Each accepted connection is paired with a new connection to the next backend; bytes are copied
# both ways until either side closes, then both are closed. Loopback only, as the tests are.

import asyncio
import sys


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
        writer.close()


async def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    backends = []
    for spec in sys.argv[3:]:
        bhost, bport = spec.rsplit(":", 1)
        backends.append((bhost, int(bport)))
    turn = 0

    async def handle(creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        nonlocal turn
        bhost, bport = backends[turn % len(backends)]
        turn += 1
        try:
            sreader, swriter = await asyncio.open_connection(bhost, bport)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(_copy(creader, swriter), _copy(sreader, cwriter))

    server = await asyncio.start_server(handle, host, port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
