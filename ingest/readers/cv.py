"""CV files (简历) → :class:`~ingest.records.CVRecord` / :class:`~ingest.records.Quarantined`.

Formats (the layouts are documented with examples in ``docs/formats.md`` § 简历 CV):

* ``.txt`` / ``.md`` — faculty-page text or free prose, Chinese or English (UTF-8, UTF-16
  with BOM or GB18030);
* ``.docx`` — paragraphs and tables, in document order (a table row of label/value cells
  reads as ``label：value``);
* ``.pdf`` — the text layer (pypdf); a PDF without one (a scan) is quarantined;
* ``.json`` / ``.yaml`` — one CV in the structured schema (a list or a multi-document YAML
  holds several); ``.jsonl`` — one CV per line, for province-scale loads.

The text formats go through :func:`~ingest.readers.cv_text.parse_cv_text`; the structured
ones are validated field by field.  One CV gives one record or one quarantine entry; bad
input never raises out of :func:`read_cv`.

``source_key``: the document's ``source_id`` when it has one, else the file's stem
(``stem:line`` for JSON Lines, ``stem:index`` for the items of a list).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.readers.cv_text import (
    MAX_TEXT_CHARS,
    cells_to_lines,
    mask_personal_data,
    normalize_degree,
    normalize_gender,
    normalize_patent_number,
    normalize_phone,
    normalize_text,
    normalize_titles,
    parse_cv_text,
    reconcile_employment,
    split_organization,
)
from ingest.records import CVRecord, EducationIn, EmploymentIn, ProjectIn, Quarantined
from ingest.tabular import mask_phone

__all__ = ["CV_SUFFIXES", "cv_from_mapping", "parse_cv_text", "read_cv"]

log = logging.getLogger(__name__)

#: File suffixes this reader takes (``.doc`` only to quarantine it with advice).
CV_SUFFIXES: frozenset[str] = frozenset(
    {
        ".txt",
        ".md",
        ".markdown",
        ".docx",
        ".doc",
        ".pdf",
        ".json",
        ".jsonl",
        ".ndjson",
        ".yaml",
        ".yml",
    }
)

#: A PDF whose text layer has fewer visible characters than this is taken as a scan.
MIN_PDF_TEXT_CHARS = 10

_PERSONAL_KEYS = frozenset({"phone", "email", "id_number", "手机", "电话", "邮箱", "身份证号"})


def read_cv(path: str | Path) -> Iterator[CVRecord | Quarantined]:
    """Read one CV file.

    Args:
        path: a file with one of :data:`CV_SUFFIXES`.

    Yields:
        One :class:`CVRecord` or :class:`Quarantined` per CV in the file (one for the text
        formats, one per line of a ``.jsonl``).  Never raises for bad input: unreadable,
        corrupt, scanned or schema-violating files come back as :class:`Quarantined` naming
        the file, the row (JSON Lines) and the field.

    Example:
        >>> [r.name for r in read_cv("docs/examples/cv_faculty.txt")]  # doctest: +SKIP
        ['张伟']
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in CV_SUFFIXES:
        yield _bad(
            source,
            path.stem,
            None,
            f"不支持的简历文件类型 {suffix or '(无后缀)'} "
            f"(unsupported CV file type; use one of {', '.join(sorted(CV_SUFFIXES))})",
        )
        return
    if not path.is_file():
        yield _bad(source, path.stem, None, "文件不存在 (no such file)")
        return
    if suffix == ".doc":
        yield _bad(
            source,
            path.stem,
            None,
            "不支持旧版 Word .doc 格式，请另存为 .docx (legacy .doc is not supported; "
            "save the file as .docx)",
        )
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path)
        return
    if suffix in (".json", ".yaml", ".yml"):
        yield from _read_structured(path)
        return
    text_or_error = _extract_text(path)
    if isinstance(text_or_error, Quarantined):
        yield text_or_error
        return
    yield parse_cv_text(text_or_error, source=source, source_key=path.stem)


