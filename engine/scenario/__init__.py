"""Reading a scenario file: YAML with the place of every key, ``extends``, discovery, the schema,
values and words, the validation rules, and the issues they report (SPEC §1-§7).

Nothing here imports NumPy's numerical stack beyond what pydantic needs, nor PyMC: validating
a file is quick. :func:`~engine.scenario.validate.load_scenario` is the usual way in.
"""
