"""Interoperability with the chip's original toolchain: its model files and its spike files.

``read_tn_model`` turns a "makeModel" JSON file (the format of the original corelet environment,
read by its simulator) into a ``ChipModel``, and ``write_tn_model`` writes one back, with the
names, roles, connectors, seed and provenance our format has and theirs lacks in an extension key
the original tools ignore, so ``read_tn_model(write_tn_model(m)) == m``. ``read_sfti`` /
``sfti_inputs`` turn an input spike file into runtime inputs (converting the timing),
``inputs_sfti`` writes runtime inputs as one, and ``output_spikes_text`` writes a run's output
spikes in the original text output layout. ``corelet.interop.nir`` exchanges logical networks with
NIR graphs (``read_nir``, ``nir_to_network``, ``write_nir``, ``network_to_nir``; the ``nir``
package is an optional extra, imported only when used). Every convention and its source: ``docs/interop.md``.

This stage imports only the shared layer ``corelet.chip``.
"""

from corelet.interop.errors import InteropError
from corelet.interop.nir import (LayerReport, NirImport, network_to_nir, nir_bytes, nir_to_network,
                                 read_nir, write_nir)
from corelet.interop.sfti import (SpikeFile, inputs_sfti, output_spikes_text, parse_sfti, read_sfti,
                                  sfti_inputs, tn_output_addresses, write_sfti)
from corelet.interop.tn_model import (EXTENSION_KEY, is_tn_model_file, is_tn_model_text,
                                      parse_tn_model, read_tn_model, tn_model_text, write_tn_model)

__all__ = ["InteropError", "read_tn_model", "parse_tn_model", "write_tn_model", "tn_model_text",
           "is_tn_model_file", "is_tn_model_text", "EXTENSION_KEY", "SpikeFile", "read_sfti",
           "parse_sfti",
           "sfti_inputs", "inputs_sfti", "write_sfti", "output_spikes_text", "tn_output_addresses",
           "NirImport", "LayerReport", "read_nir", "nir_to_network", "write_nir", "nir_bytes",
           "network_to_nir"]
