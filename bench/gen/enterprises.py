"""The enterprise register extract: ``enterprises.csv`` (official names only)."""

from __future__ import annotations

from pathlib import Path

from bench.gen.world import World
from bench.gen.writers import CsvSink

__all__ = ["ENTERPRISE_HEADER", "write_enterprises"]

ENTERPRISE_HEADER = (
    "企业名称",
    "统一社会信用代码",
    "所在地市",
    "企业规模",
    "专精特新",
    "高新技术企业",
    "主营领域",
    "简介",
)


def write_enterprises(w: World, out: Path) -> None:
    rng = w.rng
    with CsvSink(out / "enterprises.csv", ENTERPRISE_HEADER) as sink:
        for f in w.firms:
            fv = w.fv(f.field)
            bits = [
                f"{f.name}成立于{f.est_year}年，位于{f.city_full}{f.district}，"
                f"主要从事{'、'.join(f.products)}的研发、生产与销售。"
            ]
            if f.zjtx == "小巨人":
                bits.append("公司为国家级专精特新“小巨人”企业。")
            elif f.zjtx == "是":
                bits.append("公司为黑龙江省专精特新中小企业。")
            if f.hitech == "是":
                bits.append("公司是国家高新技术企业，")
            bits.append(
                f"拥有研发人员{len(f.staff) * rng.randint(3, 12)}人，建有{rng.choice(fv.assets)}。"
            )
            sink.write(
                [f.name, f.uscc, f.city_full, f.size, f.zjtx, f.hitech, f.field, "".join(bits)]
            )
