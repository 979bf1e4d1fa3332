"""Polls miners with pyasic, the peer Gridshell's fleet client is measured against.

    python3 scripts/pyasic_poll.py --first 127.40.0.1 --count 10000 [--limit N] [--data-only]

Identifies every miner with pyasic.get_miner, then reads each once with get_data, and prints
one JSON line: how many were found and read, and the seconds for each phase. Without --limit
it runs as pyasic does by default (every miner at once); --limit N puts an asyncio semaphore
around each miner, as a tuned user would.
"""

import argparse
import asyncio
import ipaddress
import json
import resource
import time
import warnings

warnings.simplefilter("ignore")


def addresses(first, count):
    start = int(ipaddress.IPv4Address(first))
    out, a = [], start
    while len(out) < count:
        if a & 0xFF not in (0, 255):
            out.append(str(ipaddress.IPv4Address(a)))
        a += 1
    return out


async def main(args):
    import pyasic

    ips = addresses(args.first, args.count)
    sem = asyncio.Semaphore(args.limit) if args.limit else None

    async def bounded(coro):
        if sem is None:
            return await coro
        async with sem:
            return await coro

    t0 = time.perf_counter()
    miners = await asyncio.gather(*(bounded(pyasic.get_miner(ip)) for ip in ips), return_exceptions=True)
    t1 = time.perf_counter()
    found = [m for m in miners if m is not None and not isinstance(m, BaseException)]

    async def data(m):
        try:
            d = await m.get_data()
            return d.hashrate is not None
        except Exception:
            return False

    reads = await asyncio.gather(*(bounded(data(m)) for m in found))
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "peer": f"pyasic {pyasic.__version__ if hasattr(pyasic, '__version__') else ''}".strip(),
        "limit": args.limit or "none (pyasic default)", "miners": len(ips), "found": len(found),
        "read": sum(reads), "identify_seconds": round(t1 - t0, 3), "poll_seconds": round(t2 - t1, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2)}))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--first", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--limit", type=int, default=0)
    asyncio.run(main(p.parse_args()))
