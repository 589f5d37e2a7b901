"""Statistics, the dashboard and generated documents, all read from the indicators of the other apps."""
