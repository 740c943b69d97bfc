"""``sqldrills serve``: the drills in a browser page on localhost, on the same engine as the
command line (architecture.md §5, docs/web.md)."""
