"""The study layer: the paper's protocols and experiments, reports and plots, the demo, and the
config-driven pre-training run. Everything here composes the library below it."""
