"""The same evidence read on the PKI Consortium's PKI Maturity Model (PKIMM 1.0.0): categories, their levels,
the weighted overall and the floor.

Every CMMM criterion is placed in one PKIMM category (pkimm.yaml, with a one-line reason); a category is
judged on the criteria placed in it, with the CMMM levels read one to one as PKIMM levels:

- **level**: the highest level *L* among 1 and the levels at which the category has criteria, such that
  every criterion of level ≤ *L* placed in the category is met. Unknown (no answer, no drill run) counts as
  not met. A level is claimed only where the category has a criterion at that level: a category whose
  criteria are all of level 5 is at 1 until they are met, never at 4 for want of lower criteria.
- **ceiling**: the highest level the evidence does not rule out: one below the lowest level with a criterion
  that is *not met* (unknown does not rule a level out), else 5. The category is somewhere in
  [level, ceiling].
- **overall**: PKIMM's own aggregation, the weighted average of the category levels with the model's
  category weights — over the assessed categories only (those with at least one criterion), with the
  assessed share of the weight reported beside it. Categories no criterion speaks to (sourcing, training,
  awareness, …) are "not assessed", never a level 1 and never a 5.
- **floor**: the assessed category with the lowest level (PKIMM's optional weakest-category score).

PKIMM itself rates each requirement 1–5 and averages them per category; cmmm's criteria are pass/fail at a
level, so the category level is staged as CMMM's own level is, and only the aggregation across categories is
PKIMM's weighted average.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

from cmmm import _yaml
from cmmm.errors import InputError
from cmmm.maturity import Assessment, CriterionResult, Status
from cmmm.maturity.catalog import MAX_LEVEL, MIN_LEVEL, Catalog

PKIMM_FILE = "pkimm.yaml"
PKIMM_PATH = f"cmmm/maturity/{PKIMM_FILE}"


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not met"
    UNKNOWN = "unknown"


# Criterion statuses that mean "the evidence is missing" rather than "the evidence says no": they count as
# not met for the level but do not lower the ceiling. A test lists every Status so a new one is placed here.
UNKNOWN_STATUSES = frozenset({Status.NO_EVIDENCE, Status.NOT_EVALUATED, Status.UNKNOWN})


def outcome(r: CriterionResult) -> Outcome:
    """Met, not met, or unknown (missing evidence), for one evaluated criterion."""
    if r.met:
        return Outcome.MET
    return Outcome.UNKNOWN if r.status in UNKNOWN_STATUSES else Outcome.NOT_MET


# ---------------------------------------------------------------------------------------------------
# The model and the mapping (pkimm.yaml)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """A PKIMM category: id is the module letter and the category's number in 1.0.0 ("M.6")."""

    id: str
    name: str
    weight: float
    module: str
    module_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Module:
    id: str
    name: str
    categories: tuple[Category, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Where one CMMM criterion sits in PKIMM: scored in `category`, listed (not scored) in `also`."""

    criterion: str
    category: str
    also: str | None
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PkimmModel:
    name: str
    version: str
    source: str
    levels: tuple[str, ...]  # the level names, 1..5
    modules: tuple[Module, ...]
    mapping: tuple[Placement, ...]

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(c for m in self.modules for c in m.categories)

    def placements(self) -> dict[str, Placement]:
        return {p.criterion: p for p in self.mapping}

    def level_name(self, level: int) -> str:
        return self.levels[level - MIN_LEVEL]


def _text(raw: dict[str, Any], key: str, where: str, what: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str | int | float) or not str(value).strip():
        raise InputError(where, f"{what}: missing {key!r}")
    return str(value).strip()


def _modules(raw: Any, where: str) -> tuple[Module, ...]:
    if not isinstance(raw, list) or not raw:
        raise InputError(where, "expected a 'modules' list")
    modules = []
    for m in raw:
        if not isinstance(m, dict) or not isinstance(m.get("categories"), list):
            raise InputError(where, f"module {m!r}: needs an id, a name and a 'categories' list")
        mid, mname = _text(m, "id", where, "module"), _text(m, "name", where, "module")
        cats = []
        for c in m["categories"]:
            if not isinstance(c, dict):
                raise InputError(where, f"module {mid}: category {c!r} is not a mapping")
            cid = _text(c, "id", where, f"module {mid}: category")
            if cid.split(".")[0] != mid:
                raise InputError(where, f"category {cid}: its id must start with its module's id {mid!r}")
            weight = c.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise InputError(where, f"category {cid}: weight must be a positive number")
            name = _text(c, "name", where, f"category {cid}")
            cats.append(Category(id=cid, name=name, weight=float(weight), module=mid, module_name=mname))
        modules.append(Module(id=mid, name=mname, categories=tuple(cats)))
    ids = [c.id for m in modules for c in m.categories]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(where, f"duplicate category ids: {', '.join(dupes)}")
    return tuple(modules)


def _mapping(raw: Any, categories: set[str], where: str) -> tuple[Placement, ...]:
    if not isinstance(raw, list):
        raise InputError(where, "expected a 'mapping' list")
    out: list[Placement] = []
    seen: set[str] = set()
    for e in raw:
        if not isinstance(e, dict):
            raise InputError(where, f"mapping entry {e!r} is not a mapping")
        cid = _text(e, "criterion", where, "mapping entry")
        if cid in seen:
            raise InputError(where, f"criterion {cid} is mapped more than once")
        seen.add(cid)
        cat = _text(e, "category", where, f"criterion {cid}")
        also = e.get("also")
        for what, value in (("category", cat), ("also", also)):
            if value is not None and value not in categories:
                raise InputError(where, f"criterion {cid}: {what} {value!r} is not a PKIMM category")
        if also == cat:
            raise InputError(where, f"criterion {cid}: 'also' repeats its category {cat}")
        why = _text(e, "why", where, f"criterion {cid}")
        out.append(Placement(criterion=cid, category=cat, also=None if also is None else str(also), why=why))
    return tuple(out)


def parse_pkimm(doc: Any, where: str = PKIMM_PATH) -> PkimmModel:
    """Validate a PKIMM document (the shape of pkimm.yaml)."""
    if not isinstance(doc, dict):
        raise InputError(where, "expected a mapping with 'levels', 'modules' and 'mapping'")
    levels = doc.get("levels")
    if (
        not isinstance(levels, list)
        or len(levels) != MAX_LEVEL
        or not all(isinstance(x, str) for x in levels)
    ):
        raise InputError(where, f"'levels' must list {MAX_LEVEL} level names")
    modules = _modules(doc.get("modules"), where)
    categories = {c.id for m in modules for c in m.categories}
    return PkimmModel(
        name=_text(doc, "model", where, "the model"),
        version=_text(doc, "version", where, "the model"),
        source=_text(doc, "source", where, "the model"),
        levels=tuple(levels),
        modules=modules,
        mapping=_mapping(doc.get("mapping"), categories, where),
    )


@lru_cache(maxsize=1)
def load_pkimm() -> PkimmModel:
    """The packaged PKIMM model and mapping."""
    return parse_pkimm(_yaml.load_mapping(resources.files("cmmm.maturity").joinpath(PKIMM_FILE)))


def mapping_problems(model: PkimmModel, catalog: Catalog) -> tuple[str, ...]:
    """What keeps the mapping from covering the catalog exactly: criteria not placed, ids that are no
    criterion. Empty when every criterion is placed once (parse_pkimm already refuses a second placement)."""
    ids = [c.id for c in catalog.criteria]
    placed = model.placements()
    missing = [
        f"criterion {i} is not mapped to a PKIMM category in {PKIMM_PATH}" for i in ids if i not in placed
    ]
    stray = [
        f"{PKIMM_PATH} maps {p}, which is not a criterion in cmmm/maturity/criteria.yaml"
        for p in placed
        if p not in set(ids)
    ]
    return tuple(missing + stray)


# ---------------------------------------------------------------------------------------------------
# The category view of an assessment
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedCriterion:
    id: str
    level: int
    status: Status
    outcome: Outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryView:
    """One PKIMM category judged on the criteria placed in it. level and ceiling are None when no criterion
    is placed here (not assessed)."""

    category: Category
    criteria: tuple[MappedCriterion, ...]  # scored here, in catalog order
    related: tuple[str, ...]  # criteria placed elsewhere that also inform this category (not scored)
    met: int
    not_met: int
    unknown: int
    level: int | None
    ceiling: int | None

    @property
    def assessed(self) -> bool:
        return self.level is not None

    @property
    def evidence_levels(self) -> tuple[int, ...]:
        """The levels at which this category has criteria: the only levels it can be shown to reach."""
        return tuple(sorted({c.level for c in self.criteria}))


@dataclass(frozen=True, slots=True, kw_only=True)
class ModuleView:
    """A module's weighted average of its assessed categories' levels (a view: the overall does not use it)."""

    module: Module
    score: float | None
    assessed_weight: float
    weight: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PkimmView:
    """The assessment read on PKIMM: every category of the model, the modules, the weighted overall and
    its ceiling over the assessed categories, the floor, and the criteria the mapping does not place."""

    model: str
    version: str
    source: str
    levels: tuple[str, ...]
    categories: tuple[CategoryView, ...]
    modules: tuple[ModuleView, ...]
    score: float | None  # weighted average of the assessed categories' levels
    score_ceiling: float | None  # the same over their ceilings
    floor_category: Category | None
    floor: int | None
    assessed_weight: float
    total_weight: float
    unmapped: tuple[str, ...]  # criteria of the assessment that pkimm.yaml does not place: scored nowhere

    def level_name(self, level: int) -> str:
        return self.levels[level - MIN_LEVEL]

    @property
    def assessed(self) -> tuple[CategoryView, ...]:
        return tuple(c for c in self.categories if c.assessed)


def category_level(criteria: Sequence[MappedCriterion]) -> tuple[int | None, int | None]:
    """(level, ceiling) of a category from its criteria; (None, None) when it has none. See the module
    docstring."""
    if not criteria:
        return None, None
    level = MIN_LEVEL
    for lvl in sorted({c.level for c in criteria}):
        if any(c.outcome is not Outcome.MET for c in criteria if c.level == lvl):
            break
        level = lvl
    refuted = [c.level for c in criteria if c.outcome is Outcome.NOT_MET]
    return level, (min(refuted) - 1 if refuted else MAX_LEVEL)


def _weighted(pairs: Sequence[tuple[float, int | None]]) -> float | None:
    known = [(w, v) for w, v in pairs if v is not None]
    total = sum(w for w, _ in known)
    return round(sum(w * v for w, v in known) / total, 3) if total else None


def _category(
    cat: Category, results: Sequence[CriterionResult], placed: dict[str, Placement]
) -> CategoryView:
    rows = tuple(
        MappedCriterion(id=r.id, level=r.criterion.level, status=r.status, outcome=outcome(r))
        for r in results
        if r.id in placed and placed[r.id].category == cat.id
    )
    level, ceiling = category_level(rows)
    return CategoryView(
        category=cat,
        criteria=rows,
        related=tuple(r.id for r in results if r.id in placed and placed[r.id].also == cat.id),
        met=sum(c.outcome is Outcome.MET for c in rows),
        not_met=sum(c.outcome is Outcome.NOT_MET for c in rows),
        unknown=sum(c.outcome is Outcome.UNKNOWN for c in rows),
        level=level,
        ceiling=ceiling,
    )


def _module(m: Module, views: Sequence[CategoryView]) -> ModuleView:
    mine = [v for v in views if v.category.module == m.id]
    return ModuleView(
        module=m,
        score=_weighted([(v.category.weight, v.level) for v in mine]),
        assessed_weight=sum(v.category.weight for v in mine if v.assessed),
        weight=sum(v.category.weight for v in mine),
    )


def categorize(a: Assessment, model: PkimmModel | None = None) -> PkimmView:
    """The assessment's criteria read on PKIMM's categories: levels, ceilings, the weighted overall, the
    floor (see the module docstring)."""
    model = model or load_pkimm()
    placed = model.placements()
    views = tuple(_category(c, a.criteria, placed) for c in model.categories)
    assessed = [v for v in views if v.assessed]
    weakest = min(assessed, key=lambda v: v.level or 0) if assessed else None
    return PkimmView(
        model=model.name,
        version=model.version,
        source=model.source,
        levels=model.levels,
        categories=views,
        modules=tuple(_module(m, views) for m in model.modules),
        score=_weighted([(v.category.weight, v.level) for v in views]),
        score_ceiling=_weighted([(v.category.weight, v.ceiling) for v in views]),
        floor_category=weakest.category if weakest else None,
        floor=weakest.level if weakest else None,
        assessed_weight=sum(v.category.weight for v in assessed),
        total_weight=sum(c.weight for c in model.categories),
        unmapped=tuple(r.id for r in a.criteria if r.id not in placed),
    )
