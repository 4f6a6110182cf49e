"""Signpost: plain-YAML scenarios turned into Bayesian models.

Importing this package (and its loader, schema and validator) never imports PyMC.
"""

__version__ = "0.1.0"
