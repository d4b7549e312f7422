#!/usr/bin/env python3
"""CPU time of processes by thread group, from /proc (the figure a shared machine's load inflates
least; docs/BENCHMARKS.md).

  thread-cpu.py snap PID... > before.json      utime+stime (clock ticks) per thread group per pid
  thread-cpu.py diff before.json after.json TXS [--label NAME=PID ...]
                                               microseconds of CPU per tx by group and process

Groups: a JVM thread's name without its trailing number (tx-verify-0 and -1 are tx-verify),
with the JVM's own threads named JIT (C1/C2 compilers), GC and VM, and Netty's event loops of the
JSON-RPC server (default-nioEventLoop) and the HTTP worker threads (io-executor) as rpc.
"""
import json
import os
import re
import sys

TICK = os.sysconf("SC_CLK_TCK")


def group(name):
    if name.startswith(("C1 Compiler", "C2 Compiler", "Sweeper")):
        return "jit"
    if name.startswith(("GC Thread", "G1 ", "VM Thread", "VM Periodic")):
        return "gc+vm"
    if name.startswith(("default-nioEven", "io-executor", "rpc-")):
        return "rpc"
    if name.startswith("p2p-"):
        return "p2p"
    if name.startswith("rocksdb"):
        return "rocksdb"
    n = re.sub(r"[-#]?\d+$", "", name)
    return n or name


def snap(pids):
    out = {}
    for pid in pids:
        groups = {}
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    stat = f.read()
            except FileNotFoundError:
                continue
            # comm is between the first '(' and the last ')'; fields after it start at state.
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks = int(fields[11]) + int(fields[12])
            g = group(name)
            groups[g] = groups.get(g, 0) + ticks
        # Threads that ended since start still count in the process's total.
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        fields = stat[stat.rindex(")") + 2 :].split()
        total = int(fields[11]) + int(fields[12])
        groups["(ended threads)"] = max(0, total - sum(groups.values()))
        out[str(pid)] = groups
    return out


def diff(before, after, txs, labels):
    names = {v: k for k, v in labels.items()}
    table = {}
    for pid, groups in after.items():
        b = before.get(pid, {})
        label = names.get(pid, pid)
        table[label] = {
            g: round((t - b.get(g, 0)) * 1e6 / TICK / txs, 1)
            for g, t in groups.items()
            if t - b.get(g, 0) > 0
        }
    return table


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "snap":
        json.dump(snap(sys.argv[2:]), sys.stdout)
        return
    if len(sys.argv) >= 5 and sys.argv[1] == "diff":
        before = json.load(open(sys.argv[2]))
        after = json.load(open(sys.argv[3]))
        txs = int(sys.argv[4])
        labels = {}
        for arg in sys.argv[5:]:
            if arg == "--label":
                continue
            k, v = arg.split("=", 1)
            labels[k] = v
        table = diff(before, after, txs, labels)
        groups = sorted({g for t in table.values() for g in t}, key=lambda g: -sum(t.get(g, 0) for t in table.values()))
        procs = list(table)
        print("us/tx".ljust(18) + "".join(p.rjust(10) for p in procs) + "total".rjust(10))
        for g in groups:
            row = [table[p].get(g, 0.0) for p in procs]
            print(g[:18].ljust(18) + "".join(f"{v:10.1f}" for v in row) + f"{sum(row):10.1f}")
        tot = [sum(table[p].values()) for p in procs]
        print("all".ljust(18) + "".join(f"{v:10.1f}" for v in tot) + f"{sum(tot):10.1f}")
        return
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
