"""Running the desk: the scheduler and its jobs, the leader lease, the command line, demo data."""
