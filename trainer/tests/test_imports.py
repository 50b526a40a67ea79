"""Imports inside the trainer flow one way (maths <- sampling/provenance/metrics/eval_sets <- evaluate/export/train
<- finetune/CLI, README.md's Layout):
no module may reach itself through the modules it imports, not even through an import inside a function."""
import ast
import os

PACKAGE = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))


def module_name(path):
    rel = os.path.relpath(path, os.path.dirname(PACKAGE))[: -len(".py")].split(os.sep)
    return ".".join(rel[:-1] if rel[-1] == "__init__" else rel)


def package_modules(root=PACKAGE):
    """{module name: file} of the package's source, tests left out."""
    mods = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("tests", "__pycache__"))
        for f in files:
            if f.endswith(".py"):
                mods[module_name(os.path.join(folder, f))] = os.path.join(folder, f)
    return mods


def imported(mod, path, known):
    """The package modules one file imports, anywhere in it (top level or inside a function)."""
    is_pkg = os.path.basename(path) == "__init__.py"
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            parent = ".".join(base[: len(base) - node.level + 1]) if node.level else ""
            target = ".".join(p for p in (parent, node.module) if p)
            # `from . import x` names a module x; `from .m import f` names m
            names = [f"{target}.{a.name}" for a in node.names] + [target]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != mod and not (name == "trainer" and mod.startswith("trainer.")):
                out.add(name)
    return out


def graph(root=PACKAGE):
    mods = package_modules(root)
    return {m: imported(m, p, mods) for m, p in mods.items()}


def find_cycle(edges):
    """One import cycle as [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(edges.get(m, ())):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(edges):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_graph_sees_function_level_and_relative_imports():
    g = graph()
    assert "trainer.schedules" in g["trainer.losses"]                     # from . import forward, schedules
    assert "trainer.finetune.sources" in g["trainer.finetune.run"]        # from .sources import ...
    assert "trainer.train" in g["trainer.__main__"]                       # inside a function
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_among_trainer_modules():
    cycle = find_cycle(graph())
    assert cycle is None, (f"import cycle: {' -> '.join(cycle)}; move what the modules share into a module "
                           f"below both (e.g. trainer/sampling.py, trainer/provenance.py)")


def test_maths_modules_import_nothing_above_them():
    g = graph()
    for low in ("trainer.schedules", "trainer.forward", "trainer.network", "trainer.losses", "trainer.sampling",
                "trainer.provenance", "trainer.metrics", "trainer.eval_sets"):
        above = g.get(low, set()) & {"trainer.train", "trainer.evaluate", "trainer.make_eval_set", "trainer.export",
                                     "trainer.finetune.run", "trainer.evaluate_cmd", "trainer.__main__"}
        assert not above, f"{low} imports {sorted(above)}, which sit above it"
