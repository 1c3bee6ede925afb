"""The `cmmm` command line: parse, make one library call, render, return an exit code.

Start-up time is part of the interface (`cmmm --help`, `--version` and `scenarios` should answer within
0.3 s; benchmarks/startup.py measures them): at module level this file imports only typer, rich and cmmm
modules that load no heavy library. pandas, pyarrow, numpy, matplotlib, networkx, jinja2 and the
certificate parsing come in through the command bodies that need them, directly or through the lazy
package interfaces (`cmmm.load`, `cmmm.drill.run`, `cmmm.report.write_report`) and `cmmm.pipeline`.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

import cmmm
from cmmm import drill as drill_
from cmmm import report
from cmmm._json import dumps
from cmmm._lenient import tolerated_warnings
from cmmm.errors import CmmmError, InputError, UsageError
from cmmm.report import terminal
from cmmm.report.terminal import render_demo_table, render_summary, safe

if TYPE_CHECKING:
    from cmmm.distributed import Engine
    from cmmm.model import Inventory

app = typer.Typer(
    name="cmmm",
    help="Crypto-agility assessment and fire-drill simulator for certificate inventories.\n\n"
    "Ingest what you have (spreadsheets, PEM/DER/PKCS#7/PKCS#12 files), see where you stand on the "
    "Certificate Management Maturity Model, and rehearse the bad days.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=True, emoji=False)  # ":ski:" in an id is not an emoji
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"cmmm {cmmm.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print cmmm's version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Log the traceback of every unexpected error (a file or endpoint cmmm could not handle).",
        ),
    ] = False,
) -> None:
    """Options that come before the command."""
    if debug:  # the defects a boundary turned into a rejection are logged by their modules (cmmm.*)
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("cmmm").setLevel(logging.DEBUG)


# `--help` ends with examples for every command (a contract test keeps one per command).
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {  # command → (what it shows, the command)
    "ingest": (
        ("what is there, what expires, what was rejected", "cmmm ingest inventory/"),
        ("merged, written as a CycloneDX 1.6 CBOM", "cmmm ingest certs.csv scan.json -o all.cdx.json"),
        ("policy findings for code scanning", "cmmm ingest inventory/ --format sarif > cmmm.sarif"),
    ),
    "assess": (
        ("level, what blocks the next, top actions", "cmmm assess inventory/"),
        ("every criterion with its evidence", "cmmm assess inventory/ --verbose"),
        ("a CI gate after the 100-day cap", "cmmm assess inventory/ --as-of 2027-03-16 --fail-below 3"),
        ("findings for code scanning", "cmmm assess inventory/ --format sarif > cmmm.sarif"),
    ),
    "init": (
        ("asks the profile questions", "cmmm init inventory/"),
        ("no questions; every attested answer no", "cmmm init inventory/ --defaults"),
    ),
    "checks": (
        ("every criterion, risk and policy check", "cmmm checks"),
        ("the ids, for scripts", "cmmm checks --format json | jq '.criteria[].id'"),
    ),
    "report": (
        ("self-contained HTML (prints to PDF)", "cmmm report inventory/ -o report.html"),
        ("Markdown for tickets and wikis", "cmmm report inventory/ -o report.md --scenario entrust-2024"),
        ("the same content as strict JSON", "cmmm report inventory/ -o report.json"),
    ),
    "graph": (
        ("CA concentration and the riskiest CAs", "cmmm graph inventory/"),
        ("what goes down with one CA", 'cmmm graph inventory/ --blast-radius "Contoso Issuing CA 1"'),
        ("the graph as a picture", "cmmm graph inventory/ --export graph.svg"),
    ),
    "scenarios": (
        ("the catalog", "cmmm scenarios"),
        ("for scripts", "cmmm scenarios --format json"),
    ),
    "drill": (
        (
            "a 24-hour distrust, with a runbook",
            "cmmm drill inventory/ --scenario primary-intermediate-compromise-24h --plan plan.md",
        ),
        (
            "a what-if organization; exit 1 on a miss",
            "cmmm drill inventory/ --scenario entrust-2024 --profile what-if.yaml --fail-on-miss",
        ),
    ),
    "demo": (("every sample organization, in a checkout", "cmmm demo"),),
    "census": (
        ("a dataset's headline numbers, bucket by bucket", "cmmm census /data/cmmm-ds"),
        (
            "its buckets on a Dask cluster, as JSON",
            "cmmm census /data/cmmm-ds --cluster local:2 --format json",
        ),
    ),
    "history": (
        ("every snapshot: date, level, score, key shares", "cmmm history --store cmmm.duckdb"),
        ("for a dashboard", "cmmm history --store cmmm.duckdb --format json"),
    ),
    "diff": (
        ("the two latest snapshots", "cmmm diff --store cmmm.duckdb"),
        ("a CI gate on regressions", "cmmm diff --store cmmm.duckdb --fail-on level,criterion"),
    ),
    "pqc-lab": (
        ("every private hierarchy in every profile", "cmmm pqc-lab inventory/ -o reports/pqc-lab"),
        (
            "one hierarchy, one profile",
            'cmmm pqc-lab inventory/ --hierarchy "Corp Root CA" --candidate ML-DSA-65',
        ),
    ),
    "scan": (
        ("served certificates against the spreadsheet", "cmmm scan 127.0.0.1:8443 --merge inventory/"),
        ("a range, kept as an inventory source", "cmmm scan 10.0.0.0/28 --ports 443,8443 -o scan.json"),
    ),
}


def examples(command: str) -> str:
    """The --help epilog: the command's examples, one per line (rich markup escaped)."""
    lines = "\n".join(
        (f"[dim]{escape(what)}:[/]\n" if what else "") + f"  {escape(cmd)}" for what, cmd in EXAMPLES[command]
    )
    return f"[bold]Examples[/]\n\n{lines}"


