"""Seed 001 (Diehl, Zarrella et al., Elman RNNs on TrueNorth) reproduced: an Elman layer with ReLUs
and no biases trained in numpy by backpropagation through time, its weights and state quantised to
4 bits, and the layer compiled onto one core whose hidden state goes round through the chip's
longest delay (one RNN step = 16 ticks), run on the runtime with rate-coded inputs.

* ``python -m examples.elman eval --sequences FILE.npz``: the committed network on given sentences;
* ``python -m examples.elman.report``: the seed's Table 1 beside ours, into docs/results.md;
* ``python -m examples.elman.train``: retrains the committed weights (``data/weights.npz``) and
  regenerates the data (``data/test.npz``).
"""

from corelet.blas import limit_blas_threads

limit_blas_threads()
