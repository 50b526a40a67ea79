"""CTMSR trainer: consistency training + distribution trajectory matching for one-step SR.

Run as `python -m trainer train|export|evaluate|make-test-model` from the repository root.
The method is described in ../shared/method/CTMSR.md; equation numbers in comments refer to it.
"""

__version__ = "0.1.0"
