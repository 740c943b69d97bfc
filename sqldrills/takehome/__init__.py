"""Take-home exercises: building bundles, reading submissions, grading, scoring and reports, and their commands."""
