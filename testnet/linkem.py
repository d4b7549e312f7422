#!/usr/bin/env python3
"""A userspace WAN link emulator between network namespaces (run as root; Python stdlib only).

For kernels without the netem qdisc (this project's development machine: `tc qdisc ... netem`
answers "Specified qdisc kind is unknown"). Each namespace PREFIX-n<i> (made before, by
`netns.sh up-bare`) gets a TUN device PREFIX-t<i> holding SUBNET.(i+1)/24, and the host one,
PREFIX-th, holding SUBNET.254/24. Every IPv4 packet a namespace sends into its TUN reaches this
process, which writes it into the TUN of its destination:

  - between two namespaces, after a one-way delay of --delay-ms +- --jitter-ms (uniform), each
    direction on its own, in order per direction (a later packet never overtakes an earlier one,
    as on a real path), and lost with probability --loss (the packet is not delivered: TCP's own
    retransmission recovers it, by fast retransmit or its timeout, as on a lossy link);
  - to or from the host (the load generator beside node0), at once and never lost.

The TUN devices go when this process ends. Prints per-link counts on exit (SIGTERM, SIGINT).

  linkem.py PREFIX N SUBNET [--delay-ms 25] [--jitter-ms 5] [--loss 0.005] [--seed S]
            [--ready FILE]       # FILE is written once every device is up
"""
import argparse
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
HOST = 254


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def sh(*cmd):
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prefix")
    ap.add_argument("n", type=int)
    ap.add_argument("subnet")
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--jitter-ms", type=float, default=5.0)
    ap.add_argument("--loss", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ready", default=None)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    fds = {}  # last octet -> fd
    for i in range(a.n):
        name = f"{a.prefix}-t{i}"
        fds[i + 1] = open_tun(name)
        ns = f"{a.prefix}-n{i}"
        sh("ip", "link", "set", name, "netns", ns)
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{a.subnet}.{i + 1}/24", "dev", name)
        sh("ip", "netns", "exec", ns, "ip", "link", "set", name, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
    host = f"{a.prefix}-th"
    fds[HOST] = open_tun(host)
    sh("ip", "addr", "add", f"{a.subnet}.{HOST}/24", "dev", host)
    sh("ip", "link", "set", host, "up")
    by_fd = {fd: octet for octet, fd in fds.items()}

    ep = select.epoll()
    for fd in fds.values():
        ep.register(fd, select.EPOLLIN)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("up\n")

    running = [True]

    def stop(*_):
        running[0] = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    heap = []  # (due, seq, dst octet, packet)
    seq = 0
    last_due = {}  # (src, dst) -> due of the last packet scheduled on that direction
    sent = {}
    lost = {}
    nbytes = {}
    delay = a.delay_ms / 1000.0
    jitter = a.jitter_ms / 1000.0
    prefix = bytes(int(x) for x in a.subnet.split("."))

    while running[0]:
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            _, _, dst, pkt = heapq.heappop(heap)
            try:
                os.write(fds[dst], pkt)
            except (BlockingIOError, OSError):
                pass  # the receiving queue is full: dropped, as a router would
        timeout = max(0.0, heap[0][0] - now) if heap else 1.0
        try:
            events = ep.poll(min(timeout, 1.0))
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd, _ in events:
            src = by_fd[fd]
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[16:19] != prefix:
                    continue  # IPv6 router solicitations and the like: no one to deliver to
                dst = pkt[19]
                if dst not in fds or dst == src:
                    continue
                if src == HOST or dst == HOST:
                    try:
                        os.write(fds[dst], pkt)
                    except (BlockingIOError, OSError):
                        pass
                    continue
                link = (src, dst)
                sent[link] = sent.get(link, 0) + 1
                nbytes[link] = nbytes.get(link, 0) + len(pkt)
                if rng.random() < a.loss:
                    lost[link] = lost.get(link, 0) + 1
                    continue
                due = max(now + delay + rng.uniform(-jitter, jitter), last_due.get(link, 0.0))
                last_due[link] = due
                seq += 1
                heapq.heappush(heap, (due, seq, dst, pkt))

    for link in sorted(sent):
        s, d = link
        print(
            f"linkem {a.subnet}.{s} -> {a.subnet}.{d}: packets={sent[link]} bytes={nbytes[link]}"
            f" lost={lost.get(link, 0)}",
            file=sys.stderr,
        )
    for fd in fds.values():
        os.close(fd)


if __name__ == "__main__":
    main()