P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_THRESHOLD, EXIT_BAD_INPUT = 0, 1, 2
PASSWORD_ENV = "CMMM_PKCS12_PASSWORDS"


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class IngestFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def handled(fn: Callable[P, R]) -> Callable[P, R]:
    """The one place where cmmm's own errors become one stderr line and exit code 2. Also where the
    warnings about certificates cmmm keeps on purpose stay off the terminal, whichever stage parses them."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with tolerated_warnings():
                return fn(*args, **kwargs)
        except CmmmError as exc:
            err.print(f"cmmm: error: {safe(str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as exc:  # an output path that cannot be written (missing folder, a file in the way)
            where = exc.filename if exc.filename is not None else "output"
            err.print(f"cmmm: error: {safe(str(where))}: {safe(exc.strerror or str(exc))}")
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


@contextmanager
def cluster_engine(spec: str | None) -> Iterator[Engine | None]:
    """--cluster: the Dask engine while a command runs (files parsed in shards, Monte Carlo blocks on its
    workers); None, everything in this process, without one."""
    if not spec:
        yield None
        return
    from cmmm.distributed import connect  # dask loads only when a cluster is asked for

    with connect(spec) as engine:
        yield engine


def parse_as_of(value: str | None) -> datetime:
    """--as-of: a date or datetime (naive means UTC); default now. Only the CLI reads the clock."""
    if not value:
        return datetime.now(UTC)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--as-of", f"not an ISO date: {value!r} (use YYYY-MM-DD)") from None
    if not 1970 <= dt.year <= 2200:
        raise InputError("--as-of", f"{value!r} is outside 1970–2200")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def evaluation_time(as_of: str | None, inv: Inventory) -> datetime:
    """The date an inventory is evaluated at: --as-of, else the `as_of` its profile.yaml pins (said on
    stderr, so nobody mistakes a pinned sample for today's state), else now."""
    if as_of:
        return parse_as_of(as_of)
    pinned = inv.profile.as_of
    if pinned is None:
        return datetime.now(UTC)
    when = pinned.strftime("%Y-%m-%d" if pinned.time() == datetime.min.time() else "%Y-%m-%d %H:%M UTC")
    err.print(
        f"as of {when}: pinned by as_of in {safe(inv.profile.source or 'profile.yaml')} (--as-of DATE to change)"
    )
    return pinned


def check_output(path: Path | None) -> None:
    """An output's folder must already exist: cmmm creates no folders on its own (`demo` excepted)."""
    if path is None or path.parent.is_dir():
        return
    what = "is not a folder" if path.parent.exists() else "does not exist"
    raise InputError(str(path.parent), f"output folder {what} (for {path.name})")


def read_passwords(password_file: Path | None) -> list[str]:
    """PKCS#12 passwords: one per line in --password-file, or newline-separated in CMMM_PKCS12_PASSWORDS."""
    pw: list[str] = []
    if password_file is not None:
        try:
            pw += [
                ln.rstrip("\r\n")
                for ln in password_file.read_text(encoding="utf-8").splitlines()
                if ln.strip()
            ]
        except OSError as exc:
            raise InputError(str(password_file), f"cannot read password file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(
                str(password_file), "password file is not UTF-8 text (one password per line)"
            ) from None
    env = os.environ.get(PASSWORD_ENV)
    if env:
        pw += [p for p in env.split("\n") if p]
    return pw


def load_inventory(
    paths: list[Path] | None,
    now: datetime,
    password_file: Path | None = None,
    profile: Path | None = None,
    policy: Path | None = None,
    store: Path | None = None,
    snapshot: str = "latest",
    engine: Engine | None = None,
) -> Inventory:
    """Every command that reads an inventory reads it here: from files, or from a store's snapshot (--store,
    or a store file given as the only path) without touching the raw sources. --profile/--policy replace
    the bundle's (or the snapshot's) profile.yaml/policy.yaml, so every stage (assessment, its drills, the
    report) sees the same organization.
    Arrow's memory pool is chosen first: a process-wide choice, so the program's to make, never the
    library's at import (cmmm.ingest.configure_arrow says why jemalloc)."""
    paths = list(paths or [])
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise InputError(str(missing[0]), "no such file or directory")
    if store is None and (store := _store_of(paths, None)) is not None:
        paths = []
    if store is not None:
        if paths:
            raise UsageError("give either inventory paths or --store, not both")
        return _from_store(store, snapshot, profile, policy)
    if len(paths) == 1 and (paths[0] / "manifest.json").is_file():
        from cmmm.store import read_dataset  # a dataset folder (ingest --dataset) given as the path

        return _replaced(read_dataset(paths[0]), profile, policy)
    if not paths:
        raise UsageError("nothing to read: give inventory paths or --store FILE")
    cmmm.configure_arrow()
    with terminal.progress_bar(err, "reading files") as progress:
        inv = cmmm.load(
            paths,
            now=now,
            passwords=read_passwords(password_file),
            progress=progress,
            profile=profile,
            policy=policy,
            shards=None if engine is None else engine.shards,
        )
    if not len(inv):
        raise InputError(", ".join(str(p) for p in paths), nothing_found(inv))
    return inv


READS = (
    "cmmm reads CSV/JSON/YAML inventories (a common_name or sans column and an expiry column), "
    "PEM/DER/PKCS#7/PKCS#12 certificates, scanner, Kubernetes, cloud and CLM exports (`cmmm ingest --help`)"
)


def nothing_found(inv: Inventory) -> str:
    """One line for input that yielded no certificate: what was there, then what cmmm reads."""
    files = len(inv.sources)
    if not files:
        seen = "no file cmmm recognizes"
    else:
        seen = f"{files} file{'s' if files != 1 else ''} read, no certificate"
        if inv.rejected:
            r = inv.rejected[0]
            more = f" (and {len(inv.rejected) - 1} more)" if len(inv.rejected) > 1 else ""
            where = Path(r.source).name + (f":{r.locator}" if r.locator not in ("", "-") else "")
            seen += f"; rejected: {where}: {r.reason}{more}"
    return f"{seen}. {READS}"


def _store_of(paths: list[Path] | None, store: Path | None) -> Path | None:
    """The store an analysis reads: --store, or a store file given as the only path."""
    if store is not None or not paths or len(paths) != 1 or not paths[0].is_file():
        return store
    from cmmm.store import is_store

    return paths[0] if is_store(paths[0]) else None


def _pinned(paths: list[Path] | None, store: Path | None, snapshot: str) -> tuple[Path | None, str]:
    """The store a command reads (--store, or a store file as the only path) and its snapshot by id: a
    command that reads a snapshot twice (its inventory, then what was kept with it) reads the same one
    whatever another writer adds meanwhile. (None, snapshot) when the command reads files, or both were
    given (load_inventory says that is an error)."""
    from_store = None if store is not None and paths else _store_of(paths, store)
    if from_store is None:
        return None, snapshot
    from cmmm.store import select, snapshots

    return from_store, str(select(snapshots(from_store), snapshot, str(from_store)).id)


def _from_store(store: Path, snapshot: str, profile: Path | None, policy: Path | None) -> Inventory:
    """A store's snapshot, with --profile/--policy in place of the ones stored with it."""
    from cmmm.store import read_snapshot

    return _replaced(read_snapshot(store, snapshot), profile, policy)


def _replaced(inv: Inventory, profile: Path | None, policy: Path | None) -> Inventory:
    """`inv` with --profile/--policy in place of its own."""
    import dataclasses

    from cmmm import _yaml
    from cmmm.profile import parse_profile

    override = None if profile is None else parse_profile(_yaml.load_mapping(profile), source=str(profile))
    policy_doc = None if policy is None else _yaml.load_mapping(policy)
    if override is not None:
        inv = dataclasses.replace(inv, profile=override)
    if policy_doc is not None:
        inv = dataclasses.replace(inv, policy=policy_doc)
    return inv


PathsArg = Annotated[
    list[Path], typer.Argument(help="Files or directories (bundles) to read; recursed.", show_default=False)
]
InputsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Files or directories (bundles) to read, recursed; or one store file.", show_default=False
    ),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="Read a snapshot of this store (cmmm ingest … --store) instead of files."),
]
SnapshotOpt = Annotated[
    str, typer.Option("--snapshot", help="With --store: latest, a snapshot id, or a date (YYYY-MM-DD).")
]
ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        envvar="CMMM_DASK_SCHEDULER",
        help="Run on Dask (files parsed in shards, Monte Carlo blocks): local[:WORKERS] starts a local "
        "cluster, tcp://HOST:8786 joins a scheduler (default: this process; also CMMM_DASK_SCHEDULER).",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Evaluate at this date (YYYY-MM-DD); default: the as_of profile.yaml pins, else now.",
    ),
]
ProfileOpt = Annotated[
    Path | None, typer.Option("--profile", help="profile.yaml to use instead of the bundle's.")
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="policy.yaml to use instead of the bundle's.")
]
PasswordOpt = Annotated[
    Path | None,
    typer.Option("--password-file", help=f"PKCS#12 passwords, one per line (or set {PASSWORD_ENV})."),
]


