"""`$or` at any level, and compiled patterns reused across events."""

from simulacro.events import CompiledPattern, compile_pattern, event_matches

FAILED_OR_STOPPED = {
    "source": ["aws.sagemaker"],
    "detail": {
        "$or": [
            {"currentPipelineExecutionStatus": ["Failed"]},
            {"currentStepStatus": ["Failed", "Stopped"]},
        ]
    },
}


def test_or_matches_when_any_alternative_matches():
    assert event_matches(FAILED_OR_STOPPED, {"source": "aws.sagemaker", "detail": {"currentStepStatus": "Stopped"}})


def test_or_does_not_excuse_the_fields_beside_it():
    assert not event_matches(FAILED_OR_STOPPED, {"source": "aws.ec2", "detail": {"currentStepStatus": "Stopped"}})


def test_or_fails_when_no_alternative_matches():
    assert not event_matches(
        FAILED_OR_STOPPED, {"source": "aws.sagemaker", "detail": {"currentStepStatus": "Succeeded"}}
    )


def test_or_alternative_may_accept_absence():
    pattern = {"$or": [{"a": ["x"]}, {"b": [{"exists": False}]}]}
    assert event_matches(pattern, {"c": 1})
    assert not event_matches(pattern, {"b": 1})


def test_or_alternatives_may_nest_objects():
    pattern = {"$or": [{"detail": {"a": ["1"]}}, {"detail": {"b": ["2"]}}]}
    assert event_matches(pattern, {"detail": {"b": "2"}})


def test_compile_pattern_returns_a_reusable_matcher():
    matcher = compile_pattern(FAILED_OR_STOPPED)
    assert isinstance(matcher, CompiledPattern)
    assert matcher({"source": "aws.sagemaker", "detail": {"currentPipelineExecutionStatus": "Failed"}})
    assert not matcher({"source": "aws.sagemaker", "detail": {"currentPipelineExecutionStatus": "Succeeded"}})


def test_compiling_the_same_text_twice_reuses_the_compilation():
    text = '{"source": ["aws.sagemaker"]}'
    assert compile_pattern(text) is compile_pattern(text)


def test_compiled_pattern_accepts_event_text():
    assert compile_pattern({"a": [1]})('{"a": 1}')


def test_compile_pattern_passes_a_compiled_pattern_through():
    matcher = compile_pattern({"a": ["x"]})
    assert compile_pattern(matcher) is matcher
