"""Arguments with structure: lists, tuples, dicts and objects of user classes, walked leaf by leaf.

A gradient has its argument's structure. For an object of a user class, that is an object of the
same class for a NamedTuple or a dataclass, and a dict keyed by attribute name for other classes.
Attributes that hold nothing a derivative can flow through (an int, a flag, a string, None, a
function, an integer array) hold None in the gradient. `tree_map` applies a function leaf by leaf,
so an update step reads `params = adjoint.tree_map(lambda p, g: p - lr * g, params, grads)`.
"""
import copy

from .runtime import attributes, differentiable, is_named_tuple, is_object


def replaced(x, values):
    """A copy of the object x with the attributes in `values` (name -> value) replaced; x unchanged."""
    if is_named_tuple(x):
        return x._replace(**values)
    out = copy.copy(x)
    for name, value in values.items():
        object.__setattr__(out, name, value)        # (a frozen dataclass too)
    return out


def _part(tree, key):
    """The part of a gradient-like tree at `key` (an index, a dict key or an attribute name); None
    where it holds none."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return tree.get(key)
    if isinstance(key, str) and is_object(tree):
        return getattr(tree, key, None)
    return tree[key]


def tree_map(f, tree, *rest):
    """f applied leaf by leaf to `tree` and to the same places of `rest` (trees of the same
    structure: gradients, tangents), giving `tree`'s structure; where `tree` holds nothing
    differentiable or one of `rest` holds None, `tree`'s value is kept:

        params = adjoint.tree_map(lambda p, g: p - 0.1 * g, params, adjoint.grad(loss)(params, x))
    """
    if any(r is None for r in rest) or not differentiable(tree):
        return tree
    if isinstance(tree, dict):
        return {k: tree_map(f, v, *(_part(r, k) for r in rest)) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)) and not is_named_tuple(tree):
        return type(tree)(tree_map(f, v, *(_part(r, i) for r in rest)) for i, v in enumerate(tree))
    if is_object(tree):
        return replaced(tree, {name: tree_map(f, v, *(_part(r, name) for r in rest))
                               for name, v in attributes(tree).items() if differentiable(v)})
    return f(tree, *rest)


def leaves(tree):
    """The differentiable leaves of tree (numbers and arrays), in the order tree_map visits them."""
    out = []
    tree_map(lambda leaf: out.append(leaf) or leaf, tree)
    return out
