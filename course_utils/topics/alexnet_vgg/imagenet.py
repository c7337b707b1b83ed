"""ImageNet (ILSVRC) classification errors, typed from their sources, and their figure.

- :data:`ILSVRC_2012_RESULTS`: the seed's slide "Deep Learning: History", the 2012 results
  table as printed there (rank, team, top-5 error as a fraction).
- :data:`ALEXNET_ENSEMBLE`: the seed's AlexNet "Details/Retrospectives": "7 CNN ensemble:
  18.2% -> 15.4%" (top-5 error of one CNN and of seven, on the validation set in Table 2 of
  Krizhevsky et al. 2012).
- :data:`ILSVRC_WINNERS`: the networks the seed names on its slide "IMAGENET Large Scale Visual
  Recognition Challenge" (2010 NEC-UIUC, 2012 SuperVision/AlexNet, 2014 GoogLeNet and VGG, 2015
  MSRA/ResNet). The seed shows their errors only in pictures; the numbers here are the
  test-set top-5 errors of the papers named in each entry.
- :func:`draw_ilsvrc_errors`: the three as bar charts.
"""
from __future__ import annotations

__all__ = ["ILSVRC_2012_RESULTS", "ALEXNET_ENSEMBLE", "ILSVRC_WINNERS", "draw_ilsvrc_errors"]

#: (rank, team, top-5 test error): the seed's table "Rank / Name / Error rate" of ILSVRC 2012.
ILSVRC_2012_RESULTS: tuple[tuple[int, str, float], ...] = (
    (1, "U. Toronto", 0.15315),
    (2, "U. Tokyo", 0.26172),
    (3, "U. Oxford", 0.26979),
    (4, "Xerox/INRIA", 0.27058),
)

#: The seed's "7 CNN ensemble: 18.2% -> 15.4%" (top-5 error, validation set).
ALEXNET_ENSEMBLE: dict[str, float] = {"1 CNN": 0.182, "7 CNNs": 0.154}

#: (year, network, top-5 test error, source of the number).
ILSVRC_WINNERS: tuple[tuple[int, str, float, str], ...] = (
    (2010, "NEC-UIUC", 0.282, "Russakovsky et al., IJCV 2015, ILSVRC 2010 results"),
    (2012, "SuperVision (AlexNet)", 0.15315, "the seed's 2012 table"),
    (2014, "VGG", 0.073, "Simonyan & Zisserman, ICLR 2015, Table 7 (7 nets, ILSVRC submission)"),
    (2014, "GoogLeNet", 0.0667, "Szegedy et al., CVPR 2015, Table 2"),
    (2015, "ResNet (MSRA)", 0.0357, "He et al., CVPR 2016, Table 5"),
)


def draw_ilsvrc_errors():
    """Three bar charts of top-5 errors (%): the seed's ILSVRC 2012 table, AlexNet's ensemble,
    and the winners by year (:data:`ILSVRC_WINNERS`). Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), gridspec_kw={"width_ratios": [4, 2, 5]})
    panels = [
        ("ILSVRC 2012, as in the seed's table",
         [f"{rank}. {team}" for rank, team, _ in ILSVRC_2012_RESULTS],
         [e for *_, e in ILSVRC_2012_RESULTS], ["tab:red"] + ["tab:gray"] * 3),
        ("AlexNet: 1 CNN vs 7 (seed, validation)", list(ALEXNET_ENSEMBLE),
         list(ALEXNET_ENSEMBLE.values()), ["tab:red", "tab:red"]),
        ("Winners by year (numbers from the papers)", [f"{year}\n{name}" for year, name, *_ in ILSVRC_WINNERS],
         [e for _, _, e, _ in ILSVRC_WINNERS], ["tab:gray", "tab:red", "tab:blue", "tab:blue", "tab:green"]),
    ]
    for ax, (title, labels, errors, colours) in zip(axes, panels):
        bars = ax.bar(range(len(labels)), [100 * e for e in errors], color=colours)
        ax.bar_label(bars, labels=[f"{100 * e:.1f}" if e >= 0.1 else f"{100 * e:.2f}" for e in errors],
                     fontsize=8)
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20 if len(labels) > 3 else 0)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 32)
    axes[0].set_ylabel("top-5 error (%)")
    fig.tight_layout()
    return fig
