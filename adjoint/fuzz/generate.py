"""Random programs over adjoint's language, weighted toward what breaks compilers.

A program is a module: helper functions (loops, tuple returns, rebound parameters, calls of other
helpers, recursion) and an entry `f` whose parameters are floats, (3,) arrays, (2, 3) matrices,
lists and dicts. It carries its arguments, tangents for forward mode, and the modes that apply.
All randomness comes from one `random.Random` seeded by (seed, index), so a pair names a program.

Numbers are kept tame so that finite differences are reliable: values are squashed through
tanh/sin, divisions are by `1.5 + x * x`, powers are small, loops are short.
"""
import random
import re
from dataclasses import dataclass

import numpy as np

from ..standard import STANDARD_NAME
from . import scalars
from .objects import Pair, Weights

# kinds of values: the generator only reads a name where its kind fits
SCALAR, ARRAY, MATRIX, INT, LIST, TUPLE, DICT = "scalar", "array", "matrix", "int", "list", "tuple", "dict"
WEIGHTS, PAIR = "weights", "pair"  # objects of adjoint/fuzz/objects.py's classes, as arguments
HEADER = "import math\n\nimport numpy as np\n"
MAX_DEPTH = 2                      # nesting of compound statements inside a function
CHECKS = 0.06                      # chance of an input check (`if ...: raise`) before a statement
FUNCTIONS = 0.07                   # chance of a nested function, lambda or function argument before one
STATES = 0.04                      # chance of list, dict and array-call state or a loop `else` before one
OBJECTS = 0.12                     # chance of an object argument (a dataclass or a NamedTuple) for f
NAMESPACES = 0.5                   # chance that f is written against the array API (`xp = a.__array_namespace__()`)
# NumPy's functions the generator writes whose derivatives the array API form supports
IN_STANDARD = {"sin", "cos", "tanh", "exp", "log", "sqrt", "sum", "mean", "max", "maximum", "minimum", "where",
               "arctan", "stack", "zeros", "ones"}
# module-level definitions the side stream's function statements may use
MODULE_FUNCTIONS = {
    "apply_fn": "def apply_fn(fn, t):\n    return fn(t) * 0.5 + fn(0.5 * t)\n",
    "soft": "soft = lambda z: np.tanh(z) * 0.8  # noqa: E731\n",
    "scaler": "class Scaler:\n    def __init__(self, k):\n        self.k = k\n\n    def apply(self, t):\n"
              "        return np.tanh(t * self.k) + self.shift(t)\n\n    def shift(self, t):\n"
              "        return 0.1 * t\n\n\nscaler = Scaler(0.7)\n",
    "half_apply": "import functools  # noqa: E402\n\nhalf_apply = functools.partial(apply_fn, np.sin)\n",
    "objects": "from adjoint.fuzz.objects import Pair, Weights  # noqa: E402\n",
    "scaled_power": "def scaled_power(t, k=1.0, *, power=2, shift=0.0):\n    return k * (t + shift) ** power\n",
    "accumulator": "class Accumulator:\n    def __init__(self, start, rate=0.5):\n        self.total = start\n"
                   "        self.rate = rate\n        self.steps = 0\n\n    def add(self, t):\n"
                   "        self.total = self.total * self.rate + np.tanh(t)\n        self.steps += 1\n"
                   "        return self.total\n\n    @property\n    def mean(self):\n"
                   "        return self.total / (self.steps + 1)\n",
    "spread": "def spread(scale, *terms, bias=0.0):\n    total = bias\n    for t in terms:\n"
              "        total = total + scale * t * t\n    return total\n",
    "warnings": "import warnings  # noqa: E402\n",
    "point": "import dataclasses  # noqa: E402\n\n\n@dataclasses.dataclass\nclass Point:\n    x: float\n"
             "    y: float = 0.5\n\n    def norm2(self):\n        return self.x * self.x + self.y * self.y\n\n"
             "    def scale(self, k):\n        self.x = self.x * k\n        self.y *= k\n",
}


# NumPy functions of three-element arrays (rules/definitions.py and the rules added with it)
NUMPY_READS = ["np.median({0})", "np.percentile({0}, 30.0)", "np.sum(np.diff({0}) ** 2)", "np.trapezoid({0})",
               "np.nansum({0})", "np.sum(np.take({0}, [2, 0, 2]) * {1})", "np.sum(np.cross({0}, {1}))",
               "np.sum(np.gradient({0}) * {1})", "np.interp(0.3, np.array([-1.0, 0.5, 2.0]), {0})",
               "np.polyval({0}, 0.7)", "np.sum(np.convolve({0}, {1}, 'same'))", "np.linalg.norm(np.outer({0}, {1}), 2)",
               "np.sum(np.pad({0}, 1, mode='edge') * np.tanh(np.pad({1}, 1, mode='reflect')))",
               "np.sum(np.append({0}, {1}) ** 2)", "np.sum(np.partition({0}, 1)[:2])"]

@dataclass

class Program:
    source: str                    # imports and functions; the entry is `f`
    args: tuple
    tangents: tuple
    modes: dict                    # mode -> how it is called: wrt tuple, True, (i, j) or k
    seed: str = ""                 # "seed:index" that generated it


def generate(seed, index=0, size="full"):
    """The program for (seed, index); the same pair always gives the same program. size="small"
    gives fewer helpers and statements (cheaper to compile: the test suite's slice uses it)."""
    name = f"{seed}:{index}:{size}" if size != "full" else f"{seed}:{index}"
    if random.Random(name + ":scalars").random() < scalars.SHARE:
        return _scalar_program(name, f"{seed}:{index}")
    return _Generator(random.Random(name), random.Random(name + ":side"), small=size == "small") \
        .program(f"{seed}:{index}")


class _Scope:
    """What one function body may read: names by kind, and the names surely defined so far."""

    def __init__(self, names, ints=(), in_loop=False, returns=SCALAR, owned=()):
        self.names = dict(names)
        # arrays this function made itself and shares with no other name: `+=` on them is plain
        # Python arithmetic, not a mutation another name sees (that case is stmt_alias's)
        self.owned = set(owned)
        self.ints = list(ints)             # loop counters usable in expressions
        self.in_loop = in_loop
        self.returns = returns

    def child(self, new_ints=(), in_loop=None):
        return _Scope(self.names, self.ints + list(new_ints), self.in_loop if in_loop is None else in_loop,
                      self.returns, self.owned)

    def of(self, kind):
        return [n for n, k in self.names.items() if k == kind]


