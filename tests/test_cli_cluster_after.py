"""The ending the storing commands share (storylens.cli.common: cluster_after, finish),
through the real console entry point: what an earlier run left unclustered is clustered
and said so, and a clustering failure is one line (or a JSON key) while the articles
stay stored and the exit code says they went in."""

from __future__ import annotations

import json
import re

from tests.conftest import JFORUM, PRESSTV, RunCli

STORED = r"ingested 1, duplicates skipped 0, failed 0( \(warnings: \d+; see `storylens show ID`\))?"


def test_an_earlier_runs_unclustered_articles_are_clustered_and_counted(
        run_cli: RunCli) -> None:
    first = run_cli("ingest", str(JFORUM), "--no-cluster", check_rc=0)
    assert re.fullmatch(STORED, first.stdout.strip()), first.stdout
    second = run_cli("ingest", str(PRESSTV), check_rc=0)
    assert re.fullmatch(STORED + r"; clustered into \d+ new events \(1 of them left "
                        r"unclustered by an earlier run\)", second.stdout.strip()), second.stdout
    again = json.loads(run_cli("cluster", "--json", check_rc=0).stdout)
    assert again["clustered"] == 0, "both were clustered by the second ingest"


def test_a_clustering_failure_keeps_the_articles_and_the_exit_code(run_cli: RunCli) -> None:
    as_json = json.loads(run_cli("ingest", str(JFORUM), "--embedder", "bogus", "--json",
                                 check_rc=0).stdout)
    assert as_json["ingested"] == 1 and as_json["cluster"] is None
    assert "unknown embedder 'bogus'" in as_json["cluster_error"]
    plain = run_cli("ingest", str(PRESSTV), "--embedder", "bogus", check_rc=0)
    assert re.fullmatch(STORED, plain.stdout.strip()), plain.stdout
    assert re.match(r"clustering skipped: unknown embedder 'bogus'", plain.stderr.strip())
    assert json.loads(run_cli("articles", "--json", check_rc=0).stdout)["total"] == 2
    ok = json.loads(run_cli("ingest", str(JFORUM), "--json", check_rc=0).stdout)
    assert ok["duplicates"] == 1 and ok["cluster"]["clustered"] == 2
    assert "cluster_error" not in ok
