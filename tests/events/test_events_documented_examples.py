"""Every example pattern and event from AWS's EventBridge documentation, with the verdict AWS gives.

Sources: the EventBridge user guide pages "Creating event patterns", "Comparison operators",
"Arrays in event patterns", "Matching null values and empty strings", and the README of
aws/event-ruler (the engine EventBridge runs), whose examples the guide repeats.
"""

import json

import pytest

from simulacro.events import event_matches

EC2_TERMINATED = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}

RULER_EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}

EC2_PENDING = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-abcd1111", "state": "pending"},
}

NULL_AND_EMPTY = {
    "version": "0",
    "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
    "detail-type": "EC2 Instance Launch Successful",
    "source": "aws.autoscaling",
    "account": "123456789012",
    "time": "2015-11-11T21:31:47Z",
    "region": "us-east-1",
    "resources": [],
    "detail": {"eventVersion": "", "responseElements": None},
}

EMPLOYEES = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}


def detail(**fields):
    return {"detail": fields}


EXAMPLES = [
    # Creating event patterns
    (
        "ec2 termination pattern",
        {
            "source": ["aws.ec2"],
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": {"state": ["terminated"]},
        },
        EC2_TERMINATED,
        True,
    ),
    ("any of several sources", {"source": ["aws.ec2", "aws.fargate"]}, EC2_TERMINATED, True),
    # Prefix
    ("prefix on time", {"time": [{"prefix": "2017-10-02"}]}, {"time": "2017-10-02T18:43:48Z"}, True),
    (
        "prefix on region, european",
        {"source": ["aws.autoscaling"], "region": [{"prefix": "eu-"}]},
        {"source": "aws.autoscaling", "region": "eu-west-1"},
        True,
    ),
    (
        "prefix on region, american",
        {"source": ["aws.autoscaling"], "region": [{"prefix": "eu-"}]},
        {"source": "aws.autoscaling", "region": "us-east-1"},
        False,
    ),
    (
        "prefix ignoring case, EventBridge",
        {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]},
        {"service": "EventBridge"},
        True,
    ),
    (
        "prefix ignoring case, EVENTBRIDGE",
        {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]},
        {"service": "EVENTBRIDGE"},
        True,
    ),
    (
        "prefix ignoring case, eventbridge",
        {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]},
        {"service": "eventbridge"},
        True,
    ),
    # Suffix
    ("suffix .png", {"FileName": [{"suffix": ".png"}]}, {"FileName": "image.png"}, True),
    ("suffix .png on a jpg", {"FileName": [{"suffix": ".png"}]}, {"FileName": "image.jpg"}, False),
    (
        "suffix ignoring case",
        {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]},
        {"FileName": "image.PNG"},
        True,
    ),
    ("ruler suffix on source", {"source": [{"suffix": "ec2"}]}, RULER_EVENT, True),
    # Anything-but
    ("anything-but a string", {"detail": {"state": [{"anything-but": "initializing"}]}}, RULER_EVENT, True),
    ("anything-but the string present", {"detail": {"state": [{"anything-but": "running"}]}}, RULER_EVENT, False),
    ("anything-but a number", {"detail": {"x-limit": [{"anything-but": 123}]}}, RULER_EVENT, True),
    (
        "anything-but a list of strings",
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        RULER_EVENT,
        True,
    ),
    (
        "anything-but a list of strings, excluded",
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        detail(state="stopped"),
        False,
    ),
    ("anything-but a list of numbers", {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}, RULER_EVENT, True),
    (
        "anything-but a list of numbers, excluded",
        {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
        detail(**{"x-limit": 200}),
        False,
    ),
    ("anything-but prefix", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, RULER_EVENT, True),
    (
        "anything-but prefix, excluded",
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        detail(state="initializing"),
        False,
    ),
    (
        "anything-but suffix",
        {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
        detail(FileName="notes.md"),
        True,
    ),
    (
        "anything-but suffix, excluded",
        {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
        detail(FileName="notes.txt"),
        False,
    ),
    (
        "anything-but ignoring case",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}},
        detail(state="running"),
        True,
    ),
    (
        "anything-but ignoring case, excluded",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}},
        detail(state="STOPPED"),
        False,
    ),
    (
        "anything-but a wildcard",
        {"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        detail(FilePath="/usr/bin/python"),
        True,
    ),
    (
        "anything-but a wildcard, excluded",
        {"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        detail(FilePath="/usr/lib/python"),
        False,
    ),
    (
        "anything-but wildcards",
        {"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}},
        detail(FilePath="/usr/bin/python"),
        False,
    ),
    # Numeric
    (
        "numeric ranges",
        {
            "detail": {
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"numeric": ["=", 3.018e2]}],
            }
        },
        RULER_EVENT,
        True,
    ),
    (
        "numeric range, outside",
        {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}},
        detail(**{"c-count": 6}),
        False,
    ),
    # IP address
    (
        "cidr IPv4",
        {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
        detail(sourceIPAddress="10.0.0.255"),
        True,
    ),
    (
        "cidr IPv4, outside",
        {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
        detail(sourceIPAddress="10.0.1.0"),
        False,
    ),
    ("cidr on source-ip", {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, RULER_EVENT, True),
    # Exists
    ("exists true", {"detail": {"state": [{"exists": True}]}}, EC2_PENDING, True),
    ("exists false on a present field", {"detail": {"state": [{"exists": False}]}}, EC2_PENDING, False),
    ("exists false on an absent field", {"detail": {"c-count": [{"exists": False}]}}, EC2_PENDING, True),
    (
        "exists false on an object: not a leaf",
        {"detail": {"c-count": [{"exists": False}]}},
        detail(state="running", **{"c-count": {"c1": 100}}),
        True,
    ),
    ("exists true on a present field", {"detail": {"c-count": [{"exists": True}]}}, RULER_EVENT, True),
    # Equals ignoring case
    (
        "equals-ignore-case on detail-type",
        {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]},
        EC2_PENDING,
        True,
    ),
    ("ruler equals-ignore-case is an equality", {"source": [{"equals-ignore-case": "EC2"}]}, RULER_EVENT, False),
    # Wildcard
    (
        "wildcard on an event bus ARN",
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
        {"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"},
        True,
    ),
    (
        "wildcard on an event bus ARN, other region",
        {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]},
        {"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/default"},
        False,
    ),
    ("ruler wildcard", {"source": [{"wildcard": "Simple*Service"}]}, {"source": "SimpleQueueService"}, True),
    ("wildcard *.png", {"key": [{"wildcard": "*.png"}]}, {"key": "photos/cat.png"}, True),
    ("wildcard *Title*", {"key": [{"wildcard": "*Title*"}]}, {"key": "AnnualTitleReport"}, True),
    ("wildcard dir/*.png", {"key": [{"wildcard": "dir/*.png"}]}, {"key": "dir/a/b.png"}, True),
    # Complex examples
    (
        "complex pattern",
        {
            "time": [{"prefix": "2017-10-02"}],
            "detail": {
                "state": [{"anything-but": "initializing"}],
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"anything-but": [100, 200, 300]}],
                "source-ip": [{"cidr": "10.0.0.0/8"}],
            },
        },
        RULER_EVENT,
        True,
    ),
    (
        "ruler simple matching",
        {
            "detail-type": ["EC2 Instance State-change Notification"],
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
            "detail": {"state": ["initializing", "running"]},
        },
        RULER_EVENT,
        True,
    ),
    # $or
    (
        "$or on numbers in detail",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                    {"d-count": [{"numeric": ["<", 10]}]},
                    {"x-limit": [{"numeric": ["=", 3.018e2]}]},
                ]
            }
        },
        detail(**{"c-count": 50, "d-count": 50, "x-limit": 301.8}),
        True,
    ),
    (
        "$or on numbers in detail, none",
        {
            "detail": {
                "$or": [
                    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                    {"d-count": [{"numeric": ["<", 10]}]},
                ]
            }
        },
        detail(**{"c-count": 50, "d-count": 50}),
        False,
    ),
    (
        "normal $or",
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
        },
        {"source": "aws.cloudwatch", "namespace": "AWS/ES"},
        True,
    ),
    (
        "parallel $or",
        {
            "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
            "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["CloudWatch Alarm State Change"]}]},
        },
        {"metricName": "ReadLatency", "detail": {"detail-type": "CloudWatch Alarm State Change"}},
        True,
    ),
    (
        "parallel $or, second group fails",
        {
            "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
            "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["CloudWatch Alarm State Change"]}]},
        },
        {"metricName": "ReadLatency", "detail": {"source": "aws.ec2"}},
        False,
    ),
    (
        "$or with an and inside",
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"]},
                {"scope": ["Service"]},
            ],
        },
        {"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2"},
        True,
    ),
    (
        "$or with an and inside, half the and",
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"]},
                {"scope": ["Service"]},
            ],
        },
        {"source": "aws.cloudwatch", "metricType": "MetricType"},
        False,
    ),
    (
        "nested $or and and",
        {
            "source": ["aws.cloudwatch"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency"]},
                {
                    "metricType": ["MetricType"],
                    "namespace": ["AWS/EC2", "AWS/ES"],
                    "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
                },
                {"scope": ["Service"]},
            ],
        },
        {"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2", "spaceId": 1000},
        True,
    ),
    # Null values and empty strings
    ("null matches null", {"detail": {"responseElements": [None]}}, NULL_AND_EMPTY, True),
    ("empty string matches empty string", {"detail": {"eventVersion": [""]}}, NULL_AND_EMPTY, True),
    ("empty string does not match null", {"detail": {"responseElements": [""]}}, NULL_AND_EMPTY, False),
    ("null does not match empty string", {"detail": {"eventVersion": [None]}}, NULL_AND_EMPTY, False),
    # Arrays
    (
        "arrays intersect",
        {
            "resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
            ]
        },
        {
            "resources": [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            ]
        },
        True,
    ),
    ("array of objects, one element", {"employees": {"firstName": ["Anna"]}}, EMPLOYEES, True),
    (
        "array of objects, fields of two elements are never combined",
        {"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}},
        EMPLOYEES,
        False,
    ),
    (
        "array of objects, both fields in one element",
        {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}},
        EMPLOYEES,
        True,
    ),
]


@pytest.mark.parametrize(
    "pattern, event, expected",
    [example[1:] for example in EXAMPLES],
    ids=[example[0] for example in EXAMPLES],
)
def test_documented_example_gets_the_documented_verdict(pattern, event, expected):
    assert event_matches(pattern, event) is expected


@pytest.mark.parametrize(
    "pattern, event, expected",
    [example[1:] for example in EXAMPLES],
    ids=[example[0] for example in EXAMPLES],
)
def test_documented_example_as_json_text_gets_the_same_verdict(pattern, event, expected):
    assert event_matches(json.dumps(pattern), json.dumps(event)) is expected