# ---------------------------------------------------------------------------------------------
# Text formats
# ---------------------------------------------------------------------------------------------


def _extract_text(path: Path) -> str | Quarantined:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _bad(str(path), path.stem, None, f"无法读取文件 (cannot read file): {exc}")
    return _decode(data, source=str(path), source_key=path.stem)


def _decode(
    data: bytes, *, source: str, source_key: str, row: int | None = None
) -> str | Quarantined:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (common in Chinese offices)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    return _bad(
        source,
        source_key,
        row,
        "文件编码无法识别或不是文本文件 (not a text file, or an unknown encoding; "
        "save it as UTF-8)",
    )


def _docx_text(path: Path) -> str | Quarantined:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_docx_table_lines(block))
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds on a broken file
        log.debug("cannot read %s", path, exc_info=True)
        return _bad(
            str(path),
            path.stem,
            None,
            f"无法读取 docx 文件（文件损坏或不是 Word 文档） "
            f"(unreadable .docx: corrupt or not a Word document): {type(exc).__name__}",
        )
    return "\n".join(lines)


def _docx_table_lines(table: Any) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            nested = [_docx_table_lines(t) for t in cell.tables]
            cells.append(cell.text if not nested else "\n".join(sum(nested, [cell.text])))
        lines.extend(cells_to_lines(cells))
    return lines


