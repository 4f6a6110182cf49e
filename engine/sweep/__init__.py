"""``signpost sweep`` (SPEC §13): one number of a scenario fixed at a series of values, the main
result at each, every other number keeping its prior.

- :mod:`engine.sweep.request`: the number (a key path of ``network.layout.slots``) and its
  values, checked before any work; a path that names no number, or values outside what the
  number allows, is bad input with every problem at once;
- :mod:`engine.sweep.compute`: the sweep itself, its most likely outcome at each value and the
  word-band crossings (SPEC §2), as plain data with the SPEC §13 JSON;
- :mod:`engine.sweep.text` and :mod:`engine.sweep.plot`: its table for a terminal and its SVG
  plot.
"""
