"""Operator count per training step of `calibtut.train.fit`, from a torch.profiler trace on the CPU.

Run: .venv/bin/python nbs/bench/ops.py [--steps 8] [--loss bsce_gra] [--preset paper]

Every leaf aten operator call of the profiled `fit` (data loading, forward, loss, backward, clip, optimizer step,
device-side metrics) is counted and divided by the number of steps; the forward and backward of the network
itself are the same for any loop, so the numbers to compare are the totals. Leaves that only make views or read
metadata (VIEWS) are left out; every other leaf launches about one kernel on a GPU. On the CPU, SGD and clipping
loop over the parameters (CUDA uses multi-tensor or fused kernels), so CPU counts are higher than CUDA's.
"""
import argparse, collections
import torch
from torch.profiler import profile, ProfilerActivity
from calibtut.data import GPULoader
from calibtut.models import get_model
from calibtut.losses import get_loss
from calibtut.train import fit


# operators that only make a view or read metadata: no kernel on a GPU
VIEWS = {'aten::' + n for n in ('detach', 'detach_', 'select', 'slice', 'unsqueeze', 'squeeze', 'view', 'reshape',
         '_reshape_alias', 't', 'expand', 'as_strided', 'permute', 'transpose', 'alias', 'lift_fresh', 'to',
         '_has_compatible_shallow_copy_type', 'empty', 'empty_like', 'empty_strided', 'resolve_conj', 'resolve_neg',
         'result_type', 'size', 'stride', 'is_nonzero', 'numpy_T', 'flatten', 'unflatten', 'contiguous', 'split',
         'chunk', 'unbind', 'narrow', 'expand_as', 'view_as', 'set_', 'zero_', 'record_stream', 'item',
         '_local_scalar_dense')}


def count_ops(steps=8, loss='bsce_gra', preset='paper', batch=32):
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (steps * batch, 1, 8, 8), dtype=torch.uint8, generator=g)
    y = torch.randint(0, 10, (steps * batch,), generator=g)
    dl = GPULoader(x, y, batch, shuffle=True, augment=True, mean=(0.5,), std=(0.25,), seed=0)
    model = get_model('digits_net', in_channels=1)
    fit(model, get_loss(loss), dl, epochs=1, preset=preset, progress=False)  # warm-up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit(model, get_loss(loss), dl, epochs=1, preset=preset, progress=False)
    events = [e for e in prof.events() if e.name.startswith('aten::')]
    parents = {id(e.cpu_parent) for e in events if e.cpu_parent is not None}
    top = collections.Counter(e.name for e in events  # leaves that compute: one kernel each on a GPU
                              if id(e) not in parents and e.name not in VIEWS)
    return sum(top.values()) / steps, top


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=8); p.add_argument('--loss', default='bsce_gra')
    p.add_argument('--preset', default='paper')
    a = p.parse_args()
    torch.set_num_threads(1)
    per_step, top = count_ops(a.steps, a.loss, a.preset)
    print(f"{a.preset} preset, loss {a.loss}: {per_step:.1f} kernel-launching aten ops per step")
    for name, n in top.most_common(25): print(f"  {n / a.steps:6.1f}  {name}")
