"""All fresh names come from here, so generated names are deterministic and readable."""
import re

_VERSION = re.compile(r"^(.*?)_(\d+)$")


class Namer:
    """Hands out names that collide with nothing the user's function can see."""

    def __init__(self, taken=()):
        self.taken = set(taken)
        self.temporaries = set()      # names the compiler invented to hold intermediate values
        self.derivatives = set()      # names of adjoints and tangents
        self.origin = {}              # SSA version -> the variable it is a version of (`x_2` -> `x`)
        self._next_temp = 1
        self._runtime = None

    def runtime_name(self):
        """The one name generated code (and IR that calls the runtime, such as writes) gives adjoint's
        runtime: `rt` unless the user's function has an `rt` of its own."""
        if self._runtime is None:
            self._runtime = self.fresh("rt")
        return self._runtime

    def reserve(self, name):
        self.taken.add(name)
        return name

    def fresh(self, base):
        """`base` if it is free, else `base_1`, `base_2`, ..."""
        base = base or "t"
        if base not in self.taken:
            return self.reserve(base)
        stem = base
        match = _VERSION.match(base)
        if match:
            stem = match.group(1)
        k = 1
        while f"{stem}_{k}" in self.taken:
            k += 1
        return self.reserve(f"{stem}_{k}")

    def temp(self):
        """A short numbered temporary: t1, t2, ..."""
        k = self._next_temp
        while f"t{k}" in self.taken:
            k += 1
        self._next_temp = k + 1
        self.temporaries.add(f"t{k}")
        return self.reserve(f"t{k}")

    def temporary(self, base):
        """A fresh name for an intermediate value the user never wrote (cleanup may inline it)."""
        name = self.fresh(base)
        self.temporaries.add(name)
        return name

    def adjoint(self, name):
        """The adjoint of `W1` is `dW1` (or `dW1_1` if the user already has a `dW1`); the adjoint of
        a temporary is a temporary too."""
        derivative = self.temporary("d" + name) if name in self.temporaries else self.fresh("d" + name)
        self.derivatives.add(derivative)
        return derivative

    tangent = adjoint      # forward mode: the tangent of `x` is `dx` too


def fresh_in(name, taken):
    """`name` if it is not in the set `taken`, else `name_1`, `name_2`, ...; added to taken."""
    candidate, k = name, 0
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    taken.add(candidate)
    return candidate
