"""CVs of researchers and enterprise experts, in the formats people actually send.

One structured record per CV (the JSON schema of the ingest contract) is built from the
world; it is then rendered as JSON, YAML, faculty-page text (two layouts), Word, or one line
of a JSON Lines chunk.  Some people get a second CV from another source (a duplicate with
small differences) and a few an English CV, so entity resolution has real work to do.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.gen.orgnames import NameLog
from bench.gen.world import CURRENT_YEAR, Firm, Person, University, World, pick
from bench.gen.writers import FIXED_STAMP, freeze_zip

__all__ = ["CvEntry", "plan_cvs", "write_cvs", "CV_CHUNK"]

CV_CHUNK = 1000
SUPERVISOR_LONG = {"博导": "博士生导师", "硕导": "硕士生导师"}
DEGREE_EN = {"学士": "Bachelor", "硕士": "Master", "博士": "PhD"}
EXTRA_TITLE_EN = {"实验师": "Experimentalist", "博士后": "Postdoctoral Fellow"}
EN_PROJECTS = (
    "Key technologies of {d} for the {f}",
    "Research on {d} in cold regions",
    "{d}: theory and applications",
    "Integration and demonstration of {d} in the {f}",
)
GRADE_EN = {
    "一等奖": "First Prize",
    "二等奖": "Second Prize",
    "三等奖": "Third Prize",
    "优秀奖": "Award of Excellence",
    "金奖": "Gold Award",
    "银奖": "Silver Award",
    "科学技术进步奖二等奖": "Second Prize for Progress in Science and Technology",
    "": "",
}


@dataclass(slots=True)
class CvEntry:
    person: Person
    variant: str  # main / dup / en
    source_id: str = ""
    fmt: str = "jsonl"  # txt / json / yaml / docx / jsonl


def plan_cvs(w: World) -> list[CvEntry]:
    """Decide which CVs exist, their order, source ids and formats."""
    rng, scale = w.rng, w.scale
    holders = [p for p in w.persons if p.has_cv]
    entries = [CvEntry(p, "main") for p in holders]
    entries += [CvEntry(p, "dup") for p in rng.sample(holders, min(scale.dup_cvs, len(holders)))]
    if scale.english_cvs:
        cands = [
            p
            for p in holders
            if p.kind == "faculty"
            and p.team is not None
            and isinstance(p.org, University)
            and p.org.en
            and not p.org.national
        ]
        cands.sort(key=lambda p: (p.role != "负责人", p.pid))
        chosen = rng.sample(
            cands[: max(20, scale.english_cvs * 4)], min(scale.english_cvs, len(cands))
        )
        entries += [CvEntry(p, "en") for p in chosen]
    rng.shuffle(entries)
    width = max(6, len(str(len(entries))))
    for i, e in enumerate(entries, start=1):
        e.source_id = f"cv-{i:0{width}d}"
    if scale.cv_files:
        en = [e for e in entries if e.variant == "en"]
        for i, e in enumerate(en):
            e.fmt = "json" if i % 2 == 0 else "yaml"
        zh = [e for e in entries if e.variant != "en"]
        docx = set(id(e) for e in rng.sample(zh, min(scale.docx_cvs, len(zh))))
        for e in zh:
            if id(e) in docx:
                e.fmt = "docx"
            else:
                e.fmt = pick(rng, (("txt", 0.48), ("json", 0.28), ("yaml", 0.24)))
    return entries


# --------------------------------------------------------------------------- content


class CvBuilder:
    def __init__(self, w: World, names: NameLog) -> None:
        self.w = w
        self.rng = w.rng
        self.names = names
        misc = w.vocab.misc
        self.funders = misc["funders"]
        self.funder_en = misc["funder_en"]
        self.project_titles = misc["project_titles"]
        self.awards = misc["awards"]
        self.title_en = {**misc["title_en"], **EXTRA_TITLE_EN}
        self.major_en = misc["major_en"]
        self.college_en: dict[str, str] = {"博士后流动站": "Postdoctoral Research Station"}
        for f in w.vocab.fields:
            for zh, en in f.colleges:
                self.college_en.setdefault(zh, en)

    # ------------------------------------------------------------ pieces
    def _org(self, org: Any, p_abbr: float = 0.1) -> str:
        return self.names.org(org, p_official=0.6, p_abbr=p_abbr, short=True)

    def _topics(self, p: Person) -> list[tuple[str, str, str]]:
        tops = [r.topic for r in p.patents if r.topic[1]]
        if p.team is not None:
            t = p.team
            tops += [(o, m, k) for o, m, k in zip(t.objects, t.methods, t.tasks, strict=False)]
        if not tops:
            fv = self.w.fv(p.field)
            tops = [
                (
                    self.rng.choice(fv.objects),
                    self.rng.choice(fv.methods),
                    self.rng.choice(fv.tasks),
                )
            ]
        return tops

    def _projects(self, p: Person) -> list[dict[str, Any]]:
        rng = self.rng
        if p.kind == "expert":
            n = pick(rng, ((0, 0.5), (1, 0.35), (2, 0.15)))
            funders = [
                f
                for f in self.funders
                if f[0] in ("黑龙江省重点研发计划", "哈尔滨市科技计划", "企业横向委托")
            ]
        else:
            if p.role == "负责人":
                n = rng.randint(3, 6)
            elif p.title in ("教授", "研究员"):
                n = rng.randint(1, 4)
            else:
                n = rng.randint(0, 2)
            funders = self.funders
        tops = self._topics(p)
        out = []
        start = max(2008, p.join_year)
        for _ in range(n):
            funder, subs = rng.choice(funders)
            o, m, k = rng.choice(tops)
            name = (
                rng.choice(self.project_titles)
                .replace("{O}", o)
                .replace("{M}", m or "智能化")
                .replace("{T}", k or "设计")
            )
            out.append(
                {
                    "name": name,
                    "year": rng.randint(min(start, CURRENT_YEAR), CURRENT_YEAR),
                    "funder": funder,
                    "_sub": rng.choice(subs),
                }
            )
        out.sort(key=lambda x: -x["year"])
        return out

    def _awards(self, p: Person) -> list[tuple[int, str, str, str]]:
        rng = self.rng
        chance = 0.5 if p.role == "负责人" else 0.15 if p.kind == "faculty" else 0.08
        senior = p.role == "负责人" or p.title in ("教授", "研究员", "正高级工程师", "总工程师")
        pool = (
            self.awards
            if senior
            else [a for a in self.awards if not a[0].startswith(("国家", "中国专利"))]
        )
        out = []
        if rng.random() < chance:
            for _ in range(rng.randint(1, 2)):
                name, grades, en = rng.choice(pool)
                grade = rng.choice(grades)
                out.append((rng.randint(max(2010, p.join_year), CURRENT_YEAR), name, grade, en))
        return sorted(set(out), key=lambda a: (-a[0], a[1], a[2]))

    def _keywords(self, p: Person) -> list[str]:
        rng = self.rng
        fv = self.w.fv(p.field)
        kws = rng.sample(fv.keywords, 2)
        for o, m, _k in self._topics(p)[:3]:
            for x in (o, m):
                if x and x not in kws:
                    kws.append(x)
        return kws[:6]

    # ------------------------------------------------------------ the record
    def record(self, e: CvEntry) -> dict[str, Any]:
        if e.variant == "en":
            return self.record_en(e)
        p = e.person
        fv = self.w.fv(p.field)
        titles = [p.title] + ([p.supervisor] if p.supervisor else [])
        team = p.team.name if p.team is not None and p.kind == "faculty" else None
        granted = [r for r in p.patents if r.granted and r.ptype != "外观设计"]
        rec: dict[str, Any] = {
            "source_id": e.source_id,
            "name": p.name,
            "gender": p.gender,
            "birth_year": p.birth_year,
            "titles": titles,
            "employer": {
                "organization": self._org(p.org),
                "unit": p.unit,
                "team": team,
                "role": p.role if team else None,
            },
            "positions": [
                {
                    "organization": self._org(org, 0.12),
                    "unit": unit,
                    "title": title,
                    "start": s,
                    "end": end,
                }
                for org, unit, title, s, end in p.positions
            ],
            "education": [
                {"degree": d, "school": self._org(sch, 0.12), "major": m, "start": s, "end": end}
                for d, sch, m, s, end in p.education
            ],
            "research_directions": [fv.directions[i][0] for i in p.directions],
            "keywords": self._keywords(p),
            "projects": self._projects(p),
            "patents": [r.app_no for r in granted[:10]],
            "awards": [f"{y}年{n}{g}" for y, n, g, _en in self._awards(p)],
            "phone": p.phone,
            "email": p.email,
            "language": "zh",
        }
        rec["_extra"] = {
            "birth_month": p.birth_month,
            "patents": [(r.title, r.app_no, r.ptype, r.year) for r in granted[:10]],
            "kind": p.kind,
        }
        if e.variant == "dup":
            self._perturb(rec, p)
        return rec

    def _perturb(self, rec: dict[str, Any], p: Person) -> None:
        """Another source's view of the same person: older, thinner, differently written."""
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            rec["email"] = ""
        elif r < 0.6:
            rec["phone"] = ""
        if rng.random() < 0.5 and len(rec["research_directions"]) > 1:
            rng.shuffle(rec["research_directions"])
            rec["research_directions"] = rec["research_directions"][:-1]
        if rng.random() < 0.5:
            rec["patents"] = rec["patents"][: len(rec["patents"]) // 2]
            rec["_extra"]["patents"] = rec["_extra"]["patents"][: len(rec["patents"])]
        if rng.random() < 0.4:
            rec["projects"] = rec["projects"][1:]
        if (
            rng.random() < 0.3
            and len(rec["positions"]) > 1
            and rec["positions"][0]["start"] < CURRENT_YEAR - 1
        ):
            # written before the last promotion
            rec["positions"] = rec["positions"][1:]
            rec["positions"][0] = {**rec["positions"][0], "end": None}
            rec["titles"] = [rec["positions"][0]["title"]]
        if rng.random() < 0.15 and len(rec["name"]) == 2:
            rec["name"] = rec["name"][0] + "  " + rec["name"][1]

    def record_en(self, e: CvEntry) -> dict[str, Any]:
        rng = self.rng
        p = e.person
        fv = self.w.fv(p.field)
        u = p.org
        assert isinstance(u, University) and p.team is not None

        def org_en(org: Any) -> str:
            if isinstance(org, University):
                return org.en or org.name
            if isinstance(org, Firm):
                return org.name
            return str(org)

        def unit_en(unit: str) -> str:
            return self.college_en.get(unit, unit)

        given = p.given_py.capitalize()
        surname = p.surname_py.capitalize()
        granted = [r for r in p.patents if r.granted and r.ptype != "外观设计"]
        dirs_en = [fv.directions[i][1] for i in p.directions]
        rec: dict[str, Any] = {
            "source_id": e.source_id,
            "name": f"{given} {surname}",
            "gender": "male" if p.gender == "男" else "female",
            "birth_year": p.birth_year,
            "titles": [self.title_en.get(p.title, p.title)]
            + ([self.title_en[p.supervisor]] if p.supervisor else []),
            "employer": {
                "organization": org_en(u),
                "unit": p.unit_en or unit_en(p.unit),
                "team": p.team.name_en,
                "role": "leader" if p.role == "负责人" else "member",
            },
            "positions": [
                {
                    "organization": org_en(org),
                    "unit": unit_en(unit),
                    "title": self.title_en.get(title, title),
                    "start": s,
                    "end": end,
                }
                for org, unit, title, s, end in p.positions
            ],
            "education": [
                {
                    "degree": DEGREE_EN[d],
                    "school": org_en(sch),
                    "major": self.major_en.get(m, m),
                    "start": s,
                    "end": end,
                }
                for d, sch, m, s, end in p.education
            ],
            "research_directions": dirs_en,
            "keywords": dirs_en[:2] + [fv.en],
            "projects": [
                {
                    "name": rng.choice(EN_PROJECTS).format(d=rng.choice(dirs_en), f=fv.en),
                    "year": pr["year"],
                    "funder": self.funder_en.get(pr["funder"], pr["funder"]),
                }
                for pr in self._projects(p)
            ],
            "patents": [r.app_no for r in granted[:10]],
            "awards": [
                f"{en}, {GRADE_EN.get(g, g)} ({y})" if GRADE_EN.get(g, g) else f"{en} ({y})"
                for y, _n, g, en in self._awards(p)
            ],
            "phone": "+86 " + p.phone,
            "email": p.email,
            "language": "en",
        }
        return rec


# --------------------------------------------------------------------------- rendering


def public(rec: dict[str, Any]) -> dict[str, Any]:
    """The record as the schema has it (private helper keys dropped)."""
    out = {k: v for k, v in rec.items() if not k.startswith("_")}
    out["projects"] = [
        {k: v for k, v in pr.items() if not k.startswith("_")} for pr in rec["projects"]
    ]
    return out


def _span(rng: random.Random, s: int, e: int | None, dash: str) -> str:
    return f"{s}{dash}{e if e is not None else rng.choice(('至今', '至今', '今'))}"


def text_lines(rec: dict[str, Any], rng: random.Random) -> list[tuple[str, str]]:
    """Faculty-page text as ``(kind, line)`` pairs; kind is ``head``, ``line`` or ``blank``."""
    colon = "：" if rng.random() < 0.9 else ":"
    dash = "-" if rng.random() < 0.85 else "—"
    dsep = "、" if rng.random() < 0.7 else "；"
    ex = rec["_extra"]
    emp = rec["employer"]
    titles = rec["titles"]
    title_text = "，".join([titles[0]] + [SUPERVISOR_LONG.get(t, t) for t in titles[1:]])
    out: list[tuple[str, str]] = []
    prose = rng.random() < 0.3

    def head(h: str) -> None:
        out.append(("head", f"{h}{colon}"))

    if prose:
        degree = next((d["degree"] for d in rec["education"]), "")
        bits = [rec["name"].replace(" ", ""), rec["gender"], f"{rec['birth_year']}年生"]
        if degree in ("博士", "硕士"):
            bits.append(f"{degree}")
        bits += [titles[0]] + [SUPERVISOR_LONG.get(t, t) for t in titles[1:]]
        s = "，".join(bits) + f"，现任{emp['organization']}{emp['unit']}{titles[0]}"
        if emp["team"]:
            s += f"、{emp['team']}{emp['role'] if emp['role'] == '负责人' else '骨干成员'}"
        s += "。"
        for d in rec["education"][:1]:
            s += f"{d['end']}年毕业于{d['school']}{d['major']}专业，获{d['degree']}学位。"
        for pos in reversed(rec["positions"][1:3]):
            s += f"{pos['start']}年至{pos['end']}年在{pos['organization']}{pos['unit']}任{pos['title']}。"
        s += f"主要从事{'、'.join(rec['research_directions'][:3])}等方向的研究工作。"
        if rec["projects"]:
            s += f"主持{rec['projects'][0]['funder']}等项目{len(rec['projects'])}项"
            s += f"，授权专利{len(rec['patents'])}项。" if rec["patents"] else "。"
        out.append(("line", s))
        out.append(("blank", ""))
    else:
        out.append(("line", f"姓名{colon}{rec['name']}"))
        out.append(("line", f"性别{colon}{rec['gender']}"))
        bm = ex["birth_month"]
        born = (
            f"{rec['birth_year']}年{bm}月"
            if rng.random() < 0.8
            else f"{rec['birth_year']}.{bm:02d}"
        )
        out.append(("line", f"出生年月{colon}{born}"))
        out.append(("line", f"职称{colon}{title_text}"))
        out.append(("line", f"工作单位{colon}{emp['organization']} {emp['unit']}"))
        if emp["team"]:
            role = emp["role"]
            suffix = f"（{role}）" if role == "负责人" or rng.random() < 0.5 else ""
            out.append(("line", f"所在团队{colon}{emp['team']}{suffix}"))
    out.append(("line", f"研究方向{colon}{dsep.join(rec['research_directions'])}"))
    out.append(("blank", ""))

    def edu() -> None:
        if prose or not rec["education"]:
            return
        head("教育经历")
        items = rec["education"] if rng.random() < 0.5 else list(reversed(rec["education"]))
        for d in items:
            out.append(
                ("line", f"{d['start']}{dash}{d['end']} {d['school']} {d['major']} {d['degree']}")
            )
        out.append(("blank", ""))

    def work() -> None:
        if prose or not rec["positions"]:
            return
        head("工作经历")
        for pos in rec["positions"]:
            out.append(
                (
                    "line",
                    f"{_span(rng, pos['start'], pos['end'], dash)} {pos['organization']} "
                    f"{pos['unit']} {pos['title']}",
                )
            )
        out.append(("blank", ""))

    if rng.random() < 0.7:
        edu()
        work()
    else:
        work()
        edu()
    if rec["projects"]:
        head("主持项目")
        for i, pr in enumerate(rec["projects"], start=1):
            out.append(("line", f"{i}. {pr['funder']}{pr['_sub']}“{pr['name']}”（{pr['year']}）"))
        out.append(("blank", ""))
    if ex["patents"]:
        head("授权专利")
        for i, (title, app_no, ptype, _year) in enumerate(ex["patents"], start=1):
            no = app_no if rng.random() < 0.8 else "ZL" + app_no[2:]
            if rng.random() < 0.6:
                out.append(("line", f"{i}. {title}，{no}"))
            else:
                kind = "发明专利" if ptype == "发明" else "实用新型专利"
                out.append(("line", f"{i}. {title}（{no}，{kind}）"))
        out.append(("blank", ""))
    if rec["awards"]:
        head("获奖情况")
        for i, a in enumerate(rec["awards"], start=1):
            out.append(("line", f"{i}. {a[:5]} {a[5:]}"))
        out.append(("blank", ""))
    contact = []
    if rec["phone"]:
        contact.append(f"电话 {rec['phone']}")
    if rec["email"]:
        contact.append(f"邮箱 {rec['email']}")
    if contact:
        out.append(("line", f"联系方式{colon}{'，'.join(contact)}"))
    return out


def _write_docx(path: Path, lines: list[tuple[str, str]]) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    cp = doc.core_properties
    cp.author = "校企图谱"
    cp.last_modified_by = "校企图谱"
    cp.created = FIXED_STAMP
    cp.modified = FIXED_STAMP
    cp.revision = 1
    h = doc.add_paragraph()
    run = h.add_run("个人简历")
    run.bold = True
    run.font.size = Pt(16)
    for kind, text in lines:
        if kind == "blank":
            continue
        para = doc.add_paragraph()
        r = para.add_run(text)
        if kind == "head":
            r.bold = True
    doc.save(path)
    freeze_zip(path)


def _dump_yaml(rec: dict[str, Any]) -> str:
    return yaml.safe_dump(rec, allow_unicode=True, sort_keys=False, width=1000)


def write_cvs(w: World, names: NameLog, entries: list[CvEntry], out: Path) -> dict[str, str]:
    """Write all CVs under ``out/cvs``; return ``source_id -> person id``."""
    cv_dir = out / "cvs"
    cv_dir.mkdir(parents=True, exist_ok=True)
    builder = CvBuilder(w, names)
    truth: dict[str, str] = {}
    if w.scale.cv_files:
        for e in entries:
            rec = builder.record(e)
            truth[e.source_id] = e.person.pid
            path = cv_dir / f"{e.source_id}.{e.fmt}"
            if e.fmt == "json":
                path.write_text(
                    json.dumps(public(rec), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
                )
            elif e.fmt == "yaml":
                path.write_text(_dump_yaml(public(rec)), encoding="utf-8")
            else:
                lines = text_lines(rec, w.rng)
                if e.fmt == "txt":
                    path.write_text("\n".join(t for _k, t in lines) + "\n", encoding="utf-8")
                else:
                    _write_docx(path, lines)
        return truth
    for chunk_no, chunk in enumerate(_chunks(entries, CV_CHUNK), start=1):
        with open(cv_dir / f"cvs-{chunk_no:04d}.jsonl", "w", encoding="utf-8") as fh:
            for e in chunk:
                rec = builder.record(e)
                truth[e.source_id] = e.person.pid
                fh.write(json.dumps(public(rec), ensure_ascii=False) + "\n")
    return truth


def _chunks(items: list[CvEntry], n: int) -> Iterator[list[CvEntry]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
