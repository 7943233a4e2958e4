"""The HTML evidence a person reads: rendered in a real headless browser, inventories and timelines visible,
nothing secret in it; the JSON bundle beside it."""
import json
import shutil
import subprocess

import pytest

from drill_runner import run_drills

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _render(html_path, tmp_path):
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom", html_path.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120).stdout


def test_report_shows_inventories_and_timelines_and_keeps_no_secret(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak-this-secret")
    html = tmp_path / "drills.html"
    result = run_drills(pytester, None, "test_inventory.py", "test_notifications.py",
                        extra=(f"--html={html}", "--self-contained-html", "-k", "staging-5xx or alarms_exist"))
    result.assert_outcomes(passed=3)
    bundle = json.loads(html.with_suffix(".json").read_text())
    assert {d["category"] for d in bundle["drills"]} == {"inventory", "notification"}
    notification = next(d for d in bundle["drills"] if d["category"] == "notification")
    assert [e["kind"] for e in notification["timeline"]][:3] == ["inject", "alarm", "notification"]
    assert any(m["name"].startswith("time to notify") for m in notification["measurements"])
    for text in (html.read_text(), html.with_suffix(".json").read_text()):
        assert "do-not-leak-this-secret" not in text

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    dom = _render(html, tmp_path)
    assert "Alarms by category" in dom and "Rules and targets" in dom and "Log groups and retention" in dom
    assert "churn-staging-5xx-rate" in dom and "simulacro-timeline" in dom and "time to notify" in dom
