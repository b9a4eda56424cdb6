#!/usr/bin/env python3
"""The Python libarchive-c side of the list / read-all benchmarks (run only if importable).

    py_reader.py list|read <archive>
"""
import sys

import libarchive


def main(mode, path):
    total = 0
    with libarchive.file_reader(path) as archive:
        for entry in archive:
            if mode == "list":
                total += len(entry.pathname) + (entry.size or 0)
            else:
                for block in entry.get_blocks():
                    total += len(block)
    print(f"total={total}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
