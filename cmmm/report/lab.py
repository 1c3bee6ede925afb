"""The PQC lab's results as a report section: measured table, verdicts, what cannot be built; and as Markdown."""

from __future__ import annotations

import math

import pandas as pd

from cmmm.lab import LabResult
from cmmm.report.view import LabRow, LabSection, LabVerdictRow, neutralized
from cmmm.sanitize import md_escape

# What the lab proves and does not (docs/pqc-lab.md), said wherever its numbers appear.
SCOPE = (
    "Real TLS 1.3 handshakes on 127.0.0.1 with freshly built chains mirroring each private hierarchy, on the "
    "OpenSSL bundled with cryptography: byte counts are exact for that library; times are loopback times on "
    "this machine (no latency, no packet loss) and compare profiles, they do not predict production; round "
    "trips assume a 10-segment initial window. Public WebPKI hierarchies are measured for information only: no "
    "root program admits ML-DSA."
)


def _num(v: object) -> float:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return f


def lab_section(result: LabResult) -> LabSection:
    """The report's view of a lab result (neutralized: names come from the inventory)."""
    m = result.measurements
    ok = m[m["error"].isna() | (m["error"] == "")]
    rows: list[LabRow] = []
    if len(ok):
        ok = ok.assign(cert=ok["certificate_bytes"] + ok["certificate_verify_bytes"])
        g = ok.groupby(["hierarchy", "profile", "kem"], sort=False)
        agg = g.agg(
            ch=("client_hello_bytes", "median"),
            cert=("cert", "median"),
            flight=("server_flight_bytes", "median"),
            rt=("round_trips", "max"),
            hrr=("hello_retry", "any"),
            ms=("handshake_ms_median", "median"),
            ccpu=("client_cpu_ms_median", "median"),
            scpu=("server_cpu_ms_median", "median"),
            ver=("verify_ms_median", "median"),
        ).reset_index()
        for r in agg.itertuples():
            rows.append(
                LabRow(
                    hierarchy=str(r.hierarchy),
                    profile=str(r.profile),
                    kem=str(r.kem),
                    client_hello_bytes=round(_num(r.ch)),
                    certificate_bytes=round(_num(r.cert)),
                    server_flight_bytes=round(_num(r.flight)),
                    round_trips=round(_num(r.rt)),
                    hello_retry=bool(r.hrr),
                    handshake_ms=round(_num(r.ms), 2),
                    client_cpu_ms=round(_num(r.ccpu), 2),
                    server_cpu_ms=round(_num(r.scpu), 2),
                    verify_ms=round(_num(r.ver), 2),
                )
            )
    verdicts = tuple(
        LabVerdictRow(
            hierarchy=str(v.hierarchy),
            profile=str(v.profile),
            verdict=str(v.verdict),
            reason=str(v.reason) if pd.notna(v.reason) else "",
            accepted_by=str(v.accepted_by) if pd.notna(v.accepted_by) else "",
            rejected_by=str(v.rejected_by) if pd.notna(v.rejected_by) else "",
        )
        for v in result.verdicts.itertuples()
    )
    env = result.environment
    return neutralized(
        LabSection(
            rows=tuple(rows),
            verdicts=verdicts,
            cannot_build=tuple(sorted(result.cannot_build.items())),
            skipped=tuple(result.skipped),
            libraries=tuple(sorted((str(k), str(v)) for k, v in (env.get("libraries") or {}).items())),
            runs=int(env.get("runs") or 0),
            initial_window_bytes=int(env.get("initial_window_bytes") or 0),
            scope=SCOPE,
        )
    )


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(md_escape(str(c)) for c in r) + " |" for r in rows]
    return [*out, ""]


def lab_markdown(section: LabSection) -> list[str]:
    """The lab section as Markdown lines (the report's and `cmmm pqc-lab`'s)."""
    out = ["## PQC lab: measured handshakes", "", md_escape(section.scope), ""]
    out += _table(
        ["hierarchy", "profile", "key exchange", "ClientHello B", "Certificate+CV B", "server flight B",
         "round trips", "HRR", "handshake ms (median)", "client CPU ms", "server CPU ms", "verify ms"],
        [
            [r.hierarchy, r.profile, r.kem, f"{r.client_hello_bytes:,}", f"{r.certificate_bytes:,}",
             f"{r.server_flight_bytes:,}", r.round_trips, "yes" if r.hello_retry else "no",
             f"{r.handshake_ms:g}", f"{r.client_cpu_ms:g}", f"{r.server_cpu_ms:g}", f"{r.verify_ms:g}"]
            for r in section.rows
        ],
    )  # fmt: skip
    out += ["### Verdicts", ""]
    out += _table(
        ["hierarchy", "profile", "verdict", "accepted by", "why"],
        [[v.hierarchy, v.profile, v.verdict, v.accepted_by or "–", v.reason] for v in section.verdicts],
    )
    if section.cannot_build:
        out += ["### Cannot be built here", ""]
        out += [f"- **{md_escape(p)}**: {md_escape(why)}" for p, why in section.cannot_build] + [""]
    if section.skipped:
        out += ["### Notes", ""] + [f"- {md_escape(s)}" for s in section.skipped] + [""]
    out += [
        f"Clients: {', '.join(f'{md_escape(c)} ({md_escape(lib)})' for c, lib in section.libraries)}; "
        f"{section.runs} handshakes per measurement; initial window {section.initial_window_bytes:,} B.",
        "",
    ]
    return out
