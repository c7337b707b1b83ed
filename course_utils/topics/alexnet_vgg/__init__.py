"""Lecture 03, AlexNet and VGG: the seed's networks and a table of what each layer costs.

The networks live in :mod:`.networks`, the layer table in :mod:`.layer_table`, its figures in
:mod:`.figures`; all are re-exported here, so a notebook imports everything from
``course_utils.topics.alexnet_vgg``.
"""
from .figures import draw_layer_costs, draw_plain_cnn
from .layer_table import LayerRow, LayerTable, layer_table
from .networks import VGG_CONFIGS, VGG_PAPER_PARAMS_M, alexnet, lenet5, plain_cnn, vgg

__all__ = ["lenet5", "alexnet", "VGG_CONFIGS", "VGG_PAPER_PARAMS_M", "vgg", "plain_cnn",
           "LayerRow", "LayerTable", "layer_table", "draw_layer_costs", "draw_plain_cnn"]
