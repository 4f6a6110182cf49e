"""What the tests share and that is not a test: the reference implementation, networks and
scenarios with known answers, report and check fixtures, and the places of the data they read.

No test module imports another test module; whatever two of them need lives here.
"""

from pathlib import Path

ROOT = Path(__file__).parents[2]  # the project
SCENARIOS = ROOT / "scenarios"  # the shipped scenarios (`make report`)
FIXTURES = Path(__file__).parent / "scenarios"  # valid scenarios written for the tests
MALFORMED = ROOT / "tests" / "scenario" / "malformed"  # the corpus of bad scenarios
# what only sampling needs: loading, validating, exact sums and importance sampling never import
SAMPLING = ("pymc", "pytensor", "arviz", "nutpie", "numba", "jax", "numpyro")
