"""Secrets never leave: credential-bearing URLs (webhook paths and tokens, presigned URLs, query tokens, user
information) are masked in everything we write or print, while AWS's own and the local endpoint's URLs stay
readable. The end-to-end case puts a webhook on a topic and reads every output of a run."""

import json
import os

import pytest

from simulacro.evidence.redact import MASK, mask_url, redact, redact_text
from support.drill_runner import ROOT
from support.example_spec import example_data, write_spec

SECRET = "XyZ0secret0Token"
WEBHOOK = f"https://hooks.example.com/services/T000/B000/{SECRET}"


@pytest.mark.parametrize(
    "url, masked",
    [
        (WEBHOOK, "https://hooks.example.com/***"),
        (f"https://pager.example.org/hook?token={SECRET}&team=ml", "https://pager.example.org/***?token=***&team=***"),
        (
            f"https://bucket.s3.eu-west-1.amazonaws.com/key.json?X-Amz-Credential=AKIA&X-Amz-Signature={SECRET}",
            "https://bucket.s3.eu-west-1.amazonaws.com/key.json?X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        (f"https://user:{SECRET}@example.com/", "https://***@example.com/"),
        (
            "https://sqs.eu-west-1.amazonaws.com/210987654321/churn-ops",
            "https://sqs.eu-west-1.amazonaws.com/210987654321/churn-ops",
        ),
        ("http://127.0.0.1:5000/moto-api/", "http://127.0.0.1:5000/moto-api/"),
        ("https://hooks.example.com", "https://hooks.example.com"),
    ],
)
def test_credential_bearing_urls_are_masked_and_others_kept(url, masked):
    assert mask_url(url) == masked


def test_urls_inside_text_html_and_structures_are_masked():
    text = f'subscribed {WEBHOOK}, then <a href="{WEBHOOK}">x</a> and ({WEBHOOK}).'
    assert SECRET not in redact_text(text) and "hooks.example.com/***" in redact_text(text)
    bundle = {
        "subscriptions": [{"protocol": "https", "endpoint": WEBHOOK}],
        "note": [f"token at {WEBHOOK}?sig=1"],
        "SessionToken": "abc",
        "key": "AKIAABCDEFGHIJKLMNOP",
    }
    masked = json.dumps(redact(bundle))
    assert SECRET not in masked and "AKIAABCDEFGHIJKLMNOP" not in masked and '"SessionToken": "***"' in masked
    assert MASK in masked


@pytest.fixture(scope="module")
def run_with_a_webhook(tmp_path_factory, python):
    folder = tmp_path_factory.mktemp("webhook")
    spec = example_data()
    oncall = next(t for t in spec["topics"] if t["name"] == "churn-oncall-staging")
    oncall["subscriptions"].append({"protocol": "https", "endpoint": WEBHOOK})
    write_spec(spec, folder)
    run = python.run(
        [
            "pytest",
            "drills",
            "-m",
            "inventory or notification",
            "-k",
            "inventory or churn-staging-5xx-rate",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-rA",
            f"--spec={folder / 'stack.yaml'}",
            f"--html={folder / 'run.html'}",
            "--self-contained-html",
            f"--junitxml={folder / 'run.xml'}",
        ],
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return run, folder


def test_no_output_of_a_run_holds_the_webhooks_secret(run_with_a_webhook):
    run, folder = run_with_a_webhook
    assert run.returncode == 0, run.stdout[-3000:]
    outputs = {
        "terminal": run.stdout + run.stderr,
        **{name: (folder / name).read_text() for name in ("run.json", "run.html", "run.xml")},
    }
    leaking = [name for name, text in outputs.items() if SECRET in text or "B000/" in text]
    assert not leaking, f"the webhook's secret appears in {leaking}"
    assert "hooks.example.com/***" in outputs["run.json"]  # the subscription is there, masked
