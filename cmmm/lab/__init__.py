"""Real certificates built on demand: test PKIs for sample organizations, tests, benchmarks and the PQC lab."""
