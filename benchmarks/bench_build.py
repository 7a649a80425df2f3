"""Time and peak memory of ``govtopics build`` on synthetic corpora of growing size.

For each size N a synthetic corpus is generated with ``make_corpus.py`` (for timing, not for
findings; cached in ``/tmp/govtopics-bench/N`` so re-runs reuse it), then the build runs twice
in a separate child process (``python -m govtopics.cli build``), each with its own peak memory:

* cold: an empty token cache (``GOVTOPICS_CACHE`` set to a fresh temporary folder);
* warm: the same cache again, into a new output folder (the rebuild after a small change).

Per-stage seconds come from the ``timings_s`` of the ``manifest.json`` the build writes; "wall"
is the child's whole life (interpreter start, imports, hashing the inputs for the manifest).
Peak RSS is the largest single process of the child's tree (``wait4`` rusage: the build's main
process or a tokenizing worker); "tree" is the sampled peak of the whole tree's summed RSS
(main process plus its ``n_jobs`` workers), polled every 0.25 s.

Build configuration (only keys ``load_config`` knows): backend rjieba, ``n_jobs`` 2, K = 10
fixed with ``k_range = [10, 10]`` and ``seeds = [1]``, all figures, and the library defaults
for the rest (``passes`` "auto", ``n_boot`` 1000, unless ``--passes`` / ``--n-boot`` say otherwise). The K scan is
therefore a single fit at K = 10: a real scan (say K 3..12 with 5 seeds, 50 fits) is a separate
cost, roughly (number of K values x seeds) times the "choosing K" stage.

    python benchmarks/bench_build.py [--sizes 1000 5000 20000] [--backend rjieba] [--passes auto]
    python benchmarks/bench_build.py --report --sizes 1000 5000 20000   # table from earlier runs' results.json

Targets: 20,000 reports end to end in < 10 minutes with rjieba; peak memory < 4 GB and growing
sub-linearly; a warm rebuild < 10% of the cold build. The machine is shared: read ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402

from govtopics.build import FIGURES, load_config  # noqa: E402

ROOT = Path("/tmp/govtopics-bench")
STAGES = ("loading", "tokenizing", "choosing K", "fitting the topic model", "trends", "documents table", "figures")
SHORT = {"loading": "load", "tokenizing": "tok", "choosing K": "K-scan", "fitting the topic model": "fit",
         "trends": "trends", "documents table": "docs", "figures": "figs"}
TARGET_MINUTES_20K = 10
TARGET_PEAK_GB = 4
TARGET_WARM_RATIO = 0.10


def corpus_for(n: int, seed: int, root: Path = ROOT) -> tuple[Path, float]:
    """The cached synthetic corpus of ``n`` reports (generated when missing); (folder, M characters)."""
    folder = root / str(n)
    marker = folder / ".complete"
    stamp = f"n={n} seed={seed}\n"
    if not (marker.is_file() and marker.read_text() == stamp):
        if folder.exists():
            shutil.rmtree(folder)
        start = time.perf_counter()
        make_corpus.generate(n, folder, seed)
        marker.write_text(stamp)
        print(f"# generated {n} reports in {folder} ({time.perf_counter() - start:.0f} s)", flush=True)
    chars = sum(int(row["characters"]) for row in make_corpus.read_truth(folder))
    return folder, chars / 1e6


def write_config(path: Path, backend: str, passes: str | None, n_boot: int) -> Path:
    figures = ", ".join(f'"{f}"' for f in FIGURES)
    model_passes = "" if passes is None else (f'passes = "{passes}"\n' if passes == "auto" else f"passes = {int(passes)}\n")
    path.write_text(
        "# govtopics benchmark build (benchmarks/bench_build.py)\n"
        f'[tokens]\nbackend = "{backend}"\nn_jobs = 2\ncache = true\n\n'
        f"[model]\nk = 10\nk_range = [10, 10]\nseeds = [1]\n{model_passes}\n"
        f"[trends]\nn_boot = {n_boot}\n\n"
        f"[figures]\nwhich = [{figures}]\n",
        encoding="utf-8",
    )
    load_config(path)  # unknown keys would be an error here, before any timing
    return path


# -- the child process ----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of ``pid`` and its descendants."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except OSError:
            continue
        todo += _children(p)
    return total


def run_build(corpus: Path, config: Path, out: Path, cache: Path, log: Path, timeout: float | None) -> dict:
    """One build in a child process: wall seconds, peak RSS (largest process, and sampled tree), manifest."""
    env = dict(os.environ, GOVTOPICS_CACHE=str(cache), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "govtopics.cli", "build", "--config", str(config), "--out", str(out),
               "--corpus", str(corpus)]
    with open(log, "w") as handle:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        tree_peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                tree_peak[0] = max(tree_peak[0], _tree_rss(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, child.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        if timer:
            timer.cancel()
    result = {"wall": wall, "rc": child.returncode, "peak_mb": usage.ru_maxrss / 1024, "tree_mb": tree_peak[0] / 2**20}
    manifest = out / "manifest.json"
    if child.returncode == 0 and manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        result |= {"timings": data["timings_s"], "counts": data["counts"], "token_cache": data.get("token_cache")}
    else:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        result["error"] = " | ".join(tail)
    return result


# -- the report --------------------------------------------------------------------------------------------


def _fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(rows: list[dict]) -> None:
    head = ["N", "Mchar", *(SHORT[s] for s in STAGES), "stages", "wall", "peakMB", "treeMB", "warm", "warm/cold"]
    print("\n" + " ".join(f"{h:>8}" for h in head))
    for r in rows:
        cold, warm = r["cold"], r.get("warm") or {}
        t = cold.get("timings", {})
        cells = [str(r["n"]), _fmt(r["mchars"], 1), *(_fmt(t.get(s)) for s in STAGES),
                 _fmt(sum(t.values()) if t else None), _fmt(cold["wall"]), _fmt(cold["peak_mb"], 0),
                 _fmt(cold["tree_mb"], 0), _fmt(warm.get("wall")),
                 _fmt(warm["wall"] / cold["wall"], 2) if warm.get("wall") and cold.get("timings") else "-"]
        print(" ".join(f"{c:>8}" for c in cells))
        for kind in ("cold", "warm"):
            if r.get(kind, {}).get("error"):
                print(f"   {kind} run FAILED (exit {r[kind]['rc']}): {r[kind]['error']}")
    if any(r.get("warm", {}).get("timings") for r in rows):
        print("\nwarm run, per stage (s):")
        for r in rows:
            t = r.get("warm", {}).get("timings", {})
            if t:
                print(f"  N={r['n']:>6}: " + ", ".join(f"{SHORT[s]} {t.get(s, 0):.1f}" for s in STAGES)
                      + f"; token cache {r['warm'].get('token_cache')}")


def print_growth(rows: list[dict]) -> None:
    ok = [r for r in rows if r["cold"].get("timings")]
    if len(ok) < 2:
        return
    print("\ngrowth between sizes: per 1k reports (s or MB), and exponent b of time ~ N^b (1 = linear)")
    for a, b in zip(ok, ok[1:]):
        ratio = b["n"] / a["n"]
        ta, tb = a["cold"]["timings"], b["cold"]["timings"]
        parts = []
        for s in STAGES:
            x, y = ta.get(s), tb.get(s)
            if x and y and x > 0.05:
                parts.append(f"{SHORT[s]} {x / a['n'] * 1000:.2f}->{y / b['n'] * 1000:.2f} (b={math.log(y / x) / math.log(ratio):.2f})")
        wa, wb = a["cold"]["wall"], b["cold"]["wall"]
        ma, mb = a["cold"]["peak_mb"], b["cold"]["peak_mb"]
        print(f"  {a['n']} -> {b['n']} (x{ratio:g}):")
        print(f"    wall {wa / a['n'] * 1000:.1f}->{wb / b['n'] * 1000:.1f} s/1k (b={math.log(wb / wa) / math.log(ratio):.2f}); "
              f"peak RSS {ma / a['n'] * 1000:.0f}->{mb / b['n'] * 1000:.0f} MB/1k (b={math.log(mb / ma) / math.log(ratio):.2f}); "
              f"tree {a['cold']['tree_mb']:.0f}->{b['cold']['tree_mb']:.0f} MB")
        print("    " + "; ".join(parts))


def print_targets(rows: list[dict]) -> None:
    print("\ntargets:")
    big = next((r for r in rows if r["n"] == 20000 and r["cold"].get("timings")), None)
    if big:
        minutes = big["cold"]["wall"] / 60
        print(f"  20k reports end to end < {TARGET_MINUTES_20K} min (rjieba): {minutes:.1f} min "
              f"-> {'MET' if minutes < TARGET_MINUTES_20K else 'MISSED'}")
    else:
        ok = [r for r in rows if r["cold"].get("timings")]
        if len(ok) >= 2:
            a, b = ok[-2], ok[-1]
            exponent = math.log(b["cold"]["wall"] / a["cold"]["wall"]) / math.log(b["n"] / a["n"])
            guess = b["cold"]["wall"] * (20000 / b["n"]) ** exponent / 60
            print(f"  20k reports end to end < {TARGET_MINUTES_20K} min: not run; extrapolated {guess:.0f} min "
                  f"(N^{exponent:.2f} from {a['n']}->{b['n']})")
        else:
            print(f"  20k reports end to end < {TARGET_MINUTES_20K} min: not run")
    for r in rows:
        if not r["cold"].get("timings"):
            continue
        peak_gb = max(r["cold"]["peak_mb"], r["cold"]["tree_mb"]) / 1024
        line = f"  N={r['n']}: peak memory {peak_gb:.2f} GB (< {TARGET_PEAK_GB} GB: {'MET' if peak_gb < TARGET_PEAK_GB else 'MISSED'})"
        warm = r.get("warm", {})
        if warm.get("timings"):
            ratio = warm["wall"] / r["cold"]["wall"]
            line += f"; warm/cold {ratio:.2f} (< {TARGET_WARM_RATIO:.2f}: {'MET' if ratio < TARGET_WARM_RATIO else 'MISSED'})"
        print(line)
    print("  (K scan fixed to one fit at K=10, seeds [1]: a real K scan is a separate, multiplied cost)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--backend", default="rjieba", choices=["jieba", "rjieba"])
    parser.add_argument("--passes", help='model.passes: a number or "auto" (default: the library default, "auto")')
    parser.add_argument("--n-boot", type=int, default=1000, help="trends.n_boot (default: the library default, 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic corpus")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm-cache rebuild")
    parser.add_argument("--timeout", type=float, help="kill a build after this many seconds")
    parser.add_argument("--results", default=str(ROOT / "results.json"), help="JSON file the results are added to")
    parser.add_argument("--report", action="store_true",
                        help="run nothing: print the table for --sizes from the latest rows of --results")
    args = parser.parse_args(argv)

    if args.report:
        latest = {}
        with open(args.results, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                latest[row["n"]] = row
        rows = [latest[n] for n in args.sizes if n in latest]
        print_table(rows)
        print_growth(rows)
        print_targets(rows)
        return 0

    rows = []
    with tempfile.TemporaryDirectory(prefix="govtopics-bench-") as tmp:
        tmp = Path(tmp)
        config = write_config(tmp / "bench.toml", args.backend, args.passes, args.n_boot)
        for n in args.sizes:
            corpus, mchars = corpus_for(n, args.seed)
            cache = tmp / f"cache-{n}"
            row = {"n": n, "mchars": mchars, "backend": args.backend, "passes": args.passes or "default"}
            for kind in ("cold", "warm"):
                if kind == "warm" and (args.no_warm or not row["cold"].get("timings")):
                    break
                out = tmp / f"out-{n}-{kind}"
                print(f"# N={n} ({mchars:.1f} M chars) {kind} build ...", flush=True)
                row[kind] = run_build(corpus, config, out, cache, tmp / f"log-{n}-{kind}.txt", args.timeout)
                r = row[kind]
                print(f"#   {kind}: {r['wall']:.1f} s, peak {r['peak_mb']:.0f} MB (tree {r['tree_mb']:.0f} MB)"
                      + (f", stages {r['timings']}" if "timings" in r else f", FAILED: {r.get('error')}"), flush=True)
                shutil.rmtree(out, ignore_errors=True)
            rows.append(row)
            Path(args.results).parent.mkdir(parents=True, exist_ok=True)
            with open(args.results, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print_table(rows)
    print_growth(rows)
    print_targets(rows)
    return 0 if all(r["cold"].get("timings") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
