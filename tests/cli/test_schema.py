"""`signpost schema` prints the JSON Schema of a scenario file."""

import json

from engine.cli import main
from engine.cli.schema import schema_text
from engine.scenario.schema import json_schema


def test_signpost_schema_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == json_schema()
    assert printed == schema_text()
