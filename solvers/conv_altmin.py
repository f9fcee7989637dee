from benchopt import BaseSolver

from benchmark_utils.coding import sparse_encode_conv
from benchmark_utils.learning import conv_atoms_step
from benchmark_utils.validation import model_mismatch_reason


class Solver(BaseSolver):
    """Alternating minimization for convolutional dictionary learning: the
    baseline every convolutional solver should beat.

    The block-coordinate scheme of shift-invariant sparse coding (Grosse,
    Raina, Kwong and Ng 2007; alphaCSC without its refinements) on the
    benchmark's convolutional Lasso. Each iteration (one point of the curve),
    over all signals:

    1. activations ``z`` by FISTA with FFT convolutions, warm-started
       (``benchmark_utils.coding.sparse_encode_conv``);
    2. projected gradient steps on the atoms for these activations, step
       ``1 / L_D`` (``L_D`` the largest eigenvalue of the activations' normal
       matrix), every atom projected onto the unit ball
       (``benchmark_utils.learning.conv_atoms_step``).

    Parameters
    ----------
    z_max_iter : int
        FISTA iterations of the coding step.
    d_steps : int
        Gradient steps on the atoms.

    References
    ----------
    Grosse, Raina, Kwong and Ng (2007). Shift-invariant sparse coding for
    audio classification. UAI.
    Jas, Dupré la Tour, Şimşekli and Gramfort (2017). Learning the morphology
    of brain signals using alpha-stable convolutional sparse coding. NeurIPS.
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
