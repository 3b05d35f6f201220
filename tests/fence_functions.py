"""Functions the fence must reject at compile time; the offending line ends with a REJECT marker and a tag.

Each tag names what is rejected; tests/test_fence.py finds the line by its marker and checks that
every kind of rejection the fence knows has a function here.
"""
import operator
import random

import numpy as np


def try_block(x):
    try:  # REJECT Try
        x = x * 2.0
    except ValueError:
        pass
    return x


def comprehension_in_a_while_test(x):
    while sum([v for v in x]) < 3.0:  # REJECT comprehension-in-while
        x = x * 2.0
    return np.sum(x)


def comprehension_on_one_side_of_a_condition(x, flag):
    return sum([v for v in x] if flag else [0.0])  # REJECT comprehension-in-ifexp


def set_comprehension(x):
    return len({x * i for i in range(3)}) * x  # REJECT SetComp


def comprehension_after_or(x, flag):
    return sum(flag or [v for v in x])  # REJECT comprehension-after-or


COUNT = 0


def global_statement(x):
    global COUNT  # REJECT Global
    COUNT = COUNT + 1
    return x


def _make_nonlocal():
    total = 0.0

    def nonlocal_statement(x):
        nonlocal total  # REJECT Nonlocal
        total = total + x
        return total
    return nonlocal_statement


nonlocal_statement = _make_nonlocal()


def yields(x):
    yield x * 2.0  # REJECT Yield


def yields_from(x):
    yield from [x]  # REJECT YieldFrom


def async_with(x):
    async def inner():  # REJECT AsyncWith
        async with x:
            pass
    return x


def async_for(x):
    async def inner():  # REJECT AsyncFor
        async for v in x:
            pass
    return x


def awaits(x):
    async def inner():  # REJECT Await
        await x
    return x


def async_function(x):
    async def inner():  # REJECT AsyncFunctionDef
        return x
    return x




def nested_class(x):
    class Inner:  # REJECT ClassDef
        pass
    return x


def deletes(x):
    y = x * 2.0
    del y  # REJECT Delete
    return x


def imports(x):
    import math  # REJECT Import
    return math.sin(x)


def imports_from(x):
    from math import sin  # REJECT ImportFrom
    return sin(x)


def walrus(x):
    if (y := x * 2.0) > 1:  # REJECT NamedExpr
        return y
    return x


def set_display(x):
    return len({x, 1.0}) * x  # REJECT Set


def starred_display(x):
    items = [*x, 2.0]  # REJECT Starred
    return items[0]


def star_kwargs(x, **options):  # REJECT vararg
    return x * options["scale"]


def keyword_only(x, shift=0.0, *, scale):  # REJECT kwonly
    return x * scale + shift


def store_through_two_subscripts(x):
    y = np.zeros((3, 3))
    y[0][1] = x  # REJECT store-through-two-subscripts
    return np.sum(y)


def store_into_a_view(x):
    y = np.zeros((3, 3))
    row = y[0]
    row[1] = x  # REJECT store-into-a-view
    return np.sum(row)


def store_seen_through_another_name(x):
    y = np.zeros(3)
    z = y
    y[0] = x  # REJECT store-seen-through-another-name
    return np.sum(z)


def store_into_one_of_two_arrays(x, flag):
    a = np.zeros(3)
    b = np.ones(3)
    y = a if flag else b
    y[0] = x  # REJECT store-into-one-of-two-arrays
    return np.sum(y)


def loop_target_stores_into_an_item(x):
    y = np.zeros(3)
    for y[0] in x:  # REJECT loop-target-item
        pass
    return np.sum(y)


class Box:
    pass


def attribute_target(x):
    boxes = [Box()]
    boxes[0].value = x  # REJECT attribute-target
    return boxes[0].value


def double_star_call(x):
    options = {"axis": 0}
    options["keepdims"] = True
    return np.sum(x, **options)  # REJECT kwargs-call


# --- in-place NumPy and Python mutators ---------------------------------------------------------
def copyto(x):
    y = np.zeros(3)
    np.copyto(y, x, where=x > 0.0)  # REJECT np.copyto
    return np.sum(y)


def fill_diagonal(x):
    y = np.zeros((3, 3))
    np.fill_diagonal(y, x, wrap=True)  # REJECT np.fill_diagonal
    return np.sum(y)


def put(x):
    y = np.zeros(3)
    np.put(y, [0], x)  # REJECT np.put
    return np.sum(y)


def place(x):
    y = np.zeros(3)
    np.place(y, y == 0, x)  # REJECT np.place
    return np.sum(y)


