"""The pre-promotion gate's candidate in the drills: its static compatibility with what watches the endpoint
(`compatibility`), the model package it is registered as (`package`), its deployment through the team's path
and the way back (`deployment`), and the verdict the drills add up to (`verdict`)."""
