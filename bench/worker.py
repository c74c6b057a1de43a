"""One measurement in a fresh process: `python -m bench.worker RUNTIME WORKLOAD SIZE`.

Prints one JSON line, {"value": ...} (seconds, or bytes per task for W5), or
{"error": ...} and exit code 1 if the workload failed. The parent (bench.run) never
imports a runtime: each one is loaded only here, in its own process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback

MODULES = {
    "reference": "bench.workloads.reference",
    "asyncio": "bench.workloads.asyncio_rt",
    "trio": "bench.workloads.trio_rt",
    "uvloop": "bench.workloads.uvloop_rt",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("runtime", choices=sorted(MODULES))
    parser.add_argument("workload", choices=["w1", "w2", "w3", "w4", "w5", "w6"])
    parser.add_argument("size", type=int)
    parser.add_argument("--runtime-file", help="reference only: a stage 07 timers.py to load "
                                               "instead (W6: a stage 08 reactor.py)")
    args = parser.parse_args(argv)
    try:
        module = importlib.import_module(MODULES[args.runtime])
        if args.runtime_file:
            value = module.run(args.workload, args.size, runtime_file=args.runtime_file)
        else:
            value = module.run(args.workload, args.size)
    except BaseException as error:  # report it to the parent, whatever it is
        frames = traceback.extract_tb(error.__traceback__)
        where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
        print(json.dumps({"error": f"{type(error).__name__}: {error}{where}"}), flush=True)
        return 1
    print(json.dumps({"value": value}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
