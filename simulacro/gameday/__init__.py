"""What exists because drills may run on a real account: preflight and guards, stop conditions,
permissions and call recording, cleanup by run tag, and parallel groups."""
