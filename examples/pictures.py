"""Pictures of the gallery's demos: PNG files in examples/output/, drawn with matplotlib when it is
installed (a note otherwise)."""
import os


def save(name, draw):
    """draw(plt) makes a figure, which is written to examples/output/<name>.png."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is not installed: no picture; pip install matplotlib)")
        return
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
    os.makedirs(folder, exist_ok=True)
    figure = draw(plt)
    path = os.path.join(folder, f"{name}.png")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(figure)
    print(f"wrote {path}")


def images(name, pictures, cmap="gray", vmax=None):
    """Images side by side: pictures is a list of (title, 2-D array)."""
    def draw(plt):
        figure, axes = plt.subplots(1, len(pictures), figsize=(3 * len(pictures), 3))
        for axis, (title, image) in zip(axes, pictures):
            axis.imshow(image, cmap=cmap, vmin=0.0 if vmax is not None else None, vmax=vmax)
            axis.set_title(title)
            axis.axis("off")
        return figure
    save(name, draw)


def loss_curve(name, history, label):
    """The loss at each step, on a log scale."""
    def draw(plt):
        figure = plt.figure(figsize=(5, 3))
        plt.semilogy(history)
        plt.xlabel("step")
        plt.ylabel(label)
        return figure
    save(name, draw)
