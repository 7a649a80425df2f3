"""Time and peak memory of the default build (K automatic), and of its model stage through the library.

    python benchmarks/bench_build.py [--sc PATH] [--prov PATH] [--scan-jobs N] [--synthetic 20000]
                                     [--engines tomotopy gensim]
                                     [--skip build direct synthetic] [--timeout SECONDS] [--json FILE]

Three measurements, each in a child process of its own (time is the child's wall clock, printed with
its CPU seconds and the load average, as the machine is shared; memory is
the child's own peak from ``wait4``, and the sampled peak of its whole tree's summed resident
memory, worker processes included, polled every 0.25 s):

1. build: ``govtopics build --config CONFIG --out OUT`` on the State Council reports (``--sc``) with a
   config that names only the corpus: every other choice is the default, K automatic. The public
   command, so the figure stays comparable whatever the build does inside. Stage timings, K and the
   fitted iterations are printed from ``manifest.json``. Cold: an empty cache. The same for the
   provincial reports (``--prov``; an empty value skips it). ``--scan-jobs N`` sets ``[model] n_jobs``
   (the K scan's processes; the build's default is 1) in both configs.
2. direct: the model stage alone, through the library, on the same reports: the loader's units
   (as the build and ``benchmarks/quality_real.py`` take them), default tokens, then
   ``fit_topics(docs, k="auto", groups=reports, n_jobs=2)`` with each engine of ``--engines``. The
   gensim row is the baseline measured in the same run.
3. synthetic: ``govtopics build`` with K automatic on ``--synthetic`` reports made by
   ``make_corpus.py`` (for timing, not findings; cached in /tmp/govtopics-bench/N), rjieba and
   ``n_jobs`` 2, every other choice the default.

Targets (issue 12): the default build on the 53 State Council reports in at most 90 s on a 2-core
machine, peak memory below 2 GB. The machine is shared: compare rows of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SC = "/work/shared/corpora/sc-gwr-hprc"
PROV = "/work/shared/corpora/prov-gwr-2026"
ROOT = Path("/tmp/govtopics-bench")
TARGET_S, TARGET_GB = 90, 2.0


# -- child processes and their memory --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of ``pid`` and its descendants."""
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


