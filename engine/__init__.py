"""Signpost: plain-YAML scenarios turned into Bayesian models.

Importing this package (and reading, validating, the schema and the CLI's help) never imports
PyMC.
"""

__version__ = "0.1.0"
