"""Derivative rules, grouped by family. Importing this package registers them all."""
from . import (definitions, elementwise, fft, linalg, no_derivative, operators, reductions,  # noqa: F401
               runtime_rules, shape, special)  # (registration)
from . import core
from .core import (ATTRIBUTES, CONSTANT_ATTRIBUTES, FIELD, CONSTANT_METHODS, METHODS, RULES, Rule,  # noqa: F401
                   DEFINITIONS, all_rules, attribute, complex_form, complex_reverse, defined_by, defrule, definition,
                   elementwise as elementwise_rule,
                   holomorphic, is_constant, linear, lookup, method, nondifferentiable, real_valued, unary,
                   UNSUPPORTED, unsupported_functions, unsupported_reason, without_derivative)
from .operators import lists_read_as_arrays  # noqa: F401

core.mark_selectors()
