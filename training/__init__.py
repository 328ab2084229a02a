"""Training helpers for networks that must fit the chip, in numpy: quantisers with the
straight-through estimator, trinary rounding with hysteresis, balanced quantisation, hard
activations, spike-count decoding.

Import the submodule you need (``corelet.training.quantise``, ``corelet.training.trinary``,
``corelet.training.decode``, ...); this package imports nothing itself. The examples of the seed
papers train with these, and so can users for their own networks. Pure numpy: no stage of the
toolchain is imported.
"""
