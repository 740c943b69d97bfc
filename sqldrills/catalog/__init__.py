"""The drill catalog: the strict loader, the self-check (validate), mutation testing and the catalog page."""
