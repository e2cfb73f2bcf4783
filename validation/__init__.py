"""salesim's evidence base (evidence.yaml), shipped as the package ``simulator.evidence``."""
