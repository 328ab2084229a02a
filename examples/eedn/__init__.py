"""Seed 003 (Esser et al., Eedn) reproduced: a trinary convolutional network of binary neurons
trained on handwritten digits, built from the library's ConvLayer, compiled and run on the runtime
(``python -m examples.eedn.report``), and seed 003's Table 1 structures compiled for their cores.

Single-threaded BLAS, as the command line chooses (corelet.blas): the training's and the runtime's
many small matrix products are an order of magnitude slower with threads on a shared machine. It
takes effect when this package is imported before numpy (``python -m examples.eedn...``).
"""

from corelet.blas import limit_blas_threads

limit_blas_threads()
