"""Mutation testing with mutmut: the killed-mutant ratio per file (docs/mutation.md).

Run through scripts/mutation, which sets up the environment. mutmut's settings are in
pyproject.toml's [tool.mutmut]; this adds the sample and the table.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from datetime import UTC, datetime
import hashlib
from importlib.metadata import version
import os
from pathlib import Path
import time

from mutmut import __main__ as mutmut_main
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import (
    copy_also_copy_files,
    copy_src_dir,
    setup_source_paths,
    walk_mutatable_files,
)
from mutmut.utils.format_utils import orig_function_and_class_names_from_key

COUNTED = ("killed", "survived", "timeout")
SURVIVORS = Path("mutants/survivors.txt")


def sample(names: list[str], per_file: int) -> list[str]:
    """The ``per_file`` mutants of one file whose names hash lowest (0: all).

    The choice depends on the names alone: the same on every run and machine,
    whatever the tests are.
    """
    if not per_file:
        return names
    return sorted(names, key=lambda name: hashlib.sha256(name.encode()).digest())[
        :per_file
    ]


def mutants_by_file() -> dict[str, dict[str, int | None]]:
    """Each mutated file's mutants and their exit codes (None: not run)."""
    result = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        result[str(path)] = dict(data.exit_code_by_key)
    return result


def generate() -> dict[str, dict[str, int | None]]:
    """Write the mutants into mutants/ as ``mutmut run`` does first."""
    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    mutmut_main.create_mutants(os.cpu_count() or 1)
    return mutants_by_file()


def source_line(path: str, name: str) -> int | None:
    """The line of ``path`` that mutant ``name`` changes (the first one)."""
    removed = [
        line[1:].strip()
        for line in get_diff_for_mutant(name, path=path).splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    if not removed:
        return None
    function, _ = orig_function_and_class_names_from_key(name)
    function = function.rpartition(".")[2]
    text = Path(path).read_text("utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name != function:
            continue
        for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
            if lines[number - 1].strip() == removed[0]:
                return number
    return None


def table(results: dict[str, dict[str, int | None]]) -> str:
    """The Markdown table of the verdicts, per file and in all."""
    rows = [
        "| File | Mutants | Killed | Survived | Timeout | Other | Killed ratio |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    total: Counter[str] = Counter()
    for path, codes in sorted(results.items()):
        counts = Counter(status_by_exit_code[code] for code in codes.values())
        total.update(counts)
        rows.append(row(Path(path).name, counts))
    rows.append(row("**all**", total))
    return "\n".join(rows)


def row(label: str, counts: Counter[str]) -> str:
    """One line of the table."""
    mutants = counts.total()
    other = mutants - sum(counts[status] for status in COUNTED)
    ratio = f"{counts['killed'] / mutants:.1%}" if mutants else "-"
    cells = [label, mutants, *(counts[status] for status in COUNTED), other, ratio]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main() -> None:
    """Generate, sample, run, and print the table and the survivors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--per-file",
        type=int,
        default=8,
        help="the N mutants of each file whose names hash lowest (default 8; 0: all)",
    )
    parser.add_argument(
        "--max-children",
        type=int,
        default=2,
        help="mutants tested at once (default 2)",
    )
    args = parser.parse_args()

    started = time.monotonic()
    print(f"start {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()}")
    everything = generate()
    chosen = {
        path: sample(list(names), args.per_file) for path, names in everything.items()
    }
    for path, names in chosen.items():
        print(f"{path}: {len(names)} of {len(everything[path])} mutants")
    names = [name for path_names in chosen.values() for name in path_names]
    try:
        mutmut_main._run(names, args.max_children)  # noqa: SLF001
    except SystemExit as stop:
        # mutmut exits when it cannot start (a failing unmutated test, no
        # tests found): its message is above, and there are no verdicts to
        # tabulate; a table of "other" would read like a result.
        if stop.code:
            print(f"\nmutmut stopped before testing any mutant (exit {stop.code})")
        raise
    minutes = (time.monotonic() - started) / 60
    done = mutants_by_file()
    results = {
        path: {name: done[path][name] for name in names}
        for path, names in chosen.items()
    }
    survivors = [
        (path, name)
        for path, codes in results.items()
        for name, code in codes.items()
        if status_by_exit_code[code] == "survived"
    ]
    with SURVIVORS.open("w", encoding="utf-8") as out:
        for path, name in survivors:
            out.write(f"# {path}:{source_line(path, name)} {name}\n")
            out.write(get_diff_for_mutant(name, path=path) + "\n\n")
    print()
    print(
        f"mutmut {version('mutmut')}, {args.per_file or 'all'} mutants per file, "
        f"{args.max_children} at once, {minutes:.0f} min, "
        f"end {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()}"
    )
    print(table(results))
    print(f"\nSurvivors and their diffs: {SURVIVORS}")


if __name__ == "__main__":
    main()
