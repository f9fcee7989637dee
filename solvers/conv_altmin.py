from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_conv
from benchmark_utils.learning import conv_atoms_step
from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """Alternating minimization for convolutional dictionary learning: the
    baseline every convolutional solver should beat.

    The block-coordinate scheme of shift-invariant sparse coding (Grosse,
    Raina, Kwong and Ng 2007, "Shift-invariant sparse coding for audio
    classification", UAI; Jas et al. 2017, alphaCSC, without its
    refinements), on the convolutional Lasso of the benchmark, at each
    iteration over all signals:

    1. activations by FISTA with FFT convolutions
       (``benchmark_utils.coding.sparse_encode_conv``), warm-started from the
       previous ones and stopped after ``z_max_iter`` iterations;
    2. ``d_steps`` projected gradient steps on the atoms for these
       activations (``benchmark_utils.learning.conv_atoms_step``: step
       ``1 / L_D``, ``L_D`` the largest eigenvalue of the activations' normal
       matrix, every atom projected onto the unit ball).

    One iteration is one point of the curve.
    """

    name = "conv-altmin"
    requirements = ["pip::scipy"]
    sampling_strategy = "callback"
    # The criterion it optimizes: the convolutional Lasso with the
    # objective's lmbd.
    criterion = "lasso"
    # benchopt test runs it on the convolutional dataset.
    test_config = {"dataset": {"name": "simulated-convolutional"}}
    parameters = {"z_max_iter": [30], "d_steps": [10]}

    def skip(self, X, D_init, lmbd, n_nonzeros=None):
        reason = model_mismatch_reason(D_init, "convolutional")
        return reason is not None, reason

    def set_objective(self, X, D_init, lmbd, n_nonzeros=None):
        self.X, self.D_init, self.lmbd = X, D_init, lmbd

    def run(self, callback):
        D, Z = self.D_init.copy(), None
        self.D = D
        while callback():
            Z = sparse_encode_conv(self.X, D, self.lmbd, Z_init=Z,
                                   max_iter=self.z_max_iter, tol=1e-4)
            D = conv_atoms_step(self.X, Z, D, n_steps=self.d_steps)
            self.D = D

    def get_result(self):
        return dict(D=self.D)
