"""The steps that write a world, one function each, run in the order of
``sqldrills.world.generate.STEPS``. Each step's docstring names the tables it reads and
the tables it writes; temporary tables (``temp.acct``...) carry data from step to step.
"""

# Part of every cached world's key: bump it whenever a step's output changes.
GENERATOR_VERSION = "7"
