"""The world: its schema, the recipe, the generator, the cache of built worlds, and the SQL
checks that prove its bait."""
