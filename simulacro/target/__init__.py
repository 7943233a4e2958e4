"""Where drills run and how they reach AWS: the targets (local or real), clocks, waits, boto3 clients,
AWS error translation, run tags and request sending. Nothing here knows about drills or pytest."""
