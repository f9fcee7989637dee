"""The pieces dictionary-learning solvers are made of.

``atoms`` (normalization, projections, detection and replacement of unused
atoms, the restart rule every solver family shares), ``updates`` (least
squares, K-SVD atom updates, block coordinate descent), ``initialization``
(the shared initial dictionary: random, data, close) and ``minibatch``
(shuffled epochs); ``convolutional`` (the same for convolutional atoms:
normalization, the least-squares atoms for given activations, the initial
atoms). May import ``coding`` and the shared modules; never
benchopt.
"""
from benchmark_utils.learning.atoms import (
    RESTARTS,
    atoms_to_images,
    atoms_to_replace,
    duplicated_atoms,
    normalize_atoms,
    project_atoms_unit_ball,
    replace_unused_atoms,
    restart_atoms,
    sanitize_atoms,
)
from benchmark_utils.learning.convolutional import (
    conv_atoms_step,
    conv_least_squares_atoms,
    init_conv_atoms,
    normalize_conv_atoms,
    project_conv_atoms,
    sanitize_conv_atoms,
)
from benchmark_utils.learning.initialization import (
    INIT_METHODS,
    init_dictionary,
    perturb_dictionary,
)
from benchmark_utils.learning.minibatch import iterate_minibatches
from benchmark_utils.learning.updates import (
    block_coordinate_update,
    ksvd_atom_updates,
    least_squares_dictionary,
    least_squares_step,
    online_forgetting_factor,
)

__all__ = [
    "conv_atoms_step", "conv_least_squares_atoms", "init_conv_atoms",
    "normalize_conv_atoms", "project_conv_atoms", "sanitize_conv_atoms",
    "INIT_METHODS", "RESTARTS", "atoms_to_images", "atoms_to_replace",
    "block_coordinate_update",
    "duplicated_atoms", "init_dictionary", "iterate_minibatches",
    "ksvd_atom_updates", "least_squares_dictionary", "least_squares_step",
    "normalize_atoms", "online_forgetting_factor", "perturb_dictionary",
    "project_atoms_unit_ball", "replace_unused_atoms", "restart_atoms",
    "sanitize_atoms",
]
