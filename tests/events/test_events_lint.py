"""The lint finds the parts of a rule that can never match a documented event, and names the fix."""

import pytest

from simulacro.events import Finding, lint_pattern

SAGEMAKER = "aws.sagemaker"
ENDPOINT = "SageMaker Endpoint State Change"
PIPELINE = "SageMaker Model Building Pipeline Execution Status Change"
MODEL_PACKAGE = "SageMaker Model Package State Change"


def rule(detail_type: str, detail: dict, source: str = SAGEMAKER) -> dict:
    return {"source": [source], "detail-type": [detail_type], "detail": detail}


def only_finding(pattern) -> Finding:
    findings = lint_pattern(pattern)
    assert len(findings) == 1, findings
    return findings[0]


def test_correct_rules_have_no_findings():
    assert lint_pattern(rule(ENDPOINT, {"EndpointStatus": ["IN_SERVICE", "FAILED"]})) == []
    assert lint_pattern(rule(PIPELINE, {"currentPipelineExecutionStatus": ["Failed"]})) == []
    assert lint_pattern(rule(MODEL_PACKAGE, {"ModelApprovalStatus": ["Approved"]})) == []
    assert (
        lint_pattern(rule("CloudWatch Alarm State Change", {"state": {"value": ["ALARM"]}}, source="aws.cloudwatch"))
        == []
    )


def test_api_spelling_of_endpoint_status_is_reported_with_the_event_spelling():
    finding = only_finding(rule(ENDPOINT, {"EndpointStatus": ["InService"]}))
    assert finding.path == "detail.EndpointStatus[0]"
    assert finding.likely_fix == "IN_SERVICE"
    assert "never" in finding.message


def test_upper_case_pipeline_status_is_reported_with_the_event_spelling():
    finding = only_finding(rule(PIPELINE, {"currentPipelineExecutionStatus": ["FAILED"]}))
    assert finding.likely_fix == "Failed"


def test_title_case_endpoint_failure_is_reported():
    assert only_finding(rule(ENDPOINT, {"EndpointStatus": ["Failed"]})).likely_fix == "FAILED"


def test_only_the_dead_value_of_a_list_is_reported():
    finding = only_finding(rule(ENDPOINT, {"EndpointStatus": ["FAILED", "InService"]}))
    assert finding.path == "detail.EndpointStatus[1]"


def test_operator_that_matches_no_status_is_reported_without_a_guess():
    finding = only_finding(rule(ENDPOINT, {"EndpointStatus": [{"prefix": "In"}]}))
    assert finding.likely_fix is None
    assert '{"prefix": "In"}' in finding.message


def test_operators_that_can_match_a_status_are_fine():
    assert lint_pattern(rule(ENDPOINT, {"EndpointStatus": [{"prefix": "IN_"}, {"anything-but": "x"}]})) == []
    assert lint_pattern(rule(ENDPOINT, {"EndpointStatus": [{"equals-ignore-case": "in_service"}]})) == []


def test_detail_field_without_its_current_prefix_is_reported():
    finding = only_finding(rule(PIPELINE, {"PipelineExecutionStatus": ["Failed"]}))
    assert finding.path == "detail.PipelineExecutionStatus"
    assert finding.likely_fix == "currentPipelineExecutionStatus"


def test_detail_field_with_wrong_casing_is_reported_and_its_values_checked_under_the_right_name():
    findings = lint_pattern(rule(ENDPOINT, {"endpointStatus": ["InService"]}))
    assert [(f.path, f.likely_fix) for f in findings] == [
        ("detail.endpointStatus", "EndpointStatus"),
        ("detail.endpointStatus[0]", "IN_SERVICE"),
    ]


def test_field_matched_only_by_its_absence_is_not_reported():
    assert lint_pattern(rule(ENDPOINT, {"Whatever": [{"exists": False}]})) == []


