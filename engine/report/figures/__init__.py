"""The report's figures, as inline SVG: plumbing (:mod:`.svg`), one scenario's charts
(:mod:`.charts`), the driver graph (:mod:`.graph`) and the overview's (:mod:`.overview`)."""
