"""The scenario catalog, one YAML file per rehearsable event: installed as the package data of
cmmm.scenarios (see pyproject.toml) and read with importlib.resources by cmmm.drill.scenario."""
