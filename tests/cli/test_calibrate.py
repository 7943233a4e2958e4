"""Calibration replays a history through every alarm and flags the ones that would page too often."""

import csv
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from simulacro.cli import main

START = datetime(2026, 11, 1, tzinfo=timezone.utc)
ENDPOINT_DIMS = "EndpointName=churn-staging;VariantName=AllTraffic"


def _history(path, *, latency_ms, spikes_per_day=0, days=2, seed=1):
    rng = np.random.default_rng(seed)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "namespace", "metric", "dimensions", "value", "count"])
        for minute in range(days * 1440):
            at = (START + timedelta(minutes=minute)).isoformat()
            spike = spikes_per_day and minute % (1440 // spikes_per_day) < 5
            # 1,200 requests a minute, as 40 distinct latencies each seen 30 times (PutMetricData Values/Counts)
            for value in rng.lognormal(np.log(latency_ms * (20 if spike else 1) * 1000), 0.3, 40):
                writer.writerow([at, "AWS/SageMaker", "ModelLatency", ENDPOINT_DIMS, f"{value:.0f}", 30])
            writer.writerow([at, "AWS/SageMaker", "Invocations", ENDPOINT_DIMS, 1200, 1])
            writer.writerow([at, "AWS/SageMaker", "Invocation5XXErrors", ENDPOINT_DIMS, 0, 1])
    return path


def test_a_quiet_history_flags_no_alarm(tmp_path, capsys):
    history = _history(tmp_path / "quiet.csv", latency_ms=40)
    assert main(["calibrate", "--history", str(history), "--env", "staging"]) == 0
    out = capsys.readouterr().out
    assert "churn-staging-latency-p95" in out and "0 noisy alarm(s)" in out


def test_a_spiky_history_flags_the_latency_alarms_as_noisy(tmp_path, capsys):
    history = _history(tmp_path / "spiky.csv", latency_ms=40, spikes_per_day=4)
    assert main(["calibrate", "--history", str(history), "--env", "staging"]) == 1
    out = capsys.readouterr().out
    noisy = [line.split()[0] for line in out.splitlines() if "NOISY" in line]
    assert noisy == ["churn-staging-latency-p95", "churn-staging-latency-p99"]


def test_thin_traffic_is_judged_only_by_percentile_alarms_that_evaluate_low_sample_counts(tmp_path, capsys):
    """40 samples a minute: the P95 alarm evaluates low sample counts and pages on the spikes; the P99 alarm
    ignores them (it would need 1,000 samples) and never judges."""
    path = tmp_path / "thin.csv"
    rows = ["timestamp,namespace,metric,dimensions,value"]
    for minute in range(1440):
        at = (START + timedelta(minutes=minute)).isoformat()
        rows += [f"{at},AWS/SageMaker,ModelLatency,{ENDPOINT_DIMS},{900000 if minute % 360 < 5 else 40000}"] * 40
    path.write_text("\n".join(rows) + "\n")
    assert main(["calibrate", "--history", str(path), "--env", "staging"]) == 1
    noisy = [line.split()[0] for line in capsys.readouterr().out.splitlines() if "NOISY" in line]
    assert noisy == ["churn-staging-latency-p95"]


def test_alarms_without_data_are_said_so(tmp_path, capsys):
    main(["calibrate", "--history", str(_history(tmp_path / "h.csv", latency_ms=40, days=1)), "--env", "staging"])
    out = capsys.readouterr().out
    assert "churn-pipeline-execution-failed" in out and "no data: cannot judge" in out


def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,namespace,metric,dimensions,value\nyesterday,AWS/SageMaker,ModelLatency,,fast\n")
    assert main(["calibrate", "--history", str(bad)]) == 2
    assert f"{bad}:2: expected timestamp,namespace,metric,dimensions,value" in capsys.readouterr().err
    assert main(["calibrate", "--history", str(tmp_path / "missing.csv")]) == 2
    assert main(["calibrate", "--history", str(bad), "--env", "qa"]) == 2
    assert "unknown environment 'qa'" in capsys.readouterr().err


def test_baseline_command_writes_a_new_immutable_version(tmp_path, capsys):
    dataset = tmp_path / "d.csv"
    dataset.write_text("a,b\n1,x\n2,y\n3,x\n")
    assert (
        main(["baseline", "--dataset", str(dataset), "--model", "m", "--version", "v2", "--root", str(tmp_path / "b")])
        == 0
    )
    assert (tmp_path / "b" / "m" / "v2" / "manifest.json").is_file()
    assert (
        main(["baseline", "--dataset", str(dataset), "--model", "m", "--version", "v2", "--root", str(tmp_path / "b")])
        == 2
    )
    assert "versions are immutable" in capsys.readouterr().err


def test_a_byte_order_mark_is_read_as_the_start_of_the_file(tmp_path, capsys):
    """Spreadsheets export UTF-8 with a BOM: it must not become part of the first column's name."""
    history = _history(tmp_path / "h.csv", latency_ms=40, days=1)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + history.read_bytes())
    assert main(["calibrate", "--history", str(bom), "--env", "staging"]) == 0, capsys.readouterr().err
    assert "churn-staging-latency-p95" in capsys.readouterr().out


def test_a_history_that_matches_no_alarm_is_said_so(tmp_path, capsys):
    path = tmp_path / "other.csv"
    path.write_text(
        "timestamp,namespace,metric,dimensions,value\n"
        "2026-11-01T00:00:00Z,AWS/SageMaker,ModelLatency,endpointname=churn-staging;variantname=AllTraffic,40000\n"
    )
    assert main(["calibrate", "--history", str(path), "--env", "staging"]) == 0
    err = capsys.readouterr().err
    assert "the history matches no alarm" in err and "case-sensitive" in err
    assert "endpointname=churn-staging" in err and "EndpointName=churn-staging" in err


def test_the_help_documents_the_dimension_syntax(capsys):
    try:
        main(["calibrate", "--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    assert (
        "Name=Value" in out and "EndpointName=churn-staging;VariantName=AllTraffic" in out and "byte order mark" in out
    )


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"timestamp,namespace,metric,value\n1,a,b,1\n", "missing: dimensions"),
        (
            b"timestamp,namespace,metric,dimensions,value\n2026-11-01T00:00:00Z,AWS/SageMaker,Invocations,EndpointName,1\n",
            "is not Name=Value",
        ),
        (
            b"timestamp,namespace,metric,dimensions,value\n2026-11-01T00:00:00Z,AWS/SageMaker,Invocations,,nan\n",
            "finite number",
        ),
        (b"timestamp,namespace,metric,dimensions,value\n\xff\xfe\x00\x01,,,,\n", "not UTF-8"),
        (b"timestamp,namespace,metric,dimensions,value,count\n2026-11-01T00:00:00Z,A,B,,1,-3\n", "positive count"),
        (b"", "missing: timestamp"),
    ],
)
def test_a_malformed_history_is_one_paragraph_naming_the_line(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["calibrate", "--history", str(path), "--env", "staging"]) == 2
    err = capsys.readouterr().err
    assert expected in err and str(path) in err and "Traceback" not in err, err


def test_a_window_of_no_days_is_refused(capsys):
    assert main(["calibrate", "--target", "local", "--days", "0"]) == 2
    assert "positive number of days" in capsys.readouterr().err
