"""Native inventories: the spreadsheet (CSV), JSON and YAML every organization has, plus CLM exports."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives import serialization

from cmmm import _yaml, sanitize
from cmmm.crypto import key_algorithm, signature_algorithm
from cmmm.errors import InputError
from cmmm.ingest._base import MAX_CELL_CHARS, Batch, ReadContext, parse_json, text_of
from cmmm.ingest._columns import (
    AUTOMATION_VALUES,
    CRITICALITY_VALUES,
    DATE_COLUMNS,
    DISCOVERY_VALUES,
    ENVIRONMENT_VALUES,
    FALSE_VALUES,
    REVOCATION_CODES,
    REVOCATION_REASONS,
    TRUE_VALUES,
    TRUST_VALUES,
    map_headers,
    squash,
    unused_columns_note,
)
from cmmm.ingest._csvrows import read_table
from cmmm.ingest._dates import EMPTY_DATE_VALUES, parse_dates
from cmmm.ingest._locale import ambiguous_numbers, number_in_text
from cmmm.ingest._powershell import powershell_frame
from cmmm.ingest.x509 import certificate_row, load_pem
from cmmm.model import UTC_DT, Rejected, isin

_DELIMITERS = [",", ";", "\t", "|"]
_HEX_SERIAL_MARKERS = {"requestdisposition", "issuedrequestid"}  # AD CS certutil -view csv
_CN = re.compile(r"(?:^|[,/]\s*)CN\s*=\s*((?:\\,|[^,/])+)", re.IGNORECASE)
_ORG = re.compile(r"(?:^|[,/]\s*)O\s*=\s*((?:\\,|[^,/])+)", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"\s*-?\d+\s*")
MAX_CELL_NOTES = 20  # per column: notes naming ignored cells, then one count


# ---------------------------------------------------------------------------------------------- sniffing
def _header_score(headers: list[str]) -> int:
    canon = set(map_headers(headers).values())
    has_name = bool(canon & {"common_name", "sans"})
    has_expiry = "not_after" in canon
    if has_name and has_expiry:
        return 60 + min(len(canon), 30)
    if has_name or has_expiry:
        return 20 + min(len(canon), 10)
    return 0


def sniff_csv(path: Path, head: bytes) -> int:
    wide = _yaml.wide_bom(head) is not None  # UTF-16/32 text holds NUL bytes; its BOM says so
    if (b"\x00" in head[:4096] and not wide) or head.lstrip().startswith((b"{", b"[", b"-----BEGIN", b"<")):
        return 0
    text = text_of(head)
    lines = [ln for ln in text.splitlines()[:20] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return 0
    for line in lines[:5]:
        delim = _sniff_delimiter(line)
        score = _header_score(next(csv.reader([line], delimiter=delim)))
        if score:
            return score
    # A spreadsheet by name whose header we do not know: read it, so the rejection says why.
    return 5 if path.suffix.lower() in (".csv", ".tsv") else 0


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records_of(doc: Any) -> list[Any] | None:
    if isinstance(doc, list) and doc and all(isinstance(r, dict) for r in doc[:50]):
        return doc
    if isinstance(doc, dict):
        for key in ("certificates", "Certificates", "items", "inventory"):
            val = doc.get(key)
            if isinstance(val, list) and (not val or isinstance(val[0], dict)):
                return val
    return None


def sniff_json(path: Path, head: bytes) -> int:
    stripped = text_of(head).lstrip()
    if not stripped.startswith(("{", "[")):
        return 0
    # Look at the keys in the first records without parsing the whole file.
    keys = re.findall(r'"([A-Za-z_][\w .-]{0,40})"\s*:', stripped[:20000])
    if '"certificates"' not in stripped[:2000] and not stripped.startswith("["):
        return 0
    return _header_score(keys)


def sniff_yaml(path: Path, head: bytes) -> int:
    if path.suffix.lower() not in (".yaml", ".yml"):
        return 0
    text = text_of(head)
    if re.search(r"^\s*(apiVersion|kind)\s*:", text, re.MULTILINE):
        return 0  # Kubernetes objects belong to the kubernetes ingester
    keys = re.findall(r"^\s*-?\s*([A-Za-z_][\w .-]{0,40}):", text, re.MULTILINE)
    return _header_score(keys)


# ---------------------------------------------------------------------------------------------- reading
def _header_delimiter(line: str) -> str | None:
    """The delimiter of `line` when it is a header row with recognizable columns, else None."""
    delim = _sniff_delimiter(line)
    try:
        return delim if _header_score(next(csv.reader([line], delimiter=delim))) else None
    except csv.Error:  # e.g. a bare CR inside the line: not a header row
        return None


def read_csv(path: Path, ctx: ReadContext) -> Batch:
    """A spreadsheet export, every row accounted for (cmmm.ingest._csvrows): rows read = certificates +
    rejected + duplicates merged, in the Batch and the source's record."""
    table = read_table(path.read_bytes(), str(path), header_at=_header_delimiter)
    frame, windows_note = powershell_frame(table.frame)  # Export-Csv of Cert:\ (object type names dropped)
    batch = _from_records(frame, table.lines, path, ctx, table.rejected, header_line=table.header_line)
    batch.notes += [f"{path}: {windows_note}"] if windows_note else []
    batch.rows = table.rows
    if table.blank:
        batch.notes.append(f"{path}: {table.blank} blank row(s) skipped")
    batch.notes.extend(table.notes)
    return batch


def read_json(path: Path, ctx: ReadContext) -> Batch:
    doc = parse_json(text_of(path.read_bytes()), str(path))
    return _from_documents(path, ctx, [doc])