@app.command("ingest", epilog=examples("ingest"))
@handled
def ingest_cmd(
    paths: PathsArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the normalized inventory: .parquet, .csv, .json, or .cdx.json (CycloneDX 1.6 CBOM).",
        ),
    ] = None,
    fmt: Annotated[
        IngestFormat,
        typer.Option(
            "--format",
            help="text (summary), json (the whole inventory) or sarif (policy findings, SARIF 2.1.0).",
        ),
    ] = IngestFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 when any input was rejected.")] = False,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Add the inventory to this DuckDB store as a snapshot taken at --as-of (created if missing).",
        ),
    ] = None,
    assessed: Annotated[
        bool,
        typer.Option(
            "--assess/--no-assess",
            help="With --store: keep the snapshot's assessment (level, score, criteria) for history and diff.",
        ),
    ] = True,
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset",
            help="Write the inventory as a Parquet dataset folder partitioned by a hash of cert_id (the "
            "input at scale; every command reads it back as PATH).",
        ),
    ] = None,
    buckets: Annotated[
        int | None,
        typer.Option(
            "--buckets",
            min=1,
            max=4096,
            help="With --dataset: how many buckets (default 64; a census task reads one: keep one under about "
            "a million certificates).",
        ),
    ] = None,
    cluster: ClusterOpt = None,
) -> None:
    """Read and merge inventories; print what was found, what expires, and what was rejected.

    Formats are detected by content: CSV/JSON/YAML inventories (header aliases such as "Common Name" or
    "Expiration Date"), PEM bundles, DER, PKCS#7 and PKCS#12 files, Kubernetes/cert-manager objects, AWS ACM,
    Azure Key Vault, Vault PKI, certbot, Venafi/Lemur/Keyfactor exports and crt.sh records. One certificate
    seen in several places becomes one certificate with several observations.
    """
    from cmmm.export import inventory_document, write_inventory
    from cmmm.ingest.summary import summarize

    if buckets is not None and dataset is None:
        raise UsageError("--buckets is the number of buckets of a --dataset: give --dataset DIR too")
    check_output(output)
    check_output(store)
    with cluster_engine(cluster) as engine:
        inv = load_inventory(paths, parse_as_of(as_of), password_file, engine=engine)
    now = evaluation_time(as_of, inv)
    if output is not None:
        kind = write_inventory(inv, output)
        err.print(f"wrote {len(inv)} certificates to {escape(str(output))} ({kind})")
    if store is not None:
        from cmmm.pipeline import store_snapshot

        info = store_snapshot(inv, store, now=now, written_at=datetime.now(UTC), assessed=assessed)
        err.print(f"stored snapshot {info.id} ({info.certificates} certificates) in {escape(str(store))}")
    if dataset is not None:
        from cmmm.store import write_dataset

        write_dataset(dataset, inv, buckets=buckets or 64, version=cmmm.__version__)
        err.print(f"wrote {len(inv)} certificates to the dataset {escape(str(dataset))}")
    if fmt is IngestFormat.JSON:
        sys.stdout.write(dumps(inventory_document(inv)))
    elif fmt is IngestFormat.SARIF:
        from cmmm.policy import check
        from cmmm.report.sarif import sarif_document

        sys.stdout.write(dumps(sarif_document(inv, policy=check(inv, now=now))))
    else:
        render_summary(out, summarize(inv, now=now), inv)
    if strict and inv.rejected:
        err.print(f"cmmm: {len(inv.rejected)} input record(s) rejected (--strict)")
        raise typer.Exit(EXIT_BAD_INPUT)


class AssessFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class AssessModel(StrEnum):
    """The maturity model the evidence is read on (docs/maturity.md, "One evidence set, two models")."""

    CMMM = "cmmm"
    PKIMM = "pkimm"


