"""The benchmark's table: one row per figure, with what it is compared against and its target."""
from __future__ import annotations


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "MISSED")


def rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(figure, measured, compared with, target, verdict) for every figure in ``results``."""
    out = []
    sections = results.get("sections", {})
    if "notebooks" in sections:
        for assignment, r in sections["notebooks"]["assignments"].items():
            budget = r["budget_seconds"]
            out.append((f"notebook {assignment} (grading size)", f"{r['median_seconds']:.1f} s",
                        "runs " + " / ".join(f"{s:.1f}" for s in r["runs_seconds"]),
                        f"<= {budget} s" if budget else "", _verdict(r["within_budget"])))
            naming = r.get("naming_mistakes")
            if naming:
                out.append((f"naming mistakes in {assignment} (partly wrong student)",
                            f"{naming['diagnosis_seconds']:.2f} s",
                            f"{naming['share']:.1%} of its notebook's {naming['notebook_seconds']:.1f} s; named "
                            + (", ".join(naming["named"]) or "none"),
                            "< 10% of the notebook", _verdict(naming["within_target"])))
    if "throughput" in sections:
        t = sections["throughput"]
        runs, n = t["runs"], t["submissions"]
        serial = runs["nbgrader_serial"]["seconds_per_submission"]
        def cpu(run):
            r = runs[run]
            return (f"; machine CPU {r['cpu_seconds_per_submission']:.1f} s/submission, "
                    f"cores {r['core_utilisation']:.0%} busy" if r.get("cpu_seconds") is not None else "")

        out.append((f"grading {n} x {t['assignment'][:2]}: plain nbgrader, serial", f"{serial:.1f} s/submission",
                    f"{runs['nbgrader_serial']['seconds']:.0f} s in all" + cpu("nbgrader_serial"), "", ""))
        out.append(("dgmcourse grade --jobs 1", f"{runs['dgmcourse_jobs1']['seconds_per_submission']:.1f} s/submission",
                    f"{t['overhead_jobs1_vs_nbgrader']:+.0%} vs plain" + cpu("dgmcourse_jobs1"), "<= +15%",
                    _verdict(t["overhead_jobs1_vs_nbgrader"] <= 0.15)))
        ceiling = t.get("parallel_ceiling")
        if ceiling:
            out.append(("this machine: 2 processes vs 1 at a time", f"{ceiling['speedup']:.2f}x",
                        "same CPU-bound Python work", "", ""))
        out.append(("dgmcourse grade --jobs 2", f"{runs['dgmcourse_jobs2']['seconds_per_submission']:.1f} s/submission",
                    f"{t['speedup_jobs2_vs_nbgrader']:.2f}x faster than plain" + cpu("dgmcourse_jobs2"), ">= 1.7x",
                    _verdict(t["speedup_jobs2_vs_nbgrader"] >= 1.7)))
        if "dgmcourse_dask2" in runs:
            out.append(("dgmcourse grade --scheduler (local Dask, 2 workers)",
                        f"{runs['dgmcourse_dask2']['seconds_per_submission']:.1f} s/submission",
                        f"{t['dask2_vs_jobs2']:+.0%} vs --jobs 2" + cpu("dgmcourse_dask2"), "<= +10%",
                        _verdict(t["dask2_vs_jobs2"] <= 0.10)))
            for database, r in t["coordinator"].items():
                out.append((f"coordinator records/s ({database})", f"{r['records_per_second']:.1f}/s",
                            f"{r['records']} results: gradebook rows, files, ledger", "", ""))
            for cores, p in t["projected_1500_notebooks"].items():
                out.append((f"1,500 notebooks on {cores} worker cores", f"{p['hours']:.2f} h",
                            f"{t['core_seconds_per_notebook']:.1f} core-s/notebook; limited by {p['limited_by']}",
                            "", ""))
        out.append(("300 students x 5 assignments at --jobs 2", f"{t['projected_hours_300x5_at_jobs2']:.1f} h",
                    f"if all were as quick as {t['assignment'][:2]}", "", ""))
    projection = results.get("projection")
    if projection:
        out.append((f"{projection['students']} students x {len(projection['hours_by_assignment'])} assignments "
                    f"at --jobs 2", f"{projection['hours']:.1f} h", "each assignment at its own measured rate", "", ""))
    if "mnist" in sections:
        for device in sections["mnist"]["devices"]:
            for model, r in device["models"].items():
                on_cpu = device["device"] == "cpu"
                out.append((f"{model.upper()} epoch on {device['device']}, course path",
                            f"{r['course_images_per_second']:,} images/s",
                            f"seed path {r['seed_images_per_second']:,} images/s = {r['ratio']:.2f}x",
                            ">= 3x" if on_cpu else "", _verdict(r["ratio"] >= 3) if on_cpu else ""))
                target_vae = model == "vae" and not on_cpu
                out.append((f"{model.upper()} full epoch on {device['device']}",
                            f"{r['course_seconds_per_full_epoch']:.2f} s",
                            f"floor {r['floor_seconds_per_epoch'] * 60000 / device['images_per_epoch']:.3f} s "
                            f"({r['gflop_per_epoch'] * 60000 / device['images_per_epoch']:.0f} GFLOP at "
                            f"{device['matmul_float32_tflops'] * 1000:.0f} GFLOP/s)",
                            "<= 1 s" if target_vae else "",
                            _verdict(r["course_seconds_per_full_epoch"] <= 1) if target_vae else ""))
        if "gpu" in sections["mnist"]:
            out.append(("GPU", "not measured", sections["mnist"]["gpu"], "", ""))
    if "vectorisation" in sections:
        v = sections["vectorisation"]
        out.append((f"A04 Monte Carlo ELBO + gradient, {v['samples']} samples", f"{v['vectorised_ms']:.2f} ms",
                    f"per-sample loop {v['loop_ms']:.1f} ms = {v['ratio']:.0f}x", "", ""))
    return out


def table(results: dict) -> str:
    header = ("figure", "measured", "compared with", "target", "")
    body = rows(results)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    def line(row):
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
    m = results.get("machine", {})
    title = (f"dgmcourse bench, {m.get('date', '?')}: {m.get('cpu_cores', '?')} CPU cores, torch {m.get('torch', '?')}"
             f" ({m.get('torch_threads', '?')} threads), GPU: {m.get('cuda') or 'none'}; "
             f"took {results.get('total_seconds', 0):.0f} s")
    return "\n".join([title, "", line(header), line(tuple("-" * w for w in widths)), *map(line, body)])
