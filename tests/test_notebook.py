"""Functions defined in IPython/Jupyter cells: their source lives in linecache, not in a file."""
import linecache

import pytest

import adjoint

CELL = '''
import numpy as np

def cell_function(x):
    y = np.sin(x) * x
    return y * 2.0
'''


def test_function_from_a_notebook_cell():
    filename = "<ipython-input-7-0123456789ab>"
    linecache.cache[filename] = (len(CELL), None, CELL.splitlines(True), filename)
    namespace = {"__name__": "__main__"}
    exec(compile(CELL, filename, "exec"), namespace)
    fn = namespace["cell_function"]
    import numpy as np
    assert adjoint.grad(fn)(0.7) == pytest.approx(2.0 * (np.cos(0.7) * 0.7 + np.sin(0.7)))
    assert "def grad_cell_function" in adjoint.source(fn)


def test_function_typed_at_a_prompt_says_how_to_fix_it():
    namespace = {}
    exec(compile("def typed(x):\n    return x * 2.0\n", "<stdin>", "exec"), namespace)
    with pytest.raises(adjoint.AdjointError, match="source"):
        adjoint.grad(namespace["typed"])(1.0)
