"""Derivative rules, grouped by family. Importing this package registers them all."""
from . import elementwise, fft, linalg, operators, reductions, runtime_rules, shape, special  # noqa: F401  (registration)
from .core import (ATTRIBUTES, CONSTANT_ATTRIBUTES, FIELD, CONSTANT_METHODS, METHODS, RULES, Rule,  # noqa: F401
                   all_rules, attribute, complex_form, complex_reverse, defrule, elementwise as elementwise_rule,
                   holomorphic, is_constant, linear, lookup, method, nondifferentiable, real_valued, unary)
from .operators import lists_read_as_arrays  # noqa: F401
