"""Parse every Terraform file with a real HCL2 parser and check what `terraform validate`
would check of the wiring, where no Terraform binary or AWS provider can be had.

    deploy/lint/.venv/bin/python deploy/lint/check_terraform.py deploy/terraform

For every root and module: each file parses; each `var.X` used is declared; each module
call points at an existing folder, passes only variables that module declares and every
one it requires (no default); each `module.M.O` used names a module called here and an
output it declares; each `local.X` used is defined. Exit 1 with the list of problems.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import hcl2  # bc-python-hcl2, the parser checkov uses (installed with it)

VAR = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")
LOCAL = re.compile(r"\blocal\.([A-Za-z_][A-Za-z0-9_-]*)")
MODULE_OUTPUT = re.compile(r"\bmodule\.([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)")
META = {"source", "version", "providers", "depends_on", "count", "for_each"}


def blocks(parsed: dict[str, Any], kind: str) -> dict[str, Any]:
    """`variable`/`output`/`module`/`locals` blocks of one folder, merged by name."""
    merged: dict[str, Any] = {}
    for entry in parsed.get(kind, []):
        merged.update({k: v for k, v in entry.items() if not k.startswith("__")})
    return merged


def load_folder(folder: Path, problems: list[str]) -> tuple[dict[str, Any], str]:
    parsed: dict[str, list[Any]] = {}
    text = ""
    for path in sorted(folder.glob("*.tf")):
        source = path.read_text()
        text += source + "\n"
        try:
            for kind, entries in hcl2.loads(source).items():
                parsed.setdefault(kind, []).extend(entries)
        except Exception as exc:  # noqa: BLE001 - any parse error is the finding itself
            problems.append(f"{path}: does not parse: {exc}")
    # Comments may mention var.x in prose; only code counts.
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return parsed, code


def check_folder(folder: Path, problems: list[str]) -> None:
    parsed, code = load_folder(folder, problems)
    declared = blocks(parsed, "variable")
    for name in sorted(set(VAR.findall(code)) - set(declared)):
        problems.append(f"{folder}: var.{name} is used but not declared")
    locals_defined: set[str] = set()
    for entry in parsed.get("locals", []):
        locals_defined |= {k for k in entry if not k.startswith("__")}
    for name in sorted(set(LOCAL.findall(code)) - locals_defined):
        problems.append(f"{folder}: local.{name} is used but not defined")
    calls = blocks(parsed, "module")
    for name, call in calls.items():
        source = call["source"][0] if isinstance(call["source"], list) else call["source"]
        target = (folder / source).resolve()
        if not target.is_dir():
            problems.append(f"{folder}: module {name}: source {source} is not a folder")
            continue
        module_parsed, _ = load_folder(target, problems)
        variables = blocks(module_parsed, "variable")
        passed = {k for k in call if k not in META and not k.startswith("__")}
        for extra in sorted(passed - set(variables)):
            problems.append(f"{folder}: module {name} gets {extra}, which {source} does not declare")
        required = {v for v, spec in variables.items() if "default" not in spec}
        for missing in sorted(required - passed):
            problems.append(f"{folder}: module {name} needs {missing}")
    for module, output in sorted(set(MODULE_OUTPUT.findall(code))):
        if module not in calls:
            problems.append(f"{folder}: module.{module} is used but not called")
            continue
        source = calls[module]["source"]
        target = (folder / (source[0] if isinstance(source, list) else source)).resolve()
        outputs = blocks(load_folder(target, problems)[0], "output")
        if output not in outputs:
            problems.append(f"{folder}: module.{module}.{output} is not an output of {target.name}")


def main(root: Path) -> int:
    folders = sorted({p.parent for p in root.rglob("*.tf") if ".terraform" not in p.parts})
    problems: list[str] = []
    for folder in folders:
        check_folder(folder, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"terraform: {len(folders)} folders parsed and cross-checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "deploy/terraform")))
