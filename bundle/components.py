"""The manifest-only build's one components.py, flattened from source_analytics/components/.

Each module there imports its siblings only as `from source_analytics.components.<module> import <name>`; here the
modules follow one another in the order those imports ask for, those imports go, and the others are merged at the
top. Two modules defining one name, an import of anything outside the standard library and airbyte-cdk's own
dependencies, or an import of the package from anywhere else fails the build: the file must run where only
airbyte-cdk is installed.
"""

import ast
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

PACKAGE = "source_analytics.components"
# What a venv holding only airbyte-cdk has besides the standard library (the CDK's own dependencies).
ALLOWED_ROOTS = {"airbyte_cdk", "requests", "urllib3", "orjson"}


class BundleError(Exception):
    pass


def _module_names(directory: Path) -> List[str]:
    return sorted(p.stem for p in directory.glob("*.py") if p.stem != "__init__")


def _sibling(node: ast.stmt) -> str:
    """The sibling module an import names, or '' when it is not one."""
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE + "."):
        return node.module[len(PACKAGE) + 1:]
    if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
        raise BundleError(f"`from {PACKAGE} import ...`: import the name from its module")
    return ""


def _defined(tree: ast.Module) -> Set[str]:
    names: Set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names.add(name.id)
    return names


def _order(deps: Dict[str, Set[str]]) -> List[str]:
    """The modules, each after the siblings it imports."""
    ordered: List[str] = []
    visiting: Set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise BundleError(f"the components' modules import each other in a cycle through {name}")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep)
        visiting.discard(name)
        ordered.append(name)

    for name in sorted(deps):
        visit(name)
    return ordered


def flatten(directory: Path) -> str:
    """The text of one self-contained components.py made from the package's components/ directory."""
    sources: Dict[str, str] = {}
    bodies: Dict[str, str] = {}
    deps: Dict[str, Set[str]] = {}
    plain: Set[Tuple[str, str]] = set()  # (module, alias) of `import module [as alias]`
    froms: Dict[str, Set[Tuple[str, str]]] = {}  # module -> {(name, alias)}
    owner: Dict[str, str] = {}  # top-level name -> the module defining it
    shared: Set[str] = set()  # the text of each top-level assignment seen
    for name in _module_names(directory):
        source = (directory / f"{name}.py").read_text()
        tree = ast.parse(source)
        sources[name] = source
        deps[name] = set()
        body_start = 0  # the first line after the module's docstring and its imports
        for node in tree.body:
            is_docstring = (node is tree.body[0] and isinstance(node, ast.Expr)
                            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))
            if is_docstring:
                body_start = node.end_lineno
                continue
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                break
            body_start = node.end_lineno
            sibling = _sibling(node)
            if sibling:
                deps[name].add(sibling)
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    raise BundleError(f"{name}.py: a relative import; import siblings as `from {PACKAGE}.<module>`")
                modules = [node.module or ""]
                froms.setdefault(node.module or "", set()).update((a.name, a.asname or "") for a in node.names)
            else:
                modules = [a.name for a in node.names]
                plain.update((a.name, a.asname or "") for a in node.names)
            for module in modules:
                root = module.split(".")[0]
                if root == "source_analytics":
                    raise BundleError(f"{name}.py imports {module}: the bundle holds only {PACKAGE}")
                if root not in sys.stdlib_module_names and root not in ALLOWED_ROOTS:
                    raise BundleError(f"{name}.py imports {module}, which a venv with only airbyte-cdk lacks")
        # An import inside a function, or below the first definition, stays in the body: it must not be the package's.
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno > body_start:
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if node.level or any(m.split(".")[0] == "source_analytics" for m in modules):
                    raise BundleError(f"{name}.py line {node.lineno}: the package imported below the module's imports")
        lines = source.splitlines()
        for node in tree.body:
            # The same statement in two modules (`logger = logging.getLogger("airbyte")`) is kept once.
            text = ast.unparse(node)
            if isinstance(node, ast.Assign) and node.lineno > body_start and text in shared:
                lines[node.lineno - 1:node.end_lineno] = [""] * (node.end_lineno - node.lineno + 1)
                continue
            if isinstance(node, ast.Assign):
                shared.add(text)
            for defined in _defined(ast.Module(body=[node], type_ignores=[])):
                if defined in owner:
                    raise BundleError(f"{defined} is defined in both {owner[defined]}.py and {name}.py")
                owner[defined] = name
        bodies[name] = "\n".join(lines[body_start:]).strip("\n")

    imported = {alias or module.split(".")[0] for module, alias in plain}
    imported |= {alias or name for names in froms.values() for name, alias in names}
    clash = sorted(imported & set(owner))
    if clash:
        raise BundleError(f"a module defines a name another imports from elsewhere: {', '.join(clash)}")

    def alias(name: str, asname: str) -> str:
        return f"{name} as {asname}" if asname else name

    def group(module: str) -> int:
        return 0 if module.split(".")[0] in sys.stdlib_module_names else 1

    blocks = []
    for kind in (0, 1):  # the standard library, then the rest
        block = [f"import {alias(m, a)}" for m, a in sorted(plain) if group(m) == kind]
        for module in sorted(m for m in froms if group(m) == kind):
            block.append(f"from {module} import {', '.join(alias(n, a) for n, a in sorted(froms[module]))}")
        blocks.append("\n".join(block))
    lines = ["\n\n".join(blocks)]
    header = (
        '"""The custom components of source-analytics\'s manifest-only build, one file.\n\n'
        "Generated by `make bundle` (python -m bundle) from source_analytics/components/: do not edit, edit those\n"
        "modules and run `make bundle` again. Each section below is one module there, whose docstrings say why\n"
        'each class exists.\n"""'
    )
    parts = [header, "\n".join(lines)]
    for name in _order(deps):
        parts.append(f"# ---- {name}.py " + "-" * max(0, 100 - len(name)))
        parts.append(bodies[name])
    text = "\n\n\n".join(parts) + "\n"
    compile(text, "components.py", "exec")
    return text


def defined_names(text: str) -> Set[str]:
    return _defined(ast.parse(text))