def run_child(command: list[str], log: Path, env: dict[str, str], timeout: float | None) -> dict[str, Any]:
    """Run ``command``; its wall seconds, CPU seconds (user + system of the child and the descendants it
    waited for: on a shared machine, wall time grows with the load, CPU time much less), the 1-minute
    load average at its end, exit code, own peak memory (MB) and sampled tree peak (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as handle:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                peak[0] = max(peak[0], _tree_rss(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, child.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        if timer:
            timer.cancel()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0], "rc": os.waitstatus_to_exitcode(status),
            "main_mb": usage.ru_maxrss / 1024,
            "tree_mb": peak[0] / 2**20, "log": str(log)}


def govtopics_command() -> list[str]:
    """The ``govtopics`` console script next to this interpreter, or the module."""
    script = Path(sys.executable).with_name("govtopics")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "govtopics.cli"]


def run_build(corpus: Path, work: Path, name: str, extra_config: str, timeout: float | None) -> dict[str, Any]:
    config = work / f"{name}.toml"
    config.write_text(f"# bench_build.py: the default build of one corpus\n[corpus]\npath = {json.dumps(str(corpus))}\n"
                      + extra_config, encoding="utf-8")
    out = work / f"out-{name}"
    env = dict(os.environ, GOVTOPICS_CACHE=str(work / f"cache-{name}"), PYTHONUNBUFFERED="1")
    result = run_child([*govtopics_command(), "build", "--config", str(config), "--out", str(out)],
                       work / f"{name}.log", env, timeout)
    manifest = out / "manifest.json"
    if result["rc"] == 0 and manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        result["timings"] = data.get("timings_s") or {}
        k = data.get("k") or {}
        result["k"], result["k_warnings"] = k.get("chosen"), k.get("warnings") or []
        fitted = (data.get("model") or {}).get("fitted") or {}
        result["n_iter"], result["converged"] = fitted.get("n_iter_"), fitted.get("converged_")
        result["counts"] = data.get("counts")
    else:
        result["error"] = " | ".join(Path(result["log"]).read_text(errors="replace").strip().splitlines()[-4:])
    shutil.rmtree(out, ignore_errors=True)
    return result


# -- the model stage through the library (runs in a child: `bench_build.py --direct-child ...`) ----------------


def direct_child(corpus: str, engine: str, out: str) -> None:
    import warnings

    from govtopics import Tokenizer, load_corpus
    from govtopics.models import fit_topics
    from govtopics.tokenizing import document_names

    start = time.perf_counter()
    loaded = load_corpus(corpus)
    texts, names, groups = [], [], []
    for doc in loaded:
        doc_names = document_names(doc)
        for unit in doc.units:
            texts.append(unit.text)
            names.append(doc_names)
            groups.append(doc.id)
    tokens = Tokenizer(cache=False, progress=False).tokenize_many(texts, names)
    keep = [i for i, t in enumerate(tokens) if t]
    docs, groups = [tokens[i] for i in keep], [groups[i] for i in keep]
    prepared_s = time.perf_counter() - start
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_topics(docs, k="auto", groups=groups, n_jobs=2, progress=False, engine=engine)
    model_s = time.perf_counter() - start
    table = result.k_table
    Path(out).write_text(json.dumps({
        "engine": engine, "units": len(docs), "load_tokenize_s": prepared_s, "model_s": model_s,
        "scan_fits": int(len(table) * table["n_seeds"].iloc[0]),
        "scan_s": model_s - float(result.model.fit_seconds_),
        "ks": table["k"].tolist(), "k": result.k, "n_iter": int(result.model.n_iter_),
        "final_fit_s": float(result.model.fit_seconds_), "warnings": [str(w.message) for w in caught
                                                                       if "K =" in str(w.message)],
    }), encoding="utf-8")


def run_direct(corpus: str, engine: str, work: Path, timeout: float | None) -> dict[str, Any]:
    out = work / f"direct-{engine}.json"
    env = dict(os.environ, GOVTOPICS_CACHE=str(work / f"cache-direct-{engine}"), PYTHONUNBUFFERED="1")
    result = run_child([sys.executable, str(Path(__file__).resolve()), "--direct-child", corpus, engine, str(out)],
                       work / f"direct-{engine}.log", env, timeout)
    if result["rc"] == 0 and out.is_file():
        result |= json.loads(out.read_text(encoding="utf-8"))
    else:
        result["error"] = " | ".join(Path(result["log"]).read_text(errors="replace").strip().splitlines()[-4:])
    return result


def synthetic_corpus(n: int, seed: int = 1) -> Path:
    import make_corpus

    folder = ROOT / str(n)
    marker = folder / ".complete"
    stamp = f"n={n} seed={seed}\n"
    if not (marker.is_file() and marker.read_text() == stamp):
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        make_corpus.generate(n, folder, seed)
        marker.write_text(stamp)
        print(f"# generated {n} reports in {folder} ({time.perf_counter() - start:.0f} s)", flush=True)
    return folder


# -- report -----------------------------------------------------------------------------------------------


def _mem(r: dict[str, Any]) -> str:
    return f"peak of the main process {r['main_mb']:.0f} MB, of the process tree {r['tree_mb']:.0f} MB"


def print_build(title: str, r: dict[str, Any]) -> None:
    print(f"\n{title}: {r['wall_s']:.1f} s wall ({r['cpu_s']:.1f} s CPU, load average {r['load']:.1f}), {_mem(r)}")
    if r.get("error"):
        print(f"  FAILED (exit {r['rc']}): {r['error']}")
        return
    if r.get("timings"):
        print("  stages (s): " + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in r["timings"].items()))
    if r.get("k"):
        print(f"  K: {r['k']}" + (f"; n_iter {r['n_iter']} (converged: {r.get('converged')})"
                                   if r.get("n_iter") is not None else "")
              + "".join(f"\n  K warning: {w}" for w in r.get("k_warnings", [])))
    if r.get("counts"):
        print(f"  counts: {r['counts']}")


def main(argv: list[str] | None = None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--direct-child":
        direct_child(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sc", default=SC, help="folder of the State Council reports")
    parser.add_argument("--prov", default=PROV, help="folder of the provincial reports (\"\": skip)")
    parser.add_argument("--synthetic", type=int, default=20000, help="reports in the synthetic build")
    parser.add_argument("--engines", nargs="+", default=["tomotopy", "gensim"], help="engines of the direct rows")
    parser.add_argument("--skip", nargs="*", default=[], choices=["build", "direct", "synthetic"])
    parser.add_argument("--scan-jobs", type=int, help="set [model] n_jobs (the K scan's processes) in the builds' "
                        "config (default: the build's own default)")
    parser.add_argument("--timeout", type=float, help="kill a child after this many seconds")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    results: dict[str, Any] = {"load_average_start": os.getloadavg()[0]}
    print(f"# load average {results['load_average_start']:.2f} ({os.cpu_count()} CPUs): a shared machine", flush=True)
    ok = True
    with tempfile.TemporaryDirectory(prefix="govtopics-bench-") as tmp:
        work = Path(tmp)
        if "build" not in args.skip:
            print(f"# default build of {args.sc} ...", flush=True)
            model = f"[model]\nn_jobs = {args.scan_jobs}\n" if args.scan_jobs else ""
            r = results["build"] = run_build(Path(args.sc), work, "sc", model, args.timeout)
            print_build("default build, State Council reports (K automatic)", r)
            if not r.get("error"):
                met_t, met_m = r["wall_s"] <= TARGET_S, max(r["main_mb"], r["tree_mb"]) / 1024 < TARGET_GB
                print(f"  target <= {TARGET_S} s: {'MET' if met_t else 'MISSED'} (wall; CPU {r['cpu_s']:.0f} s: with one "
                      f"scan process, about the wall time on an idle machine); peak < {TARGET_GB} GB: "
                      f"{'MET' if met_m else 'MISSED'}")
                ok &= met_t and met_m
            ok &= not r.get("error")
            if args.prov:
                print(f"\n# default build of {args.prov} ...", flush=True)
                r = results["build-prov"] = run_build(Path(args.prov), work, "prov", model, args.timeout)
                print_build("default build, provincial reports (K automatic)", r)
                ok &= not r.get("error")
        if "direct" not in args.skip:
            print("\nmodel stage through the library (fit_topics, K automatic, n_jobs 2):")
            print(f"  {'engine':9} {'units':>6} {'load+tok s':>10} {'model s':>8} {'fits':>5} {'scan s':>6} "
                  f"{'K':>3} {'n_iter':>6} {'final s':>8} {'cpu s':>6} {'load':>5} {'main MB':>8} {'tree MB':>8}  K values")
            for engine in args.engines:
                r = results[f"direct-{engine}"] = run_direct(args.sc, engine, work, args.timeout)
                if r.get("error"):
                    print(f"  {engine:9} FAILED (exit {r['rc']}): {r['error']}")
                    ok = False
                    continue
                print(f"  {engine:9} {r['units']:6d} {r['load_tokenize_s']:10.1f} {r['model_s']:8.1f} {r['scan_fits']:5d} "
                      f"{r['scan_s']:6.1f} {r['k']:3d} {r['n_iter']:6d} {r['final_fit_s']:8.1f} {r['cpu_s']:6.0f} {r['load']:5.1f} "
                      f"{r['main_mb']:8.0f} {r['tree_mb']:8.0f}  {r['ks']}" + (f"  ({r['warnings'][0]})" if r["warnings"] else ""))
            rows = [results.get(f"direct-{e}") for e in args.engines]
            if len(rows) == 2 and all(r and not r.get("error") for r in rows):
                print(f"  model stage {args.engines[0]} / {args.engines[1]}: {rows[0]['model_s'] / rows[1]['model_s']:.2f}")
        if "synthetic" not in args.skip:
            corpus = synthetic_corpus(args.synthetic)
            print(f"\n# default build of {args.synthetic} synthetic reports (rjieba, n_jobs 2) ...", flush=True)
            extra = '[tokens]\nbackend = "rjieba"\nn_jobs = 2\n'
            r = results["synthetic"] = run_build(corpus, work, f"synthetic-{args.synthetic}", extra, args.timeout)
            print_build(f"default build, {args.synthetic} synthetic reports (K automatic)", r)
            ok &= not r.get("error")
    results["load_average_end"] = os.getloadavg()[0]
    print(f"\n# load average at end {results['load_average_end']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