@app.command("assess", epilog=examples("assess"))
@handled
def assess_cmd(
    paths: InputsArg = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = "latest",
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    fmt: Annotated[
        AssessFormat,
        typer.Option("--format", help="text, json, markdown or sarif (findings as SARIF 2.1.0)."),
    ] = AssessFormat.TEXT,
    model: Annotated[
        AssessModel,
        typer.Option(
            "--model",
            help="cmmm (levels and criteria) or pkimm (the PKI Consortium's PKIMM 1.0.0 categories).",
        ),
    ] = AssessModel.CMMM,
    fail_below: Annotated[
        int | None, typer.Option("--fail-below", min=1, max=5, help="Exit 1 when the level is below this.")
    ] = None,
    drills: Annotated[
        bool, typer.Option("--drills/--no-drills", help="Run the level-5 drills (else: not evaluated).")
    ] = True,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Every criterion with its evidence and the whole roadmap."),
    ] = False,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """Score the inventory on the CMMM levels: the level, what blocks the next one, the top actions
    (--verbose: every criterion with its evidence, then the whole roadmap).

    With --model pkimm the same criteria are read on the PKI Consortium's PKI Maturity Model 1.0.0: a level
    per category, the weighted overall and the weakest category, beside the CMMM level.
    """
    from cmmm.maturity import assess
    from cmmm.maturity.pkimm import categorize
    from cmmm.maturity.result import Simulator
    from cmmm.pipeline import drill_evidence
    from cmmm.report.assessment import (
        assessment_document,
        render_assessment,
        render_assessment_summary,
        render_markdown,
    )
    from cmmm.report.pkimm import pkimm_document, pkimm_markdown, render_pkimm

    from_store, snapshot = _pinned(paths, store, snapshot)
    with cluster_engine(cluster) as engine:
        inv = load_inventory(
            paths, parse_as_of(as_of), password_file, profile, policy, store, snapshot, engine
        )
        now = evaluation_time(as_of, inv)
        # --as-of in the future looks ahead from the inventory's own day: today's, or the day a bundle pins
        observed = min(inv.profile.as_of or datetime.now(UTC), now)
        blocks = None if engine is None else engine.blocks
        simulate: Simulator | None = functools.partial(drill_evidence, blocks=blocks) if drills else None
        if drills and from_store is not None and profile is None and policy is None:
            # the snapshot as stored: its level-5 drills' evidence at this time, when kept, is not run again
            from cmmm.pipeline import stored_simulation

            simulate = stored_simulation(from_store, snapshot, now, blocks)
        with terminal.working(err, "assessing" + (" (running the level-5 drills)" if drills else "")):
            result = assess(inv, now=now, observed_at=observed, simulate=simulate)
    pk = categorize(result) if model is AssessModel.PKIMM else None
    if fmt is AssessFormat.JSON:
        doc = assessment_document(result) if pk is None else pkimm_document(result, pk)
        sys.stdout.write(dumps(doc))
    elif fmt is AssessFormat.SARIF:
        from cmmm.report.sarif import sarif_document

        sys.stdout.write(dumps(sarif_document(inv, result)))
    elif fmt is AssessFormat.MARKDOWN:
        sys.stdout.write(render_markdown(result) if pk is None else pkimm_markdown(result, pk))
    elif pk is None:
        render = render_assessment if verbose else render_assessment_summary
        render(out, result, profile_found=inv.profile.found)
    else:
        render_pkimm(out, result, pk)
    if fail_below is not None and result.level < fail_below:
        err.print(f"cmmm: level {result.level} is below --fail-below {fail_below}")
        raise typer.Exit(EXIT_THRESHOLD)


@app.command("init", epilog=examples("init"))
@handled
def init_cmd(
    folder: Annotated[
        Path, typer.Argument(help="The bundle folder (it must exist); default: the current folder.")
    ] = Path("."),
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Ask nothing: write the defaults (every question answered no).")
    ] = False,
    spreadsheet: Annotated[
        bool | None,
        typer.Option(
            "--spreadsheet/--no-spreadsheet",
            help="Also write _certificates-template.csv (default: when the folder holds no certificate).",
        ),
    ] = None,
) -> None:
    """Start a bundle: look at what the folder holds, ask the profile questions (team capacity, approved and
    backup CAs, CA onboarding time, the attested answers with what each means and what backs it) and write
    a commented profile.yaml and policy.yaml. Never overwrites a profile.yaml.
    """
    from cmmm.export.bundle import PROFILE, Question, detect, profile_yaml, write_starter
    from cmmm.export.bundle import defaults as starter_defaults
    from cmmm.maturity import load_catalog
    from cmmm.report.terminal.init import ask_profile, render_detected

    if not folder.is_dir():
        raise InputError(str(folder), "not a folder: create it first (and put the inventory files in it)")
    if (folder / PROFILE).exists():
        raise InputError(str(folder / PROFILE), "already exists: cmmm init does not overwrite it")
    now = datetime.now(UTC)
    detected = detect(cmmm.load([folder], now=now) if any(folder.iterdir()) else None)
    questions = tuple(
        Question(
            key=c.attested, title=c.title, meaning=c.measures, level=c.level, dated=c.max_age_days is not None
        )
        for c in load_catalog().criteria
        if c.attested
    )
    render_detected(err, folder, detected)
    starter = starter_defaults(detected, questions, organization=folder.resolve().name)
    if not defaults:
        starter = ask_profile(err, starter, questions, today=now.date())
    written, kept = write_starter(
        folder,
        profile_yaml(starter, questions, detected),
        spreadsheet=not detected.certificates if spreadsheet is None else spreadsheet,
    )
    for p in written:
        err.print(f"wrote {escape(str(p))}")
    for p in kept:
        err.print(f"kept the existing {escape(str(p))}")
    err.print(f"next: cmmm assess {escape(str(folder))}")


