"""Chinese explanations of graph hops: one sentence per (node, relationship, node) hop.

Every query that shows a chain of ties — collaboration paths, introducers, the evidence behind
a match — explains it the same way, so a matchmaker reads one vocabulary everywhere::

    张三任职于哈尔滨工业大学（机电工程学院教授）
    张三是专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）的发明人（第1发明人）
    张三与李四共同发明专利 CN202110123456.7《一种焊接机器人视觉定位方法》（2021）
    哈尔滨工业大学与哈尔滨精工智能装备有限公司共同申请专利 CN202110123456.7《…》（2021）

The sentence of a hop depends on the relationship's own direction (who works where), not on
the order in which a path walks it.  When two consecutive hops meet in the same patent, team,
result or organisation through the same kind of tie (``A -INVENTED-> P <-INVENTED- B``), the
second hop is phrased as what the two share ("共同发明", "同属", "也任职于", "校友").

Inputs are the store's own records (:class:`~graph.model.NodeRecord`,
:class:`~graph.model.RelRecord`), so any query can call these functions with what it read.
Everything here is pure: no store access; ids named as evidence are resolved only through the
``lookup`` mapping the caller passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.model import AppointmentRole, NodeLabel, NodeRecord, RelRecord, RelType

__all__ = [
    "entity_text",
    "patent_text",
    "hop_sentence",
    "explain_hops",
    "path_summary",
    "distinguish_namesakes",
    "COLLABORATION_KINDS",
    "APPOINTMENT_ROLES",
]

#: How each kind of collaboration evidence reads (``COLLABORATED_WITH.kinds``).
COLLABORATION_KINDS: dict[str, str] = {
    "co_invention": "共同发明专利",
    "same_team": "同属团队",
    "co_achievement": "共同完成科技成果",
}

#: Chinese names of the roles the programme creates (``APPOINTED_AS.role``).
APPOINTMENT_ROLES: dict[str, str] = {
    AppointmentRole.INDUSTRY_PROFESSOR.value: "产业教授",
    AppointmentRole.TECH_MENTOR.value: "技术导师",
    AppointmentRole.LIAISON.value: "高校联络员",
}

# Ties whose shared end node makes a "together" sentence, with the phrase for "A与B{…}X".
_SHARED: dict[RelType, str] = {
    RelType.INVENTED: "共同发明",
    RelType.APPLICANT_OF: "共同申请",
    RelType.COMPLETED: "共同完成",
    RelType.CONTACT_FOR: "共同对接",
}
_TEAM_TIES = frozenset({RelType.MEMBER_OF, RelType.LEADS})


# --------------------------------------------------------------------------- entity names


def _year_of(value: Any) -> int | None:
    """A year from an int or a date-like text ("2021", "2021-03-05"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def patent_text(node: NodeRecord) -> str:
    """``专利 CN202110123456.7《标题》（2021）``; number and year are left out when unknown."""
    props = node.props
    title = str(props.get("name") or props.get("title") or node.id)
    number = props.get("application_number")
    year = _year_of(props.get("year")) or _year_of(props.get("application_date"))
    text = f"专利 {number}《{title}》" if number else f"专利《{title}》"
    return f"{text}（{year}）" if year else text


def entity_text(node: NodeRecord) -> str:
    """How a node is named inside a sentence: people, teams and organisations by name;
    patents with number, title and year; demands and results in 《》; fields and topics quoted.

    >>> entity_text(NodeRecord(id="demand:1", label="Demand", props={"name": "焊缝检测"}))
    '需求《焊缝检测》'
    """
    name = str(node.props.get("name") or node.id)
    if node.label is NodeLabel.PATENT:
        return patent_text(node)
    if node.label is NodeLabel.DEMAND:
        return f"需求《{name}》"
    if node.label is NodeLabel.ACHIEVEMENT:
        return f"成果《{name}》"
    if node.label is NodeLabel.FIELD:
        return f"“{name}”领域"
    if node.label is NodeLabel.TOPIC:
        return f"“{name}”主题"
    return name


# --------------------------------------------------------------------------- one hop


def _as_list(value: Any) -> list[str]:
    """A list-valued property as texts (a lone text counts as one item, anything else none)."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return []


def _paren(*parts: Any) -> str:
    """Full-width parentheses around the non-empty parts joined by '，', or nothing."""
    text = "，".join(str(p) for p in parts if p not in (None, "", []))
    return f"（{text}）" if text else ""


def _period(props: Mapping[str, Any]) -> str:
    start, end = _year_of(props.get("start")), _year_of(props.get("end"))
    if start and end:
        return f"{start}—{end}年"
    if start:
        return f"{start}年起"
    if end:
        return f"至{end}年"
    return ""


def _is_former(props: Mapping[str, Any]) -> bool:
    """A position that has ended: ``current`` is false, or it has an end and is not current."""
    current = props.get("current")
    return current is False or (current is not True and props.get("end") not in (None, ""))


def _job(props: Mapping[str, Any]) -> str:
    unit, title = props.get("unit") or "", props.get("title") or props.get("role") or ""
    return f"{unit}{title}"


def _collaboration(
    a: NodeRecord, b: NodeRecord, props: Mapping[str, Any], lookup: Mapping[str, NodeRecord]
) -> str:
    """``张三与李四共同发明专利 CN…《…》（2021）等3项，同属XX团队（2019—2023年，合作强度0.88）``."""
    evidence = _as_list(props.get("evidence"))
    kinds = _as_list(props.get("kinds"))
    by_label: dict[NodeLabel, list[NodeRecord]] = {}
    for eid in evidence:
        node = lookup.get(eid)
        if node is not None:
            by_label.setdefault(node.label, []).append(node)
    clauses: list[str] = []
    patents = by_label.get(NodeLabel.PATENT, [])
    if patents:
        n = sum(1 for e in evidence if e.startswith("patent:")) or len(patents)
        clauses.append(f"共同发明{patent_text(patents[0])}" + (f"等{n}项" if n > 1 else ""))
    elif "co_invention" in kinds:
        clauses.append(COLLABORATION_KINDS["co_invention"])
    teams = by_label.get(NodeLabel.TEAM, [])
    if teams:
        clauses.append("同属" + "、".join(entity_text(t) for t in teams[:2]))
    elif "same_team" in kinds:
        clauses.append(COLLABORATION_KINDS["same_team"])
    results = by_label.get(NodeLabel.ACHIEVEMENT, [])
    if results:
        clauses.append(f"共同完成{entity_text(results[0])}" + (f"等{len(results)}项" if len(results) > 1 else ""))
    elif "co_achievement" in kinds:
        clauses.append(COLLABORATION_KINDS["co_achievement"])
    first, last = _year_of(props.get("first_year")), _year_of(props.get("last_year"))
    years = (f"{first}—{last}年" if first != last else f"{first}年") if first and last else ""
    weight = props.get("weight")
    strength = f"合作强度{float(weight):.2f}" if isinstance(weight, (int, float)) else ""
    what = "，".join(clauses) if clauses else "有合作关系"
    return f"{a.name}与{b.name}{what}{_paren(years, strength)}"


def hop_sentence(
    left: NodeRecord,
    rel: RelRecord,
    right: NodeRecord,
    *,
    previous: tuple[NodeRecord, RelRecord] | None = None,
    lookup: Mapping[str, NodeRecord] | None = None,
) -> str:
    """One Chinese sentence for the hop ``left —rel— right`` (either direction).

    Args:
        left, right: the hop's two nodes in walking order; ``rel`` joins them, its
            ``src``/``dst`` say which is which.
        previous: the node before ``left`` and the relationship from it to ``left``, when
            the hop continues a path; a shared patent/team/organisation then reads as shared.
        lookup: nodes by id for the ids a relationship names as evidence
            (``COLLABORATED_WITH.evidence``); missing ids are left out.

    Returns:
        The sentence, without a final full stop.

    Raises:
        ValueError: ``rel`` does not join ``left`` and ``right``.

    >>> zs = NodeRecord(id="person:zs", label="Person", props={"name": "张三"})
    >>> hit = NodeRecord(id="org:hit", label="Organization", props={"name": "哈尔滨工业大学"})
    >>> hop_sentence(zs, RelRecord(src="person:zs", type="WORKS_AT", dst="org:hit",
    ...              props={"title": "教授"}), hit)
    '张三任职于哈尔滨工业大学（教授）'
    """
    if {rel.src, rel.dst} != {left.id, right.id}:
        raise ValueError(f"{rel.type} {rel.src}->{rel.dst} does not join {left.id} and {right.id}")
    src, dst = (left, right) if rel.src == left.id else (right, left)
    props = rel.props
    t = rel.type

    # Shared end node: A -t-> X <-t'- B, with X = left and B = right.
    if previous is not None:
        before, prev_rel = previous
        shared = prev_rel.dst == left.id and rel.dst == left.id
        if shared and prev_rel.type == t and t in _SHARED:
            return f"{before.name}与{right.name}{_SHARED[t]}{entity_text(left)}"
        if shared and prev_rel.type in _TEAM_TIES and t in _TEAM_TIES:
            return f"{before.name}与{right.name}同属{entity_text(left)}"
        if shared and prev_rel.type == t == RelType.STUDIED_AT:
            return f"{right.name}与{before.name}是{left.name}校友{_paren(props.get('degree'), props.get('major'))}"
        if shared and prev_rel.type == t == RelType.WORKS_AT:
            verb = "也曾任职于" if _is_former(props) else "也任职于"
            return f"{right.name}{verb}{left.name}{_paren(_job(props), _period(props) if _is_former(props) else '')}"

    if t is RelType.WORKS_AT:
        if _is_former(props):
            return f"{src.name}曾任职于{dst.name}{_paren(_job(props), _period(props))}"
        return f"{src.name}任职于{dst.name}{_paren(_job(props))}"
    if t is RelType.MEMBER_OF:
        role = props.get("role")
        return f"{src.name}是{dst.name}成员{_paren(role)}" if role != "负责人" else f"{src.name}是{dst.name}负责人"
    if t is RelType.LEADS:
        return f"{src.name}是{dst.name}负责人"
    if t is RelType.PART_OF:
        return f"{entity_text(src)}隶属于{entity_text(dst)}"
    if t is RelType.STUDIED_AT:
        verb = "毕业于" if props.get("end") not in (None, "") else "就读于"
        return f"{src.name}{verb}{dst.name}{_paren(props.get('degree'), props.get('major'))}"
    if t is RelType.INVENTED:
        pos = props.get("position")
        return f"{src.name}是{patent_text(dst)}的发明人" + (f"（第{pos}发明人）" if pos else "")
    if t is RelType.APPLICANT_OF:
        return f"{src.name}是{patent_text(dst)}的申请人"
    if t is RelType.POSTED:
        batch = props.get("batch") or dst.props.get("batch")
        return f"{src.name}发布了技术{entity_text(dst)}" + (f"（{batch}批次）" if batch else "")
    if t is RelType.CONTACT_FOR:
        return f"{src.name}是{entity_text(dst)}的联系人"
    if t is RelType.IN_FIELD:
        return f"{entity_text(src)}属于{entity_text(dst)}"
    if t is RelType.HAS_TOPIC:
        return f"{entity_text(src)}涉及{entity_text(dst)}"
    if t is RelType.COLLABORATED_WITH:
        return _collaboration(left, right, props, lookup or {})
    if t is RelType.APPOINTED_AS:
        role = APPOINTMENT_ROLES.get(str(props.get("role")), "") or str(props.get("role") or "")
        role_text = role or "职务"
        ended = props.get("end") not in (None, "") or props.get("status") in ("ended", "expired")
        verb = "曾受聘担任" if ended else "受聘担任"
        return f"{src.name}{verb}{dst.name}的{role_text}{_paren(props.get('unit'), _period(props))}"
    if t is RelType.COMPLETED:
        return f"{src.name}完成了科技{entity_text(dst)}"
    if t is RelType.COVERS:
        return f"科技{entity_text(src)}包含{patent_text(dst)}"
    return f"{entity_text(src)}与{entity_text(dst)}相关（{t.value}）"  # pragma: no cover - all types handled


#: Tags for namesakes on one path, in order of appearance (天干: 王磊（甲）, 王磊（乙）…).
_NAMESAKE_TAGS = "甲乙丙丁戊己庚辛壬癸"


def distinguish_namesakes(nodes: Sequence[NodeRecord]) -> list[NodeRecord]:
    """The nodes, with namesakes told apart: when different nodes of one chain would read the
    same (two people called 王磊 — common names are many people), each of them is named
    ``王磊（甲）``, ``王磊（乙）`` … in order of first appearance, so that a sentence never makes
    two people one.  Other nodes are returned as they are.

    >>> a = NodeRecord(id="person:a", label="Person", props={"name": "王磊"})
    >>> b = NodeRecord(id="person:b", label="Person", props={"name": "王磊"})
    >>> [n.name for n in distinguish_namesakes([a, b, a])]
    ['王磊（甲）', '王磊（乙）', '王磊（甲）']
    """
    ids_by_text: dict[str, list[str]] = {}
    for n in nodes:
        ids = ids_by_text.setdefault(entity_text(n), [])
        if n.id not in ids:
            ids.append(n.id)
    out = []
    for n in nodes:
        ids = ids_by_text[entity_text(n)]
        if len(ids) < 2:
            out.append(n)
            continue
        k = ids.index(n.id)
        tag = _NAMESAKE_TAGS[k] if k < len(_NAMESAKE_TAGS) else str(k + 1)
        out.append(n.model_copy(update={"props": {**n.props, "name": f"{n.name}（{tag}）"}}))
    return out


def explain_hops(
    nodes: Sequence[NodeRecord],
    rels: Sequence[RelRecord],
    *,
    lookup: Mapping[str, NodeRecord] | None = None,
) -> list[str]:
    """One sentence per hop of a walk ``nodes[0] —rels[0]— nodes[1] — … — nodes[-1]``
    (namesakes on the walk told apart: :func:`distinguish_namesakes`).

    Raises:
        ValueError: ``len(nodes) != len(rels) + 1`` or a relationship does not join its nodes.
    """
    if len(nodes) != len(rels) + 1:
        raise ValueError(f"{len(nodes)} nodes cannot be joined by {len(rels)} relationships")
    nodes = distinguish_namesakes(nodes)
    lines = []
    for i, rel in enumerate(rels):
        previous = (nodes[i - 1], rels[i - 1]) if i else None
        lines.append(hop_sentence(nodes[i], rel, nodes[i + 1], previous=previous, lookup=lookup))
    return lines


def path_summary(nodes: Sequence[NodeRecord], *, cost: float | None = None) -> str:
    """One sentence for a whole chain: who meets whom through whom (namesakes told apart as
    in :func:`explain_hops`).

    >>> a = NodeRecord(id="person:a", label="Person", props={"name": "张三"})
    >>> b = NodeRecord(id="person:b", label="Person", props={"name": "李四"})
    >>> path_summary([a, b], cost=0.5)
    '张三与李四直接相连（1跳，路径代价0.50）'
    """
    if len(nodes) < 2:
        raise ValueError("a path needs two nodes")
    nodes = distinguish_namesakes(nodes)
    hops = len(nodes) - 1
    tail = _paren(f"{hops}跳", f"路径代价{cost:.2f}" if cost is not None else "")
    first, last = entity_text(nodes[0]), entity_text(nodes[-1])
    if hops == 1:
        return f"{first}与{last}直接相连{tail}"
    middle = "、".join(entity_text(n) for n in nodes[1:-1])
    return f"{first}经由{middle}与{last}相连{tail}"
