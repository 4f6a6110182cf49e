"""Standard network files (SPEC §12): ``signpost import`` reads a Bayesian network in BIF,
XMLBIF or Hugin NET into a scenario; ``signpost export`` writes a scenario's network in one of
them.

Reading XMLBIF and NET, and writing every format, is pgmpy's (``pgmpy.readwrite``), imported
only by these two commands; BIF is read by :mod:`engine.exchange.bif` as pgmpy reads it, without
pgmpy's import (two thirds of ALARM's import time). pyAgrum reads and writes the same formats
and is independent of pgmpy, but its BIF and NET readers keep probabilities as single-precision
floats (0.9 is read as 0.8999999761581421), an error of about 1e-8 where SPEC §12 asks a file to
mean exactly what it says; pgmpy's keep them as written.
"""
