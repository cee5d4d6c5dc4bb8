"""Pass the context and the state to kernels by reference: `Ref(T)` and `by_ref`.

numba passes a tuple argument by value, flattened: every array of `sim.state.State` becomes its
seven fields (meminfo, parent, size, itemsize, data, shape, stride), so a helper as small as
`sim.core.is_member(s, traits, i)` had 541 machine-level arguments and 180 KB of LLVM IR, and
every call copied them. Compiling the engine cold took 197 s (tuanzhang's first run, 2-core
machine, numba 0.68), 133 s of it in LLVM passes and code generation over that argument
traffic (cProfile); passed by reference, 31 s.

`by_ref(ctx)` stores a named tuple once in the calling kernel's frame and returns a `Ref` to it
(one pointer). A `Ref`'s attributes read like the tuple's: `ref.s` of a named-tuple field is a
`Ref` to it (an address, nothing copied), any other field (an array, a number) is loaded from
memory. Kernels need no other change: `ctx.s.interest[i]` reads the same with either kind of
`ctx`. A `Ref` lives as long as the kernel call that made it; kernels only pass it down.

A kernel that Python calls with a tuple starts with `ctx = by_ref(ctx)`; `by_ref` of a `Ref`
is that `Ref`, so the same kernel also takes one from another kernel.
"""

import numba
from numba.core import cgutils, types
from numba.core.datamodel import models
from numba.core.extending import intrinsic, lower_getattr_generic, register_model
from numba.core.imputils import impl_ret_borrowed
from numba.core.typing.templates import AttributeTemplate, infer_getattr


class Ref(types.Type):
    """numba type: the address of a named tuple of type `target` (a `types.BaseNamedTuple`)."""

    def __init__(self, target: types.BaseNamedTuple):
        self.target = target
        super().__init__(name=f"Ref({target})")

    @property
    def key(self):
        return self.target


@register_model(Ref)
class _RefModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, dmm.lookup(fe_type.target).get_value_type().as_pointer())


def _field(target: types.BaseNamedTuple, attr: str) -> types.Type:
    t = target.types[target.fields.index(attr)]
    return Ref(t) if isinstance(t, types.BaseNamedTuple) else t


@infer_getattr
class _RefAttributes(AttributeTemplate):
    key = Ref

    def generic_resolve(self, ref, attr):
        if attr in ref.target.fields:
            return _field(ref.target, attr)
        return None


@lower_getattr_generic(Ref)
def _ref_getattr(context, builder, typ, value, attr):
    k = typ.target.fields.index(attr)
    address = cgutils.gep_inbounds(builder, value, 0, k)
    t = _field(typ.target, attr)
    if isinstance(t, Ref):
        return address
    return impl_ret_borrowed(context, builder, t, builder.load(address))


@intrinsic
def _by_ref(typingctx, tup):
    if isinstance(tup, Ref):
        return tup(tup), lambda context, builder, signature, args: args[0]
    if not isinstance(tup, types.BaseNamedTuple):
        return None

    def codegen(context, builder, signature, args):
        address = cgutils.alloca_once(builder, args[0].type)
        builder.store(args[0], address)
        return address

    return Ref(tup)(tup), codegen


def _as_is(tup):
    return tup


by_ref = _as_is if numba.config.DISABLE_JIT else _by_ref
"""`by_ref(tup)`: a `Ref` to named tuple `tup`, stored in the calling kernel's frame; a `Ref`
as it is; anything else is a numba TypingError. Without the JIT (NUMBA_DISABLE_JIT=1) kernels
run as Python, and a tuple is its own reference."""
