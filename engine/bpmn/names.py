"""Which names a piece of diagram code reads from the case, and which it leaves there.

Python gives a name many ways besides ``x = …``: ``for`` targets, ``with … as``, the walrus, ``def``
and its parameters, ``lambda`` arguments, ``except … as``, comprehension variables, ``global`` and
``nonlocal``. A script's own names must not count as reads of case data (the lint would report
them as coming from nowhere), and only the names bound at the script's top level stay in the case
afterwards (SpiffWorkflow removes functions; parameters, comprehension variables and ``except``
names never reach the task data).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class CodeNames:
    reads: set[str] = field(default_factory=set)  # names read and not defined by the code itself
    leaves: set[str] = field(default_factory=set)  # names the code leaves in the case (top level)


class _Scopes(ast.NodeVisitor):
    def __init__(self) -> None:
        self.loads: set[str] = set()
        self.top: set[str] = set()  # bound at the top level: they stay in the case
        self.inner: set[str] = set()  # bound in a function, lambda or comprehension: local
        self.depth = 0

    def _bind(self, name: str) -> None:
        (self.inner if self.depth else self.top).add(name)

    def _scoped(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.loads.add(node.id)
        else:
            self._bind(node.id)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.inner.add(node.name)  # a function never stays in the case
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.depth += 1
        self.visit(node.args)
        for statement in node.body:
            self.visit(statement)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - the NodeVisitor naming

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.inner.add(node.name)
        self._scoped(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.depth += 1
        self.visit(node.args)
        self.visit(node.body)
        self.depth -= 1

    def visit_arguments(self, node: ast.arguments) -> None:
        for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg]:
            if arg is not None:
                self.inner.add(arg.arg)

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        # the first iterable is evaluated in the enclosing scope; the rest in the comprehension's
        self.visit(node.generators[0].iter)
        self.depth += 1
        for i, generator in enumerate(node.generators):
            self.visit(generator.target)
            if i:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self.depth -= 1

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp  # noqa: N815

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        # the walrus binds in the enclosing function scope, even inside a comprehension
        (self.top if not self.depth else self.inner).add(node.target.id)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.inner.add(node.name)  # Python deletes it at the end of the handler
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.top.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.inner.update(node.names)

    def visit_alias(self, node: ast.alias) -> None:
        self._bind((node.asname or node.name).split(".")[0])


def names_of(source: str, *, expression: bool) -> CodeNames:
    """The names ``source`` reads from the case and leaves in it (nothing for a syntax error:
    the sandbox's own check reports that)."""
    try:
        tree = ast.parse(source.strip() if expression else source, mode="eval" if expression else "exec")
    except (SyntaxError, ValueError):
        return CodeNames()
    scopes = _Scopes()
    scopes.visit(tree)
    return CodeNames(reads=scopes.loads - scopes.top - scopes.inner, leaves=scopes.top)
