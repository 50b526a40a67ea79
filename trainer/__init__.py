"""CTMSR trainer: consistency training + distribution trajectory matching for one-step SR.

Run as `python -m trainer train|export|evaluate|make-test-model` from the repository root.
The method as this package implements it is described in docs/method.md; equation and algorithm numbers in comments
(Eq. 1, Eq. 22-25, Alg. 2-3) are those of the CTMSR paper and its supplement, as that page explains.
"""

__version__ = "0.1.0"
