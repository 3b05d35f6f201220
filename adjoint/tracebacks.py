"""Point errors raised inside generated code at the user's line they come from.

Generated code runs under file names starting with `<adjoint ` that linecache serves. The backward
sweep carries a comment `# h = np.tanh(z)  [model.py:12]` above the block of each user statement;
the forward sweep mirrors the user's statements, so its lines are matched to them by text.
"""
import ast
import difflib
import inspect
import linecache
import os
import re
import sys

_COMMENT = re.compile(r"^(\s*)# (.*)  \[(.+):(\d+)\]\s*$")
_DEF = re.compile(r"^(\s*)def \w+\(")
_CALLEE = re.compile(r"(\w+)_(?:fwd|jvp)\(")      # a generated callee call, `helper_fwd(x)` -> `helper(x)`


def annotate(exc):
    """Add a note to exc naming the generated line that raised it and the user's line behind it."""
    try:
        frame, lineno = _innermost_generated(exc.__traceback__)
        if frame is not None:
            _add_note(exc, _describe(frame, lineno))
    except Exception:          # a note is a courtesy: never hide the user's exception behind ours
        pass
    return exc


def _innermost_generated(tb):
    found = None, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith("<adjoint "):
            found = tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next
    return found


def _add_note(exc, note):
    notes = getattr(exc, "__notes__", None) or []
    if note in notes:
        return
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:                      # Python < 3.11 keeps the note but does not print it
        exc.__notes__ = notes + [note]


def _describe(frame, lineno):
    code = frame.f_code
    lines = linecache.getlines(code.co_filename)
    line = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else "?"
    head = f"in generated code {code.co_name}, line {lineno}: {line}"
    sweep, comment = _backward_comment(lines, lineno, code.co_name)
    if comment:
        text, filename, user_line = comment
        return f"{head}\n  derivative of {filename} line {user_line}: {text}"
    if sweep == "backward":
        return f"{head}\n  (in the backward sweep)"
    where = "forward-mode code" if code.co_name.endswith("_jvp") else "the forward sweep"
    origin = _forward_origin(frame, line)
    if origin:
        filename, user_line, text = origin
        return f"{head}\n  in {where}, from {filename} line {user_line}: {text}"
    return f"{head}\n  (in {where})"


def _backward_comment(lines, lineno, function):
    """('backward', (text, file, line)) for the nearest comment above lineno in its function;
    ('backward', None) past the blank line that starts the backward sweep; ('forward', None) else."""
    line = lines[lineno - 1]
    indent = len(line) - len(line.lstrip())
    for previous in reversed(lines[:lineno - 1]):
        if not previous.strip():
            return "backward", None
        match = _COMMENT.match(previous)
        if match and len(match.group(1)) <= indent:
            return "backward", (match.group(2), match.group(3), int(match.group(4)))
        definition = _DEF.match(previous)
        if definition and len(definition.group(1)) < indent:
            break
    return ("backward" if function.endswith("_bwd") else "forward"), None


def _forward_origin(frame, line):
    """(file, line, text) of the user's statement a forward-sweep line mirrors, or None."""
    fn = _user_function(frame)
    if fn is None:
        return None
    source, start = inspect.getsourcelines(fn)
    indent = len(source[0]) - len(source[0].lstrip())
    tree = ast.parse("".join(s[indent:] if s[:indent].isspace() else s for s in source))
    statements = [(node, source[node.lineno - 1].strip()) for node in ast.walk(tree.body[0])
                  if isinstance(node, ast.stmt) and node is not tree.body[0]]
    best = _match(line, statements)
    if best is None:
        return None
    filename = os.path.basename(inspect.getsourcefile(fn) or "?")
    return filename, start + best.lineno - 1, source[best.lineno - 1].strip()


def _user_function(frame):
    """The user function whose generated code runs in frame (its file name says which)."""
    match = re.match(r"^<adjoint \S+ of (\S+) \(", frame.f_code.co_filename)
    module_name = frame.f_globals.get("__name__", "")
    if not match or not match.group(1).startswith(module_name + "."):
        return None
    value = sys.modules.get(module_name)
    for part in match.group(1)[len(module_name) + 1:].split("."):
        value = getattr(value, part, None)
    while hasattr(value, "__adjoint_wrapped__"):
        value = value.__adjoint_wrapped__
    return value if inspect.isfunction(value) else None


def _match(line, statements):
    """The user statement (ast node) that the generated line `line` most likely computes."""
    try:
        node = ast.parse(line + "\n    pass" if line.endswith(":") else line).body[0]
    except SyntaxError:
        return None
    value = getattr(node, "value", None) if not isinstance(node, ast.For) else node.iter
    rhs = _CALLEE.sub(r"\1(", ast.unparse(value)) if value is not None else ""
    if isinstance(node, ast.Return):
        candidates = [s for s in statements if isinstance(s[0], ast.Return)]
        return _closest(line, candidates)
    for name in _stored(node):
        for base in (name, re.sub(r"(_\d+)+$", "", name), re.sub(r"(_\d+)+$", "", name[1:])):
            candidates = [s for s in statements if base in _stored(s[0])]
            if candidates:
                return _closest(rhs or line, candidates)
    if rhs:
        containing = [s for s in statements if rhs in s[1]]
        if containing:
            return containing[0][0]
    return _closest(line, statements, threshold=0.6)


def _stored(node):
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)) else []
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _closest(text, candidates, threshold=0.0):
    scored = [(difflib.SequenceMatcher(None, text, line).ratio(), node) for node, line in candidates]
    scored = [s for s in scored if s[0] >= threshold]
    return max(scored, key=lambda s: s[0])[1] if scored else None
