"""The scalar reference simulator and the tests that hold the runtime to docs/neuron-model.md."""