class _Generator:
    def __init__(self, rng, side, small=False):
        self.rng, self.small = rng, small
        # constructs added after the first campaigns draw from a side stream, so that a (seed, index)
        # pair still names the program it named before, with those constructs woven in
        self.side = side
        self.side_count = 0                # functions the side stream named
        self.module_functions = set()      # MODULE_FUNCTIONS the program uses
        self.helpers = []                  # (name, parameter kinds, return kind)
        self.counter = 0

    # --- small random choices -------------------------------------------------------------
    def pick(self, weighted):
        """One key of a {choice: weight} dict."""
        keys = list(weighted)
        return self.rng.choices(keys, [weighted[k] for k in keys])[0]

    def const(self, low=-1.0, high=1.0):
        return repr(round(self.rng.uniform(low, high), 1))

    def fresh(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    # --- expressions ----------------------------------------------------------------------
    def expr(self, kind, scope, depth=0):
        if kind == ARRAY:
            return self.array(scope, depth)
        if kind == TUPLE:
            return f"({self.scalar(scope, depth)}, {self.scalar(scope, depth)})"
        if kind == LIST:
            return "[" + ", ".join(self.scalar(scope, depth + 1) for _ in range(3)) + "]"
        if kind == DICT:
            return f"{{'p': {self.scalar(scope, depth + 1)}, 'q': {self.array(scope, depth + 1)}}}"
        if kind == MATRIX:
            return f"np.stack([{self.array(scope, depth + 1)}, {self.array(scope, depth + 1)}])"
        return self.scalar(scope, depth)

    def scalar_leaf(self, scope):
        names = scope.of(SCALAR)
        if names and self.rng.random() < 0.85:
            return self.rng.choice(names)
        arrays = scope.of(ARRAY)
        if arrays and self.rng.random() < 0.5:
            return f"{self.rng.choice(arrays)}[{self.rng.randrange(3)}]"
        return self.const()

    def scalar(self, scope, depth=0):
        if depth >= 3 or self.rng.random() < 0.25:
            return self.scalar_leaf(scope)
        a = lambda: self.scalar(scope, depth + 1)           # noqa: E731 (a fresh subexpression)
        arr = lambda: self.array(scope, depth + 1)          # noqa: E731
        ints, arrays, helpers = scope.ints, scope.of(ARRAY), [h for h in self.helpers if h[2] in (SCALAR, TUPLE)]
        choice = self.pick({"binop": 8, "div": 3, "pow": 3, "neg": 2, "unary": 5, "sqrt": 1, "exp": 2, "log": 1,
                            "minmax": 2, "reduce": 4 if arrays else 1, "index": 3 if arrays else 0,
                            "container": 2 if scope.of(LIST) + scope.of(TUPLE) + scope.of(DICT) else 0,
                            "alternating": 3 if ints else 0, "intmul": 2 if ints else 0,
                            "loop_power": 2 if ints else 0, "call": 4 if helpers else 0,
                            "matrix": 1 if scope.of(MATRIX) else 0, "numpy": 2 if arrays else 0})
        if choice == "binop":
            return f"({a()} {self.rng.choice('+-*')} {a()})"
        if choice == "div":
            b = a()
            return f"({a()} / (1.5 + {b} * {b}))"
        if choice == "pow":
            return f"({self.rng.choice(['np.tanh', 'math.sin', ''])}({a()}) ** {self.rng.choice([2, 2, 3])})"
        if choice == "neg":
            return f"(-{a()})"
        if choice == "unary":
            fn = self.rng.choice(["math.sin", "math.cos", "math.tanh", "np.sin", "np.cos", "np.tanh", "np.arctan",
                                  "math.atan"])
            return f"{fn}({a()})"
        if choice == "sqrt":
            b = a()
            return f"{self.rng.choice(['math.sqrt', 'np.sqrt'])}(1.0 + {b} * {b})"
        if choice == "exp":
            return self.rng.choice(["math.exp(math.sin({}))", "np.exp(np.tanh({}))", "np.exp(-({0}) * ({0}))"]) \
                .format(a())
        if choice == "log":
            b = a()
            return f"{self.rng.choice(['math.log', 'np.log'])}(1.5 + {b} * {b})"
        if choice == "minmax":
            return self.rng.choice(["max({}, {})", "min({}, {})", "np.maximum({}, {})", "abs({}) + 0 * {}"]) \
                .format(a(), a())
        if choice == "reduce":
            return self.rng.choice(["np.sum({})", "np.mean({})", "np.max({})", "np.dot({}, {})",
                                    "np.sum({0} * {0})"]).format(arr(), arr())
        if choice == "index":
            i = f"{self.rng.choice(ints)} % 3" if ints and self.rng.random() < 0.4 else self.rng.randrange(3)
            return f"{self.rng.choice(arrays)}[{i}]"
        if choice == "container":
            return self.container_read(scope)
        if choice == "alternating":               # (-1) ** k: emission must keep the parentheses
            return f"((-1) ** {self.rng.choice(ints)} * {a()})"
        if choice == "intmul":
            return f"({self.rng.choice(ints)} * {a()})"
        if choice == "loop_power":                # powers by a loop counter, zero included
            return f"(np.tanh({a()}) ** ({self.rng.choice(ints)} + 1))"
        if choice == "matrix":
            return f"np.sum({self.rng.choice(scope.of(MATRIX))}[{self.rng.randrange(2)}] * {arr()})"
        if choice == "numpy":                     # functions with rules or definitions of the second round
            return self.rng.choice(NUMPY_READS).format(arr(), arr())
        return self.call(self.rng.choice(helpers), scope, depth)

    def container_read(self, scope):
        name = self.rng.choice(scope.of(LIST) + scope.of(TUPLE) + scope.of(DICT))
        kind = scope.names[name]
        if kind == DICT:
            return self.rng.choice([f"{name}['p']", f"np.sum({name}['q'])"])
        return f"{name}[{self.rng.randrange(3 if kind == LIST else 2)}]"

    def array(self, scope, depth=0):
        arrays = scope.of(ARRAY)
        if depth >= 3 or self.rng.random() < 0.3:
            if arrays and self.rng.random() < 0.85:
                return self.rng.choice(arrays)
            return f"np.array([{self.scalar_leaf(scope)}, {self.scalar_leaf(scope)}, {self.const()}])"
        a = lambda: self.array(scope, depth + 1)            # noqa: E731
        s = lambda: self.scalar(scope, depth + 1)           # noqa: E731
        helpers = [h for h in self.helpers if h[2] == ARRAY]
        choice = self.pick({"binop": 6, "scaled": 4, "div": 2, "unary": 4, "pow": 2, "maximum": 2, "where": 1,
                            "neg": 1, "row": 2 if scope.of(MATRIX) else 0, "dict": 1 if scope.of(DICT) else 0,
                            "call": 3 if helpers else 0})
        if choice == "binop":
            return f"({a()} {self.rng.choice('+-*')} {a()})"
        if choice == "scaled":
            return self.rng.choice(["({} * {})", "({1} + {0})", "({1} - {0})"]).format(s(), a())
        if choice == "div":
            b = a()
            return f"({a()} / (1.5 + {b} * {b}))"
        if choice == "unary":
            return f"{self.rng.choice(['np.sin', 'np.cos', 'np.tanh', 'np.arctan'])}({a()})"
        if choice == "pow":
            return f"(np.tanh({a()}) ** {self.rng.choice([2, 3])})"
        if choice == "maximum":
            return f"{self.rng.choice(['np.maximum', 'np.minimum'])}({a()}, {s()})"
        if choice == "where":
            return f"np.where({a()} > {self.const()}, {a()}, {s()})"
        if choice == "neg":
            return f"(-{a()})"
        if choice == "row":
            return f"{self.rng.choice(scope.of(MATRIX))}[{self.rng.randrange(2)}]"
        if choice == "dict":
            return f"{self.rng.choice(scope.of(DICT))}['q']"
        return self.call(self.rng.choice(helpers), scope, depth)

    def call(self, helper, scope, depth):
        name, kinds, returns = helper
        args = []
        for kind in kinds:
            args.append(str(self.rng.randint(1, 3)) if kind == INT else self.expr(kind, scope, depth + 1))
        text = f"{name}({', '.join(args)})"
        if kinds == [SCALAR, SCALAR] and self.side.random() < 0.3:        # `*items` (the starred pass)
            pairs = [h for h in self.helpers if h[2] == TUPLE and h[0] != name]
            items = self.call(self.side.choice(pairs), scope, depth + 1)[:-len("[0]")] if pairs and depth < 2 \
                else f"({args[0]}, {args[1]})"
            text = f"{name}(*{items})"
        return f"{text}[0]" if returns == TUPLE else text

    def condition(self, scope):
        """A test on data (sometimes with a loop counter), thresholds near the values' range."""
        kind = self.pick({"scalar": 5, "array": 2 if scope.of(ARRAY) else 0, "int": 1 if scope.ints else 0})
        if kind == "array":
            return f"np.sum({self.rng.choice(scope.of(ARRAY))}) {self.rng.choice('<>')} {self.const()}"
        if kind == "int":
            return f"{self.rng.choice(scope.ints)} % 2 == {self.rng.randrange(2)}"
        return f"{self.scalar(scope, 2)} {self.rng.choice('<>')} {self.const(-0.5, 0.5)}"

    # --- statements: each returns (lines, {name: kind surely defined}, may_jump) -------------
    def block(self, scope, count, depth):
        """`count` statements; names are surely defined after the block if assigned before any
        statement that may leave it (break, continue, return)."""
        lines, defined, jumped = [], {}, False
        for _ in range(count):
            if self.side.random() < CHECKS:
                lines += self.check(scope)
            if self.side.random() < FUNCTIONS:
                lines += self.function_use(scope)
            if self.side.random() < STATES:
                lines += self.state_use(scope)
            new_lines, new_names, may_jump = self.statement(scope, depth)
            lines += new_lines
            scope.names.update(new_names)
            if not jumped:
                defined.update(new_names)
            jumped = jumped or may_jump
        return lines, defined, jumped

    def nested(self, scope, depth, count=None, **child):
        """An indented body in a child scope."""
        inner = scope.child(**child)
        lines, defined, jumped = self.block(inner, count or self.rng.randint(1, 3), depth + 1)
        return ["    " + line for line in lines], defined, jumped

    def statement(self, scope, depth):
        compound = depth < MAX_DEPTH
        kinds_here = [k for k in (SCALAR, ARRAY) if scope.of(k)]
        choice = self.pick({
            "assign": 14, "reassign": 8 if kinds_here else 0, "augassign": 6 if kinds_here else 0,
            "constant": 4 if kinds_here else 0, "unpack": 4, "container": 3, "alias": 0.3 if scope.of(ARRAY) else 0,
            "store": 3 if self.storable(scope) else 0, "fill": 1 if compound else 0,
            "collect": 1 if compound else 0, "comprehension": 2,
            "tuple_call": 3 if any(h[2] == TUPLE for h in self.helpers) else 0,
            "if": 6 if compound else 0, "for_range": 5 if compound else 0,
            "for_rows": 2 if compound and scope.of(ARRAY) + scope.of(MATRIX) else 0,
            "for_list": 2 if compound else 0, "enumerate": 2 if compound and scope.of(ARRAY) else 0,
            "zip": 2 if compound and scope.of(ARRAY) else 0, "while": 3 if compound else 0,
            "jump": 4 if scope.in_loop else 0, "return": 1 if depth > 0 else 0})
        return getattr(self, "stmt_" + choice)(scope, depth)

    def target_kind(self):
        return self.pick({SCALAR: 3, ARRAY: 1})

    def stmt_assign(self, scope, depth):
        kind = self.target_kind()
        name, value = self.fresh(), self.expr(kind, scope)
        if self.rng.random() < 0.3:
            value = f"np.tanh({value})"           # squash, so loops do not blow values up
        if kind == ARRAY and value in scope.names:
            scope.owned.discard(value)            # two names for one array now
        elif kind == ARRAY and not re.fullmatch(r"\w+\[[^\]]*\]", value):
            scope.owned.add(name)                 # a new array (not a row or item: a view of another)
        return [f"{name} = {value}"], {name: kind}, False

    def existing(self, scope, owned_arrays=False):
        """A scalar or array name to rebind; with owned_arrays, only arrays no other name shares."""
        arrays = [n for n in scope.of(ARRAY) if n in scope.owned or not owned_arrays]
        kind = self.rng.choice([SCALAR] * bool(scope.of(SCALAR)) + [ARRAY] * bool(arrays) or [SCALAR])
        return self.rng.choice(scope.of(SCALAR) if kind == SCALAR else arrays), kind

    def stmt_reassign(self, scope, depth):
        name, kind = self.existing(scope)
        if kind == ARRAY:
            scope.owned.add(name)
        return [f"{name} = np.tanh({self.expr(kind, scope)})"], {}, False

    def stmt_augassign(self, scope, depth):
        if not scope.of(SCALAR) and not scope.owned & set(scope.of(ARRAY)):
            return self.stmt_assign(scope, depth)
        name, kind = self.existing(scope, owned_arrays=True)
        op = self.pick({"+=": 3, "-=": 3, "*=": 1})
        value = self.expr(kind if self.rng.random() < 0.7 else SCALAR, scope)
        return [f"{name} {op} {'np.tanh(' + value + ')' if op == '*=' else value}"], {}, False

    def stmt_constant(self, scope, depth):
        """Overwrite by a value that does not depend on the input: its adjoint must die."""
        name, kind = self.existing(scope)
        value = self.const() if kind == SCALAR else f"np.ones(3) * {self.const()}"
        if kind == ARRAY:
            scope.owned.add(name)
        return [f"{name} = {value}"], {}, False

    def stmt_unpack(self, scope, depth):
        names = [self.fresh() if self.rng.random() < 0.6 or not scope.of(SCALAR) else self.rng.choice(scope.of(SCALAR))
                 for _ in range(2)]
        if names[0] == names[1]:
            names[1] = self.fresh()
        tuples = scope.of(TUPLE)
        value = self.rng.choice(tuples) if tuples and self.rng.random() < 0.3 else \
            f"{self.scalar(scope)}, {self.scalar(scope)}"
        return [f"{names[0]}, {names[1]} = {value}"], {n: SCALAR for n in names}, False

    def stmt_container(self, scope, depth):
        kind = self.rng.choice([LIST, TUPLE, DICT])
        name = self.fresh()
        if kind in (LIST, DICT):
            scope.owned.add(name)
        return [f"{name} = {self.expr(kind, scope)}"], {name: kind}, False

    def stmt_alias(self, scope, depth):
        """`z = y; z += ...` mutates y too in Python (arrays): adjoint must model or reject it."""
        name = self.fresh()
        source = self.rng.choice(scope.of(ARRAY))
        scope.owned.discard(source)
        return [f"{name} = {source}", f"{name} += {self.scalar(scope)}"], {name: ARRAY}, False

    def storable(self, scope):
        """Arrays, lists and dicts a store may write into: ones this function made and shares with no
        other name, and its array parameters (a derivative copies them before the first store)."""
        return [n for n in scope.of(ARRAY) + scope.of(LIST) + scope.of(DICT) if n in scope.owned]

    def stmt_store(self, scope, depth):
        """`y[i] = v`, `y[a:b] = ...`, `y[mask] = v`, `y[i] += v` into an array, list or dict."""
        name = self.rng.choice(self.storable(scope))
        kind = scope.names[name]
        item = f"{self.rng.choice(scope.ints)} % 3" if scope.ints and self.rng.random() < 0.5 else \
            str(self.rng.randrange(3))
        if kind == DICT:
            return [f"{name}['{self.rng.choice('pr')}'] = {self.scalar(scope)}"], {}, False
        if kind == LIST:
            return [f"{name}[{item}] = {self.scalar(scope)}"], {}, False
        form = self.pick({"item": 4, "augmented": 2, "slice": 2, "mask": 1, "all": 1})
        if form == "item":
            return [f"{name}[{item}] = {self.scalar(scope)}"], {}, False
        if form == "augmented":
            return [f"{name}[{item}] {self.rng.choice(['+=', '-=', '*='])} np.tanh({self.scalar(scope)})"], {}, False
        if form == "slice":
            part = self.rng.choice(["1:", ":2", "::2"])
            size = {"1:": 2, ":2": 2, "::2": 2}[part]
            return [f"{name}[{part}] = {self.array(scope)}[:{size}] * {self.scalar_leaf(scope)}"], {}, False
        if form == "mask":
            return [f"{name}[{name} > {self.const()}] = {self.scalar(scope)}"], {}, False
        return [f"{name}[...] = np.tanh({self.array(scope)})"], {}, False

    def stmt_fill(self, scope, depth):
        """An array filled item by item in a loop, each item maybe reading the one before."""
        name, counter = self.fresh("buf"), "ijk"[depth]
        inner = scope.child(new_ints=[counter], in_loop=True)
        inner.names[name] = ARRAY
        previous = f" + 0.5 * np.tanh({name}[{counter} - 1])" if self.rng.random() < 0.5 else ""
        value = f"np.tanh({self.scalar(inner)}){previous}"
        scope.owned.add(name)
        return [f"{name} = np.{self.rng.choice(['zeros', 'ones'])}(3)", f"for {counter} in range(3):",
                f"    {name}[{counter}] = {value}"], {name: ARRAY}, False

    def stmt_collect(self, scope, depth):
        """A list that grows in a loop (`xs.append(v)`), read back item by item, stacked or summed."""
        name, counter = self.fresh("got"), "ijk"[depth]
        inner = scope.child(new_ints=[counter], in_loop=True)
        value = self.scalar(inner) if self.rng.random() < 0.6 else self.array(inner)
        lines = [f"{name} = []", f"for {counter} in range({self.rng.randint(1, 3)}):", f"    {name}.append({value})"]
        total = self.fresh()
        reader = self.rng.choice([f"np.sum(np.stack({name}))", f"sum({name}[k] for k in range(len({name})))",
                                  f"np.sum({name}[-1])", f"np.sum({name}[0]) * len({name})"])
        return lines + [f"{total} = {reader}"], {total: SCALAR}, False

    def stmt_comprehension(self, scope, depth):
        """A list comprehension or generator expression over a range, an array or a list."""
        name, var = self.fresh(), self.fresh("c")
        inner = scope.child()
        inner.names[var] = SCALAR
        source = self.rng.choice([f"range({self.rng.randint(1, 3)})"] + scope.of(ARRAY) + scope.of(LIST))
        element = self.scalar(inner)
        condition = f" if {var} > {self.const()}" if self.rng.random() < 0.3 and source[:5] != "range" else ""
        form = self.rng.choice(["sum([{e} for {v} in {s}{c}])", "sum({e} for {v} in {s}{c})",
                                "np.sum(np.array([{e} for {v} in {s}{c}] + [0.0]))"])
        return [f"{name} = " + form.format(e=element, v=var, s=source, c=condition)], {name: SCALAR}, False

    def stmt_tuple_call(self, scope, depth):
        helper = self.rng.choice([h for h in self.helpers if h[2] == TUPLE])
        first, second = self.fresh(), self.fresh()
        call = self.call(helper, scope, 0)[:-len("[0]")]
        return [f"{first}, {second} = {call}"], {first: SCALAR, second: SCALAR}, False

    def stmt_if(self, scope, depth):
        lines = [f"if {self.condition(scope)}:"]
        body, defined, jumped = self.nested(scope, depth)
        lines += body
        branches = [defined]
        while self.rng.random() < 0.3:
            body, defined, more = self.nested(scope, depth)
            lines += [f"elif {self.condition(scope)}:"] + body
            branches.append(defined)
            jumped = jumped or more
        if self.rng.random() < 0.6:
            body, defined, more = self.nested(scope, depth)
            lines += ["else:"] + body
            branches.append(defined)
            jumped = jumped or more
            surely = {n: k for n, k in branches[0].items() if all(b.get(n) == k for b in branches)}
        else:
            surely = {}
        return lines, surely, jumped

    def loop(self, header, scope, depth, ints=(), items=None, prefix=()):
        """A loop that runs at least once: what its body defines before a jump is defined after."""
        inner = scope.child(new_ints=ints, in_loop=True)
        inner.names.update(items or {})
        lines, defined, _ = self.block(inner, self.rng.randint(1, 3), depth + 1)
        for name in items or {}:
            defined.pop(name, None)
        return [header] + ["    " + line for line in list(prefix) + lines], defined, False

    def stmt_for_range(self, scope, depth):
        counter = "ijk"[depth]
        start = self.rng.choice(["", "", "1, "])
        stop = self.rng.randint(2 if start else 1, 4)
        return self.loop(f"for {counter} in range({start}{stop}):", scope, depth, ints=[counter])

    def stmt_for_rows(self, scope, depth):
        name = self.fresh("row")
        matrices = scope.of(MATRIX)
        if matrices and (not scope.of(ARRAY) or self.rng.random() < 0.5):
            return self.loop(f"for {name} in {self.rng.choice(matrices)}:", scope, depth, items={name: ARRAY})
        return self.loop(f"for {name} in {self.rng.choice(scope.of(ARRAY))}:", scope, depth, items={name: SCALAR})

    def stmt_for_list(self, scope, depth):
        name = self.fresh("item")
        lists = scope.of(LIST)
        source = self.rng.choice(lists) if lists and self.rng.random() < 0.5 else self.expr(LIST, scope, 1)
        return self.loop(f"for {name} in {source}:", scope, depth, items={name: SCALAR})

    def stmt_enumerate(self, scope, depth):
        counter, name = "ijk"[depth], self.fresh("item")
        return self.loop(f"for {counter}, {name} in enumerate({self.rng.choice(scope.of(ARRAY))}):", scope, depth,
                         ints=[counter], items={name: SCALAR})

    def stmt_zip(self, scope, depth):
        first, second = self.fresh("item"), self.fresh("item")
        arrays = scope.of(ARRAY)
        other = self.rng.choice(arrays + scope.of(LIST))
        return self.loop(f"for {first}, {second} in zip({self.rng.choice(arrays)}, {other}):", scope, depth,
                         items={first: SCALAR, second: SCALAR})

    def stmt_while(self, scope, depth):
        """A data-dependent end with a counter bound; the counter moves first so `continue` is safe."""
        counter = self.fresh("n")
        bound = self.rng.randint(1, 4)
        inner = scope.child(new_ints=[counter], in_loop=True)
        body, defined, _ = self.block(inner, self.rng.randint(1, 3), depth + 1)
        if self.rng.random() < 0.5:
            lines = [f"{counter} = 0", f"while {counter} < {bound} and {self.condition(scope)}:",
                     f"    {counter} += 1"] + ["    " + line for line in body]
            return lines, {}, False           # may run zero times: defines nothing surely
        end = f"    if {counter} >= {bound} or {self.condition(inner)}:"
        lines = [f"{counter} = 0", "while True:", f"    {counter} += 1"] + ["    " + line for line in body] + \
            [end, "        break"]
        return lines, defined, False

    def stmt_jump(self, scope, depth):
        jump = self.pick({"break": 3, "continue": 3, "return": 2})
        if jump == "return":
            return self.stmt_return(scope, depth)
        return [f"if {self.condition(scope)}:", f"    {jump}"], {}, True

    def check(self, scope):
        """An input check that never fires on the tame values (the derivative must run past it),
        drawn from the side stream."""
        side = self.side
        arrays, scalars = scope.of(ARRAY), scope.of(SCALAR)
        if arrays and (not scalars or side.random() < 0.4):
            name = side.choice(arrays)
            test = side.choice([f"not np.all(np.isfinite({name}))", f"{name}.shape != (3,)"])
        elif scalars:
            test = f"abs({side.choice(scalars)}) > 1e6"
        else:
            return []
        error = side.choice(["ValueError", "FloatingPointError", "ArithmeticError"])
        return [f"if {test}:", f"    raise {error}(\"check failed\")"]

    def function_use(self, scope):
        """A value squashed through a function the compiler must lift or specialise on: a nested
        function or lambda reading another variable (a closure), a module-level lambda, or a function
        passed to `apply_fn` (a module function, a NumPy function, a lambda, a nested function, a
        closure), a method of a module-level object, a functools.partial. Drawn from the side
        stream; rebinds an existing name."""
        side = self.side
        names = scope.of(SCALAR) + scope.of(ARRAY)
        if not names:
            return []
        target = side.choice(names)
        scalars = [n for n in scope.of(SCALAR) if n != target]
        captured = side.choice(scalars) if scalars else repr(round(side.uniform(-1, 1), 1))
        unary = side.choice(["np.sin", "np.tanh", "np.cos"])
        self.side_count += 1
        name = f"fn{self.side_count}"
        kind = side.choice(["closure", "lambda", "module_lambda", "passed", "method", "partial"])
        if kind == "closure":
            lines = [f"def {name}(t):", f"    return {unary}(t * {captured}) + 0.5 * t"]
        elif kind == "lambda":
            lines = [f"{name} = lambda t: {unary}(t) * {captured}  # noqa: E731"]
        elif kind == "module_lambda":
            self.module_functions.add("soft")
            return [f"{target} = np.tanh({target} + 0.5 * soft({target}))"]
        elif kind == "method":                   # a method of a module-level object (it calls another)
            self.module_functions.add("scaler")
            return [f"{target} = np.tanh({target} + 0.5 * scaler.apply({target}))"]
        elif kind == "partial":
            self.module_functions.update(("apply_fn", "half_apply"))
            return [f"{target} = np.tanh({target} + 0.5 * half_apply({target}))"]
        else:
            self.module_functions.add("apply_fn")
            passed = side.choice(["np.sin", "soft", "lambda t: t * t", "nested", "closure", "closure"])
            if passed == "soft":
                self.module_functions.add("soft")
            if passed in ("nested", "closure"):      # a closure makes a clone of apply_fn for it
                factor = captured if passed == "closure" else "t"
                return [f"def {name}(t):", f"    return {unary}(t) * {factor}",
                        f"{target} = np.tanh({target} + 0.5 * apply_fn({name}, {target}))"]
            return [f"{target} = np.tanh({target} + 0.5 * apply_fn({passed}, {target}))"]
        return lines + [f"{target} = np.tanh({target} + 0.5 * {name}({target}))"]

    def state_use(self, scope):
        """A scalar rebound through state the compiler models (drawn from the side stream, reading names
        only): a loop with an `else` (after a `break` or not); a list grown by extend and insert, shrunk
        by pop, read at its last item before it grows, and by max and min; a dict read by get; an array
        written by fill, np.copyto, `out=`, np.fill_diagonal or np.add.at; an object made here, changed
        by its methods and by stores into its attributes, read by a property."""
        side = self.side
        scalars, arrays = scope.of(SCALAR), scope.of(ARRAY)
        if not scalars:
            return []
        target = side.choice(scalars)
        s = lambda: side.choice(scalars)                    # noqa: E731 (a scalar name)
        c = lambda: repr(round(side.uniform(-0.9, 0.9), 1))   # noqa: E731
        self.side_count += 1
        n = self.side_count
        kinds = ["loop_else", "while_else", "list", "grow", "dict", "object", "with", "builtins", "keywords",
                 "varargs"] \
            + (["array"] * 2 if arrays else [])
        kind = side.choice(kinds)
        if kind == "with":
            manager = side.choice(['np.errstate(over="ignore", invalid="ignore")', "warnings.catch_warnings()"])
            self.module_functions.add("warnings")
            body = [f"    {target} = np.tanh({target} * {c()} + {s()})"]
            if side.random() < 0.5:
                return [f"for e{n} in range({side.randint(1, 3)}):", f"    with {manager}:"] + \
                    ["    " + line for line in body] + [f"        if {target} > {c()}:", "            break"]
            return [f"with {manager}:"] + body
        if kind == "builtins":
            return [f"quo{n}, rem{n} = divmod({s()} + 2.0, 0.7)", f"d{n} = dict(a={s()}, b=pow({s()}, 2))",
                    f"{target} = np.tanh({target} + 0.1 * rem{n} * quo{n} + d{n}['a'] * d{n}['b'])"]
        if kind == "keywords":
            self.module_functions.add("scaled_power")
            call = side.choice([f"scaled_power({s()}, power=3)", f"scaled_power({s()}, {c()}, shift={s()})",
                                f"scaled_power({s()}, **opts{n})"])
            lines = [f"opts{n} = {{'power': {side.randint(1, 3)}, 'shift': {c()}}}"] if "opts" in call else []
            return lines + [f"{target} = np.tanh({target} + 0.3 * {call})"]
        if kind == "varargs":                   # a helper taking `*terms` (packed into one tuple)
            self.module_functions.add("spread")
            call = side.choice([f"spread({c()}, {s()}, {s()}, {s()})", f"spread({s()})",
                                f"spread({c()}, *({s()}, {s()}), bias={s()})", f"spread(bias={s()}, scale={c()})"])
            return [f"{target} = np.tanh({target} + 0.3 * {call})"]
        if kind == "object":
            return self.object_use(target, s, c, n)
        if kind == "loop_else":
            jump = [f"    if {target} > {c()}:", "        break"] if side.random() < 0.6 else []
            return [f"for e{n} in range({side.randint(1, 3)}):", f"    {target} = np.tanh({target} * {c()} + {s()})"] \
                + jump + ["else:", f"    {target} = {target} + 0.5 * {s()}"]
        if kind == "while_else":
            return [f"e{n} = 0", f"while e{n} < {side.randint(1, 3)}:", f"    e{n} += 1",
                    f"    {target} = np.tanh({target} + {c()} * {s()})", f"    if {target} < {c()}:",
                    "        break", "else:", f"    {target} = {target} * {c()}"]
        if kind == "list":
            xs = f"xs{n}"
            lines = [f"{xs} = [{s()}, np.sin({s()}), {c()}]"]
            ops = [f"{xs}.extend([{s()} * 0.5, np.tanh({s()})])", f"{xs}.extend(t * t for t in {xs}[:2])",
                   f"{xs}.insert({side.choice([0, 1, -1, 5])}, np.cos({s()}))", f"{xs}.pop({side.choice(['', '0', '1'])})",
                   f"popped{n} = {xs}.pop()\n{target} = {target} * 0.5 + popped{n}", f"{xs}.append({xs}[-1] * {s()})"]
            lines += [line for op in side.sample(ops, side.randint(2, 4)) for line in op.split("\n")]
            reader = side.choice([f"max({xs}) - min({xs})", f"max(t * t for t in {xs})", f"{xs}[-1] * {xs}[0]",
                                  f"sum({xs}) * 0.3"])
            return lines + [f"{target} = np.tanh({target} + {reader})"]
        if kind == "grow":
            trail = f"trail{n}"
            return [f"{trail} = [{s()}]", f"for e{n} in range({side.randint(1, 3)}):",
                    f"    {trail}.append(np.tanh({trail}[-1] * {s()}) + {c()})",
                    f"{target} = np.tanh({target} + 0.3 * sum({trail}))"]
        if kind == "dict":
            d = f"d{n}"
            return [f"{d} = {{'a': {s()}}}", f"{d}['b'] = np.sin({s()})",
                    f"{target} = np.tanh({target} + {d}.get('a', 0.0) * {d}.get('{side.choice('bc')}', {s()}))"]
        a, buf = side.choice(arrays), f"buf{n}"
        store = side.choice([f"np.copyto({buf}, {a} * {s()})", f"{buf}.fill({s()})",
                             f"np.multiply({a}, {a}, out={buf})", f"np.add.at({buf}, [0, 0, 2], {a})",
                             f"np.tanh({a}, out={buf})"])
        lines = [f"{buf} = np.{side.choice(['zeros', 'ones'])}(3)", store]
        if side.random() < 0.4:
            lines += [f"grid{n} = np.outer({a}, {buf})", f"np.fill_diagonal(grid{n}, np.tanh({a}))",
                      f"{buf} = np.sum(grid{n}, axis=0)"]
        return lines + [f"{target} = np.tanh({target} + 0.3 * np.sum({buf} * {a}))"]

    def object_use(self, target, s, c, n):
        """An object of a class of the program's module, made here and changed by a method that stores
        into `self`, by stores into its attributes (plain and augmented), read by a property or a method."""
        side = self.side
        if side.random() < 0.5:
            self.module_functions.add("accumulator")
            acc = f"acc{n}"
            lines = [f"{acc} = Accumulator({s()}" + (f", {c()})" if side.random() < 0.5 else ")"),
                     f"for e{n} in range({side.randint(1, 3)}):"]
            lines += [f"    {acc}.add({s()} * {c()})"] if side.random() < 0.5 else \
                [f"    got{n} = {acc}.add({s()} * {c()})", f"    {target} = {target} * 0.9 + 0.1 * got{n}"]
            if side.random() < 0.5:
                lines.append(f"{acc}.total += {s()}")
            if side.random() < 0.3:
                lines.append(f"{acc}.rate = np.tanh({s()})")
                lines.append(f"{acc}.add({c()})")
            return lines + [f"{target} = np.tanh({target} + {acc}.mean)"]
        self.module_functions.add("point")
        pt = f"pt{n}"
        lines = [f"{pt} = Point({s()}" + (f", y={s()})" if side.random() < 0.5 else ")")]
        if side.random() < 0.5:
            lines.append(f"{pt}.y = np.sin({s()})")
        if side.random() < 0.6:
            lines.append(f"{pt}.scale({s()})")
        return lines + [f"{target} = np.tanh({target} + {pt}.norm2() * {c()})"]

    def object_parameter(self, name, kind):
        """The first lines of f reading an object argument: {name: kind} they define, and the lines."""
        self.module_functions.add("objects")
        if kind == WEIGHTS:
            w, c = f"{name}_w", f"{name}_c"
            lines = [f"{w} = {name}.w", f"{c} = {name}.c"]
            if self.side.random() < 0.5:
                lines.append(f"{c} = {c} + 0.3 * {name}.energy({w})")
            return {w: ARRAY, c: SCALAR}, lines
        a, b = f"{name}_a", f"{name}_b"
        return {a: SCALAR, b: SCALAR}, [f"{a}, {b} = {name}"] if self.side.random() < 0.5 else \
            [f"{a} = {name}.a * {name}.b", f"{b} = {name}.b"]

    def stmt_return(self, scope, depth):
        return [f"if {self.condition(scope)}:", f"    return {self.expr(scope.returns, scope)}"], {}, True

    # --- functions ------------------------------------------------------------------------
    def helper(self, index):
        name = f"h{index}"
        kinds = [self.pick({SCALAR: 3, ARRAY: 1}) for _ in range(self.rng.randint(1, 3))]
        params = [f"p{i}" for i in range(len(kinds))]
        returns = self.pick({SCALAR: 5, ARRAY: 2, TUPLE: 3})
        scope = _Scope(dict(zip(params, kinds)), returns=returns)
        lines, _, _ = self.block(scope, self.rng.randint(1, 4), 1)
        if returns == TUPLE:
            lines.append(f"return {self.scalar(scope)}, {self.scalar(scope)}")
        else:
            lines.append(f"return {self.expr(returns, scope)}")
        self.helpers.append((name, kinds, returns))
        return _function(name, params, lines)

    def recursive(self, index):
        """A helper calling itself with a depth parameter."""
        name = f"r{index}"
        scope = _Scope({"x": SCALAR})
        base, step, extra = self.scalar(scope, 1), self.scalar(scope, 1), self.scalar(scope, 2)
        lines = ["if depth <= 0:", f"    return {base}", f"y = {step}",
                 f"return {name}(y, depth - 1) * {self.const(0.3, 0.9)} + {extra}"]
        self.helpers.append((name, [SCALAR, INT], SCALAR))
        return _function(name, ["x", "depth"], lines)

    def parameters(self):
        if self.rng.random() < 0.45:           # all scalars: grad-of-grad applies
            kinds = [SCALAR] * self.rng.randint(1, 3)
        else:
            kinds = [self.pick({SCALAR: 3, ARRAY: 3, MATRIX: 1, LIST: 1, DICT: 1}) for _ in range(self.rng.randint(1, 3))]
        prefix = {SCALAR: "x", ARRAY: "a", MATRIX: "m", LIST: "l", DICT: "d"}
        return [f"{prefix[k]}{i}" for i, k in enumerate(kinds)], kinds

    def result(self, scope):
        """The scalar output: a sum over a few live values, the latest defined ones preferred."""
        names = [n for n, k in scope.names.items() if k != INT]
        chosen = names[-2:] + self.rng.sample(names, min(len(names), self.rng.randint(0, 2)))
        terms = []
        for name in dict.fromkeys(chosen):
            kind = scope.names[name]
            terms.append({SCALAR: name, ARRAY: f"np.sum({name})", MATRIX: f"np.sum({name})", LIST: f"{name}[0]",
                          TUPLE: f"{name}[1]", DICT: f"{name}['p']"}[kind])
        return " + ".join(f"{self.const(0.5, 1.5)} * {t}" if i else t for i, t in enumerate(terms))

    def program(self, seed):
        functions = []
        for index in range(self.rng.choice([0, 1] if self.small else [0, 1, 1, 2, 2, 3])):
            functions.append(self.recursive(index) if self.rng.random() < 0.12 else self.helper(index))
        params, kinds = self.parameters()
        opening = []
        if self.side.random() < OBJECTS:
            kind = self.side.choice([WEIGHTS, PAIR])
            params, kinds = params + [f"o{len(params)}"], kinds + [kind]
        scope = _Scope({p: k for p, k in zip(params, kinds) if k not in (WEIGHTS, PAIR)})
        for p, k in zip(params, kinds):
            if k in (WEIGHTS, PAIR):
                names, opening = self.object_parameter(p, k)
                scope.names.update(names)
        lines, _, _ = self.block(scope, self.rng.randint(2, 4 if self.small else 7), 0)
        lines = opening + lines
        lines.append(f"return {self.result(scope)}")
        if self.side.random() < NAMESPACES:
            lines = _written_with_namespace(lines, [p for p, k in zip(params, kinds) if k in (ARRAY, MATRIX)])
        functions.append(_function("f", params, lines))
        args = tuple(self.value(k) for k in kinds)
        tangents = tuple(self.value(k) for k in kinds)
        modes = {"reverse": tuple(range(len(params))), "forward": True}
        if all(k == SCALAR for k in kinds):
            modes["grad-of-grad"] = (self.rng.randrange(len(kinds)), self.rng.randrange(len(kinds)))
        numeric = [i for i, k in enumerate(kinds) if k in (SCALAR, ARRAY, MATRIX)]
        if numeric:
            modes["hessian"] = self.rng.choice(numeric)
        used = [name for name in MODULE_FUNCTIONS if name in self.module_functions]     # definitions first
        functions = [MODULE_FUNCTIONS[name] for name in used] + functions
        return Program(HEADER + "\n\n" + "\n\n".join(functions), args, tangents, modes, seed)

    def value(self, kind):
        """An argument (or tangent) of a kind: floats in [-1.5, 1.5], full precision."""
        number = lambda: self.rng.uniform(-1.5, 1.5)          # noqa: E731
        if kind == ARRAY:
            return np.array([number() for _ in range(3)])
        if kind == MATRIX:
            return np.array([[number() for _ in range(3)] for _ in range(2)])
        if kind == LIST:
            return [number() for _ in range(3)]
        if kind == DICT:
            return {"p": number(), "q": np.array([number() for _ in range(3)])}
        if kind == WEIGHTS:
            return Weights(np.array([number() for _ in range(3)]), number())
        if kind == PAIR:
            return Pair(number(), number())
        return number()


def _scalar_program(name, seed):
    """A program of Python numbers written with NumPy (fuzz/scalars.py), in every mode."""
    source, params = scalars.generate_scalars(name)
    rng = random.Random(name + ":arguments")
    args = tuple(rng.uniform(-1.5, 1.5) for _ in params)
    tangents = tuple(rng.uniform(-1.5, 1.5) for _ in params)
    modes = {"reverse": tuple(range(len(params))), "forward": True,
             "grad-of-grad": (rng.randrange(len(params)), rng.randrange(len(params))), "hessian": rng.randrange(len(params))}
    return Program(source, args, tangents, modes, seed)


def _written_with_namespace(lines, arrays):
    """f's lines calling the array API namespace of its first array argument instead of NumPy (NumPy 2's
    arrays name theirs: NumPy), when every NumPy call has a standard name; else the lines as they were."""
    if not arrays:
        return lines
    calls = re.compile(r"\bnp\.(\w+)\(")
    if any(name not in IN_STANDARD for line in lines for name in calls.findall(line)) \
            or any("np." in calls.sub("", line) for line in lines):
        return lines
    rewritten = [calls.sub(lambda m: f"xp.{STANDARD_NAME[m.group(1)]}(", line) for line in lines]
    return [f"xp = {arrays[0]}.__array_namespace__()"] + rewritten


def _function(name, params, lines):
    return f"def {name}({', '.join(params)}):\n" + "".join(f"    {line}\n" for line in lines)


def literal(value):
    """Python source that rebuilds an argument exactly (repr of a float round-trips)."""
    if isinstance(value, (Weights, Pair)):
        fields = value._asdict() if isinstance(value, Pair) else {"w": value.w, "c": value.c}
        return f"{type(value).__name__}(" + ", ".join(f"{k}={literal(v)}" for k, v in fields.items()) + ")"
    if isinstance(value, np.ndarray):
        return f"np.array({literal(value.tolist())})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(literal(v) + ", " for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(float(value))
