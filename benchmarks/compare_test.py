#!/usr/bin/env python3
"""Checks benchmarks/compare on made-up reports: the change of a figure,
its direction, the median over several pairs, the 1 ms allowance for
small latencies, and partial reports. Run by .ci/run; only the standard
library (python3 benchmarks/compare_test.py)."""
import contextlib
import io
import json
import os
import tempfile
import unittest
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader

HERE = os.path.dirname(os.path.abspath(__file__))
# benchmarks/compare has no .py suffix, so it is loaded by path.
_loader = SourceFileLoader("compare", os.path.join(HERE, "compare"))
compare = module_from_spec(spec_from_loader("compare", _loader))
_loader.exec_module(compare)


def report(ingest_rps=None, drain=None, refused_ms=None, healthy_p99=None):
    sqlite = {}
    if ingest_rps is not None:
        sqlite["ingest"] = {"by_connections": {"128": {"rps": ingest_rps, "p99_ms": 20.0}}, "peak_rss_mb": 50}
    if drain is not None:
        sqlite["drain"] = {"per_second": drain}
    if refused_ms is not None:
        sqlite["isolation"] = {"p50_ms": 4, "p99_ms": healthy_p99, "refused_p50_ms": refused_ms}
    return {"date": "test", "binary": "test", "results": {"sqlite": sqlite}}


class CompareTests(unittest.TestCase):
    def run_compare(self, *pairs, band=None):
        with tempfile.TemporaryDirectory() as directory:
            paths = []
            for number, (before, after) in enumerate(pairs):
                for side, data in (("a", before), ("b", after)):
                    path = os.path.join(directory, f"{number}-{side}.json")
                    with open(path, "w") as f:
                        json.dump(data, f)
                    paths.append(path)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = compare.main(["compare", *paths] + (["--band", str(band)] if band else []))
        self.assertEqual(status, 0)
        text = out.getvalue()
        rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| sqlite")}
        self.assertTrue(rows, "compare printed no figure")
        return text, rows

    def test_one_pair_flags_a_drop_beyond_the_band(self):
        text, rows = self.run_compare((report(ingest_rps=1000, drain=100), report(ingest_rps=900, drain=104)))
        self.assertIn("-10.0 %", rows["sqlite ingest @128 req/s"])
        self.assertIn("**yes**", rows["sqlite ingest @128 req/s"])
        self.assertIn("+4.0 %", rows["sqlite drain /s"])
        self.assertNotIn("**yes**", rows["sqlite drain /s"])
        self.assertIn("1 figure(s) worse by more than 5 %", text)

    def test_a_latency_is_better_when_it_falls(self):
        _, rows = self.run_compare((report(refused_ms=40, healthy_p99=20), report(refused_ms=20, healthy_p99=30)))
        self.assertIn("+50.0 %", rows["sqlite isolation refused attempt p50 ms"])
        self.assertIn("-50.0 %", rows["sqlite isolation healthy p99 ms"])
        self.assertIn("**yes**", rows["sqlite isolation healthy p99 ms"])

    def test_a_change_of_one_millisecond_is_not_counted(self):
        text, rows = self.run_compare((report(refused_ms=1, healthy_p99=7), report(refused_ms=2, healthy_p99=8)))
        self.assertIn("-100.0 %", rows["sqlite isolation refused attempt p50 ms"])
        self.assertNotIn("**yes**", rows["sqlite isolation refused attempt p50 ms"])
        self.assertIn("0 figure(s) worse", text)

    def test_several_pairs_take_the_median_change(self):
        pairs = [
            (report(ingest_rps=1000), report(ingest_rps=800)),  # -20 %: one noisy pair
            (report(ingest_rps=1000), report(ingest_rps=1010)),
            (report(ingest_rps=2000), report(ingest_rps=1960)),  # -2 %
        ]
        text, rows = self.run_compare(*pairs)
        row = rows["sqlite ingest @128 req/s"]
        self.assertIn("| -2.0 % |", row)
        self.assertIn("-20.0 / +1.0 / -2.0", row)
        self.assertNotIn("**yes**", row)
        self.assertIn("median over 3 pairs", text)

    def test_a_partial_pair_counts_only_for_its_figures(self):
        pairs = [
            (report(ingest_rps=1000, refused_ms=10, healthy_p99=10), report(ingest_rps=1000, refused_ms=10, healthy_p99=10)),
            (report(refused_ms=10, healthy_p99=10), report(refused_ms=20, healthy_p99=10)),
        ]
        _, rows = self.run_compare(*pairs)
        self.assertIn("| +0.0 % | +0.0 |", rows["sqlite ingest @128 req/s"])
        self.assertIn("+0.0 / -100.0", rows["sqlite isolation refused attempt p50 ms"])

    def test_the_band_can_be_widened(self):
        text, rows = self.run_compare((report(ingest_rps=1000), report(ingest_rps=900)), band=15)
        self.assertNotIn("**yes**", rows["sqlite ingest @128 req/s"])
        self.assertIn("worse by more than 15 %", text)


if __name__ == "__main__":
    unittest.main()
