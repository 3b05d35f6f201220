"""Random programs of Python numbers written with NumPy's functions, the way NumPy users write scalar
code (`np.sin(x)` of a float): the code adjoint compiles for Python numbers (adjoint/floats.py) runs
them, and the oracle compares its gradient with the unspecialised code's. A program mixes what the
specialisation rewrites (NumPy's functions of numbers, powers of their results), what it keeps
(math's functions, module-level constants, lists of numbers made into arrays), helpers compiled for
numbers, loops, branches and `(-1) ** k`; some programs use a NumPy scalar the way only an
np.float64 allows, and must be left to the unspecialised code.
"""
import random

SHARE = 0.15                # of generate()'s programs
HEADER = "import math\n\nimport numpy as np\n\nGAIN = 0.7\n"
UNARY = ["np.sin", "np.cos", "np.tanh", "np.arctan", "np.arcsinh", "math.sin", "math.tanh", "np.sinh"]
# (bases of fractional powers stay away from 0, where |t| ** 1.5 has no second derivative: at
# t = x0 - x0 forward mode multiplies a zero tangent by an infinite slope, nan, where the Hessian of
# the composition is 0; differences cannot judge such a point)
POSITIVE = ["np.sqrt(1.0 + {0} * {0})", "np.log(1.5 + {0} * {0})", "np.log1p({0} * {0})", "np.exp(np.tanh({0}))",
            "np.cosh(0.5 * {0})", "(0.1 + np.abs({0})) ** 1.5", "(1.2 + np.sin({0})) ** 0.5", "np.hypot({0}, 0.5)"]


class _Scalars:
    def __init__(self, rng):
        self.rng, self.counter, self.helpers = rng, 0, []

    def fresh(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self):
        return repr(round(self.rng.uniform(-1.0, 1.0), 1))

    def expr(self, names, ints=(), depth=0):
        if depth >= 3 or self.rng.random() < 0.3:
            return self.rng.choice(names) if self.rng.random() < 0.8 else self.const()
        a = lambda: self.expr(names, ints, depth + 1)          # noqa: E731
        choice = self.rng.choices(["binop", "unary", "positive", "div", "helper", "gain", "sign", "array", "pair"],
                                  [6, 5, 3, 2, 2 if self.helpers else 0, 1, 1 if ints else 0, 0.2, 1])[0]
        if choice == "binop":
            return f"({a()} {self.rng.choice(['+', '-', '*'])} {a()})"
        if choice == "unary":
            return f"{self.rng.choice(UNARY)}({a()})"
        if choice == "positive":
            return self.rng.choice(POSITIVE).format(a())
        if choice == "div":
            return f"({a()} / (1.5 + {a()} ** 2))"
        if choice == "helper":
            name, arity = self.rng.choice(self.helpers)
            return f"{name}({', '.join(a() for _ in range(arity))})"
        if choice == "gain":
            return f"(GAIN * {a()})"
        if choice == "sign":
            return f"((-1) ** {self.rng.choice(ints)} * {a()})"
        if choice == "array":
            return f"np.sum(np.array([{a()}, {a()}, {self.const()}]) ** 2)"
        return f"np.arctan2({a()}, 1.0 + {a()} ** 2)"

    def helper(self, index):
        params = ["a", "b"][:self.rng.choice([1, 2])]
        name = f"g{index}"
        body = [f"    t = {self.expr(params)}"]
        if self.rng.random() < 0.3:
            body += [f"    if t > {self.const()}:", f"        t = {self.expr(params + ['t'])}"]
        body.append(f"    return {self.expr(params + ['t'])}")
        self.helpers.append((name, len(params)))
        return f"def {name}({', '.join(params)}):\n" + "\n".join(body) + "\n"

    def block(self, names, ints, depth):
        lines = []
        for _ in range(self.rng.randint(1, 3)):
            kind = self.rng.choices(["assign", "update", "if", "for", "odd"], [4, 3, 2, 2 if depth < 2 else 0, 0.3])[0]
            if kind == "assign":
                name = self.fresh()
                lines.append(f"{name} = {self.expr(names, ints)}")
                names = names + [name]
            elif kind == "update":
                target = self.rng.choice([n for n in names if n.startswith("v")] or names[:1])
                lines.append(f"{target} = np.tanh({target} + {self.expr(names, ints)})")
            elif kind == "if":
                inner, _ = self.block(names, ints, depth + 1)
                lines += [f"if {self.expr(names, ints, 2)} > {self.const()}:"] + ["    " + s for s in inner]
                if self.rng.random() < 0.5:
                    other, _ = self.block(names, ints, depth + 1)
                    lines += ["else:"] + ["    " + s for s in other]
            elif kind == "for":
                counter = self.fresh("k")
                inner, _ = self.block(names, list(ints) + [counter], depth + 1)
                lines += [f"for {counter} in range({self.rng.randint(1, 4)}):"] + ["    " + s for s in inner]
            else:       # an np.float64 used as one: the function is left to the unspecialised code
                name = self.fresh()
                lines.append(f"{name} = np.sin({self.rng.choice(names)})")
                lines.append(f"{name} = {name} * (1.0 + {name}.ndim)")
                names = names + [name]
        return lines, names

    def program(self):
        helpers = [self.helper(i) for i in range(self.rng.choice([0, 1, 1, 2]))]
        params = [f"x{i}" for i in range(self.rng.randint(1, 3))]
        lines, names = self.block(list(params), (), 0)
        lines.append(f"return {self.expr(names)}")
        source = "\n\n".join(helpers + ["def f(" + ", ".join(params) + "):\n" + "\n".join("    " + s for s in lines)])
        return params, HEADER + "\n\n" + source


def generate_scalars(seed):
    """(source, parameter names) of the program seed names."""
    params, source = _Scalars(random.Random(seed)).program()
    return source, params
