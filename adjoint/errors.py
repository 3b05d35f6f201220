"""Every error adjoint raises derives from AdjointError."""


class AdjointError(Exception):
    """Base class of everything the compiler raises."""


class UnsupportedSyntax(AdjointError):
    """A construct the compiler cannot differentiate, reported at the user's line."""

    def __init__(self, message, filename="<unknown>", lineno=0, col=0, line="", hint=""):
        self.filename, self.lineno, self.col = filename, lineno, col
        self.line, self.hint, self.reason = line, hint, message
        text = f'File "{filename}", line {lineno}, column {col + 1}\n' if lineno else ""   # (0: found at run time)
        if line:
            stripped = line.rstrip()
            indent = len(stripped) - len(stripped.lstrip())
            text += f"    {stripped.lstrip()}\n    {' ' * max(col - indent, 0)}^\n"
        text += f"UnsupportedSyntax: {message}"
        if hint:
            text += f"\nhint: {hint}"
        super().__init__(text)


class NonDifferentiable(AdjointError):
    """A call on an active value with no derivative rule and no readable source."""

    def __init__(self, name, where="", reason="it has no derivative rule and its source cannot be read"):
        self.name = name
        text = f"cannot differentiate {name if ' ' in name else 'a call to ' + name}{where}: {reason}.\n"
        target = name if name.replace(".", "").replace("_", "").isalnum() else "the_function"
        text += (f"Register a rule, e.g.\n"
                 f"    adjoint.defrule({target}, 'x', reverse={{'x': 'g * <derivative at x>'}})\n"
                 f"or wrap the argument in adjoint.stop_gradient(...) if no derivative should flow.")
        super().__init__(text)


class NoSource(AdjointError):
    """The function's source text is unavailable (a builtin, or code typed at a prompt)."""


class ArgumentError(AdjointError, TypeError):
    """A derivative called with arguments that do not fit the function: missing, extra, or of a kind
    that cannot be differentiated (a string, None). A TypeError too, as Python's own would be."""


class ShapeError(AdjointError, ValueError):
    """A tangent or cotangent whose shape is not that of the value it belongs to."""
