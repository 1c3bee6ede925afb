"""The dependency graph: certificates → issuing CAs → roots, certificates → endpoints → services → teams.

The queries (blast radius, CA concentration, single points of failure, chain depth, orphans, issuers that
expire first) are computed vectorized with pandas over the CA hierarchy (cmmm.graph.hierarchy), so they
stay interactive at 250,000 certificates. `build_graph` gives the same picture as a networkx DiGraph for
export (GraphML, node-link JSON). networkx is imported only inside this package.
"""

from __future__ import annotations

from cmmm.graph.blast import AmbiguousCaError, BlastRadius, blast_radius, select_cas
from cmmm.graph.concentration import (
    GraphSummary,
    chain_depth,
    concentration,
    issuer_expires_first,
    orphans,
    single_points_of_failure,
    summarize_graph,
)
from cmmm.graph.network import EdgeType, ExportFormat, NodeType, build_graph, export_graph
from cmmm.graph.services import dependents, service_table

__all__ = [
    "AmbiguousCaError",
    "BlastRadius",
    "EdgeType",
    "ExportFormat",
    "GraphSummary",
    "NodeType",
    "blast_radius",
    "build_graph",
    "chain_depth",
    "concentration",
    "dependents",
    "export_graph",
    "issuer_expires_first",
    "orphans",
    "select_cas",
    "service_table",
    "single_points_of_failure",
    "summarize_graph",
]
