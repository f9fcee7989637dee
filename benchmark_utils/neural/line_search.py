"""Step rules of the dictionary update: the backtracking line search of
Malezieux et al. (ICLR 2022), its first trial step and its stopping test."""
import math

import torch


def dictionary_step_init(Z):
    """First trial step of the dictionary line search: ``1 / ||Z^T Z / n||_2``.

    It is the inverse Lipschitz constant of ``D -> 0.5 ||X - Z D||^2 / n`` at
    the given codes, the natural step of a gradient method in ``D``; the line
    search then adapts it.
    """
    with torch.no_grad():
        curvature = float(torch.linalg.eigvalsh(Z.T @ Z)[-1]) / Z.shape[0]
    return 1.0 / curvature if curvature > 0 else 1.0


def loss_converged(previous_loss, loss, tol):
    """Stopping test of the public code of Malezieux, Moreau and Kowalski
    (ICLR 2022): the relative decrease of the loss over one accepted step,
    ``(previous - loss) / |previous|``, is below ``tol`` (1e-6 there).

    ``tol=0`` never stops. It is the full-batch solvers' ``tol`` parameter,
    0 by default: the test ends runs on plateaus that the loss leaves later.
    On the default problem of ``benchopt run .`` DDL from ``random`` ends at
    recovery 0.971 with 1e-6 (iteration 34) and goes on to 0.9998 without
    (132); on P1 from ``data`` the test ends DDL and AM much earlier at the
    same recovery (``python bench/bench_ddl_tolerance.py``, docs/neural.md).
    A plateau is not an end: the benchmark's stopping rule decides
    (``benchmark_utils.runtime.stopping``), and the paper's test is there to
    reproduce the paper.
    """
    if tol <= 0 or previous_loss == 0:
        return False
    return (previous_loss - loss) / abs(previous_loss) < tol


class BacktrackingLineSearch:
    """Backtracking step rule of Malezieux et al. (2022), with a bounded budget.

    A trial point ``params - step * grads`` (then projected) is accepted when
    its loss is below the current loss, minus ``c * step * ||grads||^2`` when
    ``armijo_c > 0`` (Armijo's sufficient decrease); otherwise the step is
    halved and the trial repeated, at most ``max_backtracks`` times per call
    (the public code has no bound: here one point of the curve is bounded
    work). After an acceptance the next call starts from ``grow`` times the
    accepted step, capped at ``max_step``. When every trial fails, the
    parameters are left as they are and the next call starts from the last
    halved step.

    Parameters
    ----------
    step : float
        First trial step.
    grow : float, default=2.0
        Factor applied to the step after an acceptance. The public code uses
        10; 2 wastes fewer rejected trials (each costs a forward pass).
    max_backtracks : int, default=20
    armijo_c : float, default=0.0
        Sufficient-decrease constant; 0 accepts any decrease.
    max_step : float, default=1e4
    """

    def __init__(self, step, grow=2.0, max_backtracks=20, armijo_c=0.0,
                 max_step=1e4):
        self.step = float(step)
        self.grow = grow
        self.max_backtracks = max_backtracks
        self.armijo_c = armijo_c
        self.max_step = max_step
        self.n_evaluations = 0

    def search(self, params, grads, loss, evaluate, project):
        """One line search from ``params`` along ``-grads``.

        Parameters
        ----------
        params, grads : list of tensors
        loss : float
            Loss at ``params``.
        evaluate : callable
            ``evaluate(candidate_params) -> (loss, state)``; ``state`` is
            anything the caller wants back for the accepted point (the graph of
            the forward pass, the codes).
        project : callable
            Maps a list of trial tensors to the feasible set.

        Returns
        -------
        accepted : bool
        params, loss, state
            The accepted point (or the input point and ``None``).
        """
        sq_norm = sum(float((g * g).sum()) for g in grads)
        for _ in range(self.max_backtracks + 1):
            with torch.no_grad():
                trial = project([p - self.step * g
                                 for p, g in zip(params, grads)])
            trial_loss, state = evaluate(trial)
            self.n_evaluations += 1
            target = loss - self.armijo_c * self.step * sq_norm
            if math.isfinite(trial_loss) and trial_loss < target:
                accepted_step = self.step
                self.step = min(self.grow * accepted_step, self.max_step)
                return True, trial, trial_loss, state
            self.step *= 0.5
        return False, params, loss, None