def putmask(x):
    y = np.zeros(3)
    np.putmask(y, y == 0, x)  # REJECT np.putmask
    return np.sum(y)


def put_along_axis(x):
    y = np.zeros(3)
    np.put_along_axis(y, np.array([0]), x, axis=0)  # REJECT np.put_along_axis
    return np.sum(y)


def numpy_shuffle(x):
    y = x * 1.0
    np.random.shuffle(y)  # REJECT np.random.shuffle
    return np.sum(y)


def python_shuffle(x):
    y = [x, 2.0 * x]
    random.shuffle(y)  # REJECT random.shuffle
    return y[0]


def uses_setattr(x):
    box = Box()
    setattr(box, "value", x)  # REJECT setattr
    return x


def uses_delattr(x):
    box = Box()
    delattr(box, "value")  # REJECT delattr
    return x


def uses_exec(x):
    exec("y = 1")  # REJECT exec
    return x


def uses_eval(x):
    return eval("x * 2.0")  # REJECT eval


def out_keyword_of_a_reduction(x):
    y = np.zeros(())
    z = np.sum(x, out=y)  # REJECT out=sum
    return z


def out_positional(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, y)  # REJECT ufunc-out
    return np.sum(y)


def ufunc_at(x):
    y = x * 1.0
    np.multiply.at(y, [0, 0], 2.0)  # REJECT ufunc.at
    return np.sum(y)


def sort_method(x):
    y = x * 1.0
    y.sort()  # REJECT .sort
    return np.sum(y * np.arange(3))


def resize_method(x):
    y = x * 1.0
    y.resize((3,))  # REJECT .resize
    return np.sum(y)


def partition_method(x):
    y = x * 1.0
    y.partition(1)  # REJECT .partition
    return np.sum(y * np.arange(3))


def sort_in_an_expression(x):
    y = x * 1.0
    z = y.sort()  # REJECT .sort-value
    return np.sum(y) + (z is None)


def fill_through_the_class(x):
    y = x * 1.0
    np.ndarray.fill(y, 2.0)  # REJECT ndarray.fill
    return np.sum(y)


def list_append_in_an_expression(x):
    y = [x]
    z = y.append(x)  # REJECT .append-value
    return y[0] + y[1] + z


def list_extend(x):
    y = [x]
    z = y.extend([x])  # REJECT .extend-value
    return y[0] + y[1] + z


def dict_pop(x):
    d = {"a": x, "b": 2.0 * x}
    z = d.pop("a")  # REJECT dict.pop
    return z + d["b"]


def dunder_setitem(x):
    y = np.zeros(3)
    y.__setitem__(0, x)  # REJECT .__setitem__
    return np.sum(y)


def dunder_iadd(x):
    y = x * 1.0
    y.__iadd__(1.0)  # REJECT .__iadd__
    return np.sum(y)


def enumerate_with_a_start(x):
    s = 0.0
    for i, v in enumerate([x, 2.0 * x], 1):  # REJECT enumerate-start
        s = s + v * i
    return s


def operator_iadd(x):
    y = x * 1.0
    operator.iadd(y, 1.0)  # REJECT operator.iadd
    return np.sum(y)


def operator_setitem(x):
    y = np.zeros(3)
    operator.setitem(y, 0, x)  # REJECT operator.setitem
    return np.sum(y)


def operator_delitem(x):
    y = [x, x]
    operator.delitem(y, 0)  # REJECT operator.delitem
    return y[0]


def operator_isub(x):
    y = x * 1.0
    operator.isub(y, 2.0)  # REJECT operator.isub
    return np.sum(y)


def operator_imul(x):
    y = x * 1.0
    operator.imul(y, 2.0)  # REJECT operator.imul
    return np.sum(y)


def operator_itruediv(x):
    y = x * 1.0
    operator.itruediv(y, 2.0)  # REJECT operator.itruediv
    return np.sum(y)


def operator_ipow(x):
    y = x * 1.0
    operator.ipow(y, 2.0)  # REJECT operator.ipow
    return np.sum(y)


def operator_imatmul(x):
    y = x * 1.0
    operator.imatmul(y, 2.0)  # REJECT operator.imatmul
    return np.sum(y)


def operator_imod(x):
    y = x * 1.0
    operator.imod(y, 2.0)  # REJECT operator.imod
    return np.sum(y)


def operator_ifloordiv(x):
    y = x * 1.0
    operator.ifloordiv(y, 2.0)  # REJECT operator.ifloordiv
    return np.sum(y)
