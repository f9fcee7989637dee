from benchopt import BasePlot

from benchmark_utils.results.figures import atoms_images


class Plot(BasePlot):
    """The learned atoms as an image grid, one per solver (final iterate of
    the first repetition), for datasets whose atoms are images (``patches``);
    each atom is stretched to its own gray range. Other datasets have none.
    """

    name = "Learned atoms"
    type = "image"
    options = {"dataset": ..., "objective": ...}

    def plot(self, df, dataset, objective):
        df = df[(df["dataset_name"] == dataset)
                & (df["objective_name"] == objective)]
        return [{"image": grid, "label": label}
                for label, grid in atoms_images(df)]

    def get_metadata(self, df, dataset, objective):
        return {"title": f"Learned atoms\n{dataset}", "ncols": 3}
