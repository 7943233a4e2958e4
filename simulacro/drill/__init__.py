"""What a drill is handed: faults that always undo themselves, expectations on alarms and events,
probes, steady traffic, and the Model Monitor drill helpers. Talks to AWS only through the target."""
