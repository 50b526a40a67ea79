"""CTMSR trainer: consistency training + distribution trajectory matching for one-step SR.

Run as `python -m trainer train|export|evaluate|make-test-model` from the repository root.
The method as this package implements it is described in docs/method.md; equation and algorithm numbers in comments
(Eq. 1, Eq. 22-25, Alg. 2-3) are those of the CTMSR paper and its supplement, as that page explains.
"""

import os

# A run shares its cores: with the app's batches, a test suite, an evaluation. OpenMP's default of busy-waiting
# threads then makes PyTorch's two-thread forward pass several times slower on 2 busy cores (trainer/README.md,
# "Training speed"). Set before torch loads its OpenMP runtime; the user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