def test_unknown_field_far_from_any_documented_one_is_reported_without_a_guess():
    finding = only_finding(rule(ENDPOINT, {"Colour": ["blue"]}))
    assert finding.likely_fix is None


@pytest.mark.parametrize("typo", ["aws.sagemaker ", "aws.Sagemaker", "AWS.SageMaker", "aws.sagemakr"])
def test_sagemaker_source_typos_are_reported(typo):
    finding = only_finding({"source": [typo], "detail-type": [ENDPOINT]})
    assert finding.path == "source[0]"
    assert finding.likely_fix == "aws.sagemaker"


def test_custom_sources_are_left_alone():
    assert lint_pattern({"source": ["churn.app"], "detail": {"score": [{"numeric": [">", 0.9]}]}}) == []


def test_unknown_detail_type_for_the_source_suggests_the_closest_documented_one():
    finding = only_finding({"source": [SAGEMAKER], "detail-type": ["SageMaker Endpoint Status Change"]})
    assert finding.path == "detail-type[0]"
    assert finding.likely_fix == ENDPOINT


def test_detail_type_the_source_never_sends_is_reported_even_without_a_guess():
    finding = only_finding({"source": [SAGEMAKER], "detail-type": ["Order Placed"]})
    assert finding.likely_fix is None


def test_known_but_unmodelled_detail_types_are_not_reported():
    assert lint_pattern({"source": [SAGEMAKER], "detail-type": ["SageMaker Transform Job State Change"]}) == []


def test_detail_type_typo_still_gets_its_detail_checked():
    findings = lint_pattern(
        {
            "source": [SAGEMAKER],
            "detail-type": ["SageMaker Endpoint State Changes"],
            "detail": {"EndpointStatus": ["InService"]},
        }
    )
    assert [f.likely_fix for f in findings] == [ENDPOINT, "IN_SERVICE"]


def test_detail_is_checked_against_every_event_of_the_source_when_no_detail_type_is_given():
    finding = only_finding({"source": [SAGEMAKER], "detail": {"ModelApprovalStatus": ["approved"]}})
    assert finding.likely_fix == "Approved"


def test_alarm_state_value_is_checked():
    finding = only_finding(
        rule("CloudWatch Alarm State Change", {"state": {"value": ["Alarm"]}}, source="aws.cloudwatch")
    )
    assert finding.path == "detail.state.value[0]"
    assert finding.likely_fix == "ALARM"


def test_alarm_state_member_casing_is_checked():
    finding = only_finding(
        rule("CloudWatch Alarm State Change", {"state": {"Value": ["ALARM"]}}, source="aws.cloudwatch")
    )
    assert finding.likely_fix == "value"


def test_deployment_variant_status_is_checked_through_arrays():
    pattern = rule(
        "SageMaker Endpoint Deployment State Change", {"ProductionVariants": {"VariantStatus": {"Status": ["BAKING"]}}}
    )
    assert only_finding(pattern).likely_fix == "Baking"


def test_or_alternatives_are_linted_with_their_paths():
    finding = only_finding(
        rule(
            PIPELINE,
            {
                "$or": [
                    {"currentPipelineExecutionStatus": ["Failed"]},
                    {"currentPipelineExecutionStatus": ["STOPPED"]},
                ]
            },
        )
    )
    assert finding.path == "detail.$or[1].currentPipelineExecutionStatus[0]"
    assert finding.likely_fix == "Stopped"


def test_invalid_pattern_is_one_finding_naming_the_error():
    finding = only_finding({"source": "aws.sagemaker"})
    assert finding.path == "source"
    assert "PutRule would refuse" in finding.message


def test_lint_reads_json_text():
    assert (
        only_finding(
            '{"source": ["aws.sagemaker"], "detail-type": ["%s"], '
            '"detail": {"EndpointStatus": ["InService"]}}' % ENDPOINT
        ).likely_fix
        == "IN_SERVICE"
    )
