"""The 371 real enterprise demands (CCF BDCI 2019) through the real pipeline: nothing lost,
every demand with a field and keywords; prints the field distribution.

    python -m bench.demand_fields [--data ../shared/data/demands/requirements_ccf_bdci_2019.csv]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("KG_SHARED_DATA", REPO.parent / "shared" / "data")) / "demands" / "requirements_ccf_bdci_2019.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT)
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"数据不存在 (data not found): {args.data}; set KG_SHARED_DATA")
        return 2

    from graph.model import NodeLabel, RelType
    from graph.store.embedded import EmbeddedStore
    from ingest.pipeline import ingest_paths

    rows = sum(1 for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip())
    with tempfile.TemporaryDirectory(prefix="kg-ccf-") as tmp:
        store = EmbeddedStore(Path(tmp) / "kg.sqlite3")
        report = ingest_paths([args.data], store, workers=1, data_dir=Path(tmp) / "var")
        demands = list(store.iter_nodes(NodeLabel.DEMAND))
        top: Counter[str] = Counter()
        without_field = without_topics = 0
        min_topics = 10**9
        names = {n.id: n.name for n in store.iter_nodes(NodeLabel.FIELD)}
        for d in demands:
            fields = [r for r in store.relationships(d.id, types=[RelType.IN_FIELD], direction="out")
                      if not r.dst.startswith("field:ipc_")]
            topics = store.relationships(d.id, types=[RelType.HAS_TOPIC], direction="out")
            if not fields:
                without_field += 1
            else:
                best = max(fields, key=lambda r: (float(r.props.get("weight", 0)), r.dst))
                top[names.get(best.dst, best.dst)] += 1
            if not topics:
                without_topics += 1
            min_topics = min(min_topics, len(topics))
        store.close()
    print(f"输入行 input lines: {rows}; records read: {report.records}; quarantined: {report.quarantined}; "
          f"demand nodes: {len(demands)}")
    print(f"without a field: {without_field}; without keywords: {without_topics}; fewest keywords: {min_topics}")
    print("领域分布 field distribution (top field per demand):")
    for name, count in top.most_common():
        print(f"  {name:12s} {count:4d}  {'█' * (count // 3)}")
    return 0 if report.records + report.quarantined == rows and not without_field and not without_topics else 1


if __name__ == "__main__":
    raise SystemExit(main())