def _pdf_text(path: Path) -> str | Quarantined:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            return _bad(
                str(path),
                path.stem,
                None,
                "PDF 已加密，无法读取 (the PDF is encrypted; supply an unprotected copy)",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds (and some non-pypdf ones) on bad files
        log.debug("cannot read %s", path, exc_info=True)
        return _bad(
            str(path),
            path.stem,
            None,
            f"无法读取 PDF 文件（文件损坏） (unreadable PDF: corrupt file): {type(exc).__name__}",
        )
    text = "\n".join(pages)
    if len(re.sub(r"\s", "", text)) < MIN_PDF_TEXT_CHARS:
        return _bad(
            str(path),
            path.stem,
            None,
            "PDF 无文本层（可能是扫描件），需先 OCR "
            "(the PDF has no text layer — probably a scan; run OCR first)",
        )
    return _join_spaced_cjk(text)


_SPACED_CJK = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def _join_spaced_cjk(text: str) -> str:
    """Undo 'one space after every character' text layers (张 伟 → 张伟).

    Only when most CJK characters are followed by a single space: elsewhere a space between
    Chinese words is a field separator worth keeping.
    """
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    if cjk >= 20 and len(_SPACED_CJK.findall(text)) > 0.6 * cjk:
        return _SPACED_CJK.sub("", text)
    return text


# ---------------------------------------------------------------------------------------------
# Structured formats
# ---------------------------------------------------------------------------------------------


# libyaml's safe loader (same SafeConstructor, same types) when PyYAML was built with it: the
# pure-Python scanner was most of the reading time of a structured CV.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_structured(path: Path) -> Iterator[CVRecord | Quarantined]:
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield _bad(source, path.stem, None, f"无法读取文件 (cannot read file): {exc}")
        return
    text = _decode(raw, source=source, source_key=path.stem)
    if isinstance(text, Quarantined):
        yield text
        return
    documents: list[Any]
    if path.suffix.lower() == ".json":
        try:
            documents = [json.loads(text)]
        except json.JSONDecodeError as exc:
            yield _bad(
                source,
                path.stem,
                None,
                f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg} "
                f"(invalid JSON at line {exc.lineno}, column {exc.colno})",
            )
            return
    else:
        try:
            documents = [d for d in yaml.load_all(text, Loader=_YAML_LOADER) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"（第 {mark.line + 1} 行）" if mark is not None else ""
            yield _bad(
                source,
                path.stem,
                None,
                f"YAML 格式错误{where}：{getattr(exc, 'problem', None) or exc} "
                f"(invalid YAML{f' at line {mark.line + 1}' if mark is not None else ''})",
            )
            return
    if len(documents) == 1 and isinstance(documents[0], list):
        documents = documents[0]
    if not documents:
        yield _bad(source, path.stem, None, "文件中没有简历 (the file holds no CV)")
        return
    several = len(documents) > 1
    for index, document in enumerate(documents, start=1):
        default_key = f"{path.stem}:{index}" if several else path.stem
        yield cv_from_mapping(
            document, source=source, default_key=default_key, row=index if several else None
        )


def _read_jsonl(path: Path) -> Iterator[CVRecord | Quarantined]:
    source = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield _bad(source, path.stem, None, f"无法读取文件 (cannot read file): {exc}")
        return
    with handle:
        for line_no, raw_line in enumerate(handle, start=1):
            key = f"{path.stem}:{line_no}"
            text = _decode(raw_line, source=source, source_key=key, row=line_no)
            if isinstance(text, Quarantined):
                yield text
                continue
            text = text.strip()
            if not text:
                continue
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                yield _bad(
                    source,
                    key,
                    line_no,
                    f"JSON 格式错误（第 {exc.colno} 列）：{exc.msg} "
                    f"(invalid JSON at column {exc.colno})",
                    raw=mask_personal_data(text[:300]),
                )
                continue
            yield cv_from_mapping(document, source=source, default_key=key, row=line_no)


class _Employer(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
    organization: str | None = Field(default=None, max_length=500)
    unit: str | None = Field(default=None, max_length=500)
    team: str | None = Field(default=None, max_length=500)
    role: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    start: int | None = Field(default=None, ge=1900, le=2100)
    end: int | None = Field(default=None, ge=1900, le=2100)

    _years = field_validator("start", "end", mode="before")(lambda v: _year_value(v))


class _Position(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
    organization: str = Field(min_length=1, max_length=500)
    unit: str | None = Field(default=None, max_length=500)
    title: str | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, max_length=100)
    start: int | None = Field(default=None, ge=1900, le=2100)
    end: int | None = Field(default=None, ge=1900, le=2100)

    _years = field_validator("start", "end", mode="before")(lambda v: _year_value(v))


class _Education(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
    school: str = Field(min_length=1, max_length=500)
    degree: str | None = Field(default=None, max_length=50)
    major: str | None = Field(default=None, max_length=200)
    start: int | None = Field(default=None, ge=1900, le=2100)
    end: int | None = Field(default=None, ge=1900, le=2100)

    _years = field_validator("start", "end", mode="before")(lambda v: _year_value(v))


class _Project(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1900, le=2100)
    funder: str | None = Field(default=None, max_length=500)

    _years = field_validator("year", mode="before")(lambda v: _year_value(v))


StrList = list[str]


class _CVDocument(BaseModel):
    """The structured CV schema (JSON / YAML / JSON Lines); unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)
    source_id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    gender: str | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    birth_date: str | None = None
    titles: StrList = Field(default_factory=list)
    employer: _Employer | None = None
    team: str | None = Field(default=None, max_length=500)
    team_role: str | None = None
    positions: list[_Position] = Field(default_factory=list)
    education: list[_Education] = Field(default_factory=list)
    research_directions: StrList = Field(default_factory=list)
    keywords: StrList = Field(default_factory=list)
    projects: list[_Project] = Field(default_factory=list)
    patents: StrList = Field(default_factory=list)
    awards: StrList = Field(default_factory=list)
    phone: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=30)
    language: Literal["zh", "en"] | None = None
    text: str | None = None

    @field_validator("titles", "research_directions", "keywords", "awards", mode="before")
    @classmethod
    def _split_string(cls, value: Any) -> Any:
        if isinstance(value, str):  # "机器学习、知识图谱" written as one string
            return [p for p in re.split(r"[、；;，,\n]", value) if p.strip()]
        return [] if value is None else value

    @field_validator("patents", mode="before")
    @classmethod
    def _patent_items(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [p for p in re.split(r"[、；;，,\s]+", value) if p.strip()]
        if isinstance(value, list):  # [{"application_number": ..., "title": ...}] is fine too
            return [
                (item.get("application_number") or item.get("number") or item.get("申请号"))
                if isinstance(item, dict)
                else item
                for item in value
            ]
        return [] if value is None else value

    @field_validator("positions", "education", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("projects", mode="before")
    @classmethod
    def _project_items(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("employer", mode="before")
    @classmethod
    def _employer_string(cls, value: Any) -> Any:
        return {"organization": value} if isinstance(value, str) else value

    @field_validator("birth_year", mode="before")
    @classmethod
    def _birth_year(cls, value: Any) -> Any:
        return _year_value(value)

    @field_validator("birth_date", mode="before")
    @classmethod
    def _yaml_date(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


_OPEN_END_WORDS = frozenset({"至今", "今", "现在", "目前", "present", "now", "current", ""})


def _year_value(value: Any) -> Any:
    """``2005`` / ``"2005"`` / ``"2005.09"`` / ``"2005年9月"`` → 2005; ``"至今"`` → None."""
    if value is None or isinstance(value, bool):
        return value if value is None else "not-a-year"
    if isinstance(value, int):
        return value
    if isinstance(value, (dt.date, dt.datetime)):  # YAML reads 2005-09-01 as a date
        return value.year
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _OPEN_END_WORDS:
            return None
        m = re.match(r"^((?:19|20)\d{2})(?:\D|$)", text)
        if m:
            return int(m.group(1))
    return value  # let validation name the field


def cv_from_mapping(
    document: Any,
    *,
    source: str,
    default_key: str,
    row: int | None = None,
) -> CVRecord | Quarantined:
    """One structured CV (a parsed JSON / YAML object) → record or quarantine entry.

    The values are normalised like text CVs (titles, gender, phone, patent numbers, an
    organisation written with its unit).  A document that has ``text`` but no ``name`` is
    parsed as text, with its structured fields laid over the result.

    Args:
        document: the parsed object (anything: non-objects are quarantined).
        source: the file it came from.
        default_key: ``source_key`` when the document has no ``source_id``.
        row: the JSON Lines line number, if any.
    """
    key = default_key
    if isinstance(document, dict) and document.get("source_id") not in (None, ""):
        key = str(document["source_id"]).strip()[:200] or default_key
    if not isinstance(document, dict):
        return _bad(
            source,
            key,
            row,
            f"简历应为 JSON/YAML 对象，实为 {type(document).__name__} "
            f"(a CV must be an object, got {type(document).__name__})",
        )
    try:
        doc = _CVDocument.model_validate(document)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"])
        return _bad(
            source,
            key,
            row,
            f"字段 {loc} 不符合简历格式：{_error_zh(error['type'])} "
            f"(schema violation at {loc}: {error['msg']})",
            field=loc,
            raw=_masked(document),
        )
    base: dict[str, Any] = {}
    if not doc.name and doc.text:
        parsed = parse_cv_text(doc.text, source=source, source_key=key, row=row)
        if isinstance(parsed, Quarantined):
            return parsed
        base = {
            k: getattr(parsed, k)
            for k in CVRecord.model_fields
            if k not in ("source", "source_key", "row", "kind")
        }
    if not doc.name and not base.get("name"):
        return _bad(
            source, key, row, "缺少姓名 (missing name)", field="name", raw=_masked(document)
        )
    try:
        return _record_from_document(doc, base, source=source, key=key, row=row)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"])
        return _bad(
            source,
            key,
            row,
            f"字段 {loc} 不符合简历格式：{_error_zh(error['type'])} "
            f"(schema violation at {loc}: {error['msg']})",
            field=loc,
            raw=_masked(document),
        )


def _record_from_document(
    doc: _CVDocument, base: dict[str, Any], *, source: str, key: str, row: int | None
) -> CVRecord:
    data: dict[str, Any] = dict(base)
    if doc.name:
        data["name"] = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", doc.name)
    if doc.name_en:
        data["name_en"] = doc.name_en
    elif doc.name and not re.search(r"[\u4e00-\u9fff]", doc.name):
        data["name_en"] = doc.name  # an English CV's name is its English name
    if doc.gender:
        gender = normalize_gender(doc.gender)
        if gender is None:
            raise _field_error("gender", doc.gender, "男/女 (or male/female)")
        data["gender"] = gender
    if doc.birth_year:
        data["birth_year"] = doc.birth_year
    if doc.birth_date:
        data["birth_date"] = _iso_date(doc.birth_date)
    if doc.titles:
        titles: list[str] = []
        for written in doc.titles:
            titles += normalize_titles(written) or [written.strip()]
        data["titles"] = list(dict.fromkeys(t for t in titles if t))
    team, team_role = doc.team, doc.team_role
    if doc.employer is not None:
        e = doc.employer
        team = team or e.team
        role = e.role
        if role and _team_role(role):
            team_role, role = team_role or role, None
        if e.organization:
            org, unit = _org_unit(e.organization, e.unit)
            data["employer"] = EmploymentIn(
                organization=org,
                unit=unit,
                role=role,
                start=e.start,
                end=e.end,
                title=_first_rank(normalize_titles(e.title or ""))
                or e.title
                or _first_rank(data.get("titles", [])),
            )
    if team:
        data["team"] = team
    if team_role:
        data["team_role"] = _team_role(team_role)
        if data["team_role"] is None:
            raise _field_error("team_role", team_role, "负责人/成员 (leader/member)")
    if doc.positions:
        data["positions"] = [
            EmploymentIn(
                organization=org,
                unit=unit,
                title=_first_rank(normalize_titles(p.title or "")) or p.title,
                role=p.role,
                start=p.start,
                end=p.end,
            )
            for p in doc.positions
            for org, unit in [_org_unit(p.organization, p.unit)]
        ]
    if doc.education:
        data["education"] = [
            EducationIn(
                school=_org_unit(ed.school, None)[0],
                degree=normalize_degree(ed.degree or "") or ed.degree,
                major=ed.major,
                start=ed.start,
                end=ed.end,
            )
            for ed in doc.education
        ]
    for name in ("research_directions", "keywords", "awards"):
        values = [v.strip() for v in getattr(doc, name) if v.strip()]
        if values:
            data[name] = list(dict.fromkeys(values))
    if doc.projects:
        data["projects"] = [
            ProjectIn(name=p.name, year=p.year, funder=p.funder) for p in doc.projects
        ]
    if doc.patents:
        patents = []
        for written in doc.patents:
            number = normalize_patent_number(written)
            if number is None:  # a typo would make a phantom patent; the CV itself is fine
                log.warning(
                    "%s [%s]: 专利申请号无效，已忽略 (invalid patent application number "
                    "dropped): %r",
                    source,
                    key,
                    written,
                )
                continue
            patents.append(number)
        data["patents"] = list(dict.fromkeys(patents))
    if doc.phone:
        data["phone"] = normalize_phone(doc.phone) or doc.phone
    if doc.email:
        data["email"] = doc.email.lower()
    if doc.id_number:
        data["id_number"] = doc.id_number.upper()
    if doc.language:
        data["language"] = doc.language
    elif "language" not in data:  # an English CV names its person in Latin letters
        data["language"] = "zh" if re.search(r"[\u4e00-\u9fff]", data["name"]) else "en"
    data["employer"], data["positions"] = reconcile_employment(
        data.get("employer"), list(data.get("positions", [])), data.get("titles", [])
    )
    data["text"] = (doc.text or _document_text(data))[:MAX_TEXT_CHARS] or None
    return CVRecord(source=source, source_key=key, row=row, **data)


def _org_unit(organization: str, unit: str | None) -> tuple[str, str | None]:
    """Keep a given unit; otherwise split one written into the organisation name."""
    if unit:
        head = organization[: -len(unit)].strip() if organization.endswith(unit) else ""
        if head and split_organization(head + unit) == (
            head,
            unit,
        ):  # not 哈尔滨体育学院 − 体育学院
            organization = head
        return organization, unit
    org, split_unit = split_organization(organization)
    return (org or organization), split_unit


def _first_rank(titles: list[str]) -> str | None:
    ranks = [t for t in titles if t not in ("博导", "硕导")]
    return ranks[0] if ranks else None


def _team_role(text: str) -> Literal["负责人", "成员"] | None:
    value = text.strip().lower()
    if value in {"负责人", "带头人", "学术带头人", "团队负责人", "首席", "leader", "head", "pi"}:
        return "负责人"
    if value in {"成员", "骨干", "核心成员", "骨干成员", "member"}:
        return "成员"
    return None


def _iso_date(text: str) -> str | None:
    m = re.match(
        r"^\s*((?:19|20)\d{2})(?:\s*[年./\-]\s*(\d{1,2})(?:\s*[月./\-]\s*(\d{1,2}))?)?", text
    )
    if not m:
        raise _field_error("birth_date", text, "a date such as 1978-05 or 1978-05-12")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month and 1 <= int(month) <= 12:
        if day and 1 <= int(day) <= 31:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{year}-{int(month):02d}"
    return year


def _document_text(data: dict[str, Any]) -> str:
    """A readable text of a structured CV for keyword extraction (no contact data)."""
    parts: list[str] = [data.get("name", "")]
    parts += data.get("titles", [])
    employer = data.get("employer")
    if employer is not None:
        parts.append(" ".join(filter(None, [employer.organization, employer.unit])))
    if data.get("team"):
        parts.append(data["team"])
    parts += [
        f"{e.school} {e.major or ''} {e.degree or ''}".strip() for e in data.get("education", [])
    ]
    parts += data.get("research_directions", []) + data.get("keywords", [])
    parts += [p.name for p in data.get("projects", [])]
    parts += data.get("awards", [])
    return normalize_text("\n".join(p for p in parts if p))


def _field_error(loc: str, value: Any, expected: str) -> ValidationError:
    from pydantic_core import InitErrorDetails, PydanticCustomError

    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError(
                "value_error",
                "'{value}': expected {expected}",
                {"value": str(value)[:60], "expected": expected},
            ),
            "loc": tuple(int(p) if p.isdigit() else p for p in loc.split(".")),
            "input": value,
        }
    ]
    return ValidationError.from_exception_data("CVDocument", details)


_ERROR_ZH = {
    "missing": "缺少必填值",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数年份",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_too_long": "文本过长",
    "string_too_short": "不能为空",
    "literal_error": "取值不在允许范围内",
    "value_error": "取值无效",
}


def _error_zh(error_type: str) -> str:
    return _ERROR_ZH.get(error_type, "取值无效")


def _masked(document: dict[str, Any]) -> dict[str, Any]:
    """The document for the quarantine report, without contact data and long text."""
    out: dict[str, Any] = {}
    for k, v in document.items():
        if k in ("phone", "手机", "电话") and isinstance(v, (str, int)):
            out[k] = mask_phone(str(v))
        elif k in _PERSONAL_KEYS:
            out[k] = "***"
        elif k == "text" and isinstance(v, str):
            out[k] = mask_personal_data(v[:300])
        else:
            out[k] = v
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))  # YAML dates → text


def _bad(
    source: str,
    source_key: str,
    row: int | None,
    reason: str,
    *,
    field: str | None = None,
    raw: dict[str, Any] | str | None = None,
) -> Quarantined:
    return Quarantined(
        source=source, source_key=source_key, row=row, field=field, reason=reason, raw=raw
    )
