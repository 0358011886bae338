"""One pipeline step per process, so `/usr/bin/time -v` measures its wall time and peak memory alone.

    python -m bench.steps extract SYSTEM NIGHT | gate NIGHT | summarize NIGHT | reference

The environment says where (ONESTOP_WAREHOUSE_URL, ONESTOP_REGISTRY, the systems' AIRFLOW_CONN_*).
"""

from __future__ import annotations

import json
import sys

from onestop.night import Night


def main(argv: list[str]) -> None:
    step, *args = argv
    if step == "extract":
        from onestop.extract.nightly import extract_system

        print(json.dumps(extract_system(args[0], Night.of(args[1]))))
    elif step == "summarize":
        from onestop.extract.nightly import summarize

        print(json.dumps(summarize(Night.of(args[0]))))
    elif step == "reference":
        from onestop.extract.reference import load_reference

        print(json.dumps(load_reference(), default=str))
    elif step == "gate":
        from onestop.quality.gate import run_gate

        result = run_gate(Night.of(args[0]), f"bench__{args[0]}", fail_on_error=False)
        print(json.dumps({"passed": result.passed, "errors": [f.line() for f in result.errors]}))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    main(sys.argv[1:])