@app.command("checks", epilog=examples("checks"))
@handled
def checks_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List the maturity criteria and the policy checks with their stable ids."""
    from cmmm.maturity import load_catalog
    from cmmm.report.assessment import checks_document, render_checks

    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(checks_document(load_catalog())))
    else:
        render_checks(out, load_catalog())


@app.command("report", epilog=examples("report"))
@handled
def report_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="The report file to write.")],
    paths: InputsArg = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = "latest",
    fmt: Annotated[
        report.ReportFormat | None,
        typer.Option("--format", help="html, json or markdown; default: from the -o extension."),
    ] = None,
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            help="A drill to run and report (name or file); repeatable. Default: the 24-hour intermediate compromise, the 100-day cap and the PQC migration.",
        ),
    ] = None,
    password_file: PasswordOpt = None,
    as_of: AsOfOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """Write the executive report: level, risks, inventory facts, PQC readiness, drills and roadmap.

    HTML is one self-contained file (inline CSS and SVG charts, no scripts, no network) that prints to PDF;
    json has the same content with stable keys; markdown suits tickets and wikis.
    """
    from cmmm import pipeline
    from cmmm.drill.scenario import DEMO_SCENARIOS

    kind = report.format_for(output, fmt)
    check_output(output)
    with cluster_engine(cluster) as engine:
        inv = load_inventory(
            paths, parse_as_of(as_of), password_file, profile, policy, store, snapshot, engine
        )
        now = evaluation_time(as_of, inv)
        with terminal.working(err, "assessing, running the drills"):
            blocks = None if engine is None else engine.blocks
            result = pipeline.run(inv, now=now, scenarios=scenario or DEMO_SCENARIOS, blocks=blocks)
    with terminal.working(err, "writing the report"):
        source = _store_of(paths, store)
        trend = pipeline.store_trend(source, snapshot) if source is not None else None
        report.write_report(
            pipeline.report_view(result, generated_at=datetime.now(UTC), trend=trend), output, kind
        )
    err.print(f"wrote {kind.value} report to {escape(str(output))}")


@app.command("graph", epilog=examples("graph"))
@handled
def graph_cmd(
    paths: InputsArg = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = "latest",
    blast: Annotated[
        str | None,
        typer.Option("--blast-radius", help="A CA (name, fingerprint or ca: id): what goes down with it."),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", help="How many CAs to list (with --blast-radius: 5× as many certificates).", min=1
        ),
    ] = 10,
    export: Annotated[
        Path | None, typer.Option("--export", help="Write the graph: .graphml, .json, .svg or .png.")
    ] = None,
    all_leaves: Annotated[
        bool,
        typer.Option("--all-leaves", help="Export every leaf and endpoint (default: grouped above 20,000)."),
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """The dependency graph: CA concentration and the riskiest CAs, or the blast radius of one CA.

    Certificates → issuing CAs → roots (linked by key identifiers and names, confirmed by signatures),
    certificates → endpoints → services → the services that depend on them. With --cluster the input
    files are parsed on the cluster's workers; the graph itself is built here (it is small: CAs and services).
    """
    from cmmm import graph
    from cmmm.report.documents import blast_document, summary_document
    from cmmm.report.picture import write_graph
    from cmmm.report.terminal.graph import render_blast_radius, render_graph_summary

    check_output(export)
    with cluster_engine(cluster) as engine:
        inv = load_inventory(paths, parse_as_of(as_of), store=store, snapshot=snapshot, engine=engine)
    if export is not None:
        kind = write_graph(inv, export, aggregate=False if all_leaves else None)
        err.print(f"wrote the dependency graph to {escape(str(export))} ({kind})")
    if blast is not None:
        b = graph.blast_radius(inv, blast)
        if fmt is OutputFormat.JSON:
            sys.stdout.write(dumps(blast_document(b)))
        else:
            render_blast_radius(out, b, limit=top * 5)
        return
    s = graph.summarize_graph(inv, top=top)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(summary_document(s)))
    else:
        render_graph_summary(out, s)


@app.command("scenarios", epilog=examples("scenarios"))
@handled
def scenarios_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
) -> None:
    """List the fire-drill scenario catalog (scenarios/*.yaml): name, kind, deadline, the real event."""
    # The catalog and its table load without pandas: this command answers as fast as --help.
    from cmmm.drill.scenario import catalog
    from cmmm.report.terminal.catalog import render_catalog, scenarios_document

    items = catalog()
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(scenarios_document(items)))
    else:
        render_catalog(out, items)


@app.command("drill", epilog=examples("drill"))
@handled
def drill_cmd(
    scenario: Annotated[
        str, typer.Option("--scenario", help="A catalog name (see `cmmm scenarios`) or a YAML file.")
    ],
    paths: InputsArg = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = "latest",
    runs: Annotated[int, typer.Option("--runs", min=1, max=100_000, help="Monte Carlo runs.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="text or json (stable keys).")
    ] = OutputFormat.TEXT,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan", help="Write the replacement plan: .csv (spreadsheet), .json or .md (runbook)."
        ),
    ] = None,
    fail_on_miss: Annotated[
        bool,
        typer.Option(
            "--fail-on-miss",
            help="Exit 1 when the verdict is fail, overdue or unknown (unknown is never compliant).",
        ),
    ] = False,
    profile: ProfileOpt = None,
    policy: PolicyOpt = None,
    password_file: PasswordOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """Rehearse a bad day on an inventory: can every affected certificate be replaced in time, and how?

    --profile tries a what-if organization (more engineers, a pre-approved backup CA) on the same inventory.
    """
    from cmmm.drill.result import MISSED
    from cmmm.report.terminal.drill import render_drill

    sc = drill_.load_scenario(scenario)
    check_output(plan)
    with cluster_engine(cluster) as engine:
        inv = load_inventory(
            paths, parse_as_of(as_of), password_file, profile, policy, store, snapshot, engine
        )
        now = evaluation_time(as_of, inv)
        blocks = None if engine is None else engine.blocks
        with terminal.working(err, f"drilling {sc.name} ({runs:,} runs)"):
            result = drill_.run(inv, sc, now=now, runs=runs, seed=seed, blocks=blocks)
    if plan is not None:
        kind = drill_.write_plan(result, plan)
        err.print(f"wrote {len(result.plan)} plan rows to {escape(str(plan))} ({kind})")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(drill_.drill_document(result)))
    else:
        render_drill(out, result)
    if fail_on_miss and result.verdict in MISSED:
        err.print(
            f"cmmm: drill verdict {result.verdict.value}: {safe(result.verdict_reason)} (--fail-on-miss)"
        )
        raise typer.Exit(EXIT_THRESHOLD)


DEMO_HISTORY_ORG = "level3-defined"


@app.command("demo", epilog=examples("demo"))
@handled
def demo_cmd(
    samples: Annotated[
        Path,
        typer.Option(
            "--samples",
            help="Folder of sample organizations (a cmmm checkout's sample_inventories/; default: the one "
            "in the current folder).",
        ),
    ] = Path("sample_inventories"),
    reports: Annotated[Path, typer.Option("--reports", help="Where reports are written.")] = Path("reports"),
    as_of: AsOfOpt = None,
) -> None:
    """Run the pipeline on every sample organization, print what each looks like, write reports/<org>.html."""
    from cmmm import pipeline, tabletop
    from cmmm.drill.scenario import DEMO_SCENARIOS

    now = parse_as_of(as_of)
    if not samples.is_dir():
        # The samples are not installed with the package (they are a checkout's, with their generator).
        raise InputError(
            str(samples),
            "not a folder of sample organizations: run `cmmm demo` in a cmmm checkout or give --samples FOLDER",
        )
    orgs = sorted(p for p in samples.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not orgs:
        raise InputError(str(samples), "no sample organizations found (run sample_inventories/generate.py)")
    reports.mkdir(parents=True, exist_ok=True)  # documented: demo writes its own reports folder
    rows: list[tuple[str, report.ReportView, Path]] = []
    # one organization also gets a store of three snapshots (two of its earlier states): a trend in its report
    history_org = next((o for o in orgs if o.name == DEMO_HISTORY_ORG), orgs[-1])
    store = reports / "demo.duckdb"
    for org in orgs:
        out.rule(f"[bold]{escape(org.name)}")
        inv = load_inventory([org], now)
        when = evaluation_time(as_of, inv)
        result = pipeline.run(inv, now=when, scenarios=DEMO_SCENARIOS)
        render_summary(out, result.summary, inv)
        trend = None
        if org == history_org:
            trend = pipeline.demo_history(store, inv, result.assessment, now=now)
            out.print(f"store: [bold]{escape(str(store))}[/] (cmmm history --store …, cmmm diff --store …)")
        view = pipeline.report_view(result, generated_at=datetime.now(UTC), trend=trend)
        path = report.write_report(view, reports / f"{org.name}.html")
        rows.append((org.name, view, path))
        out.print(f"report: [bold]{escape(str(path))}[/]")
        if org.name == tabletop.DEMO_ORGANIZATION:  # one tabletop exercise package (docs/tabletop.md)
            folder = reports / f"tabletop-{org.name}"
            folder.mkdir(exist_ok=True)
            package = pipeline.tabletop(
                inv, tabletop.DEMO_SCENARIO, now=now, generated_at=datetime.now(UTC), runs=200
            )
            tabletop.write_package(package, folder)
            out.print(f"tabletop exercise: [bold]{escape(str(folder / 'package.html'))}[/]")
    render_demo_table(out, rows)


# ------------------------------------------------------------------------------------------- census
@app.command("census", epilog=examples("census"))
@handled
def census_cmd(
    dataset: Annotated[
        Path,
        typer.Argument(help="A dataset folder written by cmmm ingest … --dataset DIR.", show_default=False),
    ],
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
    cluster: ClusterOpt = None,
) -> None:
    """The headline numbers of a dataset, counted bucket by bucket: expiry, ownership, automation,
    deprecated and quantum-vulnerable cryptography, policy compliance and the issuing CAs' shares. No process
    holds more than one bucket (and the CA certificates, sent to every bucket), so it counts datasets larger
    than one process could assess; with --cluster the buckets go to Dask's workers, which must see DATASET
    at the same absolute path. The numbers are the ones `assess` shows for the same inventory; the criteria,
    the level and the drills need the whole inventory and are not computed here.

    `cmmm ingest … --dataset DIR` reads its inputs into one process before writing; a dataset larger than
    that is written block by block with the Python API (cmmm.store.DatasetWriter, see docs/scaling.md).
    """
    from cmmm.pipeline import census_dataset
    from cmmm.report.census import census_document, render_census
    from cmmm.store import is_dataset, read_dataset

    if not is_dataset(dataset):
        raise UsageError(f"{dataset}: not a dataset folder (write one with cmmm ingest PATHS --dataset DIR)")
    head = read_dataset(dataset, [])  # the manifest and the small tables: the profile pins the date
    now = evaluation_time(as_of, head)
    observed = min(head.profile.as_of or datetime.now(UTC), now)
    with cluster_engine(cluster) as engine, terminal.progress_bar(err, "counting buckets") as update:
        shards = None if engine is None else functools.partial(engine.shards, progress=update)
        result = census_dataset(dataset, now=now, observed_at=observed, shards=shards, progress=update)
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(census_document(result)))
    else:
        render_census(out, result)


# ------------------------------------------------------------------------------------------- store
RequiredStoreOpt = Annotated[Path, typer.Option("--store", help="The DuckDB store (cmmm ingest … --store).")]


@app.command("history", epilog=examples("history"))
@handled
def history_cmd(
    store: RequiredStoreOpt,
    fmt: Annotated[
        AssessFormat, typer.Option("--format", help="text, json or markdown.")
    ] = AssessFormat.TEXT,
) -> None:
    """The snapshots of a store over time: date, counts, level, score and the headline shares."""
    from cmmm.report.history import history_document, history_markdown, render_history
    from cmmm.store import snapshots

    infos = snapshots(store)
    if fmt is AssessFormat.JSON:
        sys.stdout.write(dumps(history_document(infos)))
    elif fmt is AssessFormat.MARKDOWN:
        sys.stdout.write(history_markdown(infos))
    else:
        render_history(out, infos)


@app.command("diff", epilog=examples("diff"))
@handled
def diff_cmd(
    store: RequiredStoreOpt,
    a: Annotated[str | None, typer.Argument(help="The earlier snapshot (id, date or latest).")] = None,
    b: Annotated[str | None, typer.Argument(help="The later snapshot; default: the two latest.")] = None,
    fmt: Annotated[
        AssessFormat, typer.Option("--format", help="text, json or markdown.")
    ] = AssessFormat.TEXT,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 on these regressions, comma-separated: level, score, criterion, pqc, expired.",
        ),
    ] = None,
) -> None:
    """What changed between two snapshots: certificates added, removed, renewed, re-keyed, expired; owners
    and renewal methods; endpoints that gained or lost hybrid ML-KEM; criteria met or lost; the level."""
    from cmmm.pipeline import store_diff
    from cmmm.report.history import diff_document, diff_markdown, render_diff
    from cmmm.store import Regression

    try:
        wanted = [Regression(x.strip()) for x in (fail_on or "").split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"--fail-on {fail_on!r}: use {', '.join(r.value for r in Regression)}") from None
    d = store_diff(store, a, b)
    if fmt is AssessFormat.JSON:
        sys.stdout.write(dumps(diff_document(d)))
    elif fmt is AssessFormat.MARKDOWN:
        sys.stdout.write(diff_markdown(d))
    else:
        render_diff(out, d)
    found = d.regressions()
    hits = [f"{r.value} {found[r]}" for r in wanted if found[r]]
    if hits:
        err.print(f"cmmm: regressions: {', '.join(hits)} (--fail-on)")
        raise typer.Exit(EXIT_THRESHOLD)


# ------------------------------------------------------------------------------------------- scan
@contextmanager
def _stop_on_sigint(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the connections in flight and keep the results; a second one aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        stop.set()
        err.print("cmmm: stopping the scan (Ctrl-C again to abort)")
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)

    previous = signal.signal(signal.SIGINT, handler)
    previous_term = signal.signal(signal.SIGTERM, handler)  # SIGTERM keeps the partial result like Ctrl-C
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)


EXIT_INTERRUPTED = 130


TargetsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="host, host:port, IPv4/IPv6 address (\\[v6]:port), CIDR range, or NAME@ADDRESS[:PORT] "
        "to send SNI NAME.",
        show_default=False,
    ),
]
PortsOpt = Annotated[
    str | None,
    typer.Option(
        "--ports", help="Ports for targets without one, e.g. 443,8443,9000-9010 (default: common TLS ports)."
    ),
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", min=0.05, max=600.0, help="Seconds per connection attempt.")
]
RateOpt = Annotated[float | None, typer.Option("--rate", help="At most R new connections per second.")]
ScanOutputOpt = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the scan: .json (ingestible) or .csv.")
]
MergeOpt = Annotated[
    Path | None,
    typer.Option("--merge", help="Compare with this inventory: shadow certificates and stale rows."),
]


@app.command("pqc-lab", epilog=examples("pqc-lab"))
@handled
def pqc_lab_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories (bundles) to read; recursed.", show_default=False),
    ] = None,
    store: Annotated[Path | None, typer.Option("--store", help="Read the inventory from a store.")] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for the test PKIs and the results.")
    ] = Path("reports/pqc-lab"),
    hierarchy: Annotated[
        list[str] | None,
        typer.Option("--hierarchy", help="Only this private hierarchy (a CA name); repeatable."),
    ] = None,
    candidate: Annotated[
        list[str] | None,
        typer.Option("--candidate", help="Only this profile: baseline, ML-DSA-44/65/87, …; repeatable."),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, max=1000, help="Handshakes per measurement.")] = 20,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the report (.html, .json or .md) with the lab section."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="text or json.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
    password_file: PasswordOpt = None,
) -> None:
    """Rebuild each private CA hierarchy in post-quantum profiles and measure real TLS 1.3 handshakes on loopback.

    Writes fresh keys and certificates under --output (never into the inventory), pqc-lab.json and pqc-lab.md.
    """
    from cmmm import lab, pipeline
    from cmmm.drill.scenario import DEMO_SCENARIOS
    from cmmm.report.lab import lab_markdown, lab_section
    from cmmm.report.terminal.lab import render_lab

    profiles = lab.parse_profiles(candidate or ())
    lab.make_output(output)
    check_output(report_file)
    inv = load_inventory(paths, parse_as_of(as_of), password_file, store=store)
    now = evaluation_time(as_of, inv)
    result = lab.run(inv, output, now=now, hierarchies=hierarchy or (), profiles=profiles, runs=runs)
    lab.write_result(result, output / "pqc-lab.json", markdown="\n".join(lab_markdown(lab_section(result))))
    if report_file is not None:
        done = pipeline.run(inv, now=now, scenarios=DEMO_SCENARIOS, lab=result)
        view = pipeline.report_view(done, generated_at=datetime.now(UTC))
        kind = {".json": report.ReportFormat.JSON, ".md": report.ReportFormat.MARKDOWN}.get(
            report_file.suffix.lower()
        )
        report.write_report(view, report_file, kind or report.ReportFormat.HTML)
        err.print(f"wrote the report to {escape(str(report_file))}")
    if fmt is OutputFormat.JSON:
        sys.stdout.write(dumps(result.to_document()))
    else:
        render_lab(out, lab_section(result), str(output / "pqc-lab.json"))


@app.command("scan", epilog=examples("scan"))
@handled
def scan_cmd(
    targets: TargetsArg = None,
    ports: PortsOpt = None,
    targets_file: Annotated[Path | None, typer.Option("--targets-file", help="One target per line.")] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", help="Endpoints scanned at once (clamped to 512 and to the open-file limit)."
        ),
    ] = 64,
    timeout: TimeoutOpt = 5.0,
    rate: RateOpt = None,
    per_host: Annotated[int, typer.Option("--per-host", help="At most N connections at once per host.")] = 4,
    sni: Annotated[str | None, typer.Option("--sni", help="SNI name to send to address targets.")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Allow CIDR ranges over --max-range addresses.")] = False,
    max_range: Annotated[
        int, typer.Option("--max-range", help="Largest range scanned without --yes.")
    ] = 1024,
    output: ScanOutputOpt = None,
    merge_with: MergeOpt = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Text tables or JSON.")] = OutputFormat.TEXT,
    as_of: AsOfOpt = None,
) -> None:
    """Discover the certificates actually served: chain, TLS versions, key-exchange group, hybrid PQC
    (X25519MLKEM768), hostname match, chain validity and classified errors, per endpoint.

    The output (-o scan.json) is an inventory source: `cmmm ingest scan.json spreadsheet.csv` merges it.
    Ctrl-C stops cleanly and keeps what was gathered (exit 130).
    """
    from cmmm.scan import DEFAULT_PORTS, compare, parse_ports, read_targets_file, scan, write_scan

    now = parse_as_of(as_of)
    listed = list(targets or []) + (read_targets_file(targets_file) if targets_file else [])
    if not listed:
        raise UsageError("no targets: give TARGET arguments or --targets-file")
    port_list = parse_ports(ports) if ports else DEFAULT_PORTS
    check_output(output)
    stop = threading.Event()
    with terminal.progress_bar(err, "scanning") as progress, _stop_on_sigint(stop):
        result = scan(
            listed,
            now=now,
            ports=port_list,
            concurrency=concurrency,
            timeout=timeout,
            rate=rate,
            per_host=per_host,
            sni=sni,
            max_range=max_range,
            yes=yes,
            progress=progress,
            stop=stop,
        )
    for note in result.notes:
        err.print(f"cmmm: {safe(note)}")
    if output is not None:
        err.print(
            f"wrote {len(result.results)} endpoints to {escape(str(output))} ({write_scan(result, output)})"
        )
    _print_scan(result, compare(result, load_inventory([merge_with], now)) if merge_with else None, fmt)
    if result.interrupted:
        raise typer.Exit(EXIT_INTERRUPTED)


def _print_scan(result: Any, comparison: Any, fmt: OutputFormat) -> None:
    """The scan (and its comparison with an inventory) as JSON or as terminal tables."""
    from cmmm.report.terminal.scan import render_comparison, render_scan

    if fmt is OutputFormat.JSON:
        doc = {**result.to_document(), "comparison": comparison.to_document() if comparison else None}
        sys.stdout.write(dumps(doc))
        return
    render_scan(out, result)
    if comparison is not None:
        render_comparison(out, comparison)


# ------------------------------------------------------------------------------------------- tabletop
class _PackageByDefault(typer.core.TyperGroup):
    """`cmmm tabletop BUNDLE --scenario NAME -o DIR` (or `cmmm tabletop --store FILE …`) is `cmmm tabletop
    package …`: a first argument that is not a subcommand nor --help is the package command's."""

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        # before the group parses its own options: `--store` is the package command's, not the group's
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["package", *args]
        return super().parse_args(ctx, args)


tabletop_app = typer.Typer(
    cls=_PackageByDefault,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Tabletop exercises from the organization's own data: a package built from a drill, the "
    "after-action report from the filled answer sheet, and the record that makes the exercise evidence.\n\n"
    "[bold]Examples[/]\n\n"
    "  cmmm tabletop sample_inventories/level2-aware --scenario primary-intermediate-compromise-24h -o exercise\n\n"
    "  cmmm tabletop BUNDLE --scenario digicert-dcv-2024 --deadline 12h --during-freeze -o exercise\n\n"
    "  cmmm tabletop report exercise/answers.yaml\n\n"
    "  cmmm tabletop record exercise/answers.yaml --bundle BUNDLE",
)
app.add_typer(tabletop_app, name="tabletop")


@tabletop_app.command("package")
@handled
def tabletop_package_cmd(
    paths: InputsArg = None,
    *,
    scenario: Annotated[
        str, typer.Option("--scenario", help="A catalog name (see `cmmm scenarios`) or a YAML file.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The package folder (created; its parent must exist).")
    ],
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="Raise the stakes: another deadline, e.g. 12h or 2d.")
    ] = None,
    ca: Annotated[
        str | None, typer.Option("--ca", help="The CA in trouble, by name (instead of the catalog's).")
    ] = None,
    during_freeze: Annotated[
        bool, typer.Option("--during-freeze", help="A change freeze on every service during the incident.")
    ] = False,
    team_unavailable: Annotated[
        str | None, typer.Option("--team-unavailable", help="A team of profile.yaml that is away.")
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, max=100_000, help="Monte Carlo runs.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same package).")] = 0,
    as_of: AsOfOpt = None,
    profile: ProfileOpt = None,
    password_file: PasswordOpt = None,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = "latest",
) -> None:
    """Write an exercise package from the drill on this inventory: presenter view (package.html), handout
    (package.md), facilitator's guide (guide.html, guide.md), answer sheet (answers.yaml), package.json.
    From a store (--store), the package names the snapshot it was built from.

    [bold]Example[/]: cmmm tabletop package BUNDLE --scenario mass-revocation-5d --team-unavailable web-ops -o exercise
    """
    from cmmm import pipeline, tabletop

    variant = tabletop.Variant(
        deadline=deadline, ca=ca, during_freeze=during_freeze, team_unavailable=team_unavailable
    )
    check_output(output)
    output.mkdir(exist_ok=True)  # the package's own folder; its parent must exist (check_output)
    from_store, snapshot = _pinned(paths, store, snapshot)
    inv = load_inventory(paths, parse_as_of(as_of), password_file, profile, store=store, snapshot=snapshot)
    now = evaluation_time(as_of, inv)
    snap = None if from_store is None else f"snapshot-{snapshot}"
    package = pipeline.tabletop(
        inv,
        scenario,
        now=now,
        generated_at=datetime.now(UTC),
        variant=variant,
        runs=runs,
        seed=seed,
        snapshot=snap,
    )
    written = tabletop.write_package(package, output)
    out.print(
        f"[bold]{safe(package.scenario_title)}[/]: {len(package.modules)} modules, "
        f"{sum(len(m.injects) for m in package.modules)} injects, "
        f"{sum(len(m.questions) for m in package.modules)} questions, about {package.minutes} minutes"
    )
    for change in package.changes:
        out.print(f"changed: {safe(change.option)}: {safe(change.catalog)} → {safe(change.exercise)}")
    for path in written.all:
        out.print(f"wrote {escape(str(path))}")


AnswersArg = Annotated[Path, typer.Argument(help="The filled answer sheet (answers.yaml of the package).")]
PackageOpt = Annotated[
    Path | None, typer.Option("--package", help="The package folder (default: the answer sheet's folder).")
]


@tabletop_app.command("report")
@handled
def tabletop_report_cmd(
    answers: AnswersArg,
    package: PackageOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for aar.html and aar.md (default: the sheet's)."),
    ] = None,
) -> None:
    """Turn a filled answer sheet into the after-action report and improvement plan (aar.html, aar.md).

    [bold]Example[/]: cmmm tabletop report exercise/answers.yaml -o exercise
    """
    from cmmm import tabletop

    aar = _read_aar(answers, package)
    folder = output if output is not None else answers.parent
    check_output(folder / "aar.html")
    html, md = tabletop.write_aar(aar, folder)
    out.print(f"rated {aar.rating.value} ({aar.rating_text}); {len(aar.sheet.actions)} corrective actions")
    for c in aar.comparisons:
        out.print(f"- {safe(c.sentence)}")
    out.print(f"wrote {escape(str(html))}\nwrote {escape(str(md))}")


@tabletop_app.command("record")
@handled
def tabletop_record_cmd(
    answers: AnswersArg,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="The bundle whose exercises.yaml records it.")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="The store whose exercise log records it (snapshots from its day on)."),
    ] = None,
    package: PackageOpt = None,
) -> None:
    """Record the exercise in the bundle's exercises.yaml, or in a store's exercise log: the maturity
    criterion own.fire-drill reads it, and `cmmm history --store` lists it.

    [bold]Example[/]: cmmm tabletop record exercise/answers.yaml --bundle sample_inventories/level2-aware
    """
    from cmmm import tabletop

    if (bundle is None) == (store is None):
        raise UsageError(
            "give the bundle (--bundle DIR) or the store (--store FILE) that records the exercise"
        )
    aar = _read_aar(answers, package)
    if store is not None:
        from cmmm.store import record_exercise

        rec = tabletop.exercise_record(aar)
        record_exercise(store, rec, recorded_at=datetime.now(UTC))
        where = str(store)
    else:
        assert bundle is not None
        log, rec = tabletop.record(aar, bundle)
        where = str(log)
    out.print(
        f"recorded {safe(rec.id)} ({rec.held_on}, rated {rec.rating.value}, {len(rec.actions)} corrective "
        f"actions) in {escape(where)}"
    )


def _read_aar(answers: Path, package: Path | None) -> Any:
    from cmmm import tabletop

    if not answers.is_file():
        raise InputError(str(answers), "no such answer sheet")
    ref = tabletop.load_package(package if package is not None else answers.parent)
    return tabletop.after_action(tabletop.read_answers(answers, ref), ref)


EXIT_TERMINATED = 128 + signal.SIGTERM


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C does, so every writer's temporary file is removed and the previous
    output stays whole (cmmm.export.atomic)."""
    raise SystemExit(EXIT_TERMINATED)


def main() -> Any:
    signal.signal(signal.SIGTERM, _terminate)
    return app()
