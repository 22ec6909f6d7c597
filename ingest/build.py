"""Turn validated input records into graph nodes, relationships and person mentions.

The builder is pure: it reads no store.  For each record it returns

* :class:`BuiltNode` s — the record's own node with authoritative properties, plus shared nodes
  (organisations, teams, fields, topics) whose properties are only *defaults* (kept if the node
  already has them, so the order in which sources arrive cannot flip a name back and forth)
  or *unions* (lists that grow: aliases, half-year batches);
* relationships between non-person nodes;
* :class:`MentionDoc` s — each appearance of a person with the evidence for disambiguation and
  the relationships the person will get once resolved (``nlp.resolve``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from graph.model import (
    _ID_RE,
    Achievement,
    Demand,
    NodeLabel,
    NodeRecord,
    OrgKind,
    Patent,
    Person,
    Provenance,
    RelRecord,
    RelType,
    check_props,
    label_of_id,
    make_id,
)
from ingest.records import (
    AchievementRecord,
    CVRecord,
    DemandRecord,
    EnterpriseRecord,
    InputRecord,
    PatentRecord,
)
from nlp.resolve import Mention, normalise_name

__all__ = [
    "BuiltNode",
    "RelStub",
    "MentionDoc",
    "Built",
    "build_record",
    "taxonomy",
    "field_id",
    "topic_id",
    "fast_rel",
    "fast_node",
    "pack_rels",
    "unpack_rels",
    "pack_nodes",
    "unpack_nodes",
]


@dataclass
class BuiltNode:
    id: str
    label: NodeLabel
    props: dict[str, Any] = field(default_factory=dict)  # authoritative: replace
    defaults: dict[str, Any] = field(default_factory=dict)  # only where absent
    unions: dict[str, list[Any]] = field(default_factory=dict)  # list union, sorted


@dataclass(frozen=True)
class RelStub:
    """A relationship of a person not yet resolved: ``other`` is the far end."""

    type: RelType
    other: str
    direction: Literal["out", "in"] = "out"
    key: str = ""
    props: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> list[Any]:
        return [self.type.value, self.other, self.direction, self.key, dict(self.props)]

    @classmethod
    def from_json(cls, data: list[Any]) -> RelStub:
        t, other, direction, key, props = data
        return cls(RelType(t), other, direction, key, tuple(sorted(props.items())))


@dataclass
class MentionDoc:
    mention: Mention
    person_props: dict[str, Any]
    stubs: list[RelStub]
    provenance: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        m = self.mention
        return {
            "mention_id": m.mention_id, "kind": m.kind, "name": m.name,
            "orgs": sorted(m.orgs), "co_names": sorted(m.co_names), "topics": sorted(m.topics),
            "fields": sorted(m.fields), "years": sorted(m.years), "patents": sorted(m.patents),
            "phone": m.phone, "email": m.email, "birth_year": m.birth_year,
            "person_props": self.person_props, "stubs": [s.to_json() for s in self.stubs],
            "provenance": self.provenance,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> MentionDoc:
        mention = Mention(
            d["mention_id"], d["kind"], d["name"], orgs=frozenset(d["orgs"]),
            co_names=frozenset(d["co_names"]), topics=frozenset(d["topics"]),
            fields=frozenset(d["fields"]), years=frozenset(d["years"]),
            patents=frozenset(d["patents"]), phone=d.get("phone"), email=d.get("email"),
            birth_year=d.get("birth_year"),
        )
        return cls(mention, d["person_props"], [RelStub.from_json(s) for s in d["stubs"]],
                   d["provenance"])

    @property
    def block(self) -> str:
        return normalise_name(self.mention.name)


@dataclass
class Built:
    nodes: list[BuiltNode] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    mentions: list[MentionDoc] = field(default_factory=list)
    #: the id that stands for each record: its own node, or for a CV its mention id
    primary: list[str] = field(default_factory=list)

    def extend(self, other: Built) -> None:
        self.nodes += other.nodes
        self.rels += other.rels
        self.mentions += other.mentions
        self.primary += other.primary


# --------------------------------------------------------------------------- shared nodes

#: :func:`make_id` of the organisation and team names records repeat (the same university on
#: thousands of CVs); make_id is a pure function of its arguments (types kept apart).
_cached_id = lru_cache(maxsize=1 << 16, typed=True)(make_id)


@lru_cache(maxsize=4096)
def field_id(key: str) -> str:
    """Node id of a taxonomy field: ``field:new_materials``, ``field:ipc_G06``."""
    return make_id("field", key.replace(":", "_"))


@lru_cache(maxsize=1 << 16)
def topic_id(word: str) -> str:
    return make_id("topic", word.lower())


def _prov(rec: InputRecord, run_id: str) -> dict[str, str]:
    return {"source": rec.source, "source_key": rec.source_key, "run_id": run_id}


class _Ctx:
    """Helpers that create shared nodes for one record."""

    def __init__(self, rec: InputRecord, run_id: str) -> None:
        self.rec = rec
        self.run_id = run_id
        self.out = Built()
        self.prov = _prov(rec, run_id)

    # organisations -------------------------------------------------------
    def org(self, raw: str, *, kind_hint: OrgKind | None = None, city: str | None = None) -> tuple[str, str | None]:
        """The org id for a raw name, and the id of the college/lab inside it (if named)."""
        from nlp.orgs import resolve_org

        m = resolve_org(raw)
        kind = OrgKind(m.kind) if m.kind in OrgKind._value2member_map_ else OrgKind.UNKNOWN
        if m.parent and m.kind in ("college", "lab"):  # a unit: the top-level org is the parent
            top_key, top_name = _org_key(m.parent), m.parent
            top_kind = OrgKind.UNIVERSITY
        else:
            top_key, top_name, top_kind = m.key, m.canonical_name, kind
        if top_kind is OrgKind.UNKNOWN and kind_hint is not None:
            top_kind = kind_hint
        top_id = _cached_id("org", top_key.replace(":", "_"))
        defaults: dict[str, Any] = {"name": top_name, "kind": top_kind.value, **self.prov}
        if m.code and not m.parent:
            defaults["code"] = m.code
        if m.province:
            defaults["province"] = m.province
        if m.city or city:
            defaults["city"] = m.city or city
        aliases = [raw.strip()] if raw.strip() and raw.strip() != top_name else []
        self.out.nodes.append(BuiltNode(top_id, NodeLabel.ORGANIZATION, defaults=defaults,
                                        unions={"aliases": aliases} if aliases else {}))
        unit_id = None
        if m.unit:
            unit_id = self.unit(top_id, top_name, m.unit, kind=OrgKind(m.kind) if m.kind in ("college", "lab") else OrgKind.COLLEGE)
        return top_id, unit_id

    def unit(self, top_id: str, top_name: str, unit: str, kind: OrgKind = OrgKind.COLLEGE) -> str:
        unit = unit.strip()
        if kind not in (OrgKind.COLLEGE, OrgKind.LAB):
            kind = OrgKind.LAB if re.search(r"实验室|中心|研究所|研究院", unit) else OrgKind.COLLEGE
        uid = _cached_id("org", top_id, unit)
        self.out.nodes.append(BuiltNode(uid, NodeLabel.ORGANIZATION,
                                        defaults={"name": f"{top_name}{unit}", "kind": kind.value,
                                                  "unit": unit, **self.prov}))
        self.rel(uid, RelType.PART_OF, top_id)
        return uid

    def team(self, name: str, org_id: str, unit_id: str | None) -> str:
        tid = _cached_id("team", org_id, name.strip())
        self.out.nodes.append(BuiltNode(tid, NodeLabel.TEAM, defaults={"name": name.strip(), **self.prov}))
        self.rel(tid, RelType.PART_OF, unit_id or org_id)
        return tid

    # fields and topics ----------------------------------------------------
    def fields_from_text(self, subject: str, text: str, declared: str | None = None) -> list[str]:
        from nlp.fields import classify_text

        ids: list[str] = []
        scores: dict[str, tuple[float, str, str]] = {}
        if declared:
            for fs in classify_text(declared, top_k=2):
                if fs.score > 0:
                    scores[fs.field_id] = (1.0, "declared", declared)
        for fs in classify_text(text, top_k=3):
            if fs.field_id not in scores:
                scores[fs.field_id] = (round(float(fs.score), 4), "lexicon", "、".join(fs.evidence_terms[:5]))
        for fid, (weight, method, evidence) in sorted(scores.items()):
            nid = self.field_node(fid)
            if nid is None:
                continue
            self.rel(subject, RelType.IN_FIELD, nid, weight=weight, method=method, evidence=evidence)
            ids.append(nid)
        return ids

    def fields_from_ipc(self, subject: str, codes: list[str]) -> list[str]:
        from nlp.fields import fields_for_ipc, ipc_parts

        ids: list[str] = []
        for fs in fields_for_ipc(codes):
            nid = self.field_node(fs.field_id)
            if nid is None:
                continue
            self.rel(subject, RelType.IN_FIELD, nid, weight=round(float(fs.score), 4), method="ipc",
                     evidence="、".join(fs.evidence_terms[:5]))
            ids.append(nid)
        classes: dict[str, str] = {}
        for code in codes:
            try:
                parts = ipc_parts(code)
            except ValueError:
                continue  # an unparsable symbol only loses its class link; the code stays on the patent
            if parts.ipc_class:
                classes.setdefault(f"ipc:{parts.ipc_class}", code)
        for key, code in sorted(classes.items()):
            cls_id = self.field_node(key)
            if cls_id is None:
                continue
            self.rel(subject, RelType.IN_FIELD, cls_id, weight=1.0, method="ipc_class", evidence=code)
            ids.append(cls_id)
        return sorted(set(ids))

    def field_node(self, key: str) -> str | None:
        from nlp.fields import field_by_id

        try:
            info = field_by_id(key)
        except KeyError:
            return None
        nid = field_id(key)
        self.out.nodes.append(BuiltNode(nid, NodeLabel.FIELD, defaults={
            "name": info.name_zh, "name_en": info.name_en, "kind": info.kind,
            "source": "taxonomy", "source_key": key, "run_id": self.run_id,
        }))
        if info.parent:
            parent = self.field_node(info.parent)
            if parent is not None:
                self.rel(nid, RelType.PART_OF, parent)
        return nid

    def topics(self, subject: str, text: str, extra: Iterable[str] = (), k: int = 8) -> list[str]:
        from nlp.keywords import keywords

        words: dict[str, float] = {}
        for w in extra:
            w = w.strip()
            if 2 <= len(w) <= 20:
                words[w] = 1.0
        found = _prefetched_keywords.get((text, k)) if text else []
        if found is None:
            found = keywords(text, k=k)
        for w, score in found:
            words.setdefault(w, round(float(score), 4))
        for w, weight in sorted(words.items()):
            tid = topic_id(w)
            self.out.nodes.append(BuiltNode(tid, NodeLabel.TOPIC, defaults={
                "name": w, "source": "keywords", "source_key": w, "run_id": self.run_id}))
            self.rel(subject, RelType.HAS_TOPIC, tid, weight=min(1.0, weight))
        return sorted(words)

    def rel(self, src: str, rel_type: RelType, dst: str, key: str = "", **props: Any) -> None:
        self.out.rels.append(fast_rel(src, rel_type, dst, key, {**props, **self.prov}))


_PLAIN = (str, int, float, bool)
_REL_FIELDS = ("src", "type", "dst", "key", "props")
_NODE_FIELDS = ("id", "label", "props")


def _plain_constructor(model: Any, names: tuple[str, ...]) -> Any:
    """``model.model_construct`` for calls that give every field, by keyword, in ``names``
    order: the instance state model_construct sets (``__dict__``, the set fields, no extra,
    no private attributes), without its per-call walk over the fields' aliases and defaults.
    Falls back to model_construct itself for a model where that walk could matter (aliases,
    other fields, extra fields allowed, a post-init hook)."""
    fields = model.__pydantic_fields__
    if (tuple(fields) != names or model.model_config.get("extra") == "allow" or model.__pydantic_root_model__
            or model.__pydantic_post_init__
            or any(f.alias is not None or f.validation_alias is not None for f in fields.values())):
        return model.model_construct
    new = object.__new__
    setattr_ = object.__setattr__

    def construct(**values: Any) -> Any:
        m = new(model)
        setattr_(m, "__dict__", values)
        setattr_(m, "__pydantic_fields_set__", set(values))
        setattr_(m, "__pydantic_extra__", None)
        setattr_(m, "__pydantic_private__", None)
        return m

    return construct


_construct_rel = _plain_constructor(RelRecord, _REL_FIELDS)
_construct_node = _plain_constructor(NodeRecord, _NODE_FIELDS)


def fast_node(node_id: str, label: NodeLabel, props: dict[str, Any]) -> NodeRecord:
    """``NodeRecord(id=..., label=..., props=...)`` with the model's own checks run directly.

    The id's shape (:data:`graph.model._ID_RE`), its prefix against the label
    (:func:`~graph.model.label_of_id`) and :func:`~graph.model.check_props` are what the
    model's validators do; run here without pydantic's machinery around them. Whatever fails
    a check (or is not a plain ``str`` id with a :class:`NodeLabel`) goes through the model,
    which raises its usual error.
    """
    if type(node_id) is str and type(label) is NodeLabel and _ID_RE.match(node_id):
        implied = label_of_id(node_id)
        if implied is None or implied is label:
            try:
                clean = check_props(props)
            except Exception:
                pass
            else:
                return _construct_node(id=node_id, label=label, props=clean)
    return NodeRecord(id=node_id, label=label, props=props)


_CHECKED_SHAPES: set[tuple[RelType, frozenset[str]]] = set()


def fast_rel(src: str, rel_type: RelType, dst: str, key: str, props: dict[str, Any]) -> RelRecord:
    """``RelRecord(src=..., type=..., dst=..., key=..., props=...)``, the model validator's name
    check paid once per (type, stored property names).

    Relationships come in a handful of shapes, so the full validation runs on the first record
    of each shape; later records of that shape whose ends and key are plain ``str`` get their
    values checked by :func:`~graph.model.check_props` (or copied as they are when every value
    is a plain ``str``/``int``/``float``/``bool``, which is what check_props returns) and are
    built without the model machinery. Anything else, and anything that fails a check, goes
    through the model, which raises its usual error.
    """
    if type(src) is str and type(dst) is str and type(key) is str and type(rel_type) is RelType:
        clean: dict[str, Any] | None
        if all(type(v) in _PLAIN for v in props.values()):
            clean = dict(props)
        else:
            try:
                clean = check_props(props)
            except Exception:
                clean = None
        if clean is not None:
            shape = (rel_type, frozenset(clean))
            if shape in _CHECKED_SHAPES:
                return _construct_rel(src=src, type=rel_type, dst=dst, key=key, props=clean)
            record = RelRecord(src=src, type=rel_type, dst=dst, key=key, props=props)
            _CHECKED_SHAPES.add(shape)
            return record
    return RelRecord(src=src, type=rel_type, dst=dst, key=key, props=props)


#: A relationship as :func:`pack_rels` sends it: (src, type, dst, key, props).
PackedRel = tuple[str, RelType, str, str, dict[str, Any]]
#: A node as :func:`pack_nodes` sends it: (id, label, props).
PackedNode = tuple[str, NodeLabel, dict[str, Any]]


def pack_rels(rels: Iterable[RelRecord]) -> list[PackedRel]:
    """Relationships as plain tuples of their fields, to send to another process.

    A model instance pickles through pydantic's ``__getstate__``/``__setstate__`` (a state
    dict and a set of field names each): several times what its five values cost, paid by a
    worker for every relationship it built and by the main process again.
    """
    return [(r.src, r.type, r.dst, r.key, r.props) for r in rels]


def unpack_rels(packed: Iterable[PackedRel]) -> list[RelRecord]:
    """The relationships :func:`pack_rels` packed, rebuilt as they were (they were checked
    when made, by :func:`fast_rel` or the model)."""
    construct = _construct_rel
    return [construct(src=s, type=t, dst=d, key=k, props=p) for s, t, d, k, p in packed]


def pack_nodes(nodes: Iterable[NodeRecord]) -> list[PackedNode]:
    """Node records as plain tuples of their fields (see :func:`pack_rels`)."""
    return [(n.id, n.label, n.props) for n in nodes]


def unpack_nodes(packed: Iterable[PackedNode]) -> list[NodeRecord]:
    """The node records :func:`pack_nodes` packed, rebuilt as they were."""
    construct = _construct_node
    return [construct(id=i, label=lb, props=p) for i, lb, p in packed]


def _org_key(name: str) -> str:
    from nlp.orgs import resolve_org

    return resolve_org(name).key


# --------------------------------------------------------------------------- per record

#: Keywords computed ahead for the records about to be built, ``(text, k) -> keywords(text,
#: k=k)`` (see :func:`prefetch_topics`). Every entry is exactly what ``keywords`` returns, so
#: a missing or stale entry costs only the computation, never a different answer.
_prefetched_keywords: dict[tuple[str, int], list[tuple[str, float]]] = {}


def _topic_text(rec: InputRecord) -> tuple[str, int] | None:
    """The text a record's keywords (topics) are extracted from, and how many: what its
    builder passes to :meth:`_Ctx.topics` (None: no keyword extraction)."""
    if isinstance(rec, PatentRecord):
        return f"{rec.title}。{rec.abstract or ''}", 6
    if isinstance(rec, DemandRecord):
        return f"{rec.title}。{rec.content}", 8
    if isinstance(rec, AchievementRecord):
        return f"{rec.name}。{rec.description or ''}", 6
    if isinstance(rec, EnterpriseRecord):
        return (rec.description, 5) if rec.description else None
    return None  # CVs: topics are the declared directions and keywords


def prefetch_topics(records: Iterable[InputRecord]) -> None:
    """Extract the keywords of many records in one go, for :func:`build_record` to use.

    :func:`nlp.keywords.keywords_many` runs the TextRank iterations of hundreds of texts
    together, several times faster than text by text. The results replace the previous
    batch's. Should that fail, the records' builders extract their keywords one by one (and a
    failing text quarantines only its record, as without the prefetch).
    """
    global _prefetched_keywords
    from nlp.keywords import keywords_many

    requests = list(dict.fromkeys(r for rec in records if (r := _topic_text(rec)) is not None))
    try:
        _prefetched_keywords = dict(zip(requests, keywords_many(requests), strict=True))
    except Exception:  # noqa: BLE001 - the builders redo it text by text
        _prefetched_keywords = {}


def build_record(rec: InputRecord, run_id: str) -> Built:
    """Nodes, relationships and person mentions for one input record."""
    builders = {PatentRecord: _patent, CVRecord: _cv, DemandRecord: _demand,
                EnterpriseRecord: _enterprise, AchievementRecord: _achievement}
    builder = builders.get(type(rec))
    if builder is None:
        raise TypeError(f"unknown record type {type(rec).__name__}")
    built = builder(rec, run_id)  # type: ignore[operator]
    if isinstance(rec, CVRecord):
        built.primary = [built.mentions[-1].mention.mention_id]
    elif isinstance(rec, EnterpriseRecord):
        built.primary = [next(n.id for n in built.nodes if n.label is NodeLabel.ORGANIZATION)]
    else:
        own = {PatentRecord: NodeLabel.PATENT, DemandRecord: NodeLabel.DEMAND,
               AchievementRecord: NodeLabel.ACHIEVEMENT}[type(rec)]
        built.primary = [next(n.id for n in built.nodes if n.label is own)]
    return built


def _looks_like_person(name: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff·]{2,4}", name.strip()))


def _patent(rec: PatentRecord, run_id: str) -> Built:
    ctx = _Ctx(rec, run_id)
    prov = Provenance(**ctx.prov)
    year = int(rec.application_date[:4]) if rec.application_date else None
    pid = make_id("patent", rec.application_number)
    node = Patent(
        id=pid, provenance=prov, title=rec.title, application_number=rec.application_number,
        publication_number=rec.publication_number, patent_type=rec.patent_type,
        application_date=rec.application_date, publication_date=rec.publication_date,
        legal_status=rec.legal_status, ipc_codes=rec.ipc_codes, main_ipc=rec.main_ipc,
        abstract=rec.abstract, address=rec.address, year=year,
    ).to_record()
    ctx.out.nodes.append(BuiltNode(pid, NodeLabel.PATENT, props=dict(node.props)))
    org_ids: list[str] = []
    for pos, applicant in enumerate(rec.applicants, start=1):
        if _looks_like_person(applicant) and applicant in rec.inventors:
            continue  # an individual applicant who is also an inventor: INVENTED covers it
        org_id, _ = ctx.org(applicant, kind_hint=OrgKind.ENTERPRISE)
        org_ids.append(org_id)
        ctx.rel(org_id, RelType.APPLICANT_OF, pid, position=pos)
    text, k = _topic_text(rec)  # type: ignore[misc]
    field_ids = ctx.fields_from_ipc(pid, rec.ipc_codes) if rec.ipc_codes else []
    if not rec.ipc_codes:
        field_ids = ctx.fields_from_text(pid, text)
    topics = ctx.topics(pid, text, k=k)
    for pos, inventor in enumerate(rec.inventors, start=1):
        co = frozenset(n for n in rec.inventors if n != inventor)
        mention = Mention(
            f"patent:{rec.application_number}#{pos}", "patent", inventor,
            orgs=frozenset(org_ids), co_names=co, topics=frozenset(topics),
            fields=frozenset(field_ids),
            years=frozenset({year}) if year else frozenset(),
            patents=frozenset({rec.application_number}),
        )
        stubs = [RelStub(RelType.INVENTED, pid, "out", "", (("position", pos),))]
        ctx.out.mentions.append(MentionDoc(mention, {"name": inventor}, stubs, ctx.prov))
    return ctx.out


def _cv(rec: CVRecord, run_id: str) -> Built:
    ctx = _Ctx(rec, run_id)
    stubs: list[RelStub] = []
    org_ids: set[str] = set()
    years: set[int] = set()
    current_org = None
    if rec.employer is not None:
        e = rec.employer
        current_org, unit_id = ctx.org(e.organization)
        if e.unit and unit_id is None:
            top = ctx.out.nodes[-1].defaults.get("name", e.organization)
            unit_id = ctx.unit(current_org, top, e.unit)
        org_ids.add(current_org)
        props = {"title": e.title or (rec.titles[0] if rec.titles else None), "unit": e.unit,
                 "role": e.role, "start": e.start, "end": e.end, "current": True}
        stubs.append(RelStub(RelType.WORKS_AT, current_org, "out", "", _clean(props)))
        if rec.team:
            tid = ctx.team(rec.team, current_org, unit_id)
            rt = RelType.LEADS if rec.team_role == "负责人" else RelType.MEMBER_OF
            stubs.append(RelStub(rt, tid, "out", "", ()))
            if rt is RelType.LEADS:
                stubs.append(RelStub(RelType.MEMBER_OF, tid, "out", "", (("role", "负责人"),)))
    for p in rec.positions:
        oid, _ = ctx.org(p.organization)
        org_ids.add(oid)
        years.update(y for y in (p.start, p.end) if y)
        if oid == current_org and p.end is None:
            continue  # the current position, already linked
        props = {"title": p.title, "unit": p.unit, "role": p.role, "start": p.start, "end": p.end}
        stubs.append(RelStub(RelType.WORKS_AT, oid, "out", str(p.start or ""), _clean(props)))
    for ed in rec.education:
        oid, _ = ctx.org(ed.school, kind_hint=OrgKind.UNIVERSITY)
        years.update(y for y in (ed.start, ed.end) if y)
        props = {"degree": ed.degree, "major": ed.major, "start": ed.start, "end": ed.end}
        stubs.append(RelStub(RelType.STUDIED_AT, oid, "out", ed.degree or "", _clean(props)))
    subject = f"mention:{rec.source_key}"
    text = "；".join([*rec.research_directions, *rec.keywords]) or (rec.text or "")[:2000]
    fields_before = len(ctx.out.rels)
    field_ids = ctx.fields_from_text(subject, text)
    topics = ctx.topics(subject, "", extra=[*rec.research_directions, *rec.keywords])
    # Field/topic links belong to the person: turn the placeholders into stubs.
    person_rels = [r for r in ctx.out.rels[fields_before:] if r.src == subject]
    ctx.out.rels = [r for r in ctx.out.rels if r.src != subject]
    for r in person_rels:
        stubs.append(RelStub(r.type, r.dst, "out", r.key,
                             _clean({k: v for k, v in r.props.items() if k not in ("source", "source_key", "run_id")})))
    person = Person(
        id="person:placeholder", provenance=Provenance(**ctx.prov), name=rec.name,
        name_en=rec.name_en, gender=rec.gender, birth_year=rec.birth_year, birth_date=rec.birth_date,
        titles=rec.titles, seniority=_seniority(rec.titles), degree=_top_degree(rec),
        is_phd_student=any(t == "博士生" or "博士研究生" in t for t in rec.titles) or None,
        research_directions=rec.research_directions, keywords=rec.keywords, awards=rec.awards,
        projects=[p.name for p in rec.projects], phone=rec.phone, email=rec.email,
        id_number=rec.id_number,
    ).to_record()
    props = dict(person.props)
    if rec.patents:
        props["listed_patents"] = list(rec.patents)
    mention = Mention(
        f"cv:{rec.source_key}", "cv", rec.name, orgs=frozenset(org_ids), co_names=frozenset(),
        topics=frozenset(topics), fields=frozenset(field_ids), years=frozenset(years),
        patents=frozenset(rec.patents), phone=rec.phone, email=rec.email, birth_year=rec.birth_year,
    )
    ctx.out.mentions.append(MentionDoc(mention, props, stubs, ctx.prov))
    return ctx.out


def _demand(rec: DemandRecord, run_id: str) -> Built:
    ctx = _Ctx(rec, run_id)
    # Without an enterprise (free-text corpora) the record key tells demands with one title apart.
    identity = _demand_identity(rec.enterprise) if rec.enterprise else f"{rec.source}#{rec.source_key}"
    did = make_id("demand", identity, rec.title)
    node = Demand(
        id=did, provenance=Provenance(**ctx.prov), name=rec.title, content=rec.content,
        batch=rec.batch, demand_type=rec.demand_type, budget_wan=rec.budget_wan,
        deadline=rec.deadline, contact_name=rec.contact_name, contact_phone=rec.contact_phone,
        city=rec.city, declared_field=rec.declared_field,
    ).to_record()
    props = dict(node.props)
    props.pop("batches", None)
    props.pop("status", None)
    ctx.out.nodes.append(BuiltNode(did, NodeLabel.DEMAND, props=props, defaults={"status": "open"},
                                   unions={"batches": [rec.batch]} if rec.batch else {}))
    org_id = None
    if rec.enterprise:
        org_id, _ = ctx.org(rec.enterprise, kind_hint=OrgKind.ENTERPRISE, city=rec.city)
        ctx.rel(org_id, RelType.POSTED, did, batch=rec.batch)
    text, k = _topic_text(rec)  # type: ignore[misc]
    field_ids = ctx.fields_from_text(did, text, declared=rec.declared_field)
    ctx.topics(did, text, k=k)
    if rec.contact_name and _looks_like_person(rec.contact_name):
        mention = Mention(
            f"demand:{did.split(':', 1)[1]}#contact", "demand", rec.contact_name,
            orgs=frozenset({org_id} if org_id else set()), fields=frozenset(field_ids),
            phone=rec.contact_phone,
        )
        stubs = [RelStub(RelType.CONTACT_FOR, did, "out")]
        if org_id:
            stubs.append(RelStub(RelType.WORKS_AT, org_id, "out", "", (("role", "需求联系人"),)))
        person_props = {"name": rec.contact_name, "phone": rec.contact_phone}
        ctx.out.mentions.append(MentionDoc(mention, _clean_dict(person_props), stubs, ctx.prov))
    return ctx.out


def _demand_identity(enterprise: str) -> str:
    from nlp.orgs import resolve_org

    return resolve_org(enterprise).key


def _enterprise(rec: EnterpriseRecord, run_id: str) -> Built:
    ctx = _Ctx(rec, run_id)
    org_id, _ = ctx.org(rec.name, kind_hint=OrgKind.ENTERPRISE, city=rec.city)
    node = ctx.out.nodes[-1] if ctx.out.nodes[-1].id == org_id else next(
        n for n in ctx.out.nodes if n.id == org_id)
    node.props.update(_clean_dict({
        "name": rec.name, "kind": OrgKind.ENTERPRISE.value, "code": rec.credit_code,
        "city": rec.city, "province": "黑龙江" if rec.city else None,
        "is_leading": rec.scale == "龙头企业" if rec.scale else None,
        "is_sme": rec.scale == "中小企业" if rec.scale else None,
        "is_specialised": rec.specialised, "is_little_giant": rec.little_giant,
        "is_high_tech": rec.high_tech, "main_field": rec.main_field,
        "description": rec.description, **ctx.prov,
    }))
    text = "；".join(x for x in (rec.main_field, rec.description) if x)
    if text:
        ctx.fields_from_text(org_id, text, declared=rec.main_field)
        ctx.topics(org_id, rec.description or "", k=5)
    return ctx.out


def _achievement(rec: AchievementRecord, run_id: str) -> Built:
    ctx = _Ctx(rec, run_id)
    aid = make_id("achievement", rec.name, *rec.organizations[:1])
    node = Achievement(
        id=aid, provenance=Provenance(**ctx.prov), name=rec.name, maturity=rec.maturity,
        open_licence=rec.open_licence, licence_terms=rec.licence_terms, description=rec.description,
    ).to_record()
    props = dict(node.props)
    if rec.patents:
        props["patent_numbers"] = list(rec.patents)
    ctx.out.nodes.append(BuiltNode(aid, NodeLabel.ACHIEVEMENT, props=props))
    org_ids = []
    for pos, org in enumerate(rec.organizations, start=1):
        oid, _ = ctx.org(org)
        org_ids.append(oid)
        ctx.rel(oid, RelType.COMPLETED, aid, position=pos)
    for appno in rec.patents:
        ctx.rel(aid, RelType.COVERS, make_id("patent", appno))
    text, k = _topic_text(rec)  # type: ignore[misc]
    field_ids = ctx.fields_from_text(aid, text, declared=rec.declared_field)
    topics = ctx.topics(aid, text, k=k)
    for pos, person in enumerate(rec.persons, start=1):
        mention = Mention(
            f"achievement:{aid.split(':', 1)[1]}#{pos}", "achievement", person,
            orgs=frozenset(org_ids), co_names=frozenset(p for p in rec.persons if p != person),
            topics=frozenset(topics), fields=frozenset(field_ids), patents=frozenset(rec.patents),
        )
        stubs = [RelStub(RelType.COMPLETED, aid, "out", "", (("position", pos),))]
        ctx.out.mentions.append(MentionDoc(mention, {"name": person}, stubs, ctx.prov))
    return ctx.out


# --------------------------------------------------------------------------- helpers

_SENIORITY = [("院士", 5), ("教授", 4), ("研究员", 4), ("正高级", 4), ("博导", 4), ("副教授", 3),
              ("副研究员", 3), ("高级工程师", 3), ("讲师", 2), ("助理研究员", 2), ("工程师", 2),
              ("硕导", 3), ("博士后", 1), ("博士生", 0), ("博士研究生", 0)]


def _seniority(titles: list[str]) -> int | None:
    best = None
    for t in titles:
        for word, level in _SENIORITY:
            if word in t and (best is None or level > best):
                best = level
    return best


def _top_degree(rec: CVRecord) -> str | None:
    order = {"博士后": 4, "博士": 3, "硕士": 2, "学士": 1, "本科": 1}
    best = max((e.degree for e in rec.education if e.degree in order), key=order.get, default=None)
    return best


def _clean(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in props.items() if v is not None))


def _clean_dict(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


def taxonomy(run_id: str) -> list[BuiltNode]:
    """Field nodes for the whole taxonomy (key industries and IPC sections)."""
    from nlp.fields import FIELDS

    nodes = []
    for f in FIELDS:
        if f.kind == "ipc_class":
            continue  # classes appear as patents name them
        nodes.append(BuiltNode(field_id(f.id), NodeLabel.FIELD, defaults={
            "name": f.name_zh, "name_en": f.name_en, "kind": f.kind,
            "source": "taxonomy", "source_key": f.id, "run_id": run_id}))
    return nodes