def read_yaml(path: Path, ctx: ReadContext) -> Batch:
    try:
        docs = _yaml.load_all(text_of(path.read_bytes()))
    except _yaml.YamlError as exc:
        raise InputError(str(path), exc.reason, line=exc.line) from None
    return _from_documents(path, ctx, docs)


def _from_documents(path: Path, ctx: ReadContext, docs: list[Any]) -> Batch:
    records: list[dict[str, Any]] = []
    locs: list[str] = []
    rejected: list[Rejected] = []
    for d_i, doc in enumerate(docs):
        recs = _records_of(doc)
        if recs is None:
            raise InputError(str(path), 'expected a list of certificate objects or {"certificates": [...]}')
        for i, rec in enumerate(recs):
            if not isinstance(rec, dict):
                rejected.append(Rejected(source=str(path), locator=f"record {i}", reason="not an object"))
                continue
            records.append({k: _cell(v) for k, v in rec.items()})
            locs.append(f"record {i}" if len(docs) == 1 else f"document {d_i} record {i}")
    frame = pd.DataFrame(records, dtype=object)
    return _from_records(
        frame, pd.Series(locs, index=frame.index, dtype=object), path, ctx, rejected, header_line=None
    )


def _cell(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ------------------------------------------------------------------------------------------ normalizing
def _per_value(col: pd.Series, fn: Callable[[str], Any], dtype: str = "string") -> pd.Series:
    """fn applied once per distinct value (a column holds few), spread back by integer codes."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    values = pd.array([fn(str(u)) for u in uniques], dtype=dtype)
    return pd.Series(values.take(codes, allow_fill=True), index=col.index, dtype=dtype)


def _arrow(col: pd.Series) -> Any:
    """The column as an Arrow string array (zero-copy for Arrow-backed strings)."""
    return pa.array(col.astype("string").array)


def _strings(arr: Any, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(arr, dtype="string"), index=index)


def _coalesce(first: pd.Series, then: pd.Series | str) -> pd.Series:
    """first.fillna(then) for string columns on the same index, as one Arrow kernel.

    pandas' fillna/where on Arrow strings goes through a masked replace that costs seconds at 1M rows.
    """
    a = _arrow(first)
    b = pa.scalar(then, type=a.type) if isinstance(then, str) else _arrow(then).cast(a.type)
    return _strings(pc.coalesce(a, b), first.index)


def _where(col: pd.Series, cond: pd.Series, other: pd.Series | None = None) -> pd.Series:
    """col.where(cond, other) for string columns on the same index (missing cond counts as False)."""
    a = _arrow(col)
    b = pa.nulls(len(col), type=a.type) if other is None else _arrow(other).cast(a.type)
    mask = pa.array(cond.fillna(False).to_numpy(dtype=bool))
    return _strings(pc.if_else(mask, a, b), col.index)


def _line_locators(locator: pd.Series) -> pd.Series:
    """'line N' for numeric locators (built by Arrow), other locators unchanged."""
    if pd.api.types.is_integer_dtype(locator.dtype):
        text = pc.cast(pa.array(locator.to_numpy()), pa.string())
        lines = pc.binary_join_element_wise("line ", text, "")
        return pd.Series(pd.array(lines, dtype="string"), index=locator.index)
    loc = locator.astype(str)
    return "line " + loc if loc.str.isnumeric().all() else loc


def _key_size(v: str) -> Any:
    """'2048', '2048.0', '2.048', '2 048', '2048 bits', 'RSA 4096' → 2048.0/4096.0; anything else (and an
    ambiguous number such as '2,5') NA — cmmm.ingest._locale has the rule."""
    if _PLAIN_NUMBER.fullmatch(v):  # "-2048" and "99999999999999999999" stay themselves: implausible, noted
        return float(v)
    value, _ = number_in_text(v)
    return float(value) if value is not None else pd.NA


_BLANK_MARKERS = {"", "na", "nan", "null", "tbd", "unknown"}  # after squash: "-", "n/a", "N/A", …


def _vocab(col: pd.Series, table: dict[str, str], name: str, notes: list[str]) -> pd.Series:
    """Map free-text values onto a closed vocabulary. A value outside it becomes empty, with one note
    for the column naming how many cells and (at most five of) the distinct values."""
    s = col.astype("string").str.strip()
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    keys = [squash(str(u)) for u in uniques]
    mapped = [table.get(k) for k in keys]
    unknown = [
        i for i, (k, m) in enumerate(zip(keys, mapped, strict=True)) if m is None and k not in _BLANK_MARKERS
    ]
    if unknown:
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        shown = ", ".join(sanitize.echo(uniques[i], 40) for i in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        notes.append(
            f"{name}: {int(counts[unknown].sum())} value(s) not in the vocabulary ({shown}{more}) left empty; "
            f"known: {', '.join(dict.fromkeys(table.values()))}"
        )
    values = pd.array(mapped, dtype="string")
    return pd.Series(values.take(codes, allow_fill=True), index=col.index, dtype="string")


def _bool(col: pd.Series) -> pd.Series:
    def one(v: str) -> Any:
        v = v.strip().lower()
        return True if v in TRUE_VALUES else False if v in FALSE_VALUES else pd.NA

    return _per_value(col.astype("string"), one, "boolean")


def _extract(col: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Regex extraction runs in Python: apply it only to the cells that contain a DN ('=')."""
    col = col.astype("string")
    out = pd.Series(pd.NA, index=col.index, dtype="string")
    dn = col.str.contains("=", regex=False).fillna(False).to_numpy(dtype=bool)
    if dn.any():
        # once per distinct cell: an issuer column names a handful of CAs over thousands of rows
        codes, distinct = pd.factorize(col[dn])
        got = pd.Series(distinct, dtype="string").str.extract(pattern, expand=False)
        got = got.str.replace("\\,", ",", regex=False).str.strip()
        out[dn] = got.array.take(codes)
    return out


def _where_needed(col: pd.Series, needs: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a slow string transformation only to the cells that need it."""
    needs = needs.fillna(False).astype(bool)
    if not needs.any():
        return col
    out = col.copy()
    out[needs] = fn(col[needs])
    return out


def _list_cells(col: pd.Series) -> pd.Series:
    """Normalize list separators (',', '|', spaces around ';') to ';'."""
    col = col.astype("string")
    return _where_needed(
        col,
        col.str.contains(r"[,|]|; | ;", regex=True),
        lambda c: c.str.replace(r"\s*[;,|]\s*", ";", regex=True),
    )


def _serials(col: pd.Series, *, hex_serials: bool = False) -> pd.Series:
    """Lower-case hex without leading zeros. A column with any hex letter or colon is hex, else decimal.

    `hex_serials` forces hex for sources whose format defines serials as hex (crt.sh, ACM, certutil).
    """
    raw = pc.utf8_trim_whitespace(_arrow(col))
    s = pc.ascii_lower(raw)
    # only values with a 0x prefix, separators or other characters take the regex replace
    needs = pc.fill_null(pc.match_substring_regex(s, r"^0x|[^0-9a-f]"), False)
    bad: Any = pa.repeat(False, len(s))
    marked_hex = False
    if pc.any(needs).as_py():
        marked_hex = bool(pc.any(pc.starts_with(s, "0x")).as_py())  # 0x1013 is hex by its own say
        fixed = pc.replace_substring_regex(pc.replace_substring_regex(s, r"^0x", ""), r"[:\s\x{a0}-]", "")
        s = pc.if_else(needs, fixed, s)
        bad = pc.fill_null(pc.and_(needs, pc.match_substring_regex(s, "[^0-9a-f]")), False)
    s = pc.if_else(pc.equal(s, ""), pa.scalar(None, s.type), s)
    decimal = pc.fill_null(pc.ascii_is_decimal(s), True)
    # a hex letter anywhere: a good value that is not decimal has one; a bad one is looked at
    has_letter = pc.any(pc.and_(pc.invert(decimal), pc.invert(bad))).as_py() or (
        pc.any(bad).as_py() and pc.any(pc.match_substring_regex(s, "[a-f]")).as_py()
    )
    if hex_serials or marked_hex or has_letter or pc.any(pc.match_substring(raw, ":")).as_py():
        stripped = pc.utf8_ltrim(s, characters="0")
        stripped = pc.if_else(
            pc.and_(pc.is_valid(s), pc.equal(stripped, "")), pa.scalar("0", s.type), stripped
        )
        return _strings(pc.if_else(bad, pa.scalar(None, s.type), stripped), col.index)

    def conv(v: str) -> str | None:
        try:
            return format(int(v, 10), "x")
        except ValueError:
            return None

    return _per_value(_strings(s, col.index), conv)


def _from_records(
    raw: pd.DataFrame,
    locator: pd.Series,
    path: Path,
    ctx: ReadContext,
    rejected: list[Rejected],
    header_line: int | None,
    *,
    hex_serials: bool = False,
    note_unused: bool = False,
) -> Batch:
    """Certificates and observations from a frame of text cells: the normalization every table shares.

    A row with an oversized cell, without a name, without a usable not_after or with not_before after
    not_after becomes one rejection (the first that applies); a cell that cannot be read is left empty
    with a note.
    """
    src = str(path)
    raw, blank = _without_blank_rows(raw)  # skipped with a note, not rows (a CSV reader drops them before)
    rows_read = len(raw) + len(rejected)  # the reader's rejections are one row each
    df, hex_serials = _canonical_cells(raw, src, header_line, hex_serials=hex_serials)
    loc = _line_locators(locator)
    reject = functools.partial(_reject, rejected, src, loc)

    ok = ~reject(_too_long(df), f"a cell exceeds {MAX_CELL_CHARS} characters")
    notes: list[str] = []
    bodies = _pem_cells(df, ok, loc, notes) if "pem" in df else {}
    out = _name_columns(df)
    ok &= ~reject(out["common_name"].isna() & ok, "no common_name or sans")
    notes += _table_notes(raw, blank, listed=header_line is not None or note_unused)
    _date_columns(df, out, notes)
    if "not_after" not in out:  # a table whose PEM column stands in for the dates
        out["not_after"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    ok &= ~reject(
        out["not_after"].isna() & ok,
        lambda i: _not_after_reason(df.at[i, "not_after"] if "not_after" in df else ""),
    )
    notes += _ignored_dates(df, out, ok, loc)
    if "not_before" in out:
        ok &= ~reject((out["not_before"] > out["not_after"]) & ok, lambda i: _inverted_reason(out, i))

    _issuer_columns(df, out)
    if "serial" in df:
        out["serial"] = _serials(df["serial"], hex_serials=hex_serials)
    _key_columns(df, out, notes)
    _signature_columns(df, out)
    _flag_columns(df, out, notes)
    _identity_columns(df, out)
    _revocation_columns(df, out)
    with_body = pd.Series(False, index=out.index)
    for i, (row, _) in bodies.items():
        out.at[i, "cert_id"] = row["cert_id"]
        with_body[i] = True

    last_seen = out.pop("last_seen") if "last_seen" in out else None
    obs = _observations(df, out["cert_id"], src, loc, last_seen, notes)[ok]
    if "location" in obs:
        obs = _one_per_endpoint(obs)
    merged = _duplicates(out["cert_id"][ok], loc, notes)
    certificates = out[ok & ~with_body].reset_index(drop=True)
    parsed = [row for i, (row, _) in bodies.items() if ok[i]]
    if parsed:  # the body is the truth about the certificate; the row's other cells are the observation
        certificates = pd.concat([certificates, pd.DataFrame.from_records(parsed)], ignore_index=True)
    return Batch(
        certificates=certificates,
        bodies={row["cert_id"]: der for i, (row, der) in bodies.items() if ok[i]},
        observations=obs.reset_index(drop=True),
        rejected=rejected,
        notes=[f"{src}: {n}" for n in notes],
        rows=rows_read,
        merged=merged,
    )


def _table_notes(raw: pd.DataFrame, blank: int, *, listed: bool) -> list[str]:
    """The blank rows skipped and (for a table read by its header) the columns cmmm does not read."""
    notes = [f"{blank} blank row(s) skipped"] if blank else []
    unused = unused_columns_note([str(c) for c in raw.columns]) if listed else None
    return [*notes, unused] if unused else notes


def _without_blank_rows(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The frame without rows whose every cell is empty or blank (`;;;;` lines), and how many there were."""
    if raw.empty or not len(raw.columns):
        return raw, 0
    blank: np.ndarray = np.ones(len(raw), dtype=bool)
    for c in raw.columns:
        cells = pc.fill_null(pc.utf8_trim_whitespace(_arrow(raw[c])), "")
        blank &= np.asarray(pc.equal(cells, "").to_numpy(zero_copy_only=False), dtype=bool)
        if not blank.any():
            return raw, 0
    return raw[~blank], int(blank.sum())


_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----")


def _holds_pem(col: pd.Series) -> bool:
    """A column whose first non-empty cells (up to 20) are PEM text. Looked for in a growing head of the
    column: trimming every cell of a million-row column to read twenty of them cost 30 ms a column."""
    text = col.astype("string")
    n = 1024
    while True:
        sample = text.iloc[:n].str.strip().replace("", pd.NA).dropna()
        if len(sample) >= 20 or n >= len(text):
            break
        n *= 8
    sample = sample.head(20)
    return bool(len(sample)) and bool(sample.str.startswith("-----BEGIN").all())


def _pem_cells(
    df: pd.DataFrame, ok: pd.Series, loc: pd.Series, notes: list[str]
) -> dict[Any, tuple[dict[str, Any], bytes]]:
    """The certificate of each row's PEM cell: its body row and DER, by row index. The name and dates a
    row leaves empty are filled from its body so that the row validates; a cell that holds no readable
    certificate is noted (the row goes on with its other cells) and key material is never echoed."""
    out: dict[Any, tuple[dict[str, Any], bytes]] = {}
    pem = df["pem"]
    for i in pem.index[pem.notna() & (pem != "") & ok]:
        cell = str(pem[i])
        m = _PEM_CERT.search(cell)
        try:
            if m is None:
                raise ValueError("no CERTIFICATE block")
            cert = load_pem(m.group(0).encode("ascii"))
            der = cert.public_bytes(serialization.Encoding.DER)
            row = certificate_row(cert, der)
        except ValueError as exc:
            what = sanitize.echo(cell, 40) if "KEY" not in cell else "key material (withheld)"
            notes.append(f"{loc[i]}: the certificate cell is not a readable certificate ({exc}): {what}")
            continue
        out[i] = (row, der)
        for col, value in (
            ("common_name", row.get("common_name") or (row.get("sans") or "").split(";")[0]),
            ("not_after", row["not_after"].isoformat()),
            ("not_before", row["not_before"].isoformat()),
        ):
            if col not in df:
                df[col] = pd.Series(pd.NA, index=df.index, dtype="string")
            if pd.isna(df.at[i, col]) or df.at[i, col] == "":
                df.at[i, col] = value
    return out


def _duplicates(cert_id: pd.Series, loc: pd.Series, notes: list[str]) -> int:
    """Rows of one file that are the same certificate as an earlier row (same cert_id: fingerprint, issuer
    and serial, or name and expiry): merged into one certificate by `merge`, each observation kept. A note
    names both rows (at most MAX_CELL_NOTES, then a count); returns how many rows were merged."""
    repeat = cert_id.duplicated(keep="first")
    n = int(repeat.sum())
    if not n:
        return 0
    shown = cert_id.index[repeat.to_numpy()][:MAX_CELL_NOTES]
    # the first row of each id a note names (not a groupby of every row: 0.4 s at a million)
    named = cert_id[isin(cert_id, cert_id[shown].drop_duplicates())].drop_duplicates(keep="first")
    first_row = dict(zip(named.to_numpy(), named.index, strict=True))
    for i in shown:
        notes.append(
            f"{loc[i]} is the same certificate as {loc[first_row[cert_id[i]]]} ({cert_id[i]}): merged into one "
            "certificate, both rows kept as observations"
        )
    if n > MAX_CELL_NOTES:
        notes.append(f"{n - MAX_CELL_NOTES} more row(s) repeat an earlier certificate: merged")
    return n


def _canonical_cells(
    raw: pd.DataFrame, src: str, header_line: int | None, *, hex_serials: bool
) -> tuple[pd.DataFrame, bool]:
    """The columns under their canonical names, trimmed, and whether serials are hex (certutil's are)."""
    headers = [str(c) for c in raw.columns]
    pem_columns = [str(c) for c in raw.columns if _holds_pem(raw[c])]
    mapping = map_headers([h for h in headers if h not in pem_columns])
    if pem_columns and "pem" not in mapping.values():
        mapping[pem_columns[0]] = "pem"  # e.g. "Certificate": PEM text, not a name
    if not hex_serials:
        # certutil -view csv prints serials as hex digits that may happen to contain no letter
        hex_serials = bool({squash(h) for h in headers} & _HEX_SERIAL_MARKERS)
    canon = set(mapping.values())
    if "pem" not in canon and (not canon & {"common_name", "sans"} or "not_after" not in canon):
        raise InputError(
            src,
            "no recognizable certificate columns: need common_name (or sans) and not_after "
            f"(or aliases such as 'Common Name', 'Expiration Date'); found {headers[:12]}",
            line=header_line,
        )
    # Arrow kernels straight on the columns: one trim per column, no per-cell Python.
    df = pd.DataFrame(
        {
            canon: pd.Series(
                pd.array(pc.utf8_trim_whitespace(_arrow(raw[col])), dtype="string"), index=raw.index
            )
            for col, canon in mapping.items()
        },
        index=raw.index,
    )
    return df, hex_serials


def _reject(
    rejected: list[Rejected], src: str, loc: pd.Series, rows: pd.Series, reason: str | Callable[[Any], str]
) -> pd.Series:
    """A rejection for each row of the boolean mask `rows` (the reason, or reason(index) per row); the mask."""
    for i in rows.index[rows]:
        rejected.append(
            Rejected(source=src, locator=loc[i], reason=reason if isinstance(reason, str) else reason(i))
        )
    return rows


def _too_long(df: pd.DataFrame) -> pd.Series:
    """Rows with a cell over MAX_CELL_CHARS characters (only columns whose longest value could be are measured)."""
    too_long = pd.Series(False, index=df.index)
    for c in df.columns:
        longest = pc.max(pc.binary_length(_arrow(df[c]))).as_py()
        if longest is not None and longest > MAX_CELL_CHARS:  # bytes bound characters from above
            too_long |= (df[c].str.len() > MAX_CELL_CHARS).fillna(False)
    return too_long


def _name_columns(df: pd.DataFrame) -> pd.DataFrame:
    """common_name (a DN's CN, else the cell, else the first SAN), subject_dn and sans."""
    out = pd.DataFrame(index=df.index)
    cn = df.get("common_name", pd.Series(pd.NA, index=df.index, dtype="string")).replace("", pd.NA)
    out["common_name"] = _coalesce(_extract(cn, _CN), cn)
    if "subject_dn" in df:
        out["subject_dn"] = df["subject_dn"].replace("", pd.NA)
        out["common_name"] = _coalesce(out["common_name"], _extract(out["subject_dn"], _CN))
    elif cn.str.contains("=", regex=False).any():
        out["subject_dn"] = cn.where(cn.str.contains("=", regex=False).fillna(False))
    if "sans" in df:
        sans = _sans(df["sans"])
        out["sans"] = sans
        no_cn = out["common_name"].isna()
        if no_cn.any():
            out.loc[no_cn, "common_name"] = sans[no_cn].str.split(";").str[0]
    return out


def _sans(col: pd.Series) -> pd.Series:
    """';'-separated names without type prefixes ('DNS:', 'IP Address:'); empty as missing."""
    col = _where_needed(
        col,
        col.str.contains(":", regex=False),
        lambda c: c.str.replace(r"(?i)\b(DNS|IP Address|IP|URI|email):", "", regex=True),
    )
    return _list_cells(col).str.strip("; ").replace("", pd.NA)


def _date_columns(df: pd.DataFrame, out: pd.DataFrame, notes: list[str]) -> None:
    """Parse the date columns present into `out` (aware UTC), noting what the parser had to say."""
    for col in DATE_COLUMNS:
        if col in df:
            parsed, note = parse_dates(df[col])
            out[col] = parsed
            if note:
                notes.append(f"{col}: {note}")


def _not_after_reason(value: Any) -> str:
    if pd.isna(value) or value == "":
        return "not_after is empty"
    return f"not_after is not a date: {sanitize.echo(value)}"


def _inverted_reason(out: pd.DataFrame, i: Any) -> str:
    return (
        f"not_before ({out.at[i, 'not_before'].isoformat()}) is after "
        f"not_after ({out.at[i, 'not_after'].isoformat()})"
    )


def _ignored_dates(df: pd.DataFrame, out: pd.DataFrame, ok: pd.Series, loc: pd.Series) -> list[str]:
    """Notes on optional dates that are not dates: the row stays, the cell is ignored (at most
    MAX_CELL_NOTES named per column, then a count)."""
    notes: list[str] = []
    for col in DATE_COLUMNS:
        if col == "not_after" or col not in df:
            continue
        bad_cell = ~df[col].fillna("").isin(EMPTY_DATE_VALUES) & out[col].isna() & ok
        bad_rows = df.index[bad_cell]
        for i in bad_rows[:MAX_CELL_NOTES]:
            notes.append(f"{loc[i]}: {col} is not a date: {sanitize.echo(df.at[i, col])} (cell ignored)")
        if len(bad_rows) > MAX_CELL_NOTES:
            notes.append(f"{col}: {len(bad_rows) - MAX_CELL_NOTES} more cell(s) not a date ignored")
    return notes


_TEXT_COLUMNS = (
    "subject_org",
    "issuer_org",
    "ext_key_usage",
    "subject_key_id",
    "authority_key_id",
    "key_id",
    "key_curve",
)


def _issuer_columns(df: pd.DataFrame, out: pd.DataFrame) -> None:
    """The columns taken as they are, then issuer_name, issuer_dn and issuer_org from an issuer cell (a DN
    or a name) and an issuer DN column."""
    for col in _TEXT_COLUMNS:
        if col in df:
            out[col] = df[col].replace("", pd.NA)
    if "issuer" in df:
        iss = df["issuer"].replace("", pd.NA)
        is_dn = iss.str.contains("=", regex=False).fillna(False)
        out["issuer_name"] = _where(_extract(iss, _CN), is_dn, iss)
        out["issuer_name"] = _coalesce(out["issuer_name"], _extract(iss, _ORG))
        out["issuer_dn"] = _where(iss, is_dn)
        if "issuer_org" not in out:
            out["issuer_org"] = _extract(iss, _ORG)
    if "issuer_dn" in df:
        idn = df["issuer_dn"].replace("", pd.NA)
        out["issuer_dn"] = _coalesce(idn, out["issuer_dn"]) if "issuer_dn" in out else idn
        name = _extract(idn, _CN)
        out["issuer_name"] = _coalesce(out["issuer_name"], name) if "issuer_name" in out else name


def _key_columns(df: pd.DataFrame, out: pd.DataFrame, notes: list[str]) -> None:
    """key_algorithm, key_curve and key_size from the algorithm text and the size column; an EC key
    without a curve gets the curve of its size."""
    if "key_algorithm" in df:
        alg = df["key_algorithm"]
        out["key_algorithm"] = _per_value(alg, lambda u: key_algorithm(u)[0])
        size_from_alg = _per_value(alg, lambda u: key_algorithm(u)[1], "Float64")
        out["key_curve"] = _per_value(alg, lambda u: key_algorithm(u)[2])
    else:
        size_from_alg = pd.Series(pd.NA, index=df.index)
    out["key_size"] = _key_sizes(df, size_from_alg, notes)
    if "key_algorithm" in out:
        ec_missing_curve = (out["key_algorithm"] == "EC") & out["key_curve"].isna()
        out.loc[ec_missing_curve, "key_curve"] = (
            out.loc[ec_missing_curve, "key_size"]
            .map({256: "secp256r1", 384: "secp384r1", 521: "secp521r1"})
            .astype("string")
        )


def _key_sizes(df: pd.DataFrame, size_from_alg: pd.Series, notes: list[str]) -> pd.Series:
    """The key_size column, else the size the algorithm text names; sizes outside 1–65536 are ignored."""
    if "key_size" in df:
        size = _per_value(df["key_size"], _key_size, "Float64")
        note = ambiguous_numbers(df["key_size"], "key_size")
        if note:
            notes.append(note)
    else:
        size = pd.Series(np.nan, index=df.index, dtype="Float64")
    size = size.fillna(pd.to_numeric(size_from_alg, errors="coerce"))
    implausible = (size < 1) | (size > 65_536)
    if implausible.any():  # "99999999999999999999" or "-2048": no key has that size
        notes.append(f"key_size: {int(implausible.sum())} value(s) outside 1–65536 ignored")
        size = size.mask(implausible)
    return size.round().astype("Int64")


def _signature_name(value: str) -> Any:
    known = signature_algorithm(value)
    return known.name if known else (value or pd.NA)


def _signature_hash(value: str) -> Any:
    known = signature_algorithm(value)
    return known.hash if known else _hash_hint(value)


def _signature_columns(df: pd.DataFrame, out: pd.DataFrame) -> None:
    """signature_algorithm (the canonical name when known) and its signature_hash."""
    if "signature_algorithm" in df:
        sig = df["signature_algorithm"]
        out["signature_algorithm"] = _per_value(sig, _signature_name)
        out["signature_hash"] = _per_value(sig, _signature_hash)


def _flag_columns(df: pd.DataFrame, out: pd.DataFrame, notes: list[str]) -> None:
    """The yes/no columns, the counts and trust (a closed vocabulary)."""
    for col in ("is_ca", "is_self_signed"):
        if col in df:
            out[col] = _bool(df[col])
    for col in ("path_len", "sct_count"):
        if col in df:
            out[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    if "trust" in df:
        out["trust"] = _vocab(df["trust"], TRUST_VALUES, "trust", notes)


def _identity_columns(df: pd.DataFrame, out: pd.DataFrame) -> None:
    """fingerprint_sha1 and fingerprint_sha256 (hex of the right length, else empty), cert_id (given, else
    sha256:<fingerprint>, else the row id) and has_body."""
    fp = pa.nulls(len(df), pa.string())
    if "fingerprint_sha256" in df:
        f = _hex(df["fingerprint_sha256"])
        fp = _of_length(f, 64)
        if "fingerprint_sha1" not in df:
            out["fingerprint_sha1"] = _strings(_of_length(f, 40), df.index)
    if "fingerprint_sha1" in df:
        out["fingerprint_sha1"] = _strings(_of_length(_hex(df["fingerprint_sha1"]), 40), df.index)
    out["fingerprint_sha256"] = _strings(fp, df.index)
    given_id = (
        df["cert_id"].replace("", pd.NA)
        if "cert_id" in df
        else pd.Series(pd.NA, index=df.index, dtype="string")
    )
    sha_id = pc.binary_join_element_wise(pa.scalar("sha256:", fp.type), fp, pa.scalar("", fp.type))
    cert_id = _coalesce(given_id, _strings(sha_id, df.index))
    missing = cert_id.isna()
    if missing.any():
        cert_id[missing] = row_ids(out[missing])
    out["cert_id"] = cert_id
    out["has_body"] = False


def _revocation_reason(value: str) -> Any:
    """'0x1 -- Key Compromise', 'KeyCompromise', '1' → 'keyCompromise'; other text as it is; '' → NA."""
    head, _, tail = value.partition("--")
    text = (tail or head).strip()
    if not text or text.upper() == "EMPTY":
        return pd.NA
    code = re.fullmatch(r"0x([0-9a-f]+)|(\d{1,2})", head.strip(), re.IGNORECASE)
    if code:
        name = REVOCATION_CODES.get(int(code.group(1), 16) if code.group(1) else int(code.group(2)))
        if name:
            return name
    return REVOCATION_REASONS.get(squash(text), text)


def _revocation_columns(df: pd.DataFrame, out: pd.DataFrame) -> None:
    """revoked (a status such as AD CS's '21 -- Revoked', a revocation date, or a yes in a Revoked column),
    revoked_at and revocation_reason: a CA's own export of a revoked certificate is not a live one."""
    revoked = pd.Series(pd.NA, index=df.index, dtype="boolean")
    if "status" in df:
        status = df["status"].astype("string").str.lower().str.strip()
        known = status.notna() & ~status.isin(["", "empty"])
        revoked = revoked.mask(known, False)  # "20 -- Issued": the CA says it is not revoked
        revoked = revoked.mask(
            status.str.contains("revoked|widerrufen|révoqué|revocado", regex=True).fillna(False), True
        )
        revoked = revoked.mask(status.isin(list(TRUE_VALUES)).fillna(False), True)
    if "revoked_at" in out:
        revoked = revoked.mask(out["revoked_at"].notna(), True)
    if "revocation_reason" in df:
        out["revocation_reason"] = _per_value(df["revocation_reason"], _revocation_reason)
    if revoked.notna().any():
        out["revoked"] = revoked


_OBSERVATION_VOCABULARIES = (
    ("automation", AUTOMATION_VALUES),
    ("criticality", CRITICALITY_VALUES),
    ("environment", ENVIRONMENT_VALUES),
    ("discovered_by", DISCOVERY_VALUES),
)


def _observations(
    df: pd.DataFrame,
    cert_id: pd.Series,
    src: str,
    loc: pd.Series,
    last_seen: pd.Series | None,
    notes: list[str],
) -> pd.DataFrame:
    """One observation per row: who owns the certificate, how it is renewed, where it was found."""
    obs = pd.DataFrame({"cert_id": cert_id, "source": src, "source_ref": loc}, index=df.index)
    for col, table in _OBSERVATION_VOCABULARIES:
        if col in df:
            obs[col] = _vocab(df[col], table, col, notes)
    for col in ("service", "owner", "team", "tags"):
        if col in df:
            obs[col] = df[col].replace("", pd.NA)
    if last_seen is not None:
        obs["last_seen"] = last_seen
    if "secrecy_years" in df:
        obs["secrecy_years"] = pd.to_numeric(df["secrecy_years"], errors="coerce")
    if "discovered_by" not in obs:
        obs["discovered_by"] = "manual"
    obs["discovered_by"] = _coalesce(obs["discovered_by"].astype("string"), "manual")
    if "endpoints" in df:
        obs["location"] = _list_cells(df["endpoints"]).str.strip("; ").replace("", pd.NA)
    return obs


def _one_per_endpoint(obs: pd.DataFrame) -> pd.DataFrame:
    """One observation per endpoint when a row's location lists several, each with its host and port."""
    multi = obs["location"].str.contains(";", regex=False).fillna(False)
    if multi.any():
        split = obs[multi].assign(location=obs.loc[multi, "location"].str.split(";")).explode("location")
        obs = pd.concat([obs[~multi], split]).sort_index(kind="stable")
    obs = obs.reset_index(drop=True)
    obs["location"] = obs["location"].astype("string")
    obs["host"], obs["port"] = _host_port(obs["location"])
    return obs


def _hex(col: pd.Series) -> Any:
    """Lower-case hex without separators (colons, spaces), as an Arrow array; only cells with anything
    but hex digits take the regex replace."""
    f = pc.ascii_lower(_arrow(col))  # any non-ASCII character is not hex and is removed below
    odd = pc.match_substring_regex(f, "[^0-9a-f]")
    if pc.any(odd).as_py():
        f = pc.if_else(odd, pc.replace_substring_regex(f, "[^0-9a-f]", ""), f)
    return f


def _of_length(hexes: Any, n: int) -> Any:
    """The values of exactly n characters, others null."""
    return pc.if_else(pc.equal(pc.binary_length(hexes), n), hexes, pa.scalar(None, hexes.type))


def _int64(arr: Any) -> pd.arrays.IntegerArray:
    """An Arrow int64 array as pandas' Int64 (values and validity taken as arrays: `pd.array(arrow, "Int64")`
    goes through one Python object per value)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    values = np.array(pc.fill_null(arr, 0).to_numpy(zero_copy_only=False), dtype=np.int64)  # writable
    missing = np.asarray(pc.is_null(arr).to_numpy(zero_copy_only=False), dtype=bool)
    return pd.arrays.IntegerArray(values, missing)


def _host_port(loc: pd.Series) -> tuple[pd.Series, pd.Series]:
    """host and port of 'host:port', '[v6]:port', 'https://host:port/path' or a bare host."""
    # The common 'host:port' by splitting at the last colon, in Arrow; the other spellings take a regex.
    arr = _arrow(loc)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    halves = pc.split_pattern(arr, ":", max_splits=1)
    two = pc.fill_null(pc.equal(pc.list_value_length(halves), 2), False)
    if pc.all(two).as_py():  # every value has one colon or more: the halves are the flat list's pairs
        flat = pc.list_flatten(halves)
        host_part = flat.take(pa.array(np.arange(0, len(flat), 2)))
        port_part = flat.take(pa.array(np.arange(1, len(flat), 2)))
    else:
        padded = pc.if_else(two, halves, pa.scalar(["", ""], halves.type))
        host_part, port_part = pc.list_element(padded, 0), pc.list_element(padded, 1)
    simple = pc.and_(
        pc.and_(two, pc.fill_null(pc.ascii_is_decimal(port_part), False)),
        pc.and_(
            pc.and_(
                pc.less_equal(pc.binary_length(port_part), 5), pc.greater(pc.binary_length(host_part), 0)
            ),
            pc.invert(pc.or_(pc.match_substring(host_part, "/"), pc.match_substring(host_part, "["))),
        ),
    )
    host = _strings(pc.if_else(simple, host_part, pa.scalar(None, pa.string())), loc.index)
    port = pd.Series(
        _int64(pc.cast(pc.if_else(simple, port_part, pa.scalar(None, pa.string())), pa.int64())),
        index=loc.index,
    )
    other = host.isna() & loc.notna()
    if other.any():
        hp = loc[other].str.extract(r"^(?:\w+://)?(?:\[([^\]]+)\]|([^/:]+))(?::(\d+))?")
        host[other] = hp[0].fillna(hp[1])
        port[other] = pd.to_numeric(hp[2], errors="coerce").astype("Int64")
    return host.astype("string"), port.astype("Int64")


def _hash_hint(name: str) -> Any:
    m = re.search(r"(md5|sha1|sha224|sha256|sha384|sha512)", str(name).lower().replace("-", ""))
    return m.group(1) if m else pd.NA


def from_rows(
    rows: list[dict[str, Any]],
    locators: list[str],
    path: Path,
    ctx: ReadContext,
    *,
    hex_serials: bool = False,
    rejected: list[Rejected] | None = None,
) -> Batch:
    """Certificates and observations from rows keyed by canonical column names (or aliases).

    For source-specific ingesters whose records carry no certificate body: values go through the same
    normalization as a spreadsheet (dates, serials, key and signature algorithms, vocabularies), and row
    ids are made the same way, so a row naming the issuer and serial of a parsed body merges with it.
    Rows without a name or not_after become rejections with their locator.
    """
    if not rows:
        return Batch(rejected=list(rejected or []))
    frame = pd.DataFrame.from_records(rows)
    return from_frame(
        frame, pd.Series(locators, dtype=object), path, ctx, hex_serials=hex_serials, rejected=rejected
    )


def from_frame(
    frame: pd.DataFrame,
    locators: pd.Series,
    path: Path,
    ctx: ReadContext,
    *,
    hex_serials: bool = False,
    rejected: list[Rejected] | None = None,
    note_unused: bool = False,
) -> Batch:
    """`from_rows` for a frame built column-wise (list cells are ';'-joined, None becomes empty).
    `note_unused` notes the columns no alias maps (a spreadsheet's, not a tool's)."""
    frame = frame.reset_index(drop=True)
    cells = pd.DataFrame({c: _cells(frame[c]) for c in frame.columns}, index=frame.index, dtype=object)
    loc = pd.Series(locators.to_numpy(), index=frame.index, dtype=object)
    return _from_records(
        cells,
        loc,
        path,
        ctx,
        list(rejected or []),
        header_line=None,
        hex_serials=hex_serials,
        note_unused=note_unused,
    )


def _cells(col: pd.Series) -> pd.Series:
    """Column-wise _cell: a string-typed column is filled vectorized, anything else value by value."""
    if isinstance(col.dtype, pd.StringDtype):
        return col.fillna("").astype(object)
    return col.map(_cell)


def row_ids(out: pd.DataFrame) -> pd.Series:
    """Public name of the row-id rule, for ingesters that build certificate rows themselves."""
    return _row_ids(out)


def _row_ids(out: pd.DataFrame) -> pd.Series:
    """Stable ids for rows without a body: by issuer+serial when the serial is known, else by name+expiry."""
    issuer = out.get("issuer_name", pd.Series(pd.NA, index=out.index, dtype="string")).astype("string")
    issuer = issuer.str.lower().fillna("")
    serial = out.get("serial", pd.Series(pd.NA, index=out.index, dtype="string")).astype("string")
    key = ("s|" + issuer + "|" + serial).astype("string")
    nameless = serial.isna().to_numpy(dtype=bool)
    if nameless.any():  # name and expiry only where there is no serial (formatting dates costs)
        name = out["common_name"].astype("string").str.lower().fillna("")
        expiry = _date_text(out["not_after"])
        key[nameless] = ("n|" + issuer + "|" + name + "|" + expiry)[nameless]
    hashed = pd.util.hash_pandas_object(key.fillna(""), index=False).to_numpy()
    # "row:" and 16 hex digits, formatted in Arrow (numpy's char functions: ten times slower)
    digits = np.frombuffer(hashed.astype(">u8").tobytes().hex().encode("ascii"), dtype="S16")
    text = pc.binary_join_element_wise("row:", pa.array(digits, type=pa.binary(16)).cast(pa.string()), "")
    return pd.Series(text.to_pandas().to_numpy(), index=out.index, dtype="string")


def _date_text(col: pd.Series) -> pd.Series:
    """The dates as pandas writes them as text ("2026-12-31 23:59:59+00:00"; "" when unknown): the row-id rule
    hashes that text, so it must not change. Whole seconds of years 1000 on (nearly every spreadsheet) are
    formatted in Arrow; a column with sub-second values, which pandas writes with six decimals on every row,
    or with earlier years, by pandas itself."""
    if str(col.dtype) != UTC_DT:  # the model's date dtype only; anything else as pandas writes it
        return col.astype("string").fillna("")
    known = col.notna().to_numpy(dtype=bool)
    out = pd.Series("", index=col.index, dtype="string")
    if not known.any():
        return out
    seen = col[known]
    if (seen.dt.microsecond != 0).any() or (seen.dt.year < 1000).any():
        return col.astype("string").fillna("")
    seconds = pc.cast(pa.array(seen.to_numpy(dtype="datetime64[us]")), pa.timestamp("s"), safe=False)
    text = pc.binary_join_element_wise(pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S"), "+00:00", "")
    out[known] = text.to_pandas().to_numpy()
    return out
