#!/usr/bin/env python3
"""Writes a buyer's inputs for a gemm-int8 job: a.npy (m x k) and b.npy (k x n), random int8 in
NumPy's .npy format (version 1.0, '|i1', C order), from a seed, with Python's standard library
only (no NumPy needed; NumPy reads them as np.load would any other).

  python3 testnet/make-inputs.py [--m 1024] [--k 768] [--n 512] [--seed 1] [--out DIR]

Any tool that writes int8 .npy files does the same: NumPy's np.save(a.astype(np.int8)), for one.
"""
import argparse
import os
import random
import struct
import sys


def write_npy(path, rows, cols, data):
    header = "{'descr': '|i1', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    # Magic (6) + version (2) + header length (2) + header, padded with spaces and ended by a
    # newline to a multiple of 64 bytes, as NumPy writes it.
    total = 10 + len(header) + 1
    header += " " * (-total % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(data)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--m", type=int, default=1024, help="rows of A and C (default 1024)")
    p.add_argument("--k", type=int, default=768, help="columns of A, rows of B (default 768)")
    p.add_argument("--n", type=int, default=512, help="columns of B and C (default 512)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", default=".", help="folder for a.npy and b.npy (default: here)")
    args = p.parse_args()
    for name in ("m", "k", "n"):
        v = getattr(args, name)
        if not 1 <= v <= 8192:
            sys.exit("make-inputs.py: --%s %d is outside 1..8192 (the chain's max_matrix_dim)" % (name, v))
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for name, rows, cols in (("a.npy", args.m, args.k), ("b.npy", args.k, args.n)):
        path = os.path.join(args.out, name)
        write_npy(path, rows, cols, rng.randbytes(rows * cols))  # bytes read as int8 -128..127
        print("%s: %d x %d int8" % (path, rows, cols))


if __name__ == "__main__":
    main()
